BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Get-ModelSummary' {
    It 'counts 846 parameters for the Keras Otto tutorial''s logistic regression: Dense(9, input 93) + Activation(softmax)' {
        $rows = New-Model -InputShape 93 | Add-DenseLayer -Units 9 | Add-ActivationLayer softmax | Get-ModelSummary
        $rows.Count | Should -Be 2
        $rows[0].Name | Should -Be 'dense'
        $rows[0].Type | Should -Be 'Dense'
        $rows[0].OutputShape | Should -Be '(None, 9)'
        $rows[0].ParamCount | Should -Be 846
        $rows[1].Type | Should -Be 'Activation'
        $rows[0].TotalParams | Should -Be 846
    }

    It 'counts 10,309 parameters for the Keras Otto tutorial''s MLP: Dense(100, input 93) + Dense(9) + Activation' {
        $rows = New-Model -InputShape 93 | Add-DenseLayer 100 -Activation relu | Add-DenseLayer 9 | Add-ActivationLayer softmax | Get-ModelSummary
        $rows.ParamCount | Should -Be @(9400, 909, 0)
        $rows[0].TotalParams | Should -Be 10309
        $rows[0].TrainableParams | Should -Be 10309
        $rows[0].NonTrainableParams | Should -Be 0
    }

    It 'shows unknown shapes and zero parameters before the model is built' {
        $rows = New-Model | Add-DenseLayer 4 | Get-ModelSummary
        $rows[0].OutputShape | Should -Be '?'
        $rows[0].ParamCount | Should -Be 0
    }

    It 'renders a Keras-like table with the totals' {
        $text = New-Model -Name otto -InputShape 93 | Add-DenseLayer 9 | Add-ActivationLayer softmax | Get-ModelSummary | Out-String
        $text | Should -Match 'Total params: 846'
        $text | Should -Match 'dense \(Dense\)\s+\(None, 9\)\s+846'
    }
}

Describe 'Get-ModelSummary of a functional model' {
    BeforeAll {
        # Two inputs, a hidden layer on one, concatenated with the other, two heads; and a layer called twice.
        $numbers = New-ModelInput -Shape 4 -Name numbers; $extra = New-ModelInput -Shape 3 -Name extra
        $joined = $numbers | Add-DenseLayer 8 -Activation relu | Add-ConcatenateLayer -With $extra
        $class = $joined | Add-DenseLayer 3 -Activation softmax -Name class
        $price = $joined | Add-DenseLayer 1 -Name price
        $script:Heads = New-Model -Inputs $numbers, $extra -Outputs $class, $price -Name heads -Seed 1

        $s = New-ModelInput -Shape 3 -Name s
        $first = $s | Add-DenseLayer 3 -Name shared
        $second = $first | Add-ModelLayer -Layer $first.Layer
        $script:Twice = New-Model -Inputs $s -Outputs ($second | Add-AddLayer -With $s) -Seed 2
    }

    It 'lists every layer once in Keras''s order (by depth from the outputs), with Keras''s Connected to' {
        $rows = @($Heads | Get-ModelSummary)
        # numbers is deepest (3); dense and extra both feed concatenate (depth 2), met in that order from the outputs
        $rows.Name | Should -Be @('numbers', 'dense', 'extra', 'concatenate', 'class', 'price')
        $rows.Type | Should -Be @('InputLayer', 'Dense', 'InputLayer', 'Concatenate', 'Dense', 'Dense')
        $rows.ConnectedTo | Should -Be @('-', 'numbers[0][0]', '-', 'dense[0][0], extra[0][0]', 'concatenate[0][0]', 'concatenate[0][0]')
        $rows.OutputShape | Should -Be @('(None, 4)', '(None, 8)', '(None, 3)', '(None, 11)', '(None, 3)', '(None, 1)')
        # 4*8+8, 11*3+3, 11*1+1
        $rows.ParamCount | Should -Be @(0, 40, 0, 0, 36, 12)
        $rows[0].TotalParams | Should -Be 88
    }

    It 'names every call of a shared layer, and the call its reader took' {
        $rows = @($Twice | Get-ModelSummary)
        $rows.Name | Should -Be @('s', 'shared', 'add')
        $rows[1].ConnectedTo | Should -Be 's[0][0], shared[0][0]'
        $rows[2].ConnectedTo | Should -Be 'shared[1][0], s[0][0]'
        $rows[1].ParamCount | Should -Be 12
    }

    It 'marks the rows as a functional summary; Sequential rows stay as they were' {
        $row = @($Heads | Get-ModelSummary)[0]
        $row.PSObject.TypeNames[0] | Should -Be 'KerasPS.FunctionalLayerSummary'
        $row.PSObject.TypeNames | Should -Contain 'KerasPS.LayerSummary'
        $seq = @(New-Model -InputShape 3 | Add-DenseLayer 2 | Get-ModelSummary)[0]
        $seq.PSObject.TypeNames[0] | Should -Be 'KerasPS.LayerSummary'
        $seq.PSObject.Properties['ConnectedTo'] | Should -BeNullOrEmpty
    }

    It 'renders Keras''s four columns in 80 columns, wrapping what does not fit' {
        $lines = @($Heads | Get-ModelSummary | Out-String -Width 80 -Stream)
        ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
        $text = $lines -join "`n"
        $text | Should -Match 'Layer \(type\)\s+Output Shape\s+Param #\s+Connected to'
        $text | Should -Match 'heads\s+\(Total params: 88'
        $text | Should -Match 'dense \(Dense\)\s+\(None, 8\)\s+40 numbers\[0\]\[0\]'
        # "concatenate (Concatenate)" is wider than the column: the type goes under the name, as Keras wraps it
        $text | Should -Match 'concatenate\s+\(None, 11\)\s+0 dense\[0\]\[0\], extra\[0\]\[0\]\s*\n\(Concatenate\)'
        $text | Should -Match 'numbers \(InputLayer\)\s+\(None, 4\)\s+0 -'
    }

    It 'puts a long name''s type and several long inbound tensors on lines of their own' {
        $a = New-ModelInput -Shape 2 -Name a_long_input_name_for_the_summary
        $b = New-ModelInput -Shape 2 -Name another_long_input_name
        $m = New-Model -Inputs $a, $b -Outputs ($a | Add-AddLayer -With $b -Name sum_of_two_long_inputs) -Seed 1
        $lines = @($m | Get-ModelSummary | Out-String -Width 80 -Stream)
        ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
        $text = $lines -join "`n"
        $text | Should -Match 'sum_of_two_long_inputs\s+\(None, 2\)\s+0 a_long_input_name_for_the'
        $text | Should -Match '(?m)^\(Add\)'
        $text | Should -Match '(?m)^\s+another_long_input_name\[0\]\[0\]\s*$'
    }
}
