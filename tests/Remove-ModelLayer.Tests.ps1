BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Remove-ModelLayer' {
    It 'removes the last layer (Keras pop) and keeps the others'' weights, so a new head can go on' {
        $m = New-Model -InputShape 5 -Seed 1 | Add-DenseLayer 4 -Activation relu | Add-DenseLayer 3 -Activation softmax
        $kernel = (Get-Weight $m 'dense/kernel') -join ','
        $out = $m | Remove-ModelLayer
        $out | Should -Be $m
        $m.Layers | Should -Be @('dense')
        $m.ParamCount | Should -Be 24
        (Get-Weight $m 'dense/kernel') -join ',' | Should -Be $kernel
        $null = $m | Add-DenseLayer 2 -Activation softmax
        $m.Layers | Should -Be @('dense', 'dense_1')
        $m.OutputShape | Should -Be '(None, 2)'
    }

    It 'removes nothing under -WhatIf' {
        $m = New-Model -InputShape 5 | Add-DenseLayer 4
        $null = $m | Remove-ModelLayer -WhatIf
        $m.LayerCount | Should -Be 1
    }

    It 'says EmptyModel when there is no layer to remove' {
        Get-ErrorId { New-Model | Remove-ModelLayer } | Should -Be 'EmptyModel'
    }
}
