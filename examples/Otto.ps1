#Requires -Version 7.4
<#
.SYNOPSIS
    The Otto Group walkthrough of the classic Keras tutorial, in KerasPS.
.DESCRIPTION
    Runs offline on the Otto-shaped sample (Get-SampleData -Name Otto: 61,878 rows, 93 count features, 9 classes;
    the same rows that shared/tools/make-otto.py writes). Builds the module first when it is not built yet.
      0. Data: hold out 15 % with seed 42 (the Keras tutorial's train_test_split). Scaling is a Normalization layer adapted on
         the training part, so it travels with the model (the tutorial's StandardScaler, without carrying it by hand).
      1. The logistic-regression cell: Dense(9) + softmax, SGD, 10 epochs (846 trainable parameters).
      2. The MLP cell: Dense(100, relu) -> Dense(9) + softmax, SGD, 20 epochs (10,309 trainable parameters), with
         EarlyStopping(val_loss, patience 4) and ModelCheckpoint(save best only); history exported to CSV; the best
         checkpoint evaluated on the held-out part, and predictions for a few rows.
      3. 5-fold stratified cross-validation of the same MLP on the training part (2 folds at a time): mean ± std of
         val_loss and val_accuracy, fold curves with their mean.
      4. The Kaggle submission: a generated test file (id + 93 features, no target) imported with -IdColumn id, predicted
         by the best model and written as id,Class_1,...,Class_9 with Export-Csv.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./examples/Otto.ps1
#>
[CmdletBinding()]
param(
    # Where to write history CSV files and the best model's checkpoint.
    [string] $OutputDirectory = (Join-Path ([IO.Path]::GetTempPath()) 'kerasps-otto'),
    [int] $Seed = 42,
    # Folds for the cross-validation cell (and folds trained at a time).
    [int] $Folds = 5,
    [int] $ThrottleLimit = 2
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
if (-not (Test-Path (Join-Path $root 'module/bin/KerasPS.dll'))) {
    & (Join-Path $root 'build.ps1') -Task Build
}
Import-Module (Join-Path $root 'KerasPS.psd1') -Force
New-Item -ItemType Directory -Force -Path $OutputDirectory | Out-Null

Write-Host '== Data: the Otto-shaped training set, 85/15 split with seed 42 =='
$data = Get-SampleData -Name Otto
$split = $data | Split-TrainTest -TestSize 0.15 -Seed $Seed
$split.Train | Format-List Count, Shape, TargetName, ClassBalance | Out-Host
Write-Host ("Held out: {0} rows" -f $split.Test.Count)

Write-Host '== Cell 1: logistic regression (Dense 9 + softmax, SGD, 10 epochs) =='
$logreg = New-Model -Name logistic_regression -InputShape 93 -Seed $Seed |
    Add-NormalizationLayer -Adapt $split.Train |
    Add-DenseLayer -Units 9 |
    Add-ActivationLayer -Activation softmax |
    Build-Model -Optimizer sgd -Loss categorical_crossentropy -Metrics accuracy
$logreg | Get-ModelSummary | Out-Host
$history = $logreg | Invoke-ModelFit -Data $split.Train -ValidationData $split.Test -Epochs 10 -BatchSize 128 -Seed $Seed
$history | Out-Host
$history | Export-Csv (Join-Path $OutputDirectory 'logistic-regression-history.csv') -NoTypeInformation

Write-Host '== Cell 2: MLP (Dense 100 relu -> Dense 9 + softmax, SGD, up to 20 epochs, early stopping, best checkpoint) =='
$best = Join-Path $OutputDirectory 'otto-best.kpt'
$mlp = New-Model -Name mlp -InputShape 93 -Seed $Seed |
    Add-NormalizationLayer -Adapt $split.Train |
    Add-DenseLayer -Units 100 -Activation relu |
    Add-DenseLayer -Units 9 |
    Add-ActivationLayer -Activation softmax |
    Build-Model -Optimizer sgd -Loss categorical_crossentropy -Metrics accuracy
$mlp | Get-ModelSummary | Out-Host
$callbacks = @(
    New-EarlyStopping -Monitor val_loss -Patience 4
    New-ModelCheckpoint -Path $best -Monitor val_loss -SaveBestOnly
)
$history = $mlp | Invoke-ModelFit -Data $split.Train -ValidationData $split.Test -Epochs 20 -BatchSize 128 -Seed $Seed -Callbacks $callbacks
$history | Out-Host
$history | Export-Csv (Join-Path $OutputDirectory 'mlp-history.csv') -NoTypeInformation
$history | Show-History -Metric Loss, ValLoss

Write-Host '== Evaluation of the best checkpoint on the held-out 15 % =='
$restored = Import-Checkpoint -Path $best
$restored | Invoke-ModelEvaluate -Data $split.Test | Format-List Loss, Accuracy, Samples | Out-Host
$restored | Invoke-ModelPredict -Data $split.Test.Slice(0, 5) | Format-Table Index, Class, Probability | Out-Host
Write-Host "History CSV files and the best checkpoint are in $OutputDirectory"

Write-Host "== Cell 3: $Folds-fold stratified cross-validation of the MLP on the training part =="
$cv = @(Invoke-ModelCrossValidation -Data $split.Train -Folds $Folds -Stratify -Epochs 20 -BatchSize 128 -Seed $Seed -ThrottleLimit $ThrottleLimit `
    -Callbacks { New-EarlyStopping -Monitor val_loss -Patience 4 } -ModelScript {
        param($p, $train)
        # Built anew per fold: the normalization learns from the fold's training part only.
        New-Model -InputShape 93 | Add-NormalizationLayer -Adapt $train | Add-DenseLayer -Units 100 -Activation relu |
            Add-DenseLayer -Units 9 | Add-ActivationLayer -Activation softmax |
            Build-Model -Optimizer sgd -Loss categorical_crossentropy -Metrics accuracy
    })
$cv | Select-Object -SkipLast 1 | Out-Host
$summary = $cv[-1]
$summary | Out-Host
$summary.Metrics | Where-Object Metric -in 'val_loss', 'val_accuracy' | Format-Table Metric, Mean, Std | Out-Host
$cv | Show-History -Metric val_loss

Write-Host '== Cell 4: predict the test set and write the Kaggle submission =='
# A test file as Kaggle ships it: an id column and the 93 features, no target (generated here from held-out rows).
$testCsv = Join-Path $OutputDirectory 'test.csv'
$held = $split.Test.Slice(0, 1000)
$lines = [System.Collections.Generic.List[string]]::new()
$lines.Add('id,' + ($held.FeatureNames -join ','))
for ($i = 0; $i -lt $held.Count; $i++) {
    $lines.Add(('{0},{1}' -f ($i + 1), (($held.GetFeatures($i) | ForEach-Object { $_.ToString([cultureinfo]::InvariantCulture) }) -join ',')))
}
Set-Content -Path $testCsv -Value $lines
$test = Import-ModelData $testCsv -IdColumn id -Template $split.Train
$submission = Join-Path $OutputDirectory 'submission.csv'
$restored | Invoke-ModelPredict -Data $test -Submission | Export-Csv $submission -UseQuotes AsNeeded
Get-Content $submission -TotalCount 3 | Out-Host
Write-Host "Submission ($($test.Count) rows, id,Class_1..Class_9): $submission"
