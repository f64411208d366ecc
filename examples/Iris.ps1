#Requires -Version 7.4
<#
.SYNOPSIS
    The data path end to end on the real Iris data: load, split (seeded, stratified), scale inside the model, train,
    evaluate, and predict class names for new rows given as plain objects.
.EXAMPLE
    ./examples/Iris.ps1 -Epochs 100
#>
param([int] $Epochs = 100, [long] $Seed = 42)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../KerasPS.psd1')

# Get-SampleData Iris is the module's copy of iris.csv; Import-ModelData ./iris.csv -Target species reads the same file.
$split = Get-SampleData Iris | Split-TrainTest -TestSize 0.2 -Stratify -Seed $Seed

# The Normalization layer learns each feature's mean and variance from the training rows only,
# and keeps them in the model: test data and predictions are scaled the same way, with no scaler to carry.
$model = New-Model -Seed $Seed |
    Add-NormalizationLayer -Adapt $split.Train |
    Add-DenseLayer 16 -Activation relu |
    Add-DenseLayer 3 -Activation softmax |
    Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.01) -Loss sparse_categorical_crossentropy -Metrics accuracy

$history = $model | Invoke-ModelFit -Data $split.Train -ValidationData $split.Test -Epochs $Epochs -BatchSize 16 -Seed $Seed
$history | Select-Object -Last 1 | Format-Table
$model | Invoke-ModelEvaluate -Data $split.Test | Format-Table

# New flowers as objects, with the training columns as properties.
$new = [pscustomobject]@{ sepal_length = 5.0; sepal_width = 3.4; petal_length = 1.5; petal_width = 0.2 },
       [pscustomobject]@{ sepal_length = 6.7; sepal_width = 3.0; petal_length = 5.2; petal_width = 2.3 }
$rows = $new | ConvertTo-ModelData -Feature $split.Train.FeatureNames
$model | Invoke-ModelPredict -Data $rows | Select-Object Index, Class, Probability
