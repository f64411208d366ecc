<#
.SYNOPSIS
    Measures the parallel speed-up of Invoke-ModelSweep: the same 4 small trials at -ThrottleLimit 1 and 2.
.DESCRIPTION
    Each trial trains a 93-64-9 MLP on Get-SampleData Otto -Rows 5000 for a few epochs. Throttle 1 runs the trials one
    after another with libtorch's default threads; throttle N runs N at a time with cores/N threads each. A warm-up sweep
    runs first so that neither side pays for loading libtorch or opening the worker runspaces (kept between sweeps).
    Prints one object per throttle (wall seconds and the process's CPU seconds per sweep) and the ratio.
.EXAMPLE
    dotnet pwsh tests/bench/Measure-SweepSpeedup.ps1 -Epochs 20
#>
param([int] $Rows = 5000, [int] $Epochs = 20, [int] $Repeat = 3)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
Import-Module (Join-Path $root 'KerasPS.psd1')
$all = Get-SampleData Otto -Rows $Rows -Seed 1
$cut = [int]($Rows * 0.8)
$sweep = @{
    Parameters     = @{ Units = 128, 256; LearningRate = 0.05, 0.01 }
    ModelScript    = { param($p) New-Model -InputShape 93 | Add-DenseLayer -Units $p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
            Build-Model -Optimizer (New-Optimizer sgd -LearningRate $p.LearningRate) -Loss categorical_crossentropy -Metrics accuracy }
    Data           = $all.Slice(0, $cut)
    ValidationData = $all.Slice($cut, $Rows - $cut)
    Epochs         = $Epochs
    BatchSize      = 64
    Seed           = 1
}
$null = Invoke-ModelSweep @sweep -Epochs 1 -ThrottleLimit 2   # warm-up: libtorch loaded, code jitted, worker runspaces opened
$process = [System.Diagnostics.Process]::GetCurrentProcess()
# Throttle 1 with libtorch's default threads (what a plain sweep does), throttle 1 with one thread, throttle 2 (one thread each on 2 cores).
$configs = @(@{ ThrottleLimit = 1 }, @{ ThrottleLimit = 1; Threads = 1 }, @{ ThrottleLimit = 2 })
$results = foreach ($c in $configs) {
    $cpu = [System.Collections.Generic.List[double]]::new()
    $times = foreach ($r in 1..$Repeat) {
        $before = $process.TotalProcessorTime
        (Measure-Command { $null = Invoke-ModelSweep @sweep @c }).TotalSeconds
        $process.Refresh(); $cpu.Add(($process.TotalProcessorTime - $before).TotalSeconds)
    }
    [pscustomobject]@{
        ThrottleLimit = $c.ThrottleLimit
        Threads       = if ($c.ContainsKey('Threads')) { $c['Threads'] } elseif ($c.ThrottleLimit -gt 1) { [math]::Max(1, [int][math]::Floor([Environment]::ProcessorCount / $c.ThrottleLimit)) } else { 'default' }
        BestSeconds   = [math]::Round(($times | Measure-Object -Minimum).Minimum, 2)
        Runs          = ($times | ForEach-Object { [math]::Round($_, 2) }) -join ', '
        # CPU time of the process per sweep: on a shared machine it says whether throttle 2 does more work than throttle 1.
        CpuSeconds    = [math]::Round(($cpu | Measure-Object -Minimum).Minimum, 2)
    }
}
$results | Format-Table -AutoSize | Out-String -Width 120 | Write-Host
$two = $results[2].BestSeconds
Write-Host ('{0} cores, load average {1}: throttle 2 is {2:0.00}x faster than throttle 1 (default threads) and {3:0.00}x faster than throttle 1 (1 thread)' -f [Environment]::ProcessorCount,
    ((Get-Content /proc/loadavg -ErrorAction Ignore) -split ' ')[0], ($results[0].BestSeconds / $two), ($results[1].BestSeconds / $two))
# For build.ps1 -Task Bench: the sweep's wall time at throttle 2 next to throttle 1 (ratio < 1 is a speed-up).
[pscustomobject]@{ Name = 'Sweep of 4 trials, throttle 2 vs 1 (default threads)'; Unit = 's'; Value = $two; Peer = 'throttle 1'; PeerValue = [double]$results[0].BestSeconds }
[pscustomobject]@{ Name = 'Sweep of 4 trials, throttle 2 vs 1 (1 thread)'; Unit = 's'; Value = $two; Peer = 'throttle 1, 1 thread'; PeerValue = [double]$results[1].BestSeconds }
