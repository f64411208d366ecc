#Requires -Version 7.4
<#
.SYNOPSIS
    A univariate forecast of a counter-like series: the next hour of a load counter with a daily and a weekly cycle and
    noise, learned from the 24 hours before it, against the naive forecast "the next hour is like the last one".
.DESCRIPTION
    The series is generated (seeded) as Get-Counter samples would come: objects with a Timestamp and a CookedValue.
    New-TimeseriesData cuts it into windows (Keras's timeseries_dataset_from_array): the first 80 % of the hours train,
    the rest test. A Conv1D network (or -Network lstm) reads each window and predicts the next value; the script prints
    the test MAE of the model and of the naive last-value baseline, in the counter's own units.
.EXAMPLE
    ./examples/Forecast.ps1
.EXAMPLE
    ./examples/Forecast.ps1 -Network lstm -Epochs 30
#>
param([int] $Hours = 24 * 7 * 6, [int] $Window = 24, [int] $Epochs = 40, [ValidateSet('conv1d', 'lstm')] [string] $Network = 'conv1d',
    [long] $Seed = 7)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../KerasPS.psd1')

# A load counter: a base level, a daily cycle (busy afternoons), a weekly cycle (quiet weekends) and noise.
$rng = [KerasPS.Engine.MersenneTwister]::new($Seed)
$start = [datetime]'2026-01-05T00:00:00'
$samples = foreach ($h in 0..($Hours - 1)) {
    $daily = 20 * [math]::Sin(2 * [math]::PI * ($h - 8) / 24)
    $weekly = 10 * [math]::Cos(2 * [math]::PI * $h / 168)
    [pscustomobject]@{ Timestamp = $start.AddHours($h); CookedValue = 50 + $daily + $weekly + 3 * $rng.NextGaussian() }
}

# Scale with the training hours' mean and spread only (the test hours stay unseen), then window the scaled series.
$split = [int]($Hours * 0.8)
$train = $samples[0..($split - 1)].CookedValue
$mean = ($train | Measure-Object -Average).Average
$std = [math]::Sqrt(($train | ForEach-Object { ($_ - $mean) * ($_ - $mean) } | Measure-Object -Average).Average)
$scaled = $samples | ForEach-Object { [pscustomobject]@{ Timestamp = $_.Timestamp; load = ($_.CookedValue - $mean) / $std } }

# Each window's target is the hour after it (-TargetOffset 1). Training windows end before the split so that no
# training target is a test hour; test windows may look back into the training hours for their inputs.
$common = @{ Feature = 'load'; Target = 'load'; Timestamp = 'Timestamp'; SequenceLength = $Window }
$trainData = $scaled | New-TimeseriesData @common -EndIndex ($split - 1)
$testData = $scaled | New-TimeseriesData @common -StartIndex ($split - $Window)
Write-Host ("{0} training windows, {1} test windows of {2} hours" -f $trainData.Count, $testData.Count, $Window)

$model = New-Model -InputShape $Window, 1 -Seed $Seed
$model = if ($Network -eq 'lstm') { $model | Add-LSTMLayer 16 }
         else { $model | Add-Conv1DLayer 16 5 -Activation relu | Add-FlattenLayer | Add-DenseLayer 16 -Activation relu }
$model = $model | Add-DenseLayer 1 | Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.005) -Loss mse -Metrics mae

$history = $model | Invoke-ModelFit -Data $trainData -Epochs $Epochs -BatchSize 32 -ValidationSplit 0.1 -Seed $Seed
$history | Select-Object -Last 1 | Format-Table | Out-Host

# MAE in the counter's units: the model's forecasts against the naive forecast (the window's last value).
$predicted = $model | Invoke-ModelPredict -Data $testData -AsMatrix
$actual = $testData.Engine.Targets
$features = $testData.Engine.Features
$modelError = 0.0
$naiveError = 0.0
for ($i = 0; $i -lt $testData.Count; $i++) {
    $last = $features[($i + 1) * $Window - 1]
    $modelError += [math]::Abs($predicted[$i, 0] - $actual[$i]) * $std
    $naiveError += [math]::Abs($last - $actual[$i]) * $std
}
$result = [pscustomobject]@{
    Network = $Network
    TestWindows = $testData.Count
    ModelMAE = [math]::Round($modelError / $testData.Count, 3)
    NaiveMAE = [math]::Round($naiveError / $testData.Count, 3)
}
Write-Host ("Test MAE: {0} (model), {1} (naive last value)" -f $result.ModelMAE, $result.NaiveMAE)
$result
