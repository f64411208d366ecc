BeforeAll {
    . $PSScriptRoot/common.ps1
    function Get-ColumnNorms([float[]] $Kernel, [int] $Rows, [int] $Cols) {
        foreach ($c in 0..($Cols - 1)) {
            $s = 0.0
            foreach ($r in 0..($Rows - 1)) { $s += [double]$Kernel[$r * $Cols + $c] * $Kernel[$r * $Cols + $c] }
            [math]::Sqrt($s)
        }
    }
    $script:X = [double[][]]@(@(1, -2, 0.5), @(3, 1, -1), @(-2, 2, 2), @(0.5, -1, 3), @(2, 2, -3), @(-1, -1, 1))
    $script:Y = [double[]]@(10, -8, 6, -9, 12, 7)
}

Describe 'Add-DenseLayer' {
    It 'adds a layer in place and writes the same model object' {
        $m = New-Model
        $out = $m | Add-DenseLayer -Units 5
        [object]::ReferenceEquals($m, $out) | Should -BeTrue
        $m.Layers | Should -Be @('dense')
    }

    It 'names layers dense, dense_1, ... as Keras does, or as -Name says' {
        $m = New-Model -InputShape 3 | Add-DenseLayer 4 | Add-DenseLayer 4 | Add-DenseLayer 2 -Name head
        $m.Layers | Should -Be @('dense', 'dense_1', 'head')
    }

    It 'has (in x units) + units parameters, and units only without bias' {
        (New-Model -InputShape 93 | Add-DenseLayer 9).ParamCount | Should -Be 846
        (New-Model -InputShape 93 | Add-DenseLayer 9 -UseBias:$false).ParamCount | Should -Be 837
    }

    It 'stores the kernel in Keras orientation (inputs, units)' {
        $w = (New-Model -InputShape 93 | Add-DenseLayer 9).Engine.Layers[0].Weights
        $w[0].Path | Should -Be 'dense/kernel'
        $w[0].Shape | Should -Be @(93, 9)
        $w[1].Path | Should -Be 'dense/bias'
    }

    It 'computes activation(x . kernel + bias) exactly' {
        $m = New-Model -InputShape 2 | Add-DenseLayer 1 -Activation relu -KernelInitializer ones -BiasInitializer zeros |
            Build-Model -Optimizer sgd -Loss mse
        $p = $m | Invoke-ModelPredict -X @(@(1, 2), @(-3, 1)) -AsMatrix
        $p[0, 0] | Should -Be 3
        $p[1, 0] | Should -Be 0
    }

    It 'applies to the last axis of 3-D input' {
        $m = New-Model -InputShape 4, 6 | Add-DenseLayer 3
        $m.OutputShape | Should -Be '(None, 4, 3)'
        $m.ParamCount | Should -Be 21
    }

    It 'refuses units <= 0 with InvalidUnits and leaves the model unchanged' {
        $m = New-Model -InputShape 3 | Add-DenseLayer 2
        Get-ErrorId { $m | Add-DenseLayer -Units 0 } | Should -Be 'InvalidUnits'
        Get-ErrorId { $m | Add-DenseLayer -Units -5 } | Should -Be 'InvalidUnits'
        $m.LayerCount | Should -Be 1
    }

    It 'refuses an unknown activation with UnknownActivation, listing the valid names' {
        $err = $null
        try { New-Model | Add-DenseLayer 3 -Activation rellu } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'UnknownActivation,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'relu, '
        $err.Exception.Message | Should -Match 'softmax'
    }

    It 'completes activation names' {
        $r = TabExpansion2 -inputScript 'Add-DenseLayer -Units 3 -Activation so' -cursorColumn 38
        $r.CompletionMatches.CompletionText | Should -Contain 'softmax'
        $r.CompletionMatches.CompletionText | Should -Contain 'softplus'
        $r.CompletionMatches.CompletionText | Should -Not -Contain 'relu'
    }

    It 'refuses a duplicate layer name with DuplicateLayerName' {
        $m = New-Model | Add-DenseLayer 3 -Name a
        Get-ErrorId { $m | Add-DenseLayer 3 -Name a } | Should -Be 'DuplicateLayerName'
    }

    Context 'initializers' {
        It 'fills the kernel and bias from named and configured initializers' {
            $m = New-Model -InputShape 3 | Add-DenseLayer 2 -KernelInitializer ones -BiasInitializer (New-Initializer constant -Value 0.25)
            Get-Weight $m 'dense/kernel' | Should -Be @(1, 1, 1, 1, 1, 1)
            Get-Weight $m 'dense/bias' | Should -Be @(0.25, 0.25)
        }

        It 'draws the same weights for the same seed, and he_uniform within its Keras limit sqrt(6 / fan_in)' {
            $a = New-Model -InputShape 50 -Seed 5 | Add-DenseLayer 20 -KernelInitializer he_uniform
            $b = New-Model -InputShape 50 -Seed 5 | Add-DenseLayer 20 -KernelInitializer he_uniform
            $wa = Get-Weight $a 'dense/kernel'
            $wa | Should -Be (Get-Weight $b 'dense/kernel')
            $limit = [math]::Sqrt(6 / 50)
            ($wa | Measure-Object -Maximum).Maximum | Should -BeLessOrEqual $limit
            ($wa | Measure-Object -Minimum).Minimum | Should -BeGreaterOrEqual (-$limit)
            ($wa | Measure-Object -Maximum).Maximum | Should -BeGreaterThan ($limit * 0.9) -Because '1,000 draws come close to the limit'
        }

        It 'rejects an unknown initializer name with UnknownInitializer' {
            Get-ErrorId { New-Model -InputShape 3 | Add-DenseLayer 2 -KernelInitializer glorot } | Should -Be 'UnknownInitializer'
            Get-ErrorId { New-Initializer nope } | Should -Be 'UnknownInitializer'
        }
    }

    Context 'regularizers' {
        It 'adds l2 * sum(kernel^2) to the loss' {
            # kernel all 0.5 (3x1): 0.1 * 3 * 0.25 = 0.075; zero inputs make the data loss 0.
            $m = New-Model -InputShape 3 | Add-DenseLayer 1 -UseBias:$false -KernelInitializer (New-Initializer constant -Value 0.5) -KernelRegularizer (New-Regularizer -L2 0.1) |
                Build-Model -Optimizer sgd -Loss mse
            $r = $m | Invoke-ModelEvaluate -X @(, @(0, 0, 0)) -Y @(0)
            $r.Loss | Should -BeGreaterThan 0.0749
            $r.Loss | Should -BeLessThan 0.0751
        }

        It 'adds an activity penalty on the output divided by the batch size, as Keras 3 does' {
            # Output of each row = 1 + 2 = 3 = target; l1 0.5 * sum(|3| over 4 rows) / 4 = 1.5.
            $m = New-Model -InputShape 2 | Add-DenseLayer 1 -UseBias:$false -KernelInitializer ones -ActivityRegularizer (New-Regularizer -L1 0.5) |
                Build-Model -Optimizer sgd -Loss mse
            $r = $m | Invoke-ModelEvaluate -X @(@(1, 2), @(2, 1), @(1, 2), @(2, 1)) -Y @(3, 3, 3, 3)
            [math]::Round($r.Loss, 5) | Should -Be 1.5
        }

        It 'makes the training loss larger than the same fit without the penalty' {
            $plain = New-Model -InputShape 3 -Seed 1 | Add-DenseLayer 4 -Activation relu | Add-DenseLayer 1 | Build-Model -Optimizer sgd -Loss mse
            $reg = New-Model -InputShape 3 -Seed 1 | Add-DenseLayer 4 -Activation relu -KernelRegularizer (New-Regularizer -L2 1) | Add-DenseLayer 1 | Build-Model -Optimizer sgd -Loss mse
            $lp = ($plain | Invoke-ModelFit -X $X -Y $Y -Epochs 1 -Seed 2).Loss
            $lr = ($reg | Invoke-ModelFit -X $X -Y $Y -Epochs 1 -Seed 2).Loss
            $lr | Should -BeGreaterThan ($lp + 0.1)
        }

        It 'takes the Keras names l1, l2 and l1_l2 and refuses others with UnknownRegularizer' {
            $m = New-Model -InputShape 3 | Add-DenseLayer 2 -KernelRegularizer l1_l2
            $m.Engine.Layers[0].KernelRegularizer.L1 | Should -Be 0.01
            Get-ErrorId { New-Model -InputShape 3 | Add-DenseLayer 2 -KernelRegularizer l3 } | Should -Be 'UnknownRegularizer'
        }
    }

    Context 'constraints' {
        It 'keeps every kernel column within max_norm after each optimizer step' {
            $m = New-Model -InputShape 3 -Seed 3 | Add-DenseLayer 4 -KernelConstraint (New-Constraint max_norm -MaxValue 0.5) | Add-DenseLayer 1 |
                Build-Model -Optimizer (New-Optimizer sgd -LearningRate 0.01) -Loss mse
            $null = $m | Invoke-ModelFit -X $X -Y $Y -Epochs 3 -BatchSize 2 -Seed 1
            $norms = Get-ColumnNorms (Get-Weight $m 'dense/kernel') 3 4
            foreach ($n in $norms) { $n | Should -BeLessOrEqual 0.50001 }
            ($norms | Measure-Object -Maximum).Maximum | Should -BeGreaterThan 0.49 -Because 'large targets push the weights to the cap'
        }

        It 'keeps weights non-negative with non_neg and at norm 1 with unit_norm' {
            $m = New-Model -InputShape 3 -Seed 4 | Add-DenseLayer 4 -KernelConstraint non_neg -BiasConstraint non_neg | Add-DenseLayer 1 -KernelConstraint unit_norm |
                Build-Model -Optimizer (New-Optimizer sgd -LearningRate 0.01) -Loss mse
            $null = $m | Invoke-ModelFit -X $X -Y $Y -Epochs 2 -BatchSize 2 -Seed 1
            (Get-Weight $m 'dense/kernel') | ForEach-Object { $_ | Should -BeGreaterOrEqual 0 }
            (Get-Weight $m 'dense/bias') | ForEach-Object { $_ | Should -BeGreaterOrEqual 0 }
            (Get-ColumnNorms (Get-Weight $m 'dense_1/kernel') 4 1) | Should -BeGreaterThan 0.9999
        }

        It 'rejects an unknown constraint with UnknownConstraint' {
            Get-ErrorId { New-Model -InputShape 3 | Add-DenseLayer 2 -KernelConstraint max } | Should -Be 'UnknownConstraint'
        }
    }

    Context 'shapes and options' {
        It 'applies to the last axis of a 3-D input' {
            # Rows of 6 reshaped to (2, 3); kernel ones, bias 0.5: each step sums its 3 values.
            $m = New-Model -InputShape 6 | Add-ReshapeLayer 2, 3 | Add-DenseLayer 2 -KernelInitializer ones -BiasInitializer (New-Initializer constant -Value 0.5)
            ($m | Get-ModelSummary)[-1].OutputShape | Should -Be '(None, 2, 2)'
            $p = $m | Invoke-ModelPredict -X @(, @(1, 2, 3, 4, 5, 6)) -AsMatrix
            @($p[0, 0], $p[0, 1], $p[0, 2], $p[0, 3]) | Should -Be @(6.5, 6.5, 15.5, 15.5)
        }

        It 'has no bias with -UseBias:$false' {
            $m = New-Model -InputShape 3 | Add-DenseLayer 2 -UseBias:$false
            $m.Engine.Layers[0].Weights.Name | Should -Be @('kernel')
        }

        It 'shows regularizers and constraints in Get-ModelSummary' {
            $m = New-Model -InputShape 3 | Add-DenseLayer 2 -Activation relu -KernelRegularizer (New-Regularizer -L2 0.01) -ActivityRegularizer (New-Regularizer -L1 0.1 -L2 0.2) -KernelConstraint (New-Constraint max_norm -MaxValue 3)
            $d = ($m | Get-ModelSummary).Details
            $d | Should -Match 'kernel_regularizer=L2\(0\.01\)'
            $d | Should -Match 'activity_regularizer=L1L2\(l1=0\.1, l2=0\.2\)'
            $d | Should -Match 'kernel_constraint=MaxNorm\(3\)'
        }

        It 'rejects zero units with InvalidUnits and keeps the model usable' {
            $m = New-Model -InputShape 3 | Add-DenseLayer 2
            Get-ErrorId { $m | Add-DenseLayer 0 } | Should -Be 'InvalidUnits'
            $m.LayerCount | Should -Be 1
        }
    }
}
