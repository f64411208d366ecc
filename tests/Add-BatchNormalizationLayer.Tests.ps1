BeforeAll {
    . $PSScriptRoot/common.ps1
    # Two features, four rows: column 0 has mean 2.5 and biased variance 1.25; column 1 mean 0 and variance 50.
    $script:Rows = @(@(1, -10), @(2, 0), @(3, 10), @(4, 0))
}

Describe 'Add-BatchNormalizationLayer' {
    It 'normalizes with the batch statistics while training and moves the moving statistics by 1 - momentum' {
        $m = New-Model -InputShape 2 | Add-BatchNormalizationLayer
        $y = $m.Engine.Forward((ConvertTo-Tensor ($Rows | ForEach-Object { $_ }) 2), $true)
        $out = $y.data[float]().ToArray()
        # (x - 2.5) / sqrt(1.25 + 0.001) for column 0
        [math]::Round($out[0], 4) | Should -Be ([math]::Round((1 - 2.5) / [math]::Sqrt(1.251), 4))
        [math]::Round($out[1], 4) | Should -Be ([math]::Round(-10 / [math]::Sqrt(50.001), 4))
        # Keras: moving = moving * 0.99 + batch * 0.01, from mean 0 and variance 1.
        (Get-Weight $m 'batch_normalization/moving_mean') | ForEach-Object { [math]::Round($_, 5) } | Should -Be @(0.025, 0)
        (Get-Weight $m 'batch_normalization/moving_variance') | ForEach-Object { [math]::Round($_, 5) } | Should -Be @(1.0025, 1.49)
    }

    It 'uses the moving statistics at inference and leaves them unchanged' {
        $m = New-Model -InputShape 2 | Add-BatchNormalizationLayer
        $null = $m.Engine.Forward((ConvertTo-Tensor ($Rows | ForEach-Object { $_ }) 2), $true)
        $before = Get-Weight $m 'batch_normalization/moving_mean'
        $p = $m | Invoke-ModelPredict -X $Rows -AsMatrix
        # (x - moving_mean) / sqrt(moving_variance + 0.001), gamma 1 and beta 0
        [math]::Round($p[0, 0], 4) | Should -Be ([math]::Round((1 - 0.025) / [math]::Sqrt(1.0035), 4))
        [math]::Round($p[2, 1], 4) | Should -Be ([math]::Round(10 / [math]::Sqrt(1.491), 4))
        Get-Weight $m 'batch_normalization/moving_mean' | Should -Be $before
    }

    It 'counts gamma and beta as trainable and the moving statistics as non-trainable, as Keras does' {
        $row = New-Model -InputShape 10 | Add-BatchNormalizationLayer | Get-ModelSummary
        $row.ParamCount | Should -Be 40
        $row.NonTrainableParams | Should -Be 20
    }

    It 'updates the moving statistics during Invoke-ModelFit but not during Invoke-ModelEvaluate' {
        $m = New-Model -InputShape 2 -Seed 1 | Add-BatchNormalizationLayer | Add-DenseLayer 1 | Build-Model -Optimizer sgd -Loss mse
        $null = $m | Invoke-ModelFit -X $Rows -Y @(1, 2, 3, 4) -Epochs 1 -BatchSize 4 -Seed 1
        $fitted = Get-Weight $m 'batch_normalization/moving_mean'
        [math]::Round($fitted[0], 5) | Should -Be 0.025
        $null = $m | Invoke-ModelEvaluate -X $Rows -Y @(1, 2, 3, 4)
        Get-Weight $m 'batch_normalization/moving_mean' | Should -Be $fitted
    }

    It 'refuses a momentum outside [0, 1] with InvalidMomentum' {
        Get-ErrorId { New-Model -InputShape 2 | Add-BatchNormalizationLayer -Momentum 1.5 } | Should -Be 'InvalidMomentum'
    }

    It '<Class> from a Keras config with axis <Axis> on a (3, 4) input is <Outcome>' -ForEach @(
        @{ Class = 'BatchNormalization'; Axis = 2; Outcome = 'built (the last axis)' }
        @{ Class = 'BatchNormalization'; Axis = -1; Outcome = 'built (the last axis)' }
        @{ Class = 'BatchNormalization'; Axis = 1; Outcome = 'refused with UnsupportedLayerOption' }
        @{ Class = 'LayerNormalization'; Axis = @(2); Outcome = 'built (the last axis)' }
        @{ Class = 'LayerNormalization'; Axis = 1; Outcome = 'refused with UnsupportedLayerOption' }
        @{ Class = 'LayerNormalization'; Axis = @(1, 2); Outcome = 'refused with UnsupportedLayerOption' }
    ) {
        # Keras 2 files wrote axis=1 for channels_first data; normalizing the last axis instead would be silently wrong.
        $config = [System.Collections.Generic.Dictionary[string, object]]::new()
        $config['name'] = 'norm'
        $config['axis'] = $Axis
        $build = {
            $layer = [KerasPS.Engine.Layers.LayerRegistry]::FromConfig($Class, $config)
            $layer.Build([System.Collections.Generic.List[int[]]]@(, [int[]](3, 4)), [KerasPS.Engine.MersenneTwister]::new(1))
            $layer
        }
        if ($Outcome -like 'built*') {
            (& $build).OutputShape | Should -Be @(3, 4)
        }
        else {
            $e = $build | Should -Throw -PassThru
            $e.Exception.GetBaseException().ErrorId | Should -Be 'UnsupportedLayerOption'
            $e.Exception.GetBaseException().Message | Should -BeLike "*$Class 'norm'*last axis only*"
        }
    }
}
