BeforeAll {
    . $PSScriptRoot/common.ps1
    # One weight w = 1, input 1, target 0, loss mse: loss = w^2, gradient 2w. Expected values are Keras's update rules by hand.
    function Get-WeightAfterSteps($Optimizer, [int] $Steps = 1) {
        $m = New-Model -InputShape 1 | Add-DenseLayer 1 -UseBias:$false -KernelInitializer ones | Build-Model -Optimizer $Optimizer -Loss mse
        $m | Invoke-ModelFit -X @(, @(1)) -Y @(0) -Epochs $Steps -BatchSize 1 -Shuffle:$false | Out-Null
        $m.Engine.Layers[0].Weights[0].ToArray()[0]
    }
}

Describe 'New-Optimizer' {
    It 'uses Keras''s default learning rates' {
        (New-Optimizer sgd).LearningRate | Should -Be 0.01
        (New-Optimizer adam).LearningRate | Should -Be 0.001
        (New-Optimizer rmsprop).LearningRate | Should -Be 0.001
        (New-Optimizer adam).Epsilon | Should -Be 1e-7
        (New-Optimizer adamw).WeightDecay | Should -Be 0.004
    }

    It 'updates one weight as Keras''s <Name> does: <Expected>' -ForEach @(
        @{ Name = 'sgd';                  Opt = { New-Optimizer sgd -LearningRate 0.1 };                         Steps = 1; Expected = 0.8 }
        @{ Name = 'sgd + momentum';       Opt = { New-Optimizer sgd -LearningRate 0.1 -Momentum 0.9 };           Steps = 2; Expected = 0.46 }
        @{ Name = 'sgd + nesterov';       Opt = { New-Optimizer sgd -LearningRate 0.1 -Momentum 0.9 -Nesterov }; Steps = 1; Expected = 0.62 }
        @{ Name = 'adam';                 Opt = { New-Optimizer adam -LearningRate 0.1 };                        Steps = 1; Expected = 0.9 }
        @{ Name = 'adamw';                Opt = { New-Optimizer adamw -LearningRate 0.1 };                       Steps = 1; Expected = 0.8996 }
        @{ Name = 'rmsprop';              Opt = { New-Optimizer rmsprop -LearningRate 0.1 };                     Steps = 1; Expected = 0.683772 }
        @{ Name = 'adagrad';              Opt = { New-Optimizer adagrad -LearningRate 0.1 };                     Steps = 1; Expected = 0.901228 }
        @{ Name = 'adadelta';             Opt = { New-Optimizer adadelta -LearningRate 1.0 };                    Steps = 1; Expected = 0.998586 }
        @{ Name = 'adamax';               Opt = { New-Optimizer adamax -LearningRate 0.1 };                      Steps = 1; Expected = 0.9 }
        @{ Name = 'nadam';                Opt = { New-Optimizer nadam -LearningRate 0.1 };                       Steps = 1; Expected = 0.894355 }
        @{ Name = 'sgd with ClipNorm';    Opt = { New-Optimizer sgd -LearningRate 0.1 -ClipNorm 0.5 };           Steps = 1; Expected = 0.95 }
        @{ Name = 'sgd with ClipValue';   Opt = { New-Optimizer sgd -LearningRate 0.1 -ClipValue 0.3 };          Steps = 1; Expected = 0.97 }
    ) {
        $w = Get-WeightAfterSteps (& $Opt) $Steps
        $w | Should -BeGreaterThan ($Expected - 1e-5)
        $w | Should -BeLessThan ($Expected + 1e-5)
    }

    It 'refuses an unknown optimizer with UnknownOptimizer' {
        Get-ErrorId { New-Optimizer sgdd } | Should -Be 'UnknownOptimizer'
    }

    It 'refuses options its optimizer does not use with OptionNotUsedByOptimizer, naming them and the ones it uses' {
        $e = { New-Optimizer sgd -Beta1 0.5 -Amsgrad } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'OptionNotUsedByOptimizer,*'
        $e.Exception.Message | Should -Be 'sgd does not use -Beta1, -Amsgrad. It uses: -LearningRate, -Momentum, -Nesterov, -ClipNorm, -ClipValue.'
        Get-ErrorId { New-Optimizer adam -Rho 0.9 } | Should -Be 'OptionNotUsedByOptimizer'
        (New-Optimizer adam -Amsgrad:$false -Beta1 0.8).Beta1 | Should -Be 0.8
    }

    It 'refuses a non-positive learning rate with InvalidLearningRate' {
        Get-ErrorId { New-Optimizer adam -LearningRate 0 } | Should -Be 'InvalidLearningRate'
    }

    It 'completes optimizer names' {
        $r = TabExpansion2 -inputScript 'New-Optimizer ada' -cursorColumn 17
        $r.CompletionMatches.CompletionText | Should -Be @('adam', 'adamw', 'adagrad', 'adadelta', 'adamax')
    }
}
