BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:data = Get-SampleData Otto -Rows 300 -Seed 4
    function New-ThreeLayerModel {
        New-Model -InputShape 93 -Seed 5 | Add-DenseLayer 16 -Activation relu | Add-DenseLayer 12 -Activation relu -Name hidden |
            Add-DenseLayer 9 -Activation softmax | Build-Model adam categorical_crossentropy
    }
}

Describe 'Set-ModelLayer' {
    It 'freezes a layer: its weights stay bit-identical through a fit while the others change' {
        $m = New-ThreeLayerModel | Set-ModelLayer -Name hidden -Trainable $false
        $frozenBefore = (Get-Weight $m 'hidden/kernel') -join ','
        $frozenBias = (Get-Weight $m 'hidden/bias') -join ','
        $otherBefore = (Get-Weight $m 'dense/kernel') -join ','
        $null = $m | Invoke-ModelFit -Data $data -Epochs 2 -BatchSize 50 -Seed 1
        (Get-Weight $m 'hidden/kernel') -join ',' | Should -Be $frozenBefore
        (Get-Weight $m 'hidden/bias') -join ',' | Should -Be $frozenBias
        (Get-Weight $m 'dense/kernel') -join ',' | Should -Not -Be $otherBefore
    }

    It 'counts a frozen layer''s parameters as non-trainable in the summary (93*16+16 + 9*12... as Keras does)' {
        $m = New-ThreeLayerModel | Set-ModelLayer -Name hidden -Trainable $false
        $s = @($m | Get-ModelSummary)
        $s[0].NonTrainableParams | Should -Be (16 * 12 + 12)
        $s[0].TrainableParams | Should -Be (93 * 16 + 16 + 12 * 9 + 9)
        ($s | Where-Object Name -eq hidden).Trainable | Should -BeFalse
    }

    It 'keeps the flag through a checkpoint, and unfreezing trains the layer again' {
        $m = New-ThreeLayerModel | Set-ModelLayer -Name hid* -Trainable $false
        $p = Join-Path $TestDrive 'frozen.kpt'
        $m | Export-Checkpoint -Path $p
        $back = Import-Checkpoint -Path $p
        ($back | Get-ModelLayer -Name hidden).Trainable | Should -BeFalse
        $before = (Get-Weight $back 'hidden/kernel') -join ','
        $null = $back | Set-ModelLayer -Name hidden -Trainable $true | Invoke-ModelFit -Data $data -Epochs 1 -BatchSize 50 -Seed 1
        (Get-Weight $back 'hidden/kernel') -join ',' | Should -Not -Be $before
    }

    It 'runs a frozen BatchNormalization in inference mode, as Keras 3 does: its moving statistics stay bit-identical' {
        $m = New-Model -InputShape 93 -Seed 5 | Add-DenseLayer 8 | Add-BatchNormalizationLayer | Add-DenseLayer 9 -Activation softmax |
            Build-Model adam categorical_crossentropy | Set-ModelLayer -Name batch_normalization -Trainable $false
        $mean = (Get-Weight $m 'batch_normalization/moving_mean') -join ','
        $null = $m | Invoke-ModelFit -Data $data -Epochs 1 -BatchSize 50 -Seed 1
        (Get-Weight $m 'batch_normalization/moving_mean') -join ',' | Should -Be $mean
    }

    It 'writes the model, so it sits in a pipeline' {
        $m = New-ThreeLayerModel
        ($m | Set-ModelLayer -Name dense -Trainable $false) | Should -Be $m
    }

    It 'refuses an unknown layer with LayerNotFound listing the layers, and changes nothing' {
        $m = New-ThreeLayerModel
        $err = $null
        try { $m | Set-ModelLayer -Name dense, nope -Trainable $false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'LayerNotFound,*'
        $err.Exception.Message | Should -BeLike '*dense, hidden, dense_1*'
        ($m | Get-ModelLayer -Name dense).Trainable | Should -BeTrue
    }
}
