BeforeAll {
    . $PSScriptRoot/common.ps1

    # Two inputs (numbers: 3 values, text: 2 values) concatenated into one hidden layer, two heads: class (3-way softmax) and
    # price (linear), compiled as Keras's compile(loss={...}, loss_weights={...}, metrics={...}).
    function script:New-TwoHeadModel([long] $Seed = 1, [double] $PriceWeight = 0.5) {
        $a = New-ModelInput -Shape 3 -Name numbers
        $b = New-ModelInput -Shape 2 -Name text
        $h = $a | Add-ConcatenateLayer -With $b | Add-DenseLayer 8 -Activation relu
        $c = $h | Add-DenseLayer 3 -Activation softmax -Name class
        $p = $h | Add-DenseLayer 1 -Name price
        New-Model -Inputs $a, $b -Outputs $c, $p -Seed $Seed |
            Build-Model adam -Loss @{ class = 'categorical_crossentropy'; price = 'mse' } -LossWeights @{ class = 1; price = $PriceWeight } -Metrics @{ class = 'accuracy'; price = 'mae' }
    }

    $rows = 0..59 | ForEach-Object {
        [pscustomobject]@{ a = $_ % 5; b = ($_ * 7) % 11 / 10; c = 1; d = $_ % 3; e = 0.5; label = "k$($_ % 3)"; price = ($_ % 7) / 4 }
    }
    $script:data = $rows | ConvertTo-ModelData -Inputs @{ numbers = 'a', 'b', 'c'; text = 'd', 'e' } -Targets @{ class = 'label'; price = 'price' }
}

Describe 'Training models with several inputs and outputs' {
    It 'maps columns to named inputs and targets to named outputs' {
        $data.Count | Should -Be 60
        @($data.Inputs | Sort-Object) | Should -Be @('numbers', 'text')
        @($data.Targets | Sort-Object) | Should -Be @('class', 'price')
        # the target columns are no longer features; label is encoded into classes
        $data.FeatureNames | Should -Be @('a', 'b', 'c', 'd', 'e')
        $t = $data.Engine.OutputTargets | Where-Object Name -eq class
        $t.Classes | Should -Be @('k0', 'k1', 'k2')
        $t.Labels[0..3] | Should -Be @(0, 1, 2, 0)
    }

    It 'predicts a two-input concat model as Keras computes it, from -X by input name and from a dataset' {
        $a = New-ModelInput -Shape 2 -Name a
        $b = New-ModelInput -Shape 1 -Name b
        $out = $a | Add-ConcatenateLayer -With $b | Add-DenseLayer 1 -Name out
        $m = New-Model -Inputs $a, $b -Outputs $out -Seed 1
        $null = $m | Set-ModelWeight -Layer out -Name kernel -Value @(@(1), @(2), @(3))
        $null = $m | Set-ModelWeight -Layer out -Name bias -Value @(0.5)
        $xa = [float[,]]::new(2, 2); $xa[0, 0] = 1; $xa[0, 1] = 2; $xa[1, 0] = 0; $xa[1, 1] = 1
        $xb = [float[,]]::new(2, 1); $xb[0, 0] = 3; $xb[1, 0] = -1
        # concat([1, 2], [3]) . [1, 2, 3] + 0.5 = 14.5; concat([0, 1], [-1]) . [1, 2, 3] + 0.5 = -0.5
        $p = $m | Invoke-ModelPredict -X @{ a = $xa; b = $xb } -AsMatrix
        $p.GetLength(0) | Should -Be 2
        $p.GetLength(1) | Should -Be 1
        $p[0, 0] | Should -Be 14.5
        $p[1, 0] | Should -Be -0.5
        $d = @([pscustomobject]@{ u = 1; v = 2; w = 3 }, [pscustomobject]@{ u = 0; v = 1; w = -1 }) |
            ConvertTo-ModelData -Inputs @{ b = 'w'; a = 'u', 'v' }
        $q = $m | Invoke-ModelPredict -Data $d
        $q.Value | Should -Be @(14.5, -0.5)
    }

    It 'trains a two-input model on -X and -Y hashtables, with the single-output history names' {
        $a = New-ModelInput -Shape 2 -Name a
        $b = New-ModelInput -Shape 1 -Name b
        $out = $a | Add-ConcatenateLayer -With $b | Add-DenseLayer 4 -Activation relu | Add-DenseLayer 1 -Name out
        $m = New-Model -Inputs $a, $b -Outputs $out -Seed 1 | Build-Model adam mse
        $xa = 0..19 | ForEach-Object { , [double[]]@(($_ / 10), (1 - $_ / 10)) }
        $xb = 0..19 | ForEach-Object { , [double[]]@($_ % 2) }
        $y = 0..19 | ForEach-Object { $_ / 5 }
        $before = @($m | Invoke-ModelPredict -X @{ a = $xa; b = $xb } -AsMatrix)
        $h = $m | Invoke-ModelFit -X @{ a = $xa; b = $xb } -Y $y -Epochs 3 -Seed 1
        $h.Count | Should -Be 3
        $h[0].PSObject.Properties.Name | Should -Contain 'Loss'
        $h[0].PSObject.Properties.Name | Should -Not -Contain 'OutLoss'
        $after = @($m | Invoke-ModelPredict -X @{ a = $xa; b = $xb } -AsMatrix)
        $after | Should -Not -Be $before
    }

    It 'records loss as the sum of the weighted per-output losses, and evaluate agrees with the losses computed by hand' {
        $m = New-TwoHeadModel
        $h = $m | Invoke-ModelFit -Data $data -Epochs 3 -Seed 2 -ValidationSplit 0.25
        foreach ($r in $h) {
            $r.Loss | Should -BeGreaterThan 0
            [math]::Abs($r.Loss - ($r.ClassLoss + $r.PriceLoss)) | Should -BeLessThan 1e-5
            [math]::Abs($r.ValLoss - ($r.ValClassLoss + $r.ValPriceLoss)) | Should -BeLessThan 1e-5
            $r.PSObject.Properties.Name | Should -Contain 'ClassAccuracy'
            $r.PSObject.Properties.Name | Should -Contain 'ValPriceMae'
        }
        $e = $m | Invoke-ModelEvaluate -Data $data
        [math]::Abs($e.Loss - ($e.ClassLoss + $e.PriceLoss)) | Should -BeLessThan 1e-5
        # by hand from the predictions: price_loss = 0.5 * mean((p - y)^2), class_loss = mean(-log p[label]), price_mae = mean(|p - y|)
        $p = $m | Invoke-ModelPredict -Data $data -AsMatrix
        $t = $data.Engine.OutputTargets
        $labels = ($t | Where-Object Name -eq class).Labels
        $prices = ($t | Where-Object Name -eq price).Values
        $se = 0.0; $ae = 0.0; $ce = 0.0
        for ($i = 0; $i -lt 60; $i++) {
            $d = $p.price[$i, 0] - $prices[$i]; $se += $d * $d; $ae += [math]::Abs($d)
            $ce -= [math]::Log($p.class[$i, $labels[$i]])
        }
        $e.PriceLoss | Should -BeGreaterThan 0
        [math]::Abs($e.PriceLoss - 0.5 * $se / 60) | Should -BeLessThan 1e-4
        [math]::Abs($e.PriceMae - $ae / 60) | Should -BeLessThan 1e-4
        [math]::Abs($e.ClassLoss - $ce / 60) | Should -BeLessThan 1e-4
    }

    It 'weights each output loss as -LossWeights says' {
        $one = New-TwoHeadModel -PriceWeight 1 | Invoke-ModelEvaluate -Data $data
        $half = New-TwoHeadModel -PriceWeight 0.5 | Invoke-ModelEvaluate -Data $data
        [math]::Abs($half.PriceLoss - 0.5 * $one.PriceLoss) | Should -BeLessThan 1e-6
        $half.ClassLoss | Should -Be $one.ClassLoss
    }

    It 'stops early on val_price_loss where Keras''s rule says, from the recorded values' {
        $es = New-EarlyStopping -Monitor val_price_loss -Patience 2 -MinDelta 0.05
        $h = @(New-TwoHeadModel | Invoke-ModelFit -Data $data -Epochs 40 -Seed 3 -ValidationSplit 0.25 -Callbacks $es)
        # Keras: an epoch improves when value + min_delta < best; training stops once `patience` epochs in a row did not
        $best = [double]::PositiveInfinity; $wait = 0; $expected = 40
        for ($i = 0; $i -lt $h.Count; $i++) {
            $v = $h[$i].ValPriceLoss
            if ($v + 0.05 -lt $best) { $best = $v; $wait = 0 } else { $wait++ }
            if ($wait -ge 2) { $expected = $i + 1; break }
        }
        $expected | Should -BeLessThan 40
        $h.Count | Should -Be $expected
    }

    It 'refuses a monitor name the fit does not produce' {
        $es = New-EarlyStopping -Monitor val_cost_loss
        { New-TwoHeadModel | Invoke-ModelFit -Data $data -Epochs 2 -ValidationSplit 0.25 -Callbacks $es } | Should -Throw
    }

    It 'reads a named 0/1 target as classes when its output''s loss is binary_crossentropy, and leaves the mse one numbers' {
        $x = New-ModelInput -Shape 2 -Name x
        $h = $x | Add-DenseLayer 4 -Activation relu
        $m = New-Model -Inputs $x -Outputs ($h | Add-DenseLayer 1 -Activation sigmoid -Name survived), ($h | Add-DenseLayer 1 -Name fare) -Seed 1 |
            Build-Model adam -Loss @{ survived = 'binary_crossentropy'; fare = 'mse' }
        $rows = 0..19 | ForEach-Object { [pscustomobject]@{ a = $_ / 10; b = $_ % 3; s = $_ % 2; f = $_ % 4 } }
        $d = $rows | ConvertTo-ModelData -Targets @{ survived = 's'; fare = 'f' }
        ($d.Engine.OutputTargets | Where-Object Name -eq survived).Kind | Should -Be 'Regression'   # numbers until a loss reads them
        $null = $m | Invoke-ModelFit -Data $d -Epochs 1 -Seed 1 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } |
            Where-Object Message -like "Reading target 's' (output 'survived') as 2 classes (0, 1)*" | Should -HaveCount 1
        $m.Engine.OutputClasses['survived'] | Should -Be @('0', '1')
        $m.Engine.OutputClasses.ContainsKey('fare') | Should -BeFalse
        $p = @($m | Invoke-ModelPredict -Data $d.Slice(0, 2))
        $p[0].PSObject.Properties.Name | Should -Be @('Index', 'survived_Class', 'survived_Probability', 'fare_Value')
        $p[0].survived_Class | Should -BeIn @('0', '1')
        $e = $m | Invoke-ModelEvaluate -Data $d
        $e.Loss | Should -BeGreaterThan 0
    }

    It 'writes per-output properties, and -AsMatrix a hashtable of matrices by output name' {
        $m = New-TwoHeadModel
        $null = $m | Invoke-ModelFit -Data $data -Epochs 1 -Seed 1
        $rows = $m | Invoke-ModelPredict -Data $data.Slice(0, 4)
        $rows.Count | Should -Be 4
        $rows[0].PSObject.Properties.Name | Should -Be @('Index', 'class_Class', 'class_Probability', 'price_Value')
        $mx = $m | Invoke-ModelPredict -Data $data.Slice(0, 4) -AsMatrix
        $mx | Should -BeOfType [hashtable]
        $mx.class.GetLength(0) | Should -Be 4
        $mx.class.GetLength(1) | Should -Be 3
        $mx.price.GetLength(1) | Should -Be 1
        [double]$mx.price[2, 0] | Should -Be $rows[2].price_Value
        $best = 0; for ($k = 1; $k -lt 3; $k++) { if ($mx.class[1, $k] -gt $mx.class[1, $best]) { $best = $k } }
        $rows[1].class_Class | Should -Be @('k0', 'k1', 'k2')[$best]
        $rows[1].class_Probability | Should -Be ([double]$mx.class[1, $best])
    }

    It 'names the input that has no data: InputDataMissing' {
        $m = New-TwoHeadModel
        $x = [float[,]]::new(2, 3)
        $err = { $m | Invoke-ModelPredict -X @{ numbers = $x } } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InputDataMissing,*'
        $err.Exception.Message | Should -BeLike "*'text'*"
        $flat = @([pscustomobject]@{ a = 1; b = 2; c = 3; d = 4; e = 5; label = 'k0'; price = 1 }) | ConvertTo-ModelData -Target label
        $err = { $m | Invoke-ModelPredict -Data $flat } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InputDataMissing,*'
    }

    It 'names the output that has no target: TargetDataMissing' {
        $m = New-TwoHeadModel
        $only = $rows | ConvertTo-ModelData -Inputs @{ numbers = 'a', 'b', 'c'; text = 'd', 'e' } -Targets @{ class = 'label' }
        $err = { $m | Invoke-ModelFit -Data $only -Epochs 1 } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'TargetDataMissing,*'
        $err.Exception.Message | Should -BeLike "*'price'*"
    }

    It 'shows the per-output compile settings on the model' {
        $m = New-TwoHeadModel
        $m.Loss | Should -Be 'class=categorical_crossentropy, price=mean_squared_error'
        $m.Metrics | Should -Be @('class_accuracy', 'price_mae')
        $m.Engine.LossWeights | Should -Be @(1, 0.5)
        $copy = $m | Copy-Model
        $copy.Loss | Should -Be $m.Loss
        $copy.Engine.LossWeights | Should -Be @(1, 0.5)
        @(($copy | Invoke-ModelPredict -Data $data -AsMatrix).price) | Should -Be @(($m | Invoke-ModelPredict -Data $data -AsMatrix).price)
    }

    It 'applies one loss name and a metric list to every output, as Keras does' {
        $a = New-ModelInput -Shape 2 -Name a
        $h = $a | Add-DenseLayer 4
        $m = New-Model -Inputs $a -Outputs ($h | Add-DenseLayer 1 -Name u), ($h | Add-DenseLayer 1 -Name v) | Build-Model sgd mse -Metrics mae
        $m.Metrics | Should -Be @('u_mae', 'v_mae')
        $x = 0..9 | ForEach-Object { , [double[]]@($_, 1) }
        $r = $m | Invoke-ModelFit -X $x -Y @{ u = 0..9; v = 9..0 } -Epochs 1 -Seed 1
        [math]::Abs($r.Loss - ($r.ULoss + $r.VLoss)) | Should -BeLessThan 1e-5
        $r.PSObject.Properties.Name | Should -Contain 'VMae'
    }

    It 'refuses a loss for an output the model does not have' {
        $a = New-ModelInput -Shape 2 -Name a
        $m = New-Model -Inputs $a -Outputs ($a | Add-DenseLayer 1 -Name out)
        $err = { $m | Build-Model adam -Loss @{ cost = 'mse' } } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'UnknownOutput,*'
    }

    It 'reads -Inputs and -Targets from a CSV file with Import-ModelData' {
        $path = Join-Path $TestDrive 'items.csv'
        "a,b,d,label,price`n1,2,x,yes,1.5`n3,4,y,no,2.5`n5,6,x,yes,3.5" | Set-Content $path
        $d = Import-ModelData $path -Inputs @{ numbers = 'a', 'b'; text = 'd' } -Targets @{ class = 'label'; price = 'price' }
        $d.Count | Should -Be 3
        ($d.Engine.InputBlocks | Where-Object Name -eq text).Columns.Count | Should -Be 2   # d one-hot: d=x, d=y
        $c = $d.Engine.OutputTargets | Where-Object Name -eq class
        $c.Classes | Should -Be @('no', 'yes')
        $c.Labels | Should -Be @(1, 0, 1)
        ($d.Engine.OutputTargets | Where-Object Name -eq price).Values | Should -Be @(1.5, 2.5, 3.5)
        # test data encoded like the training data, with and without its targets
        $testPath = Join-Path $TestDrive 'test.csv'
        "a,b,d,label,price`n1,2,y,no,1`n3,4,x,no,2" | Set-Content $testPath
        $t = Import-ModelData $testPath -Template $d -Inputs @{ numbers = 'a', 'b'; text = 'd' } -Targets @{ class = 'label'; price = 'price' }
        $t.FeatureNames | Should -Be @('a', 'b', 'd=x', 'd=y')
        ($t.Engine.OutputTargets | Where-Object Name -eq price).Values | Should -Be @(1, 2)
        "a,b,d`n1,2,y" | Set-Content $testPath
        (Import-ModelData $testPath -Template $d -Inputs @{ numbers = 'a', 'b'; text = 'd' }).FeatureNames | Should -Be @('a', 'b', 'd=x', 'd=y')
    }

    It 'round-trips a multi-output compiled model through .kpt, and -Resume continues exactly as an unbroken fit' {
        $m = New-TwoHeadModel
        $null = $m | Invoke-ModelFit -Data $data -Epochs 2 -Seed 5
        $kpt = Join-Path $TestDrive 'two.kpt'
        $m | Export-Checkpoint -Path $kpt
        $back = Import-Checkpoint -Path $kpt
        $back.Engine.LossWeights | Should -Be @(1, 0.5)
        ($back.Engine.OutputLosses | ForEach-Object Name) | Should -Be @('categorical_crossentropy', 'mean_squared_error')
        $p1 = $m | Invoke-ModelPredict -Data $data -AsMatrix
        $p2 = $back | Invoke-ModelPredict -Data $data -AsMatrix
        @($p2.class) | Should -Be @($p1.class)
        @($p2.price) | Should -Be @($p1.price)
        ($back | Invoke-ModelPredict -Data $data.Slice(0, 1)).class_Class | Should -Be ($m | Invoke-ModelPredict -Data $data.Slice(0, 1)).class_Class

        $unbroken = @(New-TwoHeadModel | Invoke-ModelFit -Data $data -Epochs 4 -Seed 5)
        $resume = Join-Path $TestDrive 'resume.kpt'
        $null = New-TwoHeadModel | Invoke-ModelFit -Data $data -Epochs 2 -Seed 5 -Callbacks (New-ModelCheckpoint -Path $resume)
        $rest = @(New-TwoHeadModel | Invoke-ModelFit -Data $data -Epochs 4 -Resume $resume)
        $rest.Epoch | Should -Be @(3, 4)
        $rest[0].Loss | Should -Be $unbroken[2].Loss
        $rest[1].PriceLoss | Should -Be $unbroken[3].PriceLoss
    }

    It 'cross-validates a two-input, two-output model' {
        $cv = @(Invoke-ModelCrossValidation -Data $data -Folds 3 -Epochs 2 -Seed 1 -OutOfFold -ModelScript {
                $a = New-ModelInput -Shape 3 -Name numbers
                $b = New-ModelInput -Shape 2 -Name text
                $h = $a | Add-ConcatenateLayer -With $b | Add-DenseLayer 4 -Activation relu
                $c = $h | Add-DenseLayer 3 -Activation softmax -Name class
                $p = $h | Add-DenseLayer 1 -Name price
                New-Model -Inputs $a, $b -Outputs $c, $p -Seed 1 | Build-Model adam -Loss @{ class = 'categorical_crossentropy'; price = 'mse' }
            })
        $summary = $cv[-1]
        $summary.Completed | Should -Be 3
        $summary.Metrics.Metric | Should -Contain 'val_price_loss'
        $cv[0].Status | Should -Be 'Completed'
        # out-of-fold rows: each output's values side by side (3 class probabilities, then the price)
        $summary.OutOfFold.Count | Should -Be 60
        $summary.OutOfFold[0].PSObject.Properties.Name | Should -Contain 'Value4'
        $sum = $summary.OutOfFold[5].Value1 + $summary.OutOfFold[5].Value2 + $summary.OutOfFold[5].Value3
        [math]::Abs($sum - 1) | Should -BeLessThan 1e-5
    }

    It 'sends named inputs and targets to remote trial hosts (the sweep wire form)' {
        $wire = [KerasPS.Dataset].Assembly.GetType('KerasPS.Infrastructure.SweepWire')
        $plain = $wire.GetMethod('DatasetToWire').Invoke($null, @(, $data.Engine))
        $back = $wire.GetMethod('DatasetFromWire').Invoke($null, @(, $plain))
        $back.Inputs | Should -Be $data.Inputs
        $back.Targets | Should -Be $data.Targets
        ($back.Engine.InputBlocks | Where-Object Name -eq text).Columns | Should -Be @(3, 4)
        $price = { param($d) ($d.Engine.OutputTargets | Where-Object Name -eq price).Values }
        & $price $back | Should -Be (& $price $data)
        ($back.Engine.OutputTargets | Where-Object Name -eq class).Classes | Should -Be @('k0', 'k1', 'k2')
    }

    It 'sweeps a two-output model, monitoring one output''s validation loss' {
        $s = $data | Split-TrainTest -TestSize 0.25 -Seed 1
        $r = @(Invoke-ModelSweep -Data $s.Train -ValidationData $s.Test -Epochs 2 -Seed 1 -Monitor val_price_loss `
                -Parameters ([ordered]@{ LearningRate = 0.01, 0.001 }) -ModelScript {
                param($p)
                $a = New-ModelInput -Shape 3 -Name numbers
                $b = New-ModelInput -Shape 2 -Name text
                $h = $a | Add-ConcatenateLayer -With $b | Add-DenseLayer 4 -Activation relu
                $c = $h | Add-DenseLayer 3 -Activation softmax -Name class
                $q = $h | Add-DenseLayer 1 -Name price
                New-Model -Inputs $a, $b -Outputs $c, $q -Seed 1 |
                    Build-Model (New-Optimizer adam -LearningRate $p.LearningRate) -Loss @{ class = 'categorical_crossentropy'; price = 'mse' }
            })
        $r.Count | Should -Be 2
        foreach ($t in $r) {
            $t.Status | Should -Be 'Completed'
            $t.Monitor | Should -Be 'val_price_loss'
            $t.Best | Should -Be (($t.History | ForEach-Object ValPriceLoss | Measure-Object -Minimum).Minimum)
        }
    }

    It 'splits the rows of named inputs and targets together' {
        $s = $data | Split-TrainTest -TestSize 0.25 -Seed 1
        $s.Train.Count + $s.Test.Count | Should -Be 60
        $s.Test.Inputs.Count | Should -Be 2
        $t = $s.Test.Engine.OutputTargets | Where-Object Name -eq price
        $t.Values.Count | Should -Be $s.Test.Count
    }

    It 'trains a single-output model compiled with a loss by output name exactly as with the loss name' {
        $x = 0..19 | ForEach-Object { , [double[]]@(($_ / 10), (($_ % 3) / 2)) }
        $y = 0..19 | ForEach-Object { $_ / 7 }
        $a = New-Model -InputShape 2 -Seed 4 | Add-DenseLayer 3 -Activation relu | Add-DenseLayer 1 -Name out | Build-Model adam mse -Metrics mae
        $b = New-Model -InputShape 2 -Seed 4 | Add-DenseLayer 3 -Activation relu | Add-DenseLayer 1 -Name out |
            Build-Model adam -Loss @{ out = 'mse' } -Metrics @{ out = 'mae' }
        $ha = @($a | Invoke-ModelFit -X $x -Y $y -Epochs 3 -Seed 2)
        $hb = @($b | Invoke-ModelFit -X $x -Y $y -Epochs 3 -Seed 2)
        $hb.Loss | Should -Be $ha.Loss
        $hb.Mae | Should -Be $ha.Mae
        $a.Engine.OutputLosses | Should -BeNullOrEmpty
    }
}
