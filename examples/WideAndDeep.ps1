#Requires -Version 7.4
<#
.SYNOPSIS
    A wide-and-deep classifier on the wine recognition data, built with the functional API (Keras's Model(inputs, outputs)).
.DESCRIPTION
    Runs offline in well under a minute on the real wine data that ships with the module (Get-SampleData -Name Wine:
    178 wines, 13 chemical measurements, 3 cultivars). Builds the module first when it is not built yet.
      0. Data: a stratified 70/30 split with seed 42; scaling is a Normalization layer adapted on the training part.
      1. The graph: one input; a wide path (the scaled measurements themselves, a linear path into the head) and a deep
         path (Dense 32 relu -> Dropout 0.2 -> Dense 16 relu) concatenated into a softmax head. In Keras:
             x = Input((13,)); s = Normalization()(x); d = Dense(16, "relu")(Dropout(0.2)(Dense(32, "relu")(s)))
             out = Dense(3, "softmax")(Concatenate()([s, d])); model = Model(x, out)
      2. Training with validation data, EarlyStopping on val_loss (restoring the best weights) and a ModelCheckpoint that
         keeps the best epoch in a .kpt file.
      3. The functional summary, the evaluation on the held-out part, predictions for a few wines, and the checkpoint
         read back (it predicts what the model predicts).
    Writes one object at the end (epochs run, held-out loss and accuracy, the checkpoint path).
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./examples/WideAndDeep.ps1
#>
[CmdletBinding()]
param(
    # Where to write the best model's checkpoint.
    [string] $OutputDirectory = (Join-Path ([IO.Path]::GetTempPath()) 'kerasps-wide-and-deep'),
    [int] $Seed = 42,
    [int] $Epochs = 150
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
if (-not (Test-Path (Join-Path $root 'module/bin/KerasPS.dll'))) {
    & (Join-Path $root 'build.ps1') -Task Build
}
Import-Module (Join-Path $root 'KerasPS.psd1') -Force
New-Item -ItemType Directory -Force -Path $OutputDirectory | Out-Null

Write-Host '== Data: the wine recognition data, stratified 70/30 split with seed 42 =='
$data = Get-SampleData -Name Wine
$split = $data | Split-TrainTest -TestSize 0.3 -Stratify -Seed $Seed
$split.Train | Format-List Count, Shape, TargetName, ClassBalance | Out-Host
Write-Host ("Held out: {0} wines" -f $split.Test.Count)

Write-Host '== The graph: a wide (linear) path and a deep path, concatenated into the head =='
$features = New-ModelInput -Shape 13 -Name measurements
$scaled = $features | Add-NormalizationLayer -Adapt $split.Train -Name scaled
$deep = $scaled |
    Add-DenseLayer -Units 32 -Activation relu -Name deep_1 |
    Add-DropoutLayer -Rate 0.2 -Name deep_dropout |
    Add-DenseLayer -Units 16 -Activation relu -Name deep_2
$cultivar = $scaled | Add-ConcatenateLayer -With $deep -Name wide_and_deep |
    Add-DenseLayer -Units 3 -Activation softmax -Name cultivar
$model = New-Model -Inputs $features -Outputs $cultivar -Name wide_and_deep -Seed $Seed |
    Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.01) -Loss categorical_crossentropy -Metrics accuracy
$model | Get-ModelSummary | Out-Host

Write-Host "== Training: up to $Epochs epochs, early stopping on val_loss, the best epoch kept in a checkpoint =="
$best = Join-Path $OutputDirectory 'wide-and-deep-best.kpt'
$callbacks = @(
    New-EarlyStopping -Monitor val_loss -Patience 15 -RestoreBestWeights
    New-ModelCheckpoint -Path $best -Monitor val_loss -SaveBestOnly
)
$history = $model | Invoke-ModelFit -Data $split.Train -ValidationData $split.Test -Epochs $Epochs -BatchSize 16 -Seed $Seed -Callbacks $callbacks
$history | Select-Object -Last 5 | Out-Host
Write-Host ("Stopped after {0} epochs; best val_loss {1:0.0000} at epoch {2}" -f $history.Count,
    ($history | Measure-Object ValLoss -Minimum).Minimum, ($history | Sort-Object ValLoss | Select-Object -First 1).Epoch)

Write-Host '== Held-out evaluation and predictions =='
$evaluation = $model | Invoke-ModelEvaluate -Data $split.Test
$evaluation | Format-List Loss, Accuracy, Samples | Out-Host
$model | Invoke-ModelPredict -Data $split.Test.Slice(0, 5) | Format-Table Index, Class, Probability | Out-Host

Write-Host '== The best checkpoint, read back =='
$restored = Import-Checkpoint -Path $best
$a = $model | Invoke-ModelPredict -Data $split.Test -AsMatrix
$b = $restored | Invoke-ModelPredict -Data $split.Test -AsMatrix
$maxDiff = 0.0
foreach ($i in 0..($a.GetLength(0) - 1)) { foreach ($j in 0..2) { $maxDiff = [math]::Max($maxDiff, [math]::Abs($a[$i, $j] - $b[$i, $j])) } }
Write-Host ("{0}: {1} layers, {2} parameters; largest prediction difference from the trained model: {3}" -f $best, $restored.LayerCount,
    $restored.ParamCount, $maxDiff)

[pscustomobject]@{
    Epochs = $history.Count
    Loss = $evaluation.Loss
    Accuracy = $evaluation.Accuracy
    Checkpoint = $best
    CheckpointMaxDifference = $maxDiff
}
