# Keras files out and in: .keras (Keras 3) and .h5 (Keras 2 HDF5) through Export-Checkpoint, New-ModelCheckpoint and
# Import-Checkpoint. Every layer type round-trips with identical predictions; Debian's h5py reads what KerasPS writes
# (an independent HDF5 reader); real files written by Keras 2.3.1 import and predict as NumPy does from their weights.
BeforeAll {
    . $PSScriptRoot/common.ps1
    function Rows([int] $n, [int[]] $shape, [int] $seed, [int] $max = 0) {
        $rng = [Random]::new($seed); $len = 1; foreach ($d in $shape) { $len *= $d }
        , @(1..$n | ForEach-Object { , [double[]]@(1..$len | ForEach-Object { if ($max) { [double]$rng.Next(0, $max) } else { $rng.NextDouble() * 2 - 1 } }) })
    }
    # Three models that between them hold every layer type KerasPS has (as tests/data/make-main-2aa0001-kpt.ps1 builds them).
    function New-EveryLayerModels {
        $m = [ordered]@{}
        $m['dense'] = @{ Shape = @(6); Model = New-Model -Name dense_stack -InputShape 6 -Seed 7 |
            Add-DenseLayer 8 -Activation relu -KernelRegularizer (New-Regularizer -L1 0.01 -L2 0.02) -BiasConstraint non_neg -KernelConstraint (New-Constraint max_norm -MaxValue 2) -KernelInitializer he_normal |
            Add-BatchNormalizationLayer -Momentum 0.9 | Add-LayerNormalizationLayer | Add-LeakyReLULayer -NegativeSlope 0.1 |
            Add-PReLULayer -AlphaInitializer (New-Initializer constant -Value 0.25) | Add-ELULayer -Alpha 0.5 | Add-ReLULayer -MaxValue 6 -NegativeSlope 0.1 |
            Add-GaussianNoiseLayer 0.05 | Add-AlphaDropoutLayer 0.1 | Add-DropoutLayer 0.1 | Add-ActivityRegularizationLayer -L1 0.001 |
            Add-ActivationLayer tanh | Add-ReshapeLayer -TargetShape 2, 4 | Add-PermuteLayer -Dims 2, 1 | Add-FlattenLayer | Add-RepeatVectorLayer 3 |
            Add-SimpleRNNLayer 4 -ReturnSequences | Add-LSTMLayer 4 -ReturnSequences | Add-GRULayer 4 -ResetAfter:$false -ReturnSequences -GoBackwards |
            Add-Conv1DLayer 3 2 -Padding causal -Activation relu | Add-MaxPooling1DLayer 1 | Add-AveragePooling1DLayer 1 | Add-GlobalAveragePooling1DLayer |
            Add-DenseLayer 3 -Activation softmax | Build-Model -Optimizer nadam -Loss categorical_crossentropy -Metrics accuracy; Classes = 3 }
        $m['conv'] = @{ Shape = @(36); Model = New-Model -Name conv_stack -InputShape 36 -Seed 8 | Add-ReshapeLayer -TargetShape 6, 6, 1 |
            Add-NormalizationLayer -Mean 0.1 -Variance 0.5 |
            Add-Conv2DLayer 2 3 -Padding same -Activation relu | Add-MaxPooling2DLayer | Add-AveragePooling2DLayer 1 -Padding same |
            Add-Conv2DLayer 2 2 -DataFormat channels_first -UseBias:$false | Add-GlobalAveragePooling2DLayer |
            Add-LambdaLayer -Expression 'x * 2' | Add-DenseLayer 2 | Add-SoftmaxLayer | Build-Model -Optimizer adam -Loss categorical_crossentropy; Classes = 2 }
        $m['embedding'] = @{ Shape = @(5); Max = 10; Model = New-Model -Name embedding_stack -InputShape 5 -Seed 9 |
            Add-EmbeddingLayer 10 3 | Add-GRULayer 2 | Add-DenseLayer 1 -Activation sigmoid | Build-Model -Optimizer rmsprop -Loss binary_crossentropy; Classes = 1 }
        foreach ($e in $m.Values) {
            $e.X = Rows 16 $e.Shape 1 $e.Max
            $rng = [Random]::new(2)
            $y = @(foreach ($i in 1..16) { if ($e.Classes -eq 1) { , [double[]]@($rng.Next(0, 2)) } else { $c = $rng.Next(0, $e.Classes); , [double[]]@(0..($e.Classes - 1) | ForEach-Object { [double]($_ -eq $c) }) } })
            $e.Model | Invoke-ModelFit -X $e.X -Y $y -Epochs 2 -BatchSize 8 -Seed 3 | Out-Null
        }
        $m
    }
    function Get-Predictions($Model, $X) { @(foreach ($v in ($Model | Invoke-ModelPredict -X $X -AsMatrix)) { $v }) }
    $script:Models = New-EveryLayerModels
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-kerasfiles-$PID"
    New-Item -ItemType Directory -Force $script:Work | Out-Null
}
AfterAll { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }

Describe 'Keras files: round trips' {
    It 'every layer type round-trips through .<ext> with identical predictions and weights' -ForEach @(
        @{ ext = 'keras' }, @{ ext = 'h5' }, @{ ext = 'kpt' }) {
        foreach ($k in $script:Models.Keys) {
            $e = $script:Models[$k]
            $path = Join-Path $script:Work "$k.$ext"
            $e.Model | Export-Checkpoint -Path $path -Force
            $back = Import-Checkpoint -Path $path
            $back.Engine.Layers.Count | Should -Be $e.Model.Engine.Layers.Count
            for ($i = 0; $i -lt $back.Engine.Layers.Count; $i++) {
                $back.Engine.Layers[$i].ClassName | Should -Be $e.Model.Engine.Layers[$i].ClassName
                $back.Engine.Layers[$i].Name | Should -Be $e.Model.Engine.Layers[$i].Name
            }
            $a = Get-Predictions $e.Model $e.X
            $b = Get-Predictions $back $e.X
            $b.Count | Should -Be $a.Count
            for ($i = 0; $i -lt $a.Count; $i++) { $b[$i] | Should -Be $a[$i] -Because "$k.$ext prediction $i" }
            $back.EpochsTrained | Should -Be 2
            $back.Engine.IsCompiled | Should -BeTrue
        }
    }
}
