<#
.SYNOPSIS
    Checkpoint fuzz run (started in a child process by Import-Checkpoint.Fuzz.Tests.ps1): mutated .kpt files, each
    imported with Import-Checkpoint; it must give the weights the file holds or fail with a checkpoint error id. Then
    mutated Keras files (.h5 and .keras): each must load or fail with a checkpoint error id, never another exception.
    Writes a JSON summary with the number of cases and the process's peak resident memory.
.EXAMPLE
    pwsh tests/fuzz/Invoke-CheckpointFuzz.ps1 -Seed 15 -Case 412     # replays one .kpt case and prints it
    pwsh tests/fuzz/Invoke-CheckpointFuzz.ps1 -Seed 15 -KerasCase 37  # replays one Keras-file case
#>
param([int] $Seed = 15, [int] $Cases = 1500, [int] $KerasCases = 400, [int] $Case = -1, [int] $KerasCase = -1, [double] $TimeLimitSeconds = 150, [string] $OutFile,
    # Also flip, cut, zero and copy bytes of .h5 and .keras files (HDF5 structure damage); on in CI since the HDF5
    # reader is guarded (src/KerasPS.Engine/Checkpoints/H5Guard.cs, issue 28).
    [switch] $KerasByteMutations,
    # The per-case watchdog: a case running longer, or the process passing this memory, ends the run (exit code 124)
    # naming the case (in -TraceFile too, which names each case before it runs, so a crash leaves its case last).
    [double] $CaseSeconds = 10, [int] $MaxMemoryMB = 1536, [string] $TraceFile)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
Import-Module (Join-Path $root 'KerasPS.psd1')
Add-Type -Path (Join-Path $PSScriptRoot 'CheckpointFuzz.cs') -ReferencedAssemblies System.IO.Compression, System.Text.Json, System.Linq, System.Collections, System.Security.Cryptography, System.Memory, System.Runtime, System.Text.Encoding.Extensions, System.Threading, System.Threading.Thread, System.Diagnostics.Process, System.ComponentModel.Primitives, System.Console
$work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-kptfuzz-$PID"
New-Item -ItemType Directory -Path $work -Force | Out-Null

# The valid files every case starts from: dense with optimizer state; convolution, normalization and recurrent
# layers; an expression Lambda, an embedding and PReLU.
$data = Get-SampleData -Name Otto -Rows 64 -Seed 3
$bases = @(
    { $m = New-Model -Name dense -InputShape 93 -Seed 1 | Add-DenseLayer 8 -Activation relu | Add-DropoutLayer 0.2 | Add-DenseLayer 9 -Activation softmax |
        Build-Model adam categorical_crossentropy -Metrics accuracy
      $m | Invoke-ModelFit -Data $data -Epochs 1 -BatchSize 32 -Seed 2 | Out-Null
      $m | Export-Checkpoint -Path $args[0] -IncludeOptimizer }
    { New-Model -Name conv -InputShape 8, 3 -Seed 1 | Add-Conv1DLayer -Filters 4 -KernelSize 3 | Add-BatchNormalizationLayer |
        Add-NormalizationLayer -Mean 1, 2, 3, 4 -Variance 1, 1, 2, 2 | Add-LSTMLayer -Units 5 | Add-DenseLayer 2 | Build-Model sgd mse |
        Export-Checkpoint -Path $args[0] }
    { New-Model -Name embed -InputShape 4 -Seed 1 | Add-EmbeddingLayer -InputDim 10 -OutputDim 3 | Add-LambdaLayer 'x * 2' | Add-FlattenLayer |
        Add-PReLULayer | Add-DenseLayer 1 | Build-Model rmsprop mse | Export-Checkpoint -Path $args[0] }
)
$baseBytes = for ($b = 0; $b -lt $bases.Count; $b++) {
    $p = Join-Path $work "base$b.kpt"
    & $bases[$b] $p
    , [KerasPSFuzz.CheckpointFuzz]::Normalize([IO.File]::ReadAllBytes($p))
}
$allowed = 'InvalidCheckpoint', 'UnsafeCheckpoint', 'WeightsOnlyCheckpoint'

[KerasPSFuzz.CaseWatchdog]::Start($CaseSeconds, [long]$MaxMemoryMB * 1MB, $TraceFile)
$stats = [ordered]@{ Cases = 0; Loaded = 0; LoadedChangedWeights = 0; Refused = 0; Failures = @(); ErrorIds = @{} }
$watch = [Diagnostics.Stopwatch]::StartNew()
$range = if ($KerasCase -ge 0) { @() } elseif ($Case -ge 0) { , $Case } else { 0..($Cases - 1) }
foreach ($i in $range) {
    if ($Case -lt 0 -and $watch.Elapsed.TotalSeconds -gt $TimeLimitSeconds) { break }
    $caseSeed = [int](([long]$Seed * 1000003 + $i) % [int]::MaxValue)
    $base = $baseBytes[$i % $baseBytes.Count]
    $c = [KerasPSFuzz.CheckpointFuzz]::Make($base, $caseSeed)
    $path = Join-Path $work 'case.kpt'
    [IO.File]::WriteAllBytes($path, $c.Bytes)
    $stats.Cases++
    $problem = $null; $model = $null; $err = $null
    [KerasPSFuzz.CaseWatchdog]::Enter("seed $Seed case $i")
    try { $model = Import-Checkpoint -Path $path } catch { $err = $_ }
    [KerasPSFuzz.CaseWatchdog]::Leave()
    if ($err) {
        $id = ($err.FullyQualifiedErrorId -split ',')[0]
        if ($err.Exception.GetType().FullName -ne 'KerasPS.Engine.KerasException') { $problem = "not a KerasPS error: $($err.Exception.GetType().FullName): $($err.Exception.Message)" }
        elseif ($id -notin $allowed) { $problem = "error id $id ($($err.Exception.Message))" }
        else { $stats.Refused++; $stats.ErrorIds[$id] = 1 + [int]$stats.ErrorIds[$id] }
    }
    else {
        try { $expected = [KerasPSFuzz.CheckpointFuzz]::ReadWeights($c.Bytes) } catch { $problem = "loaded, but an independent reader cannot read its weights: $($_.Exception.Message)" }
        if (-not $problem) {
            $names = @($model.Engine.Weights.Path)
            if ($names.Count -ne $expected.Count) { $problem = "$($names.Count) weights loaded, the file holds $($expected.Count)" }
            foreach ($w in $model.Engine.Weights) {
                if ($problem) { break }
                $values = $w.ToArray()
                if (-not $expected.ContainsKey($w.Path)) { $problem = "weight '$($w.Path)' is not in the file"; break }
                $want = $expected[$w.Path]
                if ($values.Length -ne $want.Length) { $problem = "weight '$($w.Path)' has $($values.Length) values, the file $($want.Length)"; break }
                for ($k = 0; $k -lt $values.Length; $k++) {
                    if ([BitConverter]::SingleToInt32Bits($values[$k]) -ne [BitConverter]::SingleToInt32Bits($want[$k])) { $problem = "weight '$($w.Path)'[$k] is $($values[$k]), the file holds $($want[$k])"; break }
                }
            }
        }
        if (-not $problem) {
            $stats.Loaded++
            if (-not [Linq.Enumerable]::SequenceEqual($c.Bytes, $base)) {
                $original = [KerasPSFuzz.CheckpointFuzz]::ReadWeights($base)
                if (@($original.Keys | Where-Object { -not [Linq.Enumerable]::SequenceEqual($original[$_], $expected[$_]) }).Count) { $stats.LoadedChangedWeights++ }
            }
        }
        $model = $null
    }
    if ($problem) { $stats.Failures += "seed $Seed case $i ($($c.Description)): $problem" }
    if ($Case -ge 0) {
        "sha256 of the case: " + [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($c.Bytes)).Substring(0, 16)
        "mutation: $($c.Description)"
        "KerasPS: " + ($err ? "$(($err.FullyQualifiedErrorId -split ',')[0]): $($err.Exception.Message)" : 'loads')
        "verdict: " + ($problem ?? 'ok')
    }
}

function Get-FuzzWeights($m) {
    $d = [Collections.Generic.Dictionary[string, float[]]]::new()
    foreach ($w in $m.Engine.Weights) { $d[$w.Path] = $w.ToArray() }
    , $d
}

# Keras files: the same models as .keras (Keras 3 zip) and, with -KerasByteMutations, .h5 (Keras 2 HDF5). By default
# a .keras file's entries and config.json are mutated, as for .kpt files; its HDF5 weights file is left whole, because
# the HDF5 reader is not yet safe against damaged structure (see the parameter). HDF5 keeps no checksum of its data,
# so a flipped weight byte loads as another weight value (as in Keras itself): a loaded file is counted, and any
# outcome but a load or a checkpoint error id is a failure.
$kerasBases = foreach ($b in 0, 1) {
    $model = Import-Checkpoint -Path (Join-Path $work "base$b.kpt")
    foreach ($ext in $(if ($KerasByteMutations) { 'h5', 'keras' } else { , 'keras' })) {
        $p = Join-Path $work "base$b.$ext"
        $model | Export-Checkpoint -Path $p -Force
        [pscustomobject]@{ Ext = $ext; Bytes = [IO.File]::ReadAllBytes($p); Weights = (Get-FuzzWeights (Import-Checkpoint -Path $p)) }
    }
}
$kerasAllowed = $allowed + 'UnsupportedKerasLayers', 'UnsupportedKerasModel', 'KerasActivationMismatch', 'UnsupportedKerasVersion', 'KerasLayerMismatch'
$stats.KerasCases = 0; $stats.KerasLoaded = 0; $stats.KerasLoadedSame = 0; $stats.KerasLoadedChanged = 0; $stats.KerasRefused = 0
$stats.KerasRefusedIds = @{}
$kerasRange = if ($KerasCase -ge 0) { , $KerasCase } elseif ($Case -ge 0) { @() } else { 0..($KerasCases - 1) }
foreach ($i in $kerasRange) {
    if ($KerasCase -lt 0 -and $watch.Elapsed.TotalSeconds -gt $TimeLimitSeconds * 1.5) { break }
    $caseSeed = [int](([long]$Seed * 1000033 + $i) % [int]::MaxValue)
    $base = $kerasBases[$i % $kerasBases.Count]
    $c = [KerasPSFuzz.CheckpointFuzz]::MakeKeras($base.Bytes, $base.Ext -eq 'keras', $KerasByteMutations.IsPresent, $caseSeed)
    $path = Join-Path $work "case.$($base.Ext)"
    [IO.File]::WriteAllBytes($path, $c.Bytes)
    if ($env:KERASPS_FUZZ_TRACE) { Add-Content -Path $env:KERASPS_FUZZ_TRACE -Value "keras $i" }   # the last line names a case that crashed the process
    if ($KerasCase -ge 0) { "mutation of .$($base.Ext): $($c.Description)" }
    $stats.KerasCases++
    $problem = $null; $err = $null; $model = $null
    [KerasPSFuzz.CaseWatchdog]::Enter("seed $Seed Keras case $i (.$($base.Ext): $($c.Description))")
    try { $model = Import-Checkpoint -Path $path } catch { $err = $_ }
    [KerasPSFuzz.CaseWatchdog]::Leave()
    if ($err) {
        $id = ($err.FullyQualifiedErrorId -split ',')[0]
        if ($err.Exception.GetType().FullName -ne 'KerasPS.Engine.KerasException') { $problem = "not a KerasPS error: $($err.Exception.GetType().FullName): $($err.Exception.Message)" }
        elseif ($id -notin $kerasAllowed) { $problem = "error id $id ($($err.Exception.Message))" }
        else { $stats.KerasRefused++; $stats.ErrorIds[$id] = 1 + [int]$stats.ErrorIds[$id]; $stats.KerasRefusedIds[$id] = 1 + [int]$stats.KerasRefusedIds[$id] }
    }
    else {
        $stats.KerasLoaded++
        # A .keras file's weights are under the zip's CRC-32: byte damage that loads with other weights got past it (a
        # rezipped model.weights.h5 has valid CRCs, so it may load changed, like an .h5). An .h5
        # file keeps no checksum of its data (as in Keras itself), so changed weights there are counted, not failed.
        if ([KerasPSFuzz.WeightCompare]::Same((Get-FuzzWeights $model), $base.Weights)) { $stats.KerasLoadedSame++ }
        else {
            $stats.KerasLoadedChanged++
            if ($base.Ext -eq 'keras' -and $c.Description -match '^(flip|truncate|zero|copy)') { $problem = 'loaded with weights other than the file''s, unnoticed by the zip CRC-32' }
        }
    }
    $model = $null
    if ($problem) { $stats.Failures += "seed $Seed Keras case $i (.$($base.Ext): $($c.Description)): $problem" }
    if ($KerasCase -ge 0) {
        "KerasPS: " + ($err ? "$(($err.FullyQualifiedErrorId -split ',')[0]): $($err.Exception.Message)" : 'loads')
        "verdict: " + ($problem ?? 'ok')
    }
}
$stats.Seconds = [math]::Round($watch.Elapsed.TotalSeconds, 1)
$stats.LongestCaseSeconds = [math]::Round([KerasPSFuzz.CaseWatchdog]::LongestSeconds, 2)
$stats.LongestCase = [KerasPSFuzz.CaseWatchdog]::LongestCase
# The process's peak resident memory (VmHWM on Linux, the peak working set on Windows).
$stats.PeakRssMB = [math]::Round([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB, 1)
Remove-Item $work -Recurse -Force
if ($OutFile) { $stats | ConvertTo-Json -Depth 5 | Set-Content -Path $OutFile } elseif ($Case -lt 0 -and $KerasCase -lt 0) { $stats | ConvertTo-Json -Depth 5 }
