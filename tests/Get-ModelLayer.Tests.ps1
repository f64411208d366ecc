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

Describe 'Get-ModelLayer of a functional model' {
    BeforeAll {
        $numbers = New-ModelInput -Shape 4 -Name numbers; $extra = New-ModelInput -Shape 3 -Name extra
        $hidden = $numbers | Add-DenseLayer 8 -Activation relu -Name hidden
        $joined = $hidden | Add-ConcatenateLayer -With $extra
        $class = $joined | Add-DenseLayer 3 -Activation softmax -Name class
        # hidden's output is also read by a second head: an output layer can feed nothing, an inner layer several
        $price = $hidden | Add-DenseLayer 1 -Name price
        $script:Heads = New-Model -Inputs $numbers, $extra -Outputs $class, $price -Seed 1
        $script:Seq = New-Model -InputShape 10 -Seed 1 | Add-DenseLayer 4 -Activation relu | Add-DropoutLayer 0.25 | Add-DenseLayer 2
    }

    It 'names the tensors each layer reads and the model''s inputs and outputs' {
        $layers = @($Heads | Get-ModelLayer)
        # Keras's model.layers order: by depth from the outputs, deepest first; ties in the order a walk from the outputs meets them
        $layers.Name | Should -Be @('numbers', 'hidden', 'extra', 'concatenate', 'class', 'price')
        $layers[0].Inbound.Count | Should -Be 0
        $layers[1].Inbound | Should -Be @('numbers[0][0]')
        $layers[3].Inbound | Should -Be @('hidden[0][0]', 'extra[0][0]')
        $layers[5].Inbound | Should -Be @('hidden[0][0]')
        $layers.IsInput | Should -Be @($true, $false, $true, $false, $false, $false)
        $layers.IsOutput | Should -Be @($false, $false, $false, $false, $true, $true)
    }

    It 'lists every call of a shared layer' {
        $s = New-ModelInput -Shape 3 -Name s
        $first = $s | Add-DenseLayer 3 -Name shared
        $m = New-Model -Inputs $s -Outputs ($first | Add-ModelLayer -Layer $first.Layer) -Seed 2
        (@($m | Get-ModelLayer -Name shared)).Inbound | Should -Be @('s[0][0]', 'shared[0][0]')
    }

    It 'shows Inbound and the role in a table of 80 columns; a Sequential keeps its table' {
        $layer = @($Heads | Get-ModelLayer)[3]
        $layer.PSObject.TypeNames[0] | Should -Be 'KerasPS.FunctionalModelLayer'
        $lines = @($Heads | Get-ModelLayer | Out-String -Width 80 -Stream)
        ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
        $text = $lines -join "`n"
        $text | Should -Match 'Role\s+Inbound'
        $text | Should -Match '3 concatenate\s+Concatenate\s+\(None, 11\)\s+0\s+hidden\[0\]\[0\]'
        $text | Should -Match '(?m)^\s+extra\[0\]\[0\]\s*$'
        $text | Should -Match '0 numbers\s+InputLayer\s+\(None, 4\)\s+0 in'
        $text | Should -Match 'class\s+Dense\s+\(None, 3\)\s+36 out\s+concatenate\[0\]\[0\]'
        $rows = @($Seq | Get-ModelLayer)
        $rows[0].PSObject.TypeNames[0] | Should -Be 'KerasPS.ModelLayer'
        ($Seq | Get-ModelLayer | Out-String -Width 120) | Should -Not -Match 'Inbound'
    }

    It 'gives a Sequential layer the one before it as inbound, and marks the last as the output' {
        $rows = @($Seq | Get-ModelLayer)
        $rows[0].Inbound.Count | Should -Be 0
        $rows[1].Inbound | Should -Be @('dense[0][0]')
        $rows.IsOutput | Should -Be @($false, $false, $true)
        $rows.IsInput | Should -Be @($false, $false, $false)
    }
}
