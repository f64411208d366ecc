BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:pts = @([ordered]@{ a = 1; b = 5 }, [ordered]@{ a = 2; b = 5 }, [ordered]@{ a = 3; b = 5 }, [ordered]@{ a = 6; b = 5 }) | ConvertTo-ModelData
}

Describe 'Add-NormalizationLayer' {
    It 'adapts mean and population variance per feature and scales as (x - mean) / sqrt(variance)' {
        $m = New-Model | Add-NormalizationLayer -Adapt $pts
        $layer = $m.Engine.Layers[0]
        $layer.Mean | Should -Be @(3, 5)
        $layer.Variance | Should -Be @(3.5, 0)      # a: (4+1+0+9)/4
        $out = $m | Invoke-ModelPredict -Data $pts -AsMatrix
        [math]::Abs($out[0, 0] - (-2 / [math]::Sqrt(3.5))) | Should -BeLessThan 1e-5
        [math]::Abs($out[3, 0] - (3 / [math]::Sqrt(3.5))) | Should -BeLessThan 1e-5
    }
    It 'maps a zero-variance feature to 0, never NaN or Inf' {
        $m = New-Model | Add-NormalizationLayer -Adapt $pts
        $out = $m | Invoke-ModelPredict -X @(, @(1, 5)) -AsMatrix
        $out[0, 1] | Should -Be 0
        [single]::IsFinite($out[0, 0]) | Should -BeTrue
    }
    It 'stores mean, variance and count as non-trainable weights, counted as Keras counts them (93 + 93 + 1)' {
        $otto = Get-SampleData Otto -Rows 200
        $m = New-Model | Add-NormalizationLayer -Adapt $otto
        $m.Engine.Layers[0].Weights.Name | Should -Be @('mean', 'variance', 'count')
        $m.Engine.Layers[0].SampleCount | Should -Be 200
        $m.Engine.Layers[0].Weights.Trainable | Should -Not -Contain $true
        $m.ParamCount | Should -Be 187
        $m.Engine.TrainableParamCount | Should -Be 0
        $m.InputShape | Should -Be '(None, 93)'
    }
    It 'takes -Mean and -Variance directly' {
        $m = New-Model -InputShape 2 | Add-NormalizationLayer -Mean 10, 0 -Variance 4, 1
        $out = $m | Invoke-ModelPredict -X @(, @(14, -1)) -AsMatrix
        $out[0, 0] | Should -Be 2
        $out[0, 1] | Should -Be -1
    }
    It 'adapts to plain rows of numbers' {
        $m = New-Model | Add-NormalizationLayer -Adapt @(@(0, 10), @(2, 30))
        $m.Engine.Layers[0].Mean | Should -Be @(1, 20)
    }
    It 'round-trips through its config, statistics included' {
        $m = New-Model | Add-NormalizationLayer -Adapt $pts
        $cfg = $m.Engine.Layers[0].GetConfig()
        $copy = [KerasPS.Engine.Layers.LayerRegistry]::FromConfig('Normalization', $cfg)
        $copy.Mean | Should -Be @(3, 5)
        $copy.Variance | Should -Be @(3.5, 0)
        $copy.Axis | Should -Be -1
    }
    It 'keeps statistics restored into its weights (a checkpoint) through a rebuild and in its config' {
        $m = New-Model -Seed 1 | Add-NormalizationLayer -Adapt $pts
        $layer = $m.Engine.Layers[0]
        $layer.Weights[0].Assign([single[]]@(7, 8))      # as a checkpoint load restores weights by name
        $m.Engine.Reseed(2)
        $layer.Weights[0].ToArray() | Should -Be @(7, 8)
        $layer.GetConfig()['mean'] | Should -Be @(7, 8)
    }
    It 'refuses statistics that do not fit' {
        Get-ErrorId { New-Model -InputShape 3 | Add-NormalizationLayer -Mean 1, 2 -Variance 1, 1 } | Should -Be 'InputShapeMismatch'
        Get-ErrorId { New-Model -InputShape 2 | Add-NormalizationLayer -Mean 1, 2 -Variance 1 } | Should -Be 'InvalidNormalizationStats'
        Get-ErrorId { New-Model -InputShape 2 | Add-NormalizationLayer -Mean 1, 2 -Variance 1, -1 } | Should -Be 'InvalidNormalizationStats'
        Get-ErrorId { New-Model -InputShape 2 | Add-NormalizationLayer -Adapt $pts -Axis 3 } | Should -Be 'InvalidAxis'
    }
    It 'lets a model normalized with -Adapt on Iris reach 0.93 test accuracy within 100 epochs (Adam, seeded)' {
        $split = Get-SampleData Iris | Split-TrainTest -TestSize 0.2 -Stratify -Seed 42
        $model = New-Model -Seed 1 | Add-NormalizationLayer -Adapt $split.Train |
            Add-DenseLayer 16 -Activation relu | Add-DenseLayer 3 -Activation softmax |
            Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.01) -Loss sparse_categorical_crossentropy -Metrics accuracy
        $null = $model | Invoke-ModelFit -Data $split.Train -Epochs 100 -BatchSize 16 -Seed 1
        $eval = $model | Invoke-ModelEvaluate -Data $split.Test
        $eval.accuracy | Should -BeGreaterOrEqual 0.93
    }
}
