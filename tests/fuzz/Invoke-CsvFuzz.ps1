<#
.SYNOPSIS
    CSV fuzz run (started in a child process by Import-ModelData.Fuzz.Tests.ps1): mutated CSV files, each loaded with
    Import-ModelData and compared with a strict reference parser (CsvFuzz.cs). Writes a JSON summary.
.EXAMPLE
    pwsh tests/fuzz/Invoke-CsvFuzz.ps1 -Seed 15 -Case 412     # replays one failing case and prints it
#>
param([int] $Seed = 15, [int] $Cases = 1200, [int] $Case = -1, [double] $TimeLimitSeconds = 150, [string] $OutFile)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
Import-Module (Join-Path $root 'KerasPS.psd1')
Add-Type -Path (Join-Path $PSScriptRoot 'CsvFuzz.cs') -ReferencedAssemblies System.Numerics, System.Linq, System.Collections, System.Runtime.Numerics, System.Text.Encoding.Extensions
$work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-csvfuzz-$PID"
New-Item -ItemType Directory -Path $work -Force | Out-Null

function Same([float[]] $a, [float[]] $b) {
    if ($a.Length -ne $b.Length) { return $false }
    for ($i = 0; $i -lt $a.Length; $i++) { if ([BitConverter]::SingleToInt32Bits($a[$i]) -ne [BitConverter]::SingleToInt32Bits($b[$i])) { return $false } }
    $true
}

$stats = [ordered]@{ Cases = 0; LoadedAndEqual = 0; RefusedByBoth = 0; RefusedOnlyByKerasPS = 0; Failures = @(); ErrorIds = @{} }
$watch = [Diagnostics.Stopwatch]::StartNew()
$range = if ($Case -ge 0) { , $Case } else { 0..($Cases - 1) }
foreach ($i in $range) {
    if ($Case -lt 0 -and $watch.Elapsed.TotalSeconds -gt $TimeLimitSeconds) { break }
    $caseSeed = [int](([long]$Seed * 1000003 + $i) % [int]::MaxValue)
    $c = [KerasPSFuzz.CsvFuzz]::Make($caseSeed)
    $path = Join-Path $work "case.csv"
    [IO.File]::WriteAllBytes($path, $c.Bytes)
    $expected = [KerasPSFuzz.CsvFuzz]::Reference($c.Bytes, $c.Delimiter, 'y')
    $stats.Cases++
    $problem = $null
    $data = $null; $err = $null
    try { $data = Import-ModelData -Path $path -Delimiter $c.Delimiter -Target y } catch { $err = $_ }
    if ($err) {
        $inner = $err.Exception
        if ($inner.GetType().FullName -ne 'KerasPS.Engine.KerasException') { $problem = "not a KerasPS error: $($inner.GetType().FullName): $($inner.Message)" }
        else {
            $id = ($err.FullyQualifiedErrorId -split ',')[0]
            $stats.ErrorIds[$id] = 1 + [int]$stats.ErrorIds[$id]
            if ($expected.Error) { $stats.RefusedByBoth++ } else { $stats.RefusedOnlyByKerasPS++ }
        }
    }
    elseif ($expected.Error) { $problem = "KerasPS loaded it, but a strict reader refuses it ($($expected.Error))" }
    else {
        $e = $data.Engine
        if (-not [Linq.Enumerable]::SequenceEqual([string[]]$e.FeatureNames, [string[]]$expected.FeatureNames)) { $problem = "feature names $($e.FeatureNames -join '|') <> $($expected.FeatureNames -join '|')" }
        elseif ($e.Count -ne $expected.Rows.Count) { $problem = "$($e.Count) rows <> $($expected.Rows.Count)" }
        else {
            $width = $expected.FeatureNames.Count
            for ($r = 0; $r -lt $e.Count -and -not $problem; $r++) {
                $row = [float[]]::new($width); [Array]::Copy($e.Features, $r * $width, $row, 0, $width)
                if (-not (Same $row $expected.Rows[$r])) { $problem = "row $($r + 1): $($row -join ',') <> $($expected.Rows[$r] -join ',')" }
            }
            if (-not $problem) {
                if ($expected.Targets) { if (-not $e.Targets -or -not (Same $e.Targets $expected.Targets)) { $problem = "targets $($e.Targets -join ',') <> $($expected.Targets -join ',')" } }
                elseif (-not $e.Classes -or -not [Linq.Enumerable]::SequenceEqual([string[]]$e.Classes, [string[]]$expected.Classes) -or -not [Linq.Enumerable]::SequenceEqual([int[]]$e.Labels, [int[]]$expected.Labels)) {
                    $problem = "classes $($e.Classes -join '|') / $($e.Labels -join ',') <> $($expected.Classes -join '|') / $($expected.Labels -join ',')"
                }
            }
        }
        if (-not $problem) { $stats.LoadedAndEqual++ }
    }
    if ($problem) { $stats.Failures += "seed $Seed case $i ($($c.Description)): $problem" }
    if ($Case -ge 0) {
        "sha256 of the case: " + [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($c.Bytes)).Substring(0, 16)
        "bytes: " + [KerasPSFuzz.CsvFuzz]::Show([Text.Encoding]::Latin1.GetString($c.Bytes))
        "reference: " + ($expected.Error ?? 'loads')
        "KerasPS: " + ($err ? "$(($err.FullyQualifiedErrorId -split ',')[0]): $($err.Exception.Message)" : 'loads')
        "verdict: " + ($problem ?? 'agree')
    }
}
$stats.Seconds = [math]::Round($watch.Elapsed.TotalSeconds, 1)
# The process's peak resident memory (VmHWM on Linux, the peak working set on Windows).
$stats.PeakRssMB = [math]::Round([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB, 1)
Remove-Item $work -Recurse -Force
if ($OutFile) { $stats | ConvertTo-Json -Depth 5 | Set-Content -Path $OutFile } elseif ($Case -lt 0) { $stats | ConvertTo-Json -Depth 5 }
