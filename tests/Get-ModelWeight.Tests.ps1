BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Get-ModelWeight' {
    BeforeAll {
        $script:m = New-Model -InputShape 3 -Seed 2 | Add-DenseLayer 2 | Add-BatchNormalizationLayer
    }

    It 'reads each weight with its layer, name, Keras shape, trainable flag and values' {
        $w = @($m | Get-ModelWeight)
        $w.Path | Should -Be @('dense/kernel', 'dense/bias', 'batch_normalization/gamma', 'batch_normalization/beta', 'batch_normalization/moving_mean', 'batch_normalization/moving_variance')
        $w[0].Shape | Should -Be @(3, 2)
        $w[0].Value.Count | Should -Be 6
        ($w[0].Value -join ',') | Should -Be ((Get-Weight $m 'dense/kernel') -join ',')
        $w[1].Value | Should -Be @(0, 0)
        $w[0].Trainable | Should -BeTrue
        $w[4].Trainable | Should -BeFalse
        $w[5].Value | Should -Be @(1, 1)
    }

    It 'picks weights by layer and name' {
        $k = $m | Get-ModelWeight -Layer dense -Name kernel
        $k.Path | Should -Be 'dense/kernel'
        (@($m | Get-ModelWeight -Layer batch* -Name moving*)).Name | Should -Be @('moving_mean', 'moving_variance')
    }

    It 'returns a copy: changing it does not change the model' {
        $k = $m | Get-ModelWeight -Layer dense -Name kernel
        $before = (Get-Weight $m 'dense/kernel') -join ','
        $k.Value[0] = 42
        (Get-Weight $m 'dense/kernel') -join ',' | Should -Be $before
    }

    It 'says ModelNotBuilt for a model without weights' {
        Get-ErrorId { New-Model | Add-DenseLayer 2 | Get-ModelWeight } | Should -Be 'ModelNotBuilt'
    }
}
