<#
.SYNOPSIS
    What the functional API costs in training (issue 22, item 6): the same layers built functionally against their
    Sequential form, and a residual MLP against the same MLP without its Add.
.DESCRIPTION
    Workload: Otto-shaped data (Get-SampleData Otto, 61,878 x 93 by default), SGD 0.01, batch 128, no validation.
      chain:    93 -> Dense(100, relu) -> Dense(100, relu) -> Dense(9, softmax), once as New-Model -InputShape 93 |
                Add-DenseLayer ... (Sequential) and once as New-ModelInput 93 | Add-DenseLayer ... | New-Model -Inputs
                -Outputs (functional). Goal: functional / Sequential <= 1.05.
      residual: h = Dense(100, relu)(x); Dense(9, softmax)(Add(h, Dense(100, relu)(h))) against the same graph without
                the Add (Dense(9, softmax)(Dense(100, relu)(h))): the Add of two (128, 100) batches is the only extra
                work. Goal: no per-step overhead beyond that Add (a ratio near 1).
    After one warm-up epoch each, every round trains every model -Epochs more epochs, in turns (the order reversed every
    other round), so all see the same machine load. Reported for each pair, in wall seconds and in this process's CPU
    seconds per epoch (steadier when other processes share the cores): the median over the rounds, and in the note the
    median of the per-round ratios with their range (these machines are shared and noisy).
    Writes objects with Name, Unit, Value, Peer, PeerValue, Note (Invoke-Bench.ps1 tabulates them).
    Standalone: Import-Module ./KerasPS.psd1; ./tests/bench/FunctionalBench.ps1 -Rows 20000 -Rounds 3
#>
param(
    # Epochs per model per round.
    [int] $Epochs = 1,
    [int] $Rounds = 9,
    [int] $Rows = 0,
    [int] $Threads = 2
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
if (-not (Get-Module KerasPS)) { Import-Module (Join-Path $PSScriptRoot '../../KerasPS.psd1') }

function Get-Median([double[]] $Values) {
    $s = @($Values | Sort-Object)
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

function Out-Row([string] $Name, [string] $Unit, [double] $Value, [string] $Peer = '', $PeerValue = $null, [string] $Note = '') {
    [pscustomobject]@{ Name = $Name; Unit = $Unit; Value = $Value; Peer = $Peer; PeerValue = $PeerValue; Note = $Note }
}

function Compile($Model) { $Model | Build-Model -Optimizer sgd -Loss categorical_crossentropy }

$data = if ($Rows -gt 0) { Get-SampleData -Name Otto -Rows $Rows -Seed 42 } else { Get-SampleData -Name Otto }

$models = [ordered]@{}
$models.sequential = Compile (New-Model -InputShape 93 -Seed 42 | Add-DenseLayer 100 -Activation relu |
        Add-DenseLayer 100 -Activation relu | Add-DenseLayer 9 -Activation softmax)
$x = New-ModelInput -Shape 93
$out = $x | Add-DenseLayer 100 -Activation relu | Add-DenseLayer 100 -Activation relu | Add-DenseLayer 9 -Activation softmax
$models.functional = Compile (New-Model -Inputs $x -Outputs $out -Seed 42)
$x = New-ModelInput -Shape 93
$h = $x | Add-DenseLayer 100 -Activation relu
$models.noadd = Compile (New-Model -Inputs $x -Outputs ($h | Add-DenseLayer 100 -Activation relu | Add-DenseLayer 9 -Activation softmax) -Seed 42)
$x = New-ModelInput -Shape 93
$h = $x | Add-DenseLayer 100 -Activation relu
$sum = $h | Add-AddLayer -With ($h | Add-DenseLayer 100 -Activation relu)
$models.residual = Compile (New-Model -Inputs $x -Outputs ($sum | Add-DenseLayer 9 -Activation softmax) -Seed 42)

# One warm-up epoch each (JIT, first allocations), then the measured rounds. Per fit: wall seconds per epoch and this
# process's CPU seconds per epoch (steadier than wall time when other processes share the cores).
$wall = @{}; $cpu = @{}
foreach ($k in $models.Keys) {
    $wall[$k] = [System.Collections.Generic.List[double]]::new(); $cpu[$k] = [System.Collections.Generic.List[double]]::new()
    $null = $models[$k] | Invoke-ModelFit -Data $data -Epochs 1 -BatchSize 128 -Seed 42 -Threads $Threads
}
$process = [Diagnostics.Process]::GetCurrentProcess()
$perRound = [math]::Max(1, $Epochs)
for ($round = 0; $round -lt $Rounds; $round++) {
    $order = @($models.Keys)
    if ($round % 2) { [array]::Reverse($order) }
    foreach ($k in $order) {
        $m = $models[$k]
        $process.Refresh(); $cpuBefore = $process.TotalProcessorTime.TotalSeconds
        $hist = $m | Invoke-ModelFit -Data $data -Epochs $perRound -BatchSize 128 -Seed 42 -Threads $Threads
        $process.Refresh(); $cpu[$k].Add(($process.TotalProcessorTime.TotalSeconds - $cpuBefore) / $perRound)
        $wall[$k].Add((Get-Median @($hist | ForEach-Object { [double]$_.Seconds })))
    }
}

function Out-Ratio([string] $Name, [string] $Model, [string] $Peer, [string] $PeerLabel, [string] $Goal) {
    # Rounds are paired (both models ran in the same round, one after the other): the median of the per-round ratios
    # is robust to the load drifting between rounds; the medians of the times are what the table shows.
    foreach ($kind in 'wall', 'CPU') {
        $t = if ($kind -eq 'wall') { $wall } else { $cpu }
        $value = Get-Median $t[$Model].ToArray()
        $peerValue = Get-Median $t[$Peer].ToArray()
        $ratios = [double[]]@(for ($r = 0; $r -lt $Rounds; $r++) { $t[$Model][$r] / $t[$Peer][$r] })
        $range = $ratios | Measure-Object -Minimum -Maximum
        $paired = Get-Median $ratios
        Write-Host ("{0}, {1}: {2:0.000} s vs {3:0.000} s per epoch; paired ratio median {4:0.000} (rounds {5:0.000}..{6:0.000})" -f
            $Name, $kind, $value, $peerValue, $paired, $range.Minimum, $range.Maximum)
        Out-Row "$Name, $kind" "$kind s/epoch" $value $PeerLabel $peerValue ("{0}; paired ratio median {1:0.000}, rounds {2:0.000}..{3:0.000}" -f
            $Goal, $paired, $range.Minimum, $range.Maximum)
    }
}

$shape = "$($data.Count) x 93, batch 128, SGD"
Out-Ratio "Functional chain epoch (93-100-100-9, $shape)" functional sequential 'the same layers as a Sequential' 'goal <= 1.05'
Out-Ratio "Residual MLP epoch (93-100-[100+Add]-9, $shape)" residual noadd 'the same graph without the Add' 'goal: the Add''s own cost only'
