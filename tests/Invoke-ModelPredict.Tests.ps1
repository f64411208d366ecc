BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:data = Get-SampleData Otto -Rows 1000 -Seed 3
    $script:model = New-Model -InputShape 93 -Seed 1 | Add-DenseLayer 9 -Activation softmax | Build-Model sgd categorical_crossentropy
    $null = $model | Invoke-ModelFit -Data $data -Epochs 2 -Seed 1
}

Describe 'Invoke-ModelPredict' {
    It 'writes one prediction per row with the class name, its probability and one property per class' {
        $p = $model | Invoke-ModelPredict -Data $data.Slice(0, 5)
        $p.Count | Should -Be 5
        $p[0].Index | Should -Be 0
        $data.Classes | Should -Contain $p[0].Class
        $sum = 0.0; foreach ($c in $data.Classes) { $sum += $p[0].$c }
        $sum | Should -BeGreaterThan 0.9999
        $sum | Should -BeLessThan 1.0001
        $p[0].Probability | Should -Be (($data.Classes | ForEach-Object { $p[0].$_ }) | Measure-Object -Maximum).Maximum
    }

    It 'gives the raw outputs as a rows x outputs matrix with -AsMatrix, equal to the per-row probabilities' {
        $m = $model | Invoke-ModelPredict -Data $data.Slice(0, 3) -AsMatrix
        $m.GetLength(0) | Should -Be 3
        $m.GetLength(1) | Should -Be 9
        $rows = $model | Invoke-ModelPredict -Data $data.Slice(0, 3)
        [double]$m[2, 4] | Should -Be $rows[2].Class_5
    }

    It 'gives the same result whatever the batch size' {
        $a = $model | Invoke-ModelPredict -Data $data -AsMatrix -BatchSize 7
        $b = $model | Invoke-ModelPredict -Data $data -AsMatrix
        for ($i = 0; $i -lt 1000; $i += 97) { $a[$i, 3] | Should -Be $b[$i, 3] }
    }

    It 'predicts -X rows given as double[], float[], int[] or object[] exactly as the same rows of a dataset' {
        $slice = $data.Slice(0, 3)
        $expected = $model | Invoke-ModelPredict -Data $slice -AsMatrix
        $f = $slice.Engine.Features
        $rows = 0..2 | ForEach-Object { , [float[]]$f[($_ * 93)..($_ * 93 + 92)] }
        foreach ($x in @(
                , ($rows | ForEach-Object { , [double[]]$_ })
                , ($rows | ForEach-Object { , [float[]]$_ })
                , ($rows | ForEach-Object { , [object[]]([double[]]$_) }))) {
            $got = $model | Invoke-ModelPredict -X $x -AsMatrix
            for ($i = 0; $i -lt 3; $i++) { for ($j = 0; $j -lt 9; $j++) { $got[$i, $j] | Should -Be $expected[$i, $j] } }
        }
        # Whole numbers as int[]: the same as the same numbers as double[].
        $ints = , [int[]](1..93)
        ($model | Invoke-ModelPredict -X $ints -AsMatrix)[0, 8] | Should -Be ($model | Invoke-ModelPredict -X (, [double[]](1..93)) -AsMatrix)[0, 8]
    }

    It 'refuses a NaN, an infinity or a number beyond float32 inside a typed -X row, naming the cell' -TestCases @(
        @{ Row = [double[]](@(0) * 92 + @([double]::NaN)); Where = 'X`[1`]`[92`] is NaN*' }
        @{ Row = [float[]](@(0) * 92 + @([float]::PositiveInfinity)); Where = 'X`[1`]`[92`] is Infinity*' }
        @{ Row = [double[]](@(1e39) + @(0) * 92); Where = 'X`[1`]`[0`] is 1E+39*' }
        @{ Row = [double[]](@(1e-50) + @(0) * 92); Where = 'X`[1`]`[0`] is 1E-50*' }
    ) {
        param($Row, $Where)
        $err = $null
        try { $model | Invoke-ModelPredict -X @([double[]]::new(93), $Row) -AsMatrix } catch { $err = $_ }
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'NonFiniteValue'
        $err.Exception.Message | Should -BeLike $Where
    }

    It 'keeps the predicted class when a class is named like a property of the prediction (or like another class but for case), and says which names it changed' {
        $d = 0..29 | ForEach-Object { [pscustomobject]@{ a = $_ % 3; t = @('Class', 'Probability', 'class')[$_ % 3] } } | ConvertTo-ModelData -Target t
        $m = New-Model -InputShape 1 -Seed 1 | Add-DenseLayer 3 -Activation softmax | Build-Model sgd categorical_crossentropy
        $null = $m | Invoke-ModelFit -Data $d -Epochs 1 -Seed 1
        $p = $m | Invoke-ModelPredict -Data $d.Slice(0, 1) -WarningVariable w -WarningAction SilentlyContinue
        $w | Should -HaveCount 1
        "$w" | Should -BeLike "*'Class' as Class_2, 'Probability' as Probability_2, 'class' as class_3*"
        $p.PSObject.Properties.Name | Should -Be @('Index', 'Class', 'Probability', 'Class_2', 'Probability_2', 'class_3')
        $raw = $m | Invoke-ModelPredict -Data $d.Slice(0, 1) -AsMatrix
        $p.Class_2 | Should -Be ([double]$raw[0, 0])
        $p.class_3 | Should -Be ([double]$raw[0, 2])
        $best = 0; for ($k = 1; $k -lt 3; $k++) { if ($raw[0, $k] -gt $raw[0, $best]) { $best = $k } }
        $p.Class | Should -BeExactly $m.Classes[$best]
        # Without a clash: no warning, and the class names themselves.
        $null = $model | Invoke-ModelPredict -Data $data.Slice(0, 1) -WarningVariable w2
        $w2 | Should -HaveCount 0
    }

    It 'refuses data with a different feature count: InputShapeMismatch' {
        Get-ErrorId { $model | Invoke-ModelPredict -X @(, @(1, 2, 3)) } | Should -Be 'InputShapeMismatch'
    }

    It 'refuses a model without weights: ModelNotBuilt' {
        Get-ErrorId { New-Model | Add-DenseLayer 2 | Invoke-ModelPredict -X @(, @(1, 2)) } | Should -Be 'ModelNotBuilt'
    }

    It 'writes Value for a regression model' {
        $r = New-Model -InputShape 2 | Add-DenseLayer 1 -KernelInitializer ones | Build-Model sgd mse
        ($r | Invoke-ModelPredict -X @(@(1, 2), @(3, 4))).Value | Should -Be @(3, 7)
    }
}

Describe 'Invoke-ModelPredict -X with one flat row' {
    It 'reads a flat [double[]] of exactly the model''s input size as one row' {
        $iris = Get-SampleData Iris
        $m = New-Model -InputShape 4 -Seed 1 | Add-DenseLayer 3 -Activation softmax | Build-Model adam categorical_crossentropy
        $null = $m | Invoke-ModelFit -Data $iris -Epochs 1
        $flat = @($m | Invoke-ModelPredict -X ([double[]](5.1, 3.5, 1.4, 0.2)))
        $rows = @($m | Invoke-ModelPredict -X @(, [double[]](5.1, 3.5, 1.4, 0.2)))
        $flat.Count | Should -Be 1
        $flat[0].Class | Should -Be $rows[0].Class
        $flat[0].Probability | Should -Be $rows[0].Probability
    }
}

Describe 'Invoke-ModelPredict on test data with other one-hot columns' {
    It 'says InputShapeMismatch with the hint -Template $train' {
        $train = 1..30 | ForEach-Object { [pscustomobject]@{ x = $_ / 30; color = ('red', 'green', 'blue')[$_ % 3]; y = $_ % 2 } } |
            ConvertTo-ModelData -Target y
        $m = New-Model -InputShape $train.Engine.FeatureCount -Seed 1 | Add-DenseLayer 1 | Build-Model sgd mse
        $null = $m | Invoke-ModelFit -Data $train -Epochs 1
        $test = 1..4 | ForEach-Object { [pscustomobject]@{ x = $_ / 4; color = ('red', 'green')[$_ % 2] } } | ConvertTo-ModelData
        $err = $null
        try { $m | Invoke-ModelPredict -Data $test } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'InputShapeMismatch*'
        $err.Exception.Message | Should -BeLike '*-Template $train*'
        $good = 1..4 | ForEach-Object { [pscustomobject]@{ x = $_ / 4; color = ('red', 'green')[$_ % 2] } } | ConvertTo-ModelData -Template $train
        @($m | Invoke-ModelPredict -Data $good).Count | Should -Be 4
    }
}

Describe 'Invoke-ModelEvaluate' {
    It 'returns the loss and every compiled metric, matching a hand computation of the cross-entropy' {
        $m = New-Model -InputShape 93 -Seed 1 | Add-DenseLayer 9 -Activation softmax | Build-Model sgd categorical_crossentropy -Metrics accuracy
        $null = $m | Invoke-ModelFit -Data $data -Epochs 1 -Seed 1
        $slice = $data.Slice(0, 50)
        $e = $m | Invoke-ModelEvaluate -Data $slice
        $e.PSObject.TypeNames[0] | Should -Be 'KerasPS.Evaluation'
        $p = $m | Invoke-ModelPredict -Data $slice
        $ce = 0.0; $hits = 0
        for ($i = 0; $i -lt 50; $i++) {
            $truth = $slice.Classes[$slice.Engine.Labels[$i]]
            $ce += -[math]::Log($p[$i].$truth)
            if ($p[$i].Class -eq $truth) { $hits++ }
        }
        $e.Loss | Should -BeGreaterThan ($ce / 50 - 1e-4)
        $e.Loss | Should -BeLessThan ($ce / 50 + 1e-4)
        $e.Accuracy | Should -Be ($hits / 50)
        $e.Samples | Should -Be 50
    }

    It 'shows a four-metric evaluation whole in 80 columns: the model, the loss, then every metric' {
        $x = 0..19 | ForEach-Object { , @([double]($_ / 10)) }
        $y = 0..19 | ForEach-Object { [int]($_ -ge 10) }
        $m = New-Model -InputShape 1 -Seed 1 -Name binary | Add-DenseLayer 1 -Activation sigmoid |
            Build-Model sgd binary_crossentropy -Metrics accuracy, auc, precision, recall
        $e = $m | Invoke-ModelEvaluate -X $x -Y $y
        $lines = @($e | Out-String -Width 80 -Stream | Where-Object { $_.Trim() })
        ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
        $lines[0] | Should -Match '^Model\s+Loss Metrics$'
        $lines.Count | Should -Be 3
        $lines[2] | Should -Match ('^binary\s+{0} ' -f [regex]::Escape(('{0:0.0000}' -f $e.Loss)))
        foreach ($name in 'Accuracy', 'Auc', 'Precision', 'Recall') {
            $lines[2] | Should -Match ('{0}={1}( |$)' -f $name, [regex]::Escape(('{0:0.0000}' -f $e.$name)))
        }
        $lines[2] | Should -Not -Match '…'
    }

    It 'computes precision, recall and AUC for a binary classifier' {
        $x = @(@(0.0), @(1.0), @(2.0), @(3.0))
        $y = @('a', 'a', 'b', 'b')
        $m = New-Model -InputShape 1 | Add-DenseLayer 1 -Activation sigmoid -KernelInitializer ones -BiasInitializer zeros |
            Build-Model sgd binary_crossentropy -Metrics accuracy, precision, recall, auc
        # sigmoid(x): 0.5, 0.73, 0.88, 0.95 -> all predicted b (threshold 0.5 is not > 0.5 for x = 0).
        $e = $m | Invoke-ModelEvaluate -X $x -Y $y
        $e.Accuracy | Should -Be 0.75
        $e.Precision | Should -BeGreaterThan (2 / 3 - 1e-9)
        $e.Precision | Should -BeLessThan (2 / 3 + 1e-9)
        $e.Recall | Should -Be 1
        $e.Auc | Should -Be 1
    }

    It 'refuses a model that is not compiled: ModelNotCompiled' {
        Get-ErrorId { New-Model -InputShape 93 | Add-DenseLayer 9 | Invoke-ModelEvaluate -Data $data } | Should -Be 'ModelNotCompiled'
    }
}

Describe 'Invoke-ModelPredict with piped objects' {
    BeforeAll {
        $script:csv = Join-Path $TestDrive 'pets.csv'
        @(
            'weight,kind,legs,target'
            '4.0,cat,4,small'
            '30.5,dog,4,big'
            '3.5,cat,4,small'
            '0.3,bird,2,small'
            '25.0,dog,4,big'
            '0.4,bird,2,small'
        ) | Set-Content $csv
        $script:pets = Import-ModelData -Path $csv -Target target
        $script:petModel = New-Model -Seed 1 | Add-DenseLayer 2 -Activation softmax | Build-Model (New-Optimizer adam -LearningRate 0.1) categorical_crossentropy
        $null = $petModel | Invoke-ModelFit -Data $pets -Epochs 20 -BatchSize 6 -Seed 1
    }

    It 'predicts rows of Import-Csv exactly as the imported dataset, one-hot encoding text columns with the training categories' {
        $fromObjects = Import-Csv $csv | Invoke-ModelPredict -Model $petModel
        $fromData = $petModel | Invoke-ModelPredict -Data $pets
        $fromObjects.Count | Should -Be 6
        $fromObjects.Class | Should -Be $fromData.Class
        $fromObjects.small | Should -Be $fromData.small
    }

    It 'accepts hashtables, whatever the order of their keys' {
        $p = @{ legs = 2; kind = 'bird'; weight = 0.3 }, [ordered]@{ kind = 'dog'; weight = 30.5; legs = 4 } | Invoke-ModelPredict -Model $petModel
        $p.Index | Should -Be @(0, 1)
        $p[0].small | Should -Be ($petModel | Invoke-ModelPredict -Data $pets.Slice(3, 1)).small
    }

    It 'predicts the other rows when one piped row is bad: a non-terminating error with that row as TargetObject' {
        $rows = [pscustomobject]@{ weight = 4.0; kind = 'cat'; legs = 4 },
            [pscustomobject]@{ weight = 'heavy'; kind = 'dog'; legs = 4 },
            [pscustomobject]@{ weight = 0.3; kind = 'bird'; legs = 2 }
        $Error.Clear()
        $p = @($rows | Invoke-ModelPredict -Model $petModel -ErrorAction SilentlyContinue)
        $ok = $?
        $ok | Should -BeFalse
        $p.Count | Should -Be 2
        $p.Index | Should -Be @(0, 2)
        $p[1].small | Should -Be ($petModel | Invoke-ModelPredict -Data $pets.Slice(3, 1)).small
        $Error[0].FullyQualifiedErrorId | Should -BeLike 'NonNumericValue,*'
        $Error[0].TargetObject | Should -Be $rows[1]
        $Error[0].Exception.Message | Should -Not -Match '-Exclude|-Categorical|-MissingValue|-FeatureShape'
    }

    It 'still stops for a shape mismatch, naming no parameter it does not have' {
        $err = $null
        try { $model | Invoke-ModelPredict -X @(, [double[]](1, 2, 3)) -ErrorAction SilentlyContinue } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'InputShapeMismatch,*'
        $err.TargetObject | Should -Be $model
        $err.Exception.Message | Should -Not -Match 'FeatureShape'
    }

    It 'refuses a category the model never saw: UnknownCategory' {
        Get-ErrorId { [pscustomobject]@{ weight = 1; kind = 'fish'; legs = 0 } | Invoke-ModelPredict -Model $petModel } | Should -Be 'UnknownCategory'
    }

    It 'refuses an object without a column the model needs, naming it' {
        $err = $null
        try { [pscustomobject]@{ weight = 1; kind = 'cat' } | Invoke-ModelPredict -Model $petModel } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.Exception.Message | Should -Match 'legs'
        $err.Exception.Message | Should -Not -Match '-MissingValue'
    }
}

Describe 'Invoke-ModelPredict on objects with empty cells (issue 27, item 5)' {
    BeforeAll {
        $dir = Join-Path $PSScriptRoot 'data/missing'
        $script:FillTrain = Import-ModelData (Join-Path $dir 'train.csv') -Target Survived -AddIndicator `
            -MissingValue @{ Age = 'median'; Fare = 'median'; Cabin = 'missing'; Embarked = 'most_frequent' }
        $script:FillTest = Import-ModelData (Join-Path $dir 'test.csv') -Template $FillTrain
        $script:FillObjects = Import-Csv (Join-Path $dir 'test.csv')
        $script:FillModel = New-Model -InputShape $FillTrain.Shape -Seed 2 | Add-DenseLayer 4 -Activation relu |
            Add-DenseLayer 1 -Activation sigmoid | Build-Model -Optimizer adam -Loss binary_crossentropy
        $null = $FillModel | Invoke-ModelFit -Data $FillTrain -Epochs 3 -Seed 2
    }
    It 'fills piped rows with the fills learnt on the training data (Age: the training median 31), every row predicted' {
        $FillModel.Engine.MissingFills['Age'] | Should -Be '31'
        $fromObjects = @($FillObjects | Invoke-ModelPredict -Model $FillModel)
        $fromObjects.Count | Should -Be 4
        $fromTemplate = @($FillModel | Invoke-ModelPredict -Data $FillTest)
        $fromObjects.Probability | Should -Be $fromTemplate.Probability
        # Row 1 by hand: Age 31 (filled), Fare 7, Pclass 3, Cabin=missing, Embarked=S, indicators Age and Cabin.
        $names = @($FillTrain.FeatureNames)
        $row = [double[]]::new($names.Count)
        $row[$names.IndexOf('Age')] = 31; $row[$names.IndexOf('Fare')] = 7; $row[$names.IndexOf('Pclass')] = 3
        foreach ($n in 'Cabin=missing', 'Embarked=S', 'missingindicator_Age', 'missingindicator_Cabin') { $row[$names.IndexOf($n)] = 1 }
        $byHand = $FillModel | Invoke-ModelPredict -X $row
        $fromObjects[1].Probability | Should -Be $byHand.Probability
    }
    It 'keeps the fills and indicators through a .kpt checkpoint' {
        $path = Join-Path $TestDrive 'filled.kpt'
        $FillModel | Export-Checkpoint -Path $path
        $back = Import-Checkpoint -Path $path
        $back.Engine.MissingFills['Fare'] | Should -Be '18.8875'
        $back.Engine.MissingIndicators | Should -Be @('Age', 'Cabin', 'Embarked')
        (@($FillObjects | Invoke-ModelPredict -Model $back)).Probability | Should -Be (@($FillObjects | Invoke-ModelPredict -Model $FillModel)).Probability
    }
}

Describe 'Invoke-ModelPredict -Submission (the Kaggle test set)' {
    It 'keeps the id column as the row key and writes id, one column per class, rows summing to 1' {
        $iris = Get-SampleData Iris
        $model = New-Model -Seed 3 | Add-DenseLayer -Units 3 -Activation softmax | Build-Model -Optimizer adam -Loss categorical_crossentropy
        $null = $model | Invoke-ModelFit -Data $iris -Epochs 2 -Seed 1
        # A test file as Kaggle ships it: an id column, the features, no target; ids deliberately not in sorted order.
        $ids = 907, 12, 455, 3, 78
        $csv = Join-Path $TestDrive 'test.csv'
        $rows = for ($i = 0; $i -lt 5; $i++) { $f = $iris.GetFeatures($i * 30); '{0},{1}' -f $ids[$i], (($f | ForEach-Object { $_.ToString([cultureinfo]::InvariantCulture) }) -join ',') }
        Set-Content $csv -Value (@('id,' + ($iris.FeatureNames -join ',')) + $rows)
        $test = Import-ModelData $csv -IdColumn id -Template $iris
        $test.FeatureNames | Should -Not -Contain 'id'
        $test.Engine.RowKeys -join ',' | Should -Be ($ids -join ',')
        $out = Join-Path $TestDrive 'submission.csv'
        $model | Invoke-ModelPredict -Data $test -Submission | Export-Csv $out -UseQuotes AsNeeded
        $lines = Get-Content $out
        $lines[0] | Should -Be ('id,' + ($model.Classes -join ','))
        $sub = Import-Csv $out
        ($sub.id -join ',') | Should -Be ($ids -join ',')
        foreach ($r in $sub) {
            $sum = ($model.Classes | ForEach-Object { [double]::Parse($r.$_, [cultureinfo]::InvariantCulture) } | Measure-Object -Sum).Sum
            [math]::Abs($sum - 1) | Should -BeLessThan 1e-6
        }
        # Without -Submission the id leads and the class and its probability follow.
        $p = @($model | Invoke-ModelPredict -Data $test)
        $p[0].PSObject.Properties.Name[0..2] -join ',' | Should -Be 'id,Class,Probability'
    }
    It 'writes id,Survived with 0/1 labels for a two-class task, as Kaggle''s Titanic takes it; -SubmitProbability the chance of 1' {
        $train = Join-Path $TestDrive 'bin-train.csv'
        Set-Content $train -Value (@('PassengerId,x,Survived') + (1..40 | ForEach-Object { '{0},{1},{2}' -f $_, ($_ / 10), [int]($_ -gt 20) }))
        $test = Join-Path $TestDrive 'bin-test.csv'
        Set-Content $test -Value 'PassengerId,x', '892,0.3', '893,3.9', '894,0.6', '895,3.4'
        $d = Import-ModelData $train -Target Survived -IdColumn PassengerId
        $model = New-Model -InputShape 1 -Seed 3 | Add-DenseLayer 1 -Activation sigmoid | Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.1) -Loss binary_crossentropy
        $null = $model | Invoke-ModelFit -Data $d -Epochs 30 -Seed 1
        $t = Import-ModelData $test -IdColumn PassengerId -Template $d
        $out = Join-Path $TestDrive 'titanic-submission.csv'
        $model | Invoke-ModelPredict -Data $t -Submission | Export-Csv $out -UseQuotes AsNeeded
        $lines = Get-Content $out
        $lines[0] | Should -Be 'PassengerId,Survived'
        $plain = @($model | Invoke-ModelPredict -Data $t)
        $lines[1..4] | Should -Be @($plain | ForEach-Object { '{0},{1}' -f $_.PassengerId, $_.Class })
        $plain.Class | Should -Be @('0', '1', '0', '1')   # x > 2 survives in the training data
        $p = @($model | Invoke-ModelPredict -Data $t -Submission -SubmitProbability)
        $p[1].PSObject.Properties.Name | Should -Be @('PassengerId', 'Survived')
        $p.Survived | Should -Be $plain.'1'
    }
    It 'refuses an id column that is not in the file' {
        $csv = Join-Path $TestDrive 'x.csv'
        Set-Content $csv -Value 'a,b', '1,2'
        Get-ErrorId { Import-ModelData $csv -IdColumn id } | Should -Be 'ColumnNotFound'
    }
}
