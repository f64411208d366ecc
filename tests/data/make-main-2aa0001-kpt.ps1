# Writes main-2aa0001-*.kpt and main-2aa0001-predictions.json into -Out with the module as built from main at 2aa0001
# (run from a clone of that commit: dotnet pwsh ./build.ps1 -Task Build, then this script with Import-Module pointed at it).
param([string] $Out)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot ../../KerasPS.psd1)
function Rows([int] $n, [int[]] $shape, [int] $seed, [int] $max = 0) {
    $rng = [Random]::new($seed); $len = 1; foreach ($d in $shape) { $len *= $d }
    ,@(1..$n | ForEach-Object { ,[double[]]@(1..$len | ForEach-Object { if ($max) { [double]$rng.Next(0, $max) } else { $rng.NextDouble() * 2 - 1 } }) })
}
$models = [ordered]@{}
$models['dense'] = @{ Shape = @(6); Model = New-Model -Name dense_stack -InputShape 6 -Seed 7 |
    Add-DenseLayer 8 -Activation relu -KernelRegularizer (New-Regularizer -L1 0.01 -L2 0.02) -BiasConstraint non_neg -KernelConstraint (New-Constraint max_norm -MaxValue 2) -KernelInitializer he_normal |
    Add-BatchNormalizationLayer -Momentum 0.9 | Add-LayerNormalizationLayer | Add-LeakyReLULayer -NegativeSlope 0.1 |
    Add-PReLULayer -AlphaInitializer (New-Initializer constant -Value 0.25) | Add-ELULayer -Alpha 0.5 | Add-ReLULayer -MaxValue 6 -NegativeSlope 0.1 |
    Add-GaussianNoiseLayer 0.05 | Add-AlphaDropoutLayer 0.1 | Add-DropoutLayer 0.1 | Add-ActivityRegularizationLayer -L1 0.001 |
    Add-ActivationLayer tanh | Add-ReshapeLayer -TargetShape 2, 4 | Add-PermuteLayer -Dims 2, 1 | Add-FlattenLayer | Add-RepeatVectorLayer 3 |
    Add-SimpleRNNLayer 4 -ReturnSequences | Add-LSTMLayer 4 -ReturnSequences | Add-GRULayer 4 -ResetAfter:$false -ReturnSequences -GoBackwards |
    Add-Conv1DLayer 3 2 -Padding causal -Activation relu | Add-MaxPooling1DLayer 1 | Add-AveragePooling1DLayer 1 | Add-GlobalAveragePooling1DLayer |
    Add-DenseLayer 3 -Activation softmax |
    Build-Model -Optimizer nadam -Loss categorical_crossentropy -Metrics accuracy; Classes = 3 }
$models['conv'] = @{ Shape = @(36); Model = New-Model -Name conv_stack -InputShape 36 -Seed 8 | Add-ReshapeLayer -TargetShape 6, 6, 1 |
    Add-NormalizationLayer -Mean 0.1 -Variance 0.5 |
    Add-Conv2DLayer 2 3 -Padding same -Activation relu | Add-MaxPooling2DLayer | Add-AveragePooling2DLayer 1 -Padding same |
    Add-Conv2DLayer 2 2 -DataFormat channels_first -UseBias:$false | Add-GlobalAveragePooling2DLayer |
    Add-LambdaLayer -Expression 'x * 2' | Add-DenseLayer 2 | Add-SoftmaxLayer |
    Build-Model -Optimizer adam -Loss categorical_crossentropy; Classes = 2 }
$models['embedding'] = @{ Shape = @(5); Max = 10; Model = New-Model -Name embedding_stack -InputShape 5 -Seed 9 |
    Add-EmbeddingLayer 10 3 | Add-GRULayer 2 | Add-DenseLayer 1 -Activation sigmoid |
    Build-Model -Optimizer rmsprop -Loss binary_crossentropy; Classes = 1 }
$expected = [ordered]@{}
foreach ($k in $models.Keys) {
    $e = $models[$k]
    $x = Rows 16 $e.Shape 1 $e.Max
    $rng = [Random]::new(2)
    $y = @(foreach ($i in 1..16) { if ($e.Classes -eq 1) { ,[double[]]@($rng.Next(0, 2)) } else { $c = $rng.Next(0, $e.Classes); ,[double[]]@(0..($e.Classes - 1) | ForEach-Object { [double]($_ -eq $c) }) } })
    $e.Model | Invoke-ModelFit -X $x -Y $y -Epochs 2 -BatchSize 8 -Seed 3 | Out-Null
    $p = Join-Path $Out "main-2aa0001-$k.kpt"
    $e.Model | Export-Checkpoint -Path $p -IncludeOptimizer -Force
    $pred = $e.Model | Invoke-ModelPredict -X $x -AsMatrix
    $expected[$k] = @{ x = $x; predictions = @(foreach ($v in $pred) { $v }) }   # row-major
}
$expected | ConvertTo-Json -Depth 6 -Compress | Set-Content (Join-Path $Out 'main-2aa0001-predictions.json')
