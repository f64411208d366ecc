BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:otto = Get-SampleData Otto -Rows 3000 -Seed 1
    function New-OttoModel([long] $Seed = 1, [object] $Optimizer = 'sgd', [switch] $Dropout) {
        $m = New-Model -InputShape 93 -Seed $Seed | Add-DenseLayer 32 -Activation relu
        if ($Dropout) { $m = $m | Add-DropoutLayer 0.3 }
        $m | Add-DenseLayer 9 -Activation softmax | Build-Model -Optimizer $Optimizer -Loss categorical_crossentropy -Metrics accuracy
    }
}

Describe 'Invoke-ModelFit' {
    Context 'views and exports' {
        BeforeAll {
            $split = $otto.Slice(0, 600)
            $script:fourMetrics = New-Model -InputShape 93 -Seed 4 | Add-DenseLayer 9 -Activation softmax |
                Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy, auc, precision, recall
            $script:fourHistory = $fourMetrics | Invoke-ModelFit -Data $split.Slice(0, 500) -ValidationData $split.Slice(500, 100) -Epochs 3 -BatchSize 100 -Seed 1
        }

        It 'shows a four-metric history with validation in 120 columns, one column per value, none left out' {
            $lines = $fourHistory | Out-String -Width 120 -Stream | Where-Object { $_.Trim() }
            ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 120
            $header = $lines[0] -split '\s+' | Where-Object { $_ }
            $header | Should -Be @('Epoch', 'Loss', 'Accuracy', 'Auc', 'Precision', 'Recall', 'ValLoss', 'ValAccuracy', 'ValAuc', 'ValPrecision', 'ValRecall', 'LR', 'Seconds')
            $last = $lines[-1] -split '\s+' | Where-Object { $_ }
            $last.Count | Should -Be 13
            $last[0] | Should -Be '3'
            $last[6] | Should -Be ('{0:0.0000}' -f $fourHistory[2].ValLoss)
            $last[10] | Should -Be ('{0:0.0000}' -f $fourHistory[2].ValRecall)
        }

        It 'shows a four-metric history in 80 columns with headers unwrapped: whole columns, the losses first' {
            $lines = @($fourHistory | Out-String -Width 80 -Stream | Where-Object { $_.Trim() })
            ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
            $lines[1] | Should -Match '^[- ]+$'
            $header = $lines[0] -split '\s+' | Where-Object { $_ }
            $header | Should -Be @('Epoch', 'Loss', 'Accuracy', 'Auc', 'Precision', 'Recall', 'ValLoss', 'ValAccuracy', 'ValAuc')
            ($lines[-1] -split '\s+' | Where-Object { $_ })[8] | Should -Be ('{0:0.0000}' -f $fourHistory[2].ValAuc)
        }

        It 'shows a loss of 77841.0000 whole in the default history table at 80 columns, never cut from the left' {
            # Zero inputs and a zero bias predict 0, so the mean squared error is 279^2 = 77841 (Keras: loss: 77841.0000).
            $m = New-Model -InputShape 1 -Seed 1 | Add-DenseLayer 1 | Build-Model -Optimizer (New-Optimizer sgd -LearningRate 1e-12) -Loss mse -Metrics mae
            $x = 1..64 | ForEach-Object { , @(0.0) }
            $y = 1..64 | ForEach-Object { 279.0 }
            $h = $m | Invoke-ModelFit -X $x -Y $y -Epochs 2 -BatchSize 64 -ValidationSplit 0.25
            $h[0].Loss | Should -BeGreaterThan 77000
            $text = $h | Out-String -Width 80
            $text | Should -Not -Match '…'
            foreach ($r in $h) {
                $text | Should -Match ([regex]::Escape(('{0:0.0000}' -f $r.Loss)))
                $text | Should -Match ([regex]::Escape(('{0:0.0000}' -f $r.ValLoss)))
                $text | Should -Match ([regex]::Escape(('{0:0.0000}' -f $r.Mae)))
            }
            $text | Should -Match '77841\.\d{4}'
        }

        It 'writes a number too wide for its column in the compact form, with as many decimals as fit' {
            [KerasPS.Infrastructure.CellText]::Cell(77844.3647, 10) | Should -Be '77844.3647'
            [KerasPS.Infrastructure.CellText]::Cell(80545613414.4, 10) | Should -Be '8.0546e+10'
            [KerasPS.Infrastructure.CellText]::Cell(-123456.5, 10) | Should -Be '-1.235e+05'
            [KerasPS.Infrastructure.CellText]::Cell(0.5, 6) | Should -Be '0.5000'
            [KerasPS.Infrastructure.CellText]::Cell(12.5, 6) | Should -Be '1e+01'
            [KerasPS.Infrastructure.CellText]::WithSpread(0.1017, 0.039, 13) | Should -Be '0.1017±0.0390'
            [KerasPS.Infrastructure.CellText]::Join([string[]]@('a=1', 'bb=2', 'c=3'), 8) | Should -Be 'a=1 …'
        }

        It 'exports flat cells: every value a number, Seconds included' {
            $csv = $fourHistory | ConvertTo-Csv | ConvertFrom-Csv
            $csv[0].PSObject.Properties.Name | Should -Contain 'Seconds'
            $csv[0].PSObject.Properties.Name | Should -Contain 'ValAuc'
            foreach ($p in $csv[0].PSObject.Properties) { $p.Value | Should -Match '^[0-9.Ee+-]+$' }
            $json = $fourHistory[0] | ConvertTo-Json | ConvertFrom-Json
            $json.Seconds | Should -BeOfType ([double])
            @($json.PSObject.Properties).Count | Should -Be 14
        }

        It 'keeps every record on the model: $model.History' {
            $fourMetrics.History.Count | Should -Be 3
            $fourMetrics.History[2].ValLoss | Should -Be $fourHistory[2].ValLoss
            $fourMetrics.History.Epoch | Should -Be @(1, 2, 3)
        }
    }

    Context 'errors' {
        It 'stops with a terminating InputShapeMismatch, the model as TargetObject, even with -ErrorAction SilentlyContinue' {
            $m = New-OttoModel
            $wrong = Get-SampleData Iris
            $err = $null
            try { $m | Invoke-ModelFit -Data $wrong -Epochs 1 -ErrorAction SilentlyContinue } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'InputShapeMismatch,*'
            $err.TargetObject | Should -Be $m
        }

        It 'names the model as TargetObject of ModelNotCompiled' {
            $m = New-Model -InputShape 93 | Add-DenseLayer 9 -Activation softmax
            $err = $null
            try { $m | Invoke-ModelFit -Data $otto -Epochs 1 } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'ModelNotCompiled,*'
            $err.TargetObject | Should -Be $m
        }
    }

    Context 'history' {
        It 'writes one record per epoch, each as soon as its epoch finishes' {
            $m = New-OttoModel
            $seenAt = $m | Invoke-ModelFit -Data $otto -Epochs 3 -BatchSize 128 | ForEach-Object { $m.EpochsTrained }
            $seenAt | Should -Be @(1, 2, 3)
        }

        It 'gives records with Epoch, Loss, Accuracy, LearningRate, Seconds and Samples, all plain values' {
            $r = New-OttoModel | Invoke-ModelFit -Data $otto -Epochs 1 -BatchSize 128
            $r.PSObject.TypeNames | Should -Contain 'KerasPS.EpochRecord'
            $r.PSObject.TypeNames[0] | Should -Be 'KerasPS.EpochRecord#loss,accuracy'
            $r.PSObject.Properties.Name | Should -Be @('Epoch', 'Loss', 'Accuracy', 'LearningRate', 'Seconds', 'Samples')
            $r.Epoch | Should -Be 1
            $r.Loss | Should -BeGreaterThan 0
            $r.Accuracy | Should -BeGreaterThan 0
            $r.Accuracy | Should -BeLessOrEqual 1
            $r.LearningRate | Should -Be 0.01
            $r.Seconds | Should -BeOfType ([double])
            $r.Seconds | Should -BeGreaterThan 0
            $r.Samples | Should -Be 3000
        }

        It 'lowers the loss epoch over epoch with SGD on the Otto sample' {
            $h = New-OttoModel | Invoke-ModelFit -Data $otto -Epochs 5 -BatchSize 64 -Seed 3
            for ($i = 1; $i -lt 5; $i++) { $h[$i].Loss | Should -BeLessThan $h[$i - 1].Loss }
        }

        It 'exports to CSV while training, with one row per epoch' {
            $csv = Join-Path $TestDrive 'history.csv'
            New-OttoModel | Invoke-ModelFit -Data $otto -Epochs 2 -BatchSize 256 | Export-Csv $csv
            $rows = Import-Csv $csv
            $rows.Count | Should -Be 2
            $rows[0].PSObject.Properties.Name | Should -Contain 'Loss'
            $rows[0].PSObject.Properties.Name | Should -Contain 'Accuracy'
        }

        It 'trains -Epochs more on a second fit, as a second Keras fit(epochs) does, and -InitialEpoch as Keras''s initial_epoch' {
            $m = New-OttoModel
            $null = $m | Invoke-ModelFit -Data $otto -Epochs 2 -BatchSize 256
            ($m | Invoke-ModelFit -Data $otto -Epochs 2 -BatchSize 256).Epoch | Should -Be @(3, 4)
            $m.EpochsTrained | Should -Be 4
            ($m | Invoke-ModelFit -Data $otto -Epochs 6 -InitialEpoch 4 -BatchSize 256).Epoch | Should -Be @(5, 6)
            ($m | Invoke-ModelFit -Data $otto -Epochs 2 -InitialEpoch 0 -BatchSize 256).Epoch | Should -Be @(1, 2)
        }

        It 'trains -Epochs 3 more after Import-Checkpoint of a model with 27 epochs: 28, 29, 30, with no "Nothing to train"' {
            $m = New-OttoModel
            $small = $otto.Slice(0, 256)
            $null = $m | Invoke-ModelFit -Data $small -Epochs 27 -BatchSize 256 -Seed 1
            $kpt = Join-Path $TestDrive 'twenty-seven.kpt'
            $m | Export-Checkpoint -Path $kpt -IncludeOptimizer
            $back = Import-Checkpoint -Path $kpt
            $back.EpochsTrained | Should -Be 27
            $r = $back | Invoke-ModelFit -Data $small -Epochs 3 -BatchSize 256 -WarningVariable w -WarningAction SilentlyContinue
            $r.Epoch | Should -Be @(28, 29, 30)
            $back.EpochsTrained | Should -Be 30
            $back.History.Count | Should -Be 30
            @($w) | Where-Object { "$_" -like '*Nothing to train*' } | Should -BeNullOrEmpty
        }

        It 'warns "Nothing to train" only when -InitialEpoch is already at -Epochs' {
            $m = New-OttoModel
            $r = $m | Invoke-ModelFit -Data $otto.Slice(0, 256) -Epochs 2 -InitialEpoch 2 -BatchSize 256 -WarningVariable w -WarningAction SilentlyContinue
            @($r).Count | Should -Be 0
            "$w" | Should -BeLike '*Nothing to train*-InitialEpoch*'
        }

        It 'writes the model after the records with -PassThru' {
            $out = New-OttoModel | Invoke-ModelFit -Data $otto -Epochs 1 -BatchSize 256 -PassThru
            $out[-1] | Should -BeOfType ([KerasPS.Model])
            $out[-1].EpochsTrained | Should -Be 1
        }

        It 'writes a Keras-style line per epoch on the verbose stream' {
            $v = New-OttoModel | Invoke-ModelFit -Data $otto -Epochs 2 -BatchSize 256 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Epoch *' }
            $v.Count | Should -Be 2
            $v[1].Message | Should -Match '^Epoch 2/2 - [\d.]+s - loss: \d\.\d{4} - accuracy: \d\.\d{4}$'
        }
    }

    Context 'reproducibility' {
        It 'gives identical history for the same seed, with dropout and shuffling' {
            $a = New-OttoModel -Dropout | Invoke-ModelFit -Data $otto -Epochs 3 -BatchSize 64 -Seed 11
            $b = New-OttoModel -Dropout | Invoke-ModelFit -Data $otto -Epochs 3 -BatchSize 64 -Seed 11
            $a.Loss | Should -Be $b.Loss
            $a.Accuracy | Should -Be $b.Accuracy
        }

        It 'gives a different history for another fit seed' {
            $a = New-OttoModel -Dropout | Invoke-ModelFit -Data $otto -Epochs 1 -BatchSize 64 -Seed 11
            $b = New-OttoModel -Dropout | Invoke-ModelFit -Data $otto -Epochs 1 -BatchSize 64 -Seed 12
            $a.Loss | Should -Not -Be $b.Loss
        }
    }

    Context 'validation' {
        It 'adds ValLoss and ValAccuracy with -ValidationData' {
            $r = New-OttoModel | Invoke-ModelFit -Data $otto.Slice(0, 2500) -ValidationData $otto.Slice(2500, 500) -Epochs 1 -BatchSize 128
            $r.ValLoss | Should -BeGreaterThan 0
            $r.ValAccuracy | Should -BeGreaterThan 0
            $r.Samples | Should -Be 2500
        }

        It 'holds out the last rows, before shuffling, with -ValidationSplit (as Keras)' {
            $a = New-OttoModel -Seed 4 | Invoke-ModelFit -Data $otto -ValidationSplit 0.2 -Epochs 2 -BatchSize 128 -Seed 9
            $b = New-OttoModel -Seed 4 | Invoke-ModelFit -Data $otto.Slice(0, 2400) -ValidationData $otto.Slice(2400, 600) -Epochs 2 -BatchSize 128 -Seed 9
            $a.ValLoss | Should -Be $b.ValLoss
            $a.Loss | Should -Be $b.Loss
        }

        It 'computes validation loss as Invoke-ModelEvaluate does on the same data' {
            $m = New-OttoModel
            $r = $m | Invoke-ModelFit -Data $otto.Slice(0, 2500) -ValidationData $otto.Slice(2500, 500) -Epochs 1 -BatchSize 128
            $e = $m | Invoke-ModelEvaluate -Data $otto.Slice(2500, 500)
            $e.Loss | Should -BeGreaterThan ($r.ValLoss - 1e-6)
            $e.Loss | Should -BeLessThan ($r.ValLoss + 1e-6)
        }
    }

    Context '0/1 targets: the loss decides, as in Keras' {
        BeforeAll {
            # Titanic-like: Survived is 0/1, sorted by nothing in particular; it loads as a numeric (regression) target.
            $rows = foreach ($i in 0..199) {
                $sex = if ($i % 3 -eq 0) { 'female' } else { 'male' }
                $survived = if ($sex -eq 'female' -xor ($i % 7 -eq 0)) { 1 } else { 0 }
                '{0},{1},{2},{3}' -f $i, $survived, ($i % 5), $sex
            }
            $csv = Join-Path $TestDrive 'titanic.csv'
            Set-Content -Path $csv -Value (@('PassengerId,Survived,Age,Sex') + $rows)
            $script:titanic = Import-ModelData -Path $csv -Target Survived -IdColumn PassengerId
            $script:mkBinary = { New-Model -InputShape $titanic.Engine.FeatureCount -Seed 5 | Add-DenseLayer 1 -Activation sigmoid |
                Build-Model -Optimizer (New-Optimizer sgd -LearningRate 1e-12) -Loss binary_crossentropy -Metrics accuracy }
        }

        It 'reads a 0/1 target as classes with binary_crossentropy, says so once, and predictions get a Class' {
            $titanic.Classes | Should -BeNullOrEmpty
            $m = & $mkBinary
            $v = $m | Invoke-ModelFit -Data $titanic -Epochs 2 -BatchSize 50 -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*as 2 classes*' }
            @($v).Count | Should -Be 1
            $v.Message | Should -BeLike "*'Survived'*(0, 1)*binary_crossentropy*"
            $m.Classes | Should -Be @('0', '1')
            $p = @($m | Invoke-ModelPredict -Data $titanic.Slice(0, 3))
            $p[0].Class | Should -BeIn @('0', '1')
            $p[0].PSObject.Properties.Name | Should -Contain 'Probability'
        }

        It 'weights 0/1 classes with -ClassWeight @{0=2;1=1}: mean(weight(y) * loss), as Keras' {
            $m = & $mkBinary
            $weighted = ($m | Invoke-ModelFit -Data $titanic -Epochs 1 -BatchSize 200 -ClassWeight @{ 0 = 2; 1 = 1 } -Shuffle:$false).Loss
            $p = $m | Invoke-ModelPredict -Data $titanic -AsMatrix
            $y = $titanic.Engine.Targets
            $sum = 0.0
            for ($i = 0; $i -lt 200; $i++) {
                $q = [double]$p[$i, 0]
                $l = if ($y[$i] -eq 1) { -[math]::Log($q) } else { -[math]::Log(1 - $q) }
                $sum += $(if ($y[$i] -eq 0) { 2.0 } else { 1.0 }) * $l
            }
            $weighted | Should -BeGreaterThan ($sum / 200 - 1e-4)
            $weighted | Should -BeLessThan ($sum / 200 + 1e-4)
        }

        It 'splits a 0/1 target with -Stratify, keeping the class proportions' {
            $parts = $titanic | Split-TrainTest -TestSize 0.25 -Stratify -Seed 1
            $ones = @($titanic.Engine.Targets | Where-Object { $_ -eq 1 }).Count
            @($parts.Test.Engine.Targets | Where-Object { $_ -eq 1 }).Count | Should -Be ([math]::Round($ones * 0.25))
            $parts.Test.Count | Should -Be 50
        }

        It 'reads a 0/1 target as classes for one sigmoid unit when a metric counts classes' {
            $m = New-Model -InputShape $titanic.Engine.FeatureCount -Seed 5 | Add-DenseLayer 1 -Activation sigmoid | Build-Model sgd mse -Metrics accuracy
            $null = $m | Invoke-ModelFit -Data $titanic -Epochs 1 -WarningAction SilentlyContinue
            $m.Classes | Should -Be @('0', '1')
        }

        It 'keeps a 0/1 target numeric with a regression loss and no class metric' {
            $m = New-Model -InputShape $titanic.Engine.FeatureCount -Seed 5 | Add-DenseLayer 1 | Build-Model sgd mse
            $null = $m | Invoke-ModelFit -Data $titanic -Epochs 1
            $m.Classes | Should -BeNullOrEmpty
        }
    }

    Context 'warnings where Keras is silent' {
        BeforeAll {
            $script:x = [double[][]]@(foreach ($i in 0..39) { , [double[]]@((($i % 4) / 4), (($i % 3) / 3)) })
        }
        It 'warns once about a 1-unit softmax with binary_crossentropy' {
            $m = New-Model -InputShape 2 -Seed 1 | Add-DenseLayer 1 -Activation softmax | Build-Model sgd binary_crossentropy
            $y = [double[]]@(0..39 | ForEach-Object { $_ % 2 })
            $null = $m | Invoke-ModelFit -X $x -Y $y -Epochs 2 -WarningVariable w -WarningAction SilentlyContinue
            @($w | Where-Object { "$_" -like '*softmax over 1 unit*' }).Count | Should -Be 1
        }
        It 'warns once about binary_crossentropy on targets outside [0, 1]' {
            $m = New-Model -InputShape 2 -Seed 1 | Add-DenseLayer 1 -Activation sigmoid | Build-Model sgd binary_crossentropy
            $y = [double[]]@(0..39 | ForEach-Object { $_ * 0.5 })
            $null = $m | Invoke-ModelFit -X $x -Y $y -Epochs 2 -WarningVariable w -WarningAction SilentlyContinue
            @($w | Where-Object { "$_" -like '*binary_crossentropy needs targets in `[0, 1`]*from 0 to 19.5*' }).Count | Should -Be 1
        }
        It 'warns once about accuracy with a regression loss' {
            $m = New-Model -InputShape 2 -Seed 1 | Add-DenseLayer 1 | Build-Model sgd mse -Metrics accuracy
            $y = [double[]]@(0..39 | ForEach-Object { $_ * 0.25 })
            $null = $m | Invoke-ModelFit -X $x -Y $y -Epochs 2 -WarningVariable w -WarningAction SilentlyContinue
            @($w | Where-Object { "$_" -like '*accuracy*regression loss mean_squared_error*' }).Count | Should -Be 1
        }
        It 'warns once when the validation split holds one class because the data is sorted by class (Iris)' {
            $iris = Get-SampleData Iris
            $m = New-Model -InputShape 4 -Seed 1 | Add-DenseLayer 3 -Activation softmax | Build-Model adam categorical_crossentropy
            $null = $m | Invoke-ModelFit -Data $iris -ValidationSplit 0.2 -Epochs 2 -WarningVariable w -WarningAction SilentlyContinue
            @($w | Where-Object { "$_" -like "*validation split*last 30 rows*holds class*only*Split-TrainTest*-Stratify*" }).Count | Should -Be 1
            $parts = $iris | Split-TrainTest -TestSize 0.2 -Stratify -Seed 1
            $null = $m | Invoke-ModelFit -Data $parts.Train -ValidationSplit 0.2 -Epochs 1 -WarningVariable w2 -WarningAction SilentlyContinue
            @($w2 | Where-Object { "$_" -like '*validation split*' }).Count | Should -Be 0
        }
    }

    Context 'weights' {
        It 'weights the loss per class the way Keras defines it: mean(weight(y) * loss)' {
            # A learning rate of 1e-12 leaves the weights as they are, so the epoch loss is the loss of the initial model.
            $data = $otto.Slice(0, 400)
            $mk = { New-Model -InputShape 93 -Seed 5 | Add-DenseLayer 9 -Activation softmax | Build-Model -Optimizer (New-Optimizer sgd -LearningRate 1e-12) -Loss categorical_crossentropy }
            $cw = @{ Class_2 = 3.0; Class_6 = 0.5 }
            $m = & $mk
            $weighted = ($m | Invoke-ModelFit -Data $data -Epochs 1 -BatchSize 400 -ClassWeight $cw -Shuffle:$false).Loss
            $p = $m | Invoke-ModelPredict -Data $data
            $labels = $data.Engine.Labels
            $sum = 0.0
            for ($i = 0; $i -lt 400; $i++) {
                $cls = $data.Classes[$labels[$i]]
                $w = if ($cw.ContainsKey($cls)) { $cw[$cls] } else { 1.0 }
                $sum += $w * -[math]::Log($p[$i].$cls)
            }
            $weighted | Should -BeGreaterThan ($sum / 400 - 1e-4)
            $weighted | Should -BeLessThan ($sum / 400 + 1e-4)
        }

        It 'doubles the loss when every sample weight is 2' {
            $data = $otto.Slice(0, 400)
            $mk = { New-Model -InputShape 93 -Seed 5 | Add-DenseLayer 9 -Activation softmax | Build-Model -Optimizer (New-Optimizer sgd -LearningRate 1e-12) -Loss categorical_crossentropy }
            $plain = (& $mk | Invoke-ModelFit -Data $data -Epochs 1 -BatchSize 100).Loss
            $double = (& $mk | Invoke-ModelFit -Data $data -Epochs 1 -BatchSize 100 -SampleWeight (@(2.0) * 400)).Loss
            $double | Should -BeGreaterThan (2 * $plain - 1e-4)
            $double | Should -BeLessThan (2 * $plain + 1e-4)
        }

        It 'refuses a class weight for a class the data does not have' {
            Get-ErrorId { New-OttoModel | Invoke-ModelFit -Data $otto -Epochs 1 -ClassWeight @{ Class_99 = 2 } } | Should -Be 'UnknownClass'
        }
    }

    Context 'stopping' {
        It 'stops within the epoch when the pipeline stops (Select-Object -First 3) and leaves the model usable' {
            $m = New-OttoModel
            $r = $m | Invoke-ModelFit -Data $otto -Epochs 50 -BatchSize 256 | Select-Object -First 3
            $r.Epoch | Should -Be @(1, 2, 3)
            $m.EpochsTrained | Should -Be 3
            ($m | Invoke-ModelFit -Data $otto -Epochs 1 -BatchSize 256).Epoch | Should -Be 4
            ($m | Invoke-ModelPredict -Data $otto.Slice(0, 2)).Count | Should -Be 2
        }

        It 'stops cleanly before -MaxDuration runs out, with a warning saying where' {
            $big = Get-SampleData Otto -Rows 20000 -Seed 2
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $r = New-OttoModel | Invoke-ModelFit -Data $big -Epochs 10000 -BatchSize 32 -MaxDuration ([TimeSpan]::FromSeconds(1.5)) -WarningVariable w -WarningAction SilentlyContinue
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 6
            $r.Count | Should -BeLessThan 10000
            $w.Count | Should -Be 1
            $w[0].Message | Should -Match 'MaxDuration'
            $w[0].Message | Should -Match 'epoch \d+ of 10000'
        }

        It 'reads -MaxDuration 60 (an int) as 60 seconds, never 60 ticks: a tiny model trains all its epochs, no warning' {
            $m = New-Model -InputShape 1 -Seed 1 | Add-DenseLayer 1 | Build-Model -Optimizer sgd -Loss mse
            $x = 1..16 | ForEach-Object { , @([double]$_) }
            $y = 1..16 | ForEach-Object { 2.0 * $_ }
            $r = $m | Invoke-ModelFit -X $x -Y $y -Epochs 3 -BatchSize 8 -MaxDuration 60 -WarningVariable w -WarningAction SilentlyContinue
            @($r).Count | Should -Be 3
            $w.Count | Should -Be 0
        }

        It 'reads a number as seconds, a unit or a TimeSpan string as written, and refuses other text' {
            $t = [KerasPS.Infrastructure.DurationTransformationAttribute]::new()
            $t.Transform($null, 0.5) | Should -Be ([TimeSpan]::FromMilliseconds(500))
            $t.Transform($null, 60) | Should -Be ([TimeSpan]::FromMinutes(1))
            $t.Transform($null, '90s') | Should -Be ([TimeSpan]::FromSeconds(90))
            $t.Transform($null, '5m') | Should -Be ([TimeSpan]::FromMinutes(5))
            $t.Transform($null, '00:05:00') | Should -Be ([TimeSpan]::FromMinutes(5))
            $t.Transform($null, [TimeSpan]::FromTicks(7)) | Should -Be ([TimeSpan]::FromTicks(7))
            { $t.Transform($null, 'soon') } | Should -Throw '*number of seconds*'
            (Get-Command Invoke-ModelFit).Parameters['MaxDuration'].ParameterType | Should -Be ([Nullable[TimeSpan]])
            # Invoke-ModelTrial is plumbing (not exported): its class is checked like the cmdlets'.
            foreach ($c in 'ModelFit', 'ModelSweep', 'ModelCrossValidation', 'ModelTrial') {
                $type = [KerasPS.Model].Assembly.GetTypes() | Where-Object Name -eq "Invoke${c}Command"
                $type.GetProperty('MaxDuration').GetCustomAttributes([KerasPS.Infrastructure.DurationTransformationAttribute], $true).Count |
                    Should -Be 1 -Because "Invoke-$c -MaxDuration 60 means seconds"
            }
        }

        It 'reads -MaxDuration 0.5 as half a second: a long fit stops after about 0.5 s, with the budget in the warning' {
            $big = Get-SampleData Otto -Rows 20000 -Seed 2
            $r = New-OttoModel | Invoke-ModelFit -Data $big -Epochs 10000 -BatchSize 32 -MaxDuration 0.5 -WarningVariable w -WarningAction SilentlyContinue
            @($r).Count | Should -BeLessThan 10000
            $w.Count | Should -Be 1
            $w[0].Message | Should -Match 'MaxDuration 00:00:00\.5'
        }

        It 'stops on a NaN loss with a warning, even without TerminateOnNaN' {
            $m = New-Model -InputShape 1 | Add-DenseLayer 1 | Build-Model -Optimizer (New-Optimizer sgd -LearningRate 1e10) -Loss mse
            $x = 1..64 | ForEach-Object { , @(1000.0) }
            $y = 1..64 | ForEach-Object { 1e6 }
            $r = $m | Invoke-ModelFit -X $x -Y $y -Epochs 20 -BatchSize 8 -WarningVariable w -WarningAction SilentlyContinue
            @($r).Count | Should -BeLessThan 20
            [double]::IsFinite(@($r)[-1].Loss) | Should -BeFalse
            $w.Count | Should -Be 1
            $w[0].Message | Should -Match 'training stopped'
        }
    }

    Context 'bad input' {
        It 'refuses to fit a model that is not compiled: ModelNotCompiled' {
            Get-ErrorId { New-Model -InputShape 93 | Add-DenseLayer 9 | Invoke-ModelFit -Data $otto -Epochs 1 } | Should -Be 'ModelNotCompiled'
        }

        It 'refuses data whose feature count differs from the model''s: InputShapeMismatch' {
            $m = New-Model -InputShape 10 | Add-DenseLayer 9 -Activation softmax | Build-Model sgd categorical_crossentropy
            $err = $null
            try { $m | Invoke-ModelFit -Data $otto -Epochs 1 } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InputShapeMismatch'
            $err.Exception.Message | Should -Match '93 features'
            $err.Exception.Message | Should -Not -Match 'TorchSharp'
        }

        It 'refuses a model whose output does not match the class count: TargetShapeMismatch' {
            $m = New-Model -InputShape 93 | Add-DenseLayer 5 -Activation softmax | Build-Model sgd categorical_crossentropy
            Get-ErrorId { $m | Invoke-ModelFit -Data $otto -Epochs 1 } | Should -Be 'TargetShapeMismatch'
        }

        It 'leaves the model as it was after a refused first fit, so the next fit with the right data works' {
            $m = New-Model -InputShape 2 -Seed 1 | Add-DenseLayer 3 -Activation softmax | Build-Model sgd categorical_crossentropy
            Get-ErrorId { $m | Invoke-ModelFit -X @(@(0, 1), @(1, 0)) -Y @('a', 'b') -Epochs 1 } | Should -Be 'TargetShapeMismatch'
            $m.Classes | Should -BeNullOrEmpty
            $m.EpochsTrained | Should -Be 0
            ($m | Invoke-ModelFit -X @(@(0, 1), @(1, 0), @(1, 1)) -Y @('a', 'b', 'c') -Epochs 1).Epoch | Should -Be 1
            $m.Classes | Should -Be @('a', 'b', 'c')
        }

        It 'computes no gradients for the weights of a frozen layer, and leaves them unchanged' {
            $m = New-Model -InputShape 93 -Seed 1 | Add-DenseLayer 8 -Activation relu | Add-DenseLayer 9 -Activation softmax | Build-Model sgd categorical_crossentropy
            $m.Engine.Layers[0].Trainable = $false
            $before = $m.Engine.Layers[0].Weights[0].ToArray()
            $null = $m | Invoke-ModelFit -Data $otto.Slice(0, 256) -Epochs 2 -BatchSize 64
            ($m.Engine.Layers[0].Weights[0].ToArray() -join ',') | Should -Be ($before -join ',')
            $m.Engine.Layers[0].Weights[0].Value.requires_grad | Should -BeFalse
            (Get-ModelSummary -Model $m)[0].Trainable | Should -BeFalse
        }

        It 'refuses <Name> with <Id>' -ForEach @(
            @{ Name = 'zero epochs'; Id = 'InvalidEpochs'; Params = @{ Epochs = 0 } }
            @{ Name = 'zero batch size'; Id = 'InvalidBatchSize'; Params = @{ BatchSize = 0 } }
            @{ Name = 'a validation split of 1'; Id = 'InvalidValidationSplit'; Params = @{ ValidationSplit = 1.0 } }
        ) {
            $a = $Params
            Get-ErrorId { New-OttoModel | Invoke-ModelFit -Data $otto @a } | Should -Be $Id
        }
    }

    Context 'arrays and numerics' {
        It 'trains on plain -X / -Y arrays with class labels' {
            $x = @(@(0, 0), @(0, 1), @(1, 0), @(1, 1)) * 25
            $y = @('no', 'yes', 'yes', 'yes') * 25
            $m = New-Model -InputShape 2 -Seed 3 | Add-DenseLayer 8 -Activation tanh | Add-DenseLayer 2 -Activation softmax |
                Build-Model (New-Optimizer adam -LearningRate 0.05) sparse_categorical_crossentropy -Metrics accuracy
            $h = $m | Invoke-ModelFit -X $x -Y $y -Epochs 60 -BatchSize 20 -Seed 1
            $h[-1].Accuracy | Should -Be 1
            ($m | Invoke-ModelPredict -X @(, @(0, 0))).Class | Should -Be 'no'
        }

        It 'refuses <Case> in -X or -Y with NonFiniteValue naming the cell, as Import-ModelData refuses it' -TestCases @(
            @{ Case = 'NaN'; X = @(@(1, [double]::NaN), @(1, 2)); Y = @(1, 2); Where = 'X`[0`]`[1`] is NaN*' }
            @{ Case = 'an infinity'; X = @(@(1, 2), @(1, [double]::NegativeInfinity)); Y = @(1, 2); Where = 'X`[1`]`[1`] is -Infinity*' }
            @{ Case = 'the text Infinity'; X = @(@(1, 'Infinity'), @(1, 2)); Y = @(1, 2); Where = 'X`[0`]`[1`] is Infinity*' }
            @{ Case = 'a double beyond float32'; X = [double[,]]::new(2, 2); Y = @(1, 2); Where = 'X`[0`]`[0`] is 1E+39*' }
            @{ Case = 'a NaN target'; X = @(@(1, 2), @(1, 2)); Y = @(1, [double]::NaN); Where = 'Y`[1`] is NaN*' }
        ) {
            param($Case, $X, $Y, $Where)
            if ($X -is [double[,]]) { $X[0, 0] = 1e39 }
            $m = New-Model -InputShape 2 | Add-DenseLayer 1 | Build-Model sgd mse
            $err = $null
            try { $m | Invoke-ModelFit -X $X -Y $Y -Epochs 1 | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'NonFiniteValue'
            $err.CategoryInfo.Category | Should -Be 'InvalidData'
            $err.Exception.Message | Should -BeLike $Where
            $m.EpochsTrained | Should -Be 0
        }

        It 'keeps the loss finite for huge logits (softmax fused with the cross-entropy)' {
            $m = New-Model -InputShape 93 | Add-DenseLayer 9 -Activation softmax -KernelInitializer ([KerasPS.Engine.Initializers.Initializer]::new('random_normal', $null, 0, 1000, $null, $null, $null)) |
                Build-Model sgd categorical_crossentropy
            $r = $m | Invoke-ModelFit -Data $otto.Slice(0, 256) -Epochs 1 -BatchSize 256 -WarningAction SilentlyContinue
            [double]::IsFinite($r.Loss) | Should -BeTrue
            $r.Loss | Should -BeGreaterThan 100
        }

        It 'does not grow native memory: the live tensor count is flat between epochs' {
            $m = New-OttoModel -Dropout
            $counts = $m | Invoke-ModelFit -Data $otto.Slice(0, 1000) -ValidationSplit 0.2 -Epochs 30 -BatchSize 64 |
                ForEach-Object { [TorchSharp.DisposeScopeManager]::Statistics.ThreadTotalLiveCount }
            $counts[-1] | Should -Be $counts[2]
        }

        It 'trains a small dense model on one thread, says so, and restores the thread count; a large one keeps its threads' {
            $before = (Get-KerasOption).Threads
            $small = New-OttoModel | Invoke-ModelFit -Data $otto.Slice(0, 300) -Epochs 1 -Threads 2 -Verbose 4>&1
            ($small | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '^Training on 1 thread instead of 2' }).Count | Should -Be 1
            (Get-KerasOption).Threads | Should -Be $before
            $wide = New-Model -InputShape 93 -Seed 1 | Add-DenseLayer 1024 -Activation relu | Add-DenseLayer 512 -Activation relu | Add-DenseLayer 9 -Activation softmax |
                Build-Model sgd categorical_crossentropy
            $big = $wide | Invoke-ModelFit -Data $otto.Slice(0, 300) -Epochs 1 -Threads 2 -BatchSize 128 -Verbose 4>&1
            ($big | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '^Training on 1 thread' }).Count | Should -Be 0
        }

        It 'chooses one thread for a small model of any layer kind from its per-step cost, and says so; a large CNN keeps its threads' {
            $rowMacs = [KerasPS.Engine.Training.Trainer].GetMethod('RowMacs', [Reflection.BindingFlags]'NonPublic,Static')
            # Digits CNN: Conv2D 16 3x3 on 8x8x1 (160 weights x 64 input positions = 10,240), pool (3x3x16 = 144 values), flatten
            # (144), Dense 10 (1,450 weights x 1): 11,978 multiply-adds per row.
            $digits = New-Model -InputShape 8, 8, 1 -Seed 1 | Add-Conv2DLayer 16 3 -Activation relu | Add-MaxPooling2DLayer 2 | Add-FlattenLayer |
                Add-DenseLayer 10 -Activation softmax | Build-Model adam sparse_categorical_crossentropy
            $null = $digits.Engine.Build([int[]]@(8, 8, 1))
            $rowMacs.Invoke($null, @($digits.Engine, [int[]]@(8, 8, 1))) | Should -Be 11978
            $rows = 0..63 | ForEach-Object { $r = [ordered]@{ y = $_ % 10 }; foreach ($i in 0..63) { $r["p$i"] = ($i * $_ % 5) / 4 }; $r }
            $d = $rows | ConvertTo-ModelData -Target y -TargetKind Classification -FeatureShape 8, 8, 1
            $out = $digits | Invoke-ModelFit -Data $d -Epochs 1 -BatchSize 32 -Threads 2 -Verbose 4>&1
            ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '^Training on 1 thread instead of 2: a step costs about 383,296 multiply-adds' }).Count | Should -Be 1
            # The CNN bench's model (28x28x1 - Conv2D 32 - pool - Conv2D 64 - pool - Dense 10) at batch 128 costs far more.
            $bench = New-Model -InputShape 28, 28, 1 | Add-Conv2DLayer 32 3 -Activation relu | Add-MaxPooling2DLayer 2 | Add-Conv2DLayer 64 3 -Activation relu |
                Add-MaxPooling2DLayer 2 | Add-FlattenLayer | Add-DenseLayer 10 -Activation softmax | Build-Model adam sparse_categorical_crossentropy
            $null = $bench.Engine.Build([int[]]@(28, 28, 1))
            [KerasPS.Engine.Training.Trainer].GetMethod('IsSmallStep', [Reflection.BindingFlags]'NonPublic,Static').Invoke($null, @($bench.Engine, [int[]]@(28, 28, 1), 128)) | Should -BeFalse
        }

        It 'runs with -Threads and restores the previous thread count' {
            $before = (Get-KerasOption).Threads
            $null = New-OttoModel | Invoke-ModelFit -Data $otto.Slice(0, 500) -Epochs 1 -Threads 1
            (Get-KerasOption).Threads | Should -Be $before
        }
    }

    Context 'memory between steps' {
        It 'keeps freed step memory in the process on glibc, so later steps do not page-fault it in again (KERASPS_HEAP_TUNING=0 keeps glibc''s defaults)' -Tag Slow -Skip:(-not $IsLinux) {
            # The CNN of the benchmark on 1,024 rows: each step allocates ~100 MB of activations and gradients and frees
            # them. With the module's thresholds a few hundred minor faults per step remain (335-760 measured); with
            # glibc's defaults the heap usually hands that memory back and the next step faults it in again (7,700-12,600
            # measured), though not always (its thresholds adapt to the allocation history: 261 once), so the defaults'
            # count is reported, not compared.
            $script = @"
Import-Module '$(Join-Path $RepoRoot 'KerasPS.psd1')'
function Get-MinorFault { [long]((Get-Content /proc/self/stat -Raw) -split '\) ')[1].Split(' ')[7] }
`$x = [float[,]]::new(1024, 784); `$y = [int[]]::new(1024)
for (`$i = 0; `$i -lt 1024; `$i++) { `$y[`$i] = `$i % 10; `$x[`$i, (`$i % 784)] = 1 }
`$m = New-Model -InputShape 784 -Seed 1 | Add-ReshapeLayer 28, 28, 1 | Add-Conv2DLayer 32 3 -Activation relu | Add-MaxPooling2DLayer |
    Add-Conv2DLayer 64 3 -Activation relu | Add-MaxPooling2DLayer | Add-FlattenLayer | Add-DenseLayer 10 -Activation softmax |
    Build-Model adam sparse_categorical_crossentropy
`$null = `$m | Invoke-ModelFit -X `$x -Y `$y -Epochs 1 -BatchSize 128 -Seed 1
`$before = Get-MinorFault
`$null = `$m | Invoke-ModelFit -X `$x -Y `$y -Epochs 2 -BatchSize 128 -Seed 1
`$applied = [KerasPS.Engine.Native.TorchRuntime].Assembly.GetType('KerasPS.Engine.Native.HeapTuning').GetProperty('Applied', [Reflection.BindingFlags]'Static,Public,NonPublic').GetValue(`$null)
"RESULT applied=`$applied faults=`$(((Get-MinorFault) - `$before) / 16)"
"@
            $results = foreach ($tuning in '1', '0') {
                $run = Invoke-FreshPwsh -Script $script -Environment @{ KERASPS_HEAP_TUNING = $tuning }
                $run.ExitCode | Should -Be 0 -Because $run.Output
                $run.Output -match 'RESULT applied=(\w+) faults=([\d.]+)' | Should -BeTrue -Because $run.Output
                [pscustomobject]@{ Applied = $Matches[1]; Faults = [double]$Matches[2] }
            }
            $results[0].Applied | Should -Be 'True'
            $results[1].Applied | Should -Be 'False'
            $results[0].Faults | Should -BeLessThan 2000 -Because "a step's ~100 MB should come back from the heap, not from the kernel (glibc's defaults gave $($results[1].Faults) per step in this run)"
        }
    }
}
