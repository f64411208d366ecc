BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Build-Model' {
    It 'compiles with an optimizer name, a loss and metrics, and writes the model' {
        $m = New-Model -InputShape 93 | Add-DenseLayer 9 -Activation softmax | Build-Model -Optimizer sgd -Loss categorical_crossentropy -Metrics accuracy
        $m.IsCompiled | Should -BeTrue
        $m.Optimizer | Should -Be 'sgd'
        $m.Loss | Should -Be 'categorical_crossentropy'
        $m.Metrics | Should -Be @('accuracy')
        $m.Engine.Optimizer.LearningRate | Should -Be 0.01
    }

    It 'accepts a configured optimizer from New-Optimizer' {
        $m = New-Model | Add-DenseLayer 2 | Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.005) -Loss mse
        $m.Engine.Optimizer.LearningRate | Should -Be 0.005
    }

    It 'accepts the short loss names mse and mae' {
        (New-Model | Add-DenseLayer 1 | Build-Model sgd mse).Loss | Should -Be 'mean_squared_error'
        (New-Model | Add-DenseLayer 1 | Build-Model sgd mae).Loss | Should -Be 'mean_absolute_error'
    }

    It 'creates weights when given -InputShape' {
        $m = New-Model | Add-DenseLayer 4 | Build-Model sgd mse -InputShape 3
        $m.ParamCount | Should -Be 16
    }

    It 'refuses an unknown <What> with <Id>' -ForEach @(
        @{ What = 'loss'; Id = 'UnknownLoss'; Call = { New-Model | Add-DenseLayer 2 | Build-Model -Optimizer sgd -Loss categorical_crossentropyy } }
        @{ What = 'optimizer'; Id = 'UnknownOptimizer'; Call = { New-Model | Add-DenseLayer 2 | Build-Model -Optimizer sgx -Loss mse } }
        @{ What = 'metric'; Id = 'UnknownMetric'; Call = { New-Model | Add-DenseLayer 2 | Build-Model -Optimizer sgd -Loss mse -Metrics acuracy } }
    ) {
        Get-ErrorId $Call | Should -Be $Id
    }

    It 'lists the valid loss names in the error' {
        try { New-Model | Build-Model sgd nope } catch { $_.Exception.Message | Should -Match 'categorical_crossentropy, sparse_categorical_crossentropy' }
    }
}
