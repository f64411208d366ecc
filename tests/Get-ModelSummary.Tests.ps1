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
