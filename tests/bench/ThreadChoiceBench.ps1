<#
.SYNOPSIS
    The automatic thread choice on a small CNN (issue 27, item 8): a fit with the rule on against the same fit forced to 1
    and to 2 threads, interleaved in rounds.
.DESCRIPTION
    Workload: 1,797 rows of 8x8x1 (scikit-learn's digits shape, values from a seeded generator, 10 classes), Conv2D 16 3x3
    relu -> MaxPool 2 -> Flatten -> Dense 10 softmax, Adam, batch 32, -Epochs per fit (6 by default). Each round trains a
    fresh seeded model three times, in turns: the automatic choice, -Threads 1, and -Threads 2 with the one-thread rule
    switched off (Trainer.SmallStepsOnOneThread, through reflection: only a bench turns it off). Reported: the median
    seconds per fit of the automatic choice against the better of the two forced counts (goal: a ratio <= 1.25: when the rule picks one thread, auto and -Threads 1 run the same code, and the rest is noise), the
    per-setting times in the note. These machines are shared and noisy; read the ranges, not one number.
    Writes objects with Name, Unit, Value, Peer, PeerValue, Note (Invoke-Bench.ps1 tabulates them).
    Standalone: Import-Module ./KerasPS.psd1; ./tests/bench/ThreadChoiceBench.ps1 -Rounds 3
#>
param(
    [int] $Epochs = 6,
    [int] $Rounds = 3
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
if (-not (Get-Module KerasPS)) { Import-Module (Join-Path $PSScriptRoot '../../KerasPS.psd1') }

function Get-Median([double[]] $Values) {
    $s = @($Values | Sort-Object)
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

$random = [Random]::new(7)
$rows = foreach ($i in 0..1796) {
    $r = [ordered]@{ y = $i % 10 }
    foreach ($p in 0..63) { $r["p$p"] = [math]::Round($random.NextDouble() * 16) }
    $r
}
$data = $rows | ConvertTo-ModelData -Target y -TargetKind Classification -FeatureShape 8, 8, 1
function New-Cnn {
    New-Model -InputShape 8, 8, 1 -Seed 1 | Add-Conv2DLayer 16 3 -Activation relu | Add-MaxPooling2DLayer 2 | Add-FlattenLayer |
        Add-DenseLayer 10 -Activation softmax | Build-Model adam sparse_categorical_crossentropy
}
$rule = [KerasPS.Engine.Training.Trainer].GetProperty('SmallStepsOnOneThread', [Reflection.BindingFlags]'NonPublic,Static')
$null = New-Cnn | Invoke-ModelFit -Data $data -Epochs 1 -BatchSize 32 -Seed 1   # warm-up
$times = @{ auto = @(); one = @(); two = @() }
try {
    foreach ($round in 1..$Rounds) {
        foreach ($setting in 'auto', 'one', 'two') {
            $fit = @{ Data = $data; Epochs = $Epochs; BatchSize = 32; Seed = 1 }
            if ($setting -eq 'one') { $fit.Threads = 1 }
            if ($setting -eq 'two') { $fit.Threads = 2; $rule.SetValue($null, $false) }
            $m = New-Cnn
            $sw = [Diagnostics.Stopwatch]::StartNew()
            try { $null = $m | Invoke-ModelFit @fit } finally { $rule.SetValue($null, $true) }
            $times[$setting] += $sw.Elapsed.TotalSeconds
        }
    }
}
finally { $rule.SetValue($null, $true) }
$auto = Get-Median $times.auto
$better = [math]::Min((Get-Median $times.one), (Get-Median $times.two))
[pscustomobject]@{
    Name = "Small CNN fit, automatic threads / better of 1 and 2 ($Epochs epochs, 1,797 x 8x8x1)"
    Unit = 'ratio'; Value = $auto / $better; Peer = ''; PeerValue = $null
    Note = 'goal <= 1.25; seconds per fit: auto {0}; 1 thread {1}; 2 threads {2}' -f
        (($times.auto | ForEach-Object { '{0:0.00}' -f $_ }) -join ', '), (($times.one | ForEach-Object { '{0:0.00}' -f $_ }) -join ', '),
        (($times.two | ForEach-Object { '{0:0.00}' -f $_ }) -join ', ')
}
