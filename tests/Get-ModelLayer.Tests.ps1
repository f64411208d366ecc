BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Get-ModelLayer' {
    BeforeAll {
        $script:m = New-Model -InputShape 10 -Seed 1 | Add-DenseLayer 4 -Activation relu | Add-DropoutLayer 0.25 |
            Add-DenseLayer 2 -Activation softmax -Name a_rather_long_output_layer_name_for_the_view
    }

    It 'describes each layer: index, name, Keras type, shapes, parameter counts, trainable and config' {
        $layers = @($m | Get-ModelLayer)
        $layers.Count | Should -Be 3
        $layers[0].Index | Should -Be 0
        $layers[0].Name | Should -Be 'dense'
        $layers[0].Type | Should -Be 'Dense'
        $layers[0].InputShape | Should -Be '(None, 10)'
        $layers[0].OutputShape | Should -Be '(None, 4)'
        $layers[0].ParamCount | Should -Be 44
        $layers[0].TrainableParamCount | Should -Be 44
        $layers[0].Trainable | Should -BeTrue
        $layers[0].Weights | Should -Be @('kernel', 'bias')
        $layers[0].Config['units'] | Should -Be 4
        $layers[0].Config['activation'] | Should -Be 'relu'
        $layers[1].Type | Should -Be 'Dropout'
        $layers[1].Config['rate'] | Should -Be 0.25
        $layers[1].ParamCount | Should -Be 0
    }

    It 'picks layers by name, with wildcards' {
        (@($m | Get-ModelLayer -Name dense*)).Name | Should -Be @('dense')
        (@($m | Get-ModelLayer -Name *out*)).Name | Should -Be @('dropout', 'a_rather_long_output_layer_name_for_the_view')
    }

    It 'writes LayerNotFound for a name that matches nothing, and goes on with the others' {
        $Error.Clear()
        $found = @($m | Get-ModelLayer -Name nope, dropout -ErrorAction SilentlyContinue)
        $found.Name | Should -Be @('dropout')
        $Error[0].FullyQualifiedErrorId | Should -BeLike 'LayerNotFound,*'
        $Error[0].TargetObject | Should -Be 'nope'
    }

    It 'fits its table and the summary in 120 columns with a long layer name' {
        foreach ($text in ($m | Get-ModelLayer | Out-String -Width 120 -Stream), ($m | Get-ModelSummary | Out-String -Width 120 -Stream)) {
            ($text | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 120
            ($text -join "`n") | Should -Match 'a_rather_long_output_layer_name_for_the_view'
        }
        ($m | Get-ModelLayer | Out-String -Width 120) | Should -Match 'Trainable'
    }
}
