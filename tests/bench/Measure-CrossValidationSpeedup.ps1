<#
.SYNOPSIS
    Measures the parallel speed-up of Invoke-ModelCrossValidation: the same 4 stratified folds at -ThrottleLimit 1 and 2.
.DESCRIPTION
    Each fold trains a 93-64-9 MLP (normalization adapted on the fold's training part) on Get-SampleData Otto -Rows 5000.
    A warm-up run first, so neither side pays for loading libtorch. The fold scores are checked to be identical at both
    throttles. Prints one object per throttle and the ratio; returns bench rows for build.ps1 -Task Bench.
.EXAMPLE
    dotnet pwsh tests/bench/Measure-CrossValidationSpeedup.ps1 -Epochs 10
#>
param([int] $Rows = 5000, [int] $Epochs = 10, [int] $Repeat = 3)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
Import-Module (Join-Path $root 'KerasPS.psd1')
$cv = @{
    Data        = Get-SampleData Otto -Rows $Rows -Seed 1
    Folds       = 4
    Stratify    = $true
    ModelScript = { param($p, $train) New-Model | Add-NormalizationLayer -Adapt $train | Add-DenseLayer -Units 64 -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
            Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy }
    Epochs      = $Epochs
    BatchSize   = 64
    Seed        = 1
}
$null = Invoke-ModelCrossValidation @cv -Epochs 1 -ThrottleLimit 2   # warm-up
$scores = @{}
$results = foreach ($t in 1, 2) {
    $times = foreach ($r in 1..$Repeat) { (Measure-Command { $scores[$t] = (@(Invoke-ModelCrossValidation @cv -ThrottleLimit $t)[-1]).Mean }).TotalSeconds }
    [pscustomobject]@{ ThrottleLimit = $t; BestSeconds = [math]::Round(($times | Measure-Object -Minimum).Minimum, 2); Runs = ($times | ForEach-Object { [math]::Round($_, 2) }) -join ', '; MeanValLoss = $scores[$t] }
}
$results | Format-Table -AutoSize | Out-String -Width 120 | Write-Host
if ($scores[1] -ne $scores[2]) { throw "Cross-validation scores differ between throttle 1 ($($scores[1])) and 2 ($($scores[2]))." }
Write-Host ('{0} cores: 4-fold CV at throttle 2 is {1:0.00}x faster than throttle 1, with identical fold scores' -f [Environment]::ProcessorCount, ($results[0].BestSeconds / $results[1].BestSeconds))
[pscustomobject]@{ Name = '4-fold cross-validation, throttle 2 vs 1'; Unit = 's'; Value = $results[1].BestSeconds; Peer = 'throttle 1'; PeerValue = [double]$results[0].BestSeconds }
