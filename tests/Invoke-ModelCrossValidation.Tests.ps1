BeforeAll {
    . $PSScriptRoot/common.ps1
    # Real data: the wine recognition data (178 rows, 3 classes of 59, 71 and 48 rows), see tests/data/README.md.
    $script:wine = Get-SampleData Wine
    $script:build = {
        param($p, $train)
        New-Model | Add-NormalizationLayer -Adapt $train | Add-DenseLayer -Units 8 -Activation relu | Add-DenseLayer -Units 3 -Activation softmax |
            Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
    }
    $script:cv = @{ Data = $wine; Folds = 5; Stratify = $true; ModelScript = $build; Epochs = 3; BatchSize = 16; Seed = 11 }
    $script:one = @(Invoke-ModelCrossValidation @cv -ThrottleLimit 1 -OutOfFold)
    $script:folds = @($one | Where-Object { $_ -is [KerasPS.CrossValidationFold] } | Sort-Object Fold)
    $script:summary = $one[-1]
}

Describe 'Invoke-ModelCrossValidation' -Tag Slow {
    Context '5-fold stratified on the wine data' {
        It 'writes one result per fold, then the summary' {
            $folds.Count | Should -Be 5
            $one.Count | Should -Be 6
            $summary | Should -BeOfType ([KerasPS.CrossValidationSummary])
            $folds.Status | Select-Object -Unique | Should -Be 'Completed'
            ($folds | ForEach-Object { $_.Rows + $_.TrainRows } | Select-Object -Unique) | Should -Be 178
        }
        It 'gives folds the shape of trials and epoch records: each value at the best epoch a property, time as Seconds' {
            $f = $folds[0]
            $f.ValLoss | Should -Be $f.Metrics['val_loss']
            $f.ValAccuracy | Should -Be $f.Metrics['val_accuracy']
            $f.Accuracy | Should -Be $f.Metrics['accuracy']
            $f.ValLoss | Should -Be $f.Best
            $f.Seconds | Should -BeOfType ([double])
            $f.Seconds | Should -BeGreaterThan 0
            ($folds | Sort-Object ValAccuracy -Descending)[0].ValAccuracy | Should -Be ($folds.ValAccuracy | Measure-Object -Maximum).Maximum
        }
        It 'exports folds and the summary as flat rows, with the per-epoch detail left to History' {
            $csv = @($folds) + $summary | ForEach-Object { $_ | ConvertTo-Csv }
            $csv | Where-Object { $_ -match 'System\.' } | Should -BeNullOrEmpty
            $row = $folds | ConvertTo-Csv | ConvertFrom-Csv | Select-Object -First 1
            foreach ($name in 'Fold', 'Loss', 'ValLoss', 'ValAccuracy', 'Seconds') { $row.PSObject.Properties.Name | Should -Contain $name }
            foreach ($name in 'Duration', 'Metrics', 'Records', 'History', 'ValidationRows') { $row.PSObject.Properties.Name | Should -Not -Contain $name }
            $json = $summary | ConvertTo-Json -Depth 1 -WarningAction SilentlyContinue | ConvertFrom-Json
            $acc = $summary.Metrics | Where-Object Metric -eq 'val_accuracy'
            $json.ValAccuracy | Should -Be $acc.Mean
            $json.ValAccuracyStd | Should -Be $acc.Std
            $json.PSObject.Properties.Name | Should -Not -Contain 'Records'
            $json.PSObject.Properties.Name | Should -Not -Contain 'OutOfFold'
            $summary.History.Count | Should -Be 3
        }
        It 'shows the folds and then the summary''s Score view when typed at the prompt, within 80 columns' {
            $lines = @($one | Out-String -Width 80 -Stream | Where-Object { $_.Trim() })
            ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
            $lines[0] | Should -Match '^Fold Repeat Status\s+Best Epoch Seconds Metrics / Error$'
            $lines[2] | Should -Match ('^\s+1\s+1 Completed\s+{0}\s+\d+\s+\d+\.\d val_accuracy={1} loss=' -f
                [regex]::Escape(('{0:0.0000}' -f $folds[0].Best)), [regex]::Escape(('{0:0.0000}' -f $folds[0].ValAccuracy)))
            $text = $lines -join "`n"
            $text | Should -Match ('Score\s+: val_loss {0} ± {1}' -f [regex]::Escape(('{0:0.0000}' -f $summary.Mean)), [regex]::Escape(('{0:0.0000}' -f $summary.Std)))
            $text | Should -Match 'OutOfFold\s+: 178 predictions'
            $text | Should -Not -Match 'StdRecords|LossStd|Records\s+:|History\s+:'
            $text | Should -Not -Match '\d…'
        }
        It 'exports the whole stream, folds and summary, without a cell naming a .NET type' {
            $csv = $one | ConvertTo-Csv
            $csv.Count | Should -Be 7
            $csv | Where-Object { $_ -match 'System\.|OrderedDictionary' } | Should -BeNullOrEmpty
        }
        It 'holds out every row exactly once' {
            $all = @($folds | ForEach-Object { $_.ValidationRows })
            $all.Count | Should -Be 178
            ($all | Sort-Object -Unique).Count | Should -Be 178
            ($folds.Rows | Measure-Object -Minimum -Maximum).Maximum - ($folds.Rows | Measure-Object -Minimum).Minimum | Should -BeLessOrEqual 1
        }
        It 'keeps each class''s share in every fold within one row' {
            $labels = $wine.Engine.Labels
            foreach ($f in $folds) {
                for ($c = 0; $c -lt 3; $c++) {
                    $inFold = @($f.ValidationRows | Where-Object { $labels[$_] -eq $c }).Count
                    $share = $wine.ClassCounts[$c] / 5   # the class's rows over the folds
                    [math]::Abs($inFold - $share) | Should -BeLessThan 1
                }
            }
        }
        It 'summarises the folds: the mean and the population standard deviation of their best values' {
            $values = $folds.Best
            $mean = ($values | Measure-Object -Average).Average
            [math]::Abs($summary.Mean - $mean) | Should -BeLessThan 1e-12
            $std = [math]::Sqrt((($values | ForEach-Object { ($_ - $mean) * ($_ - $mean) }) | Measure-Object -Sum).Sum / 5)
            [math]::Abs($summary.Std - $std) | Should -BeLessThan 1e-12
            $acc = $summary.Metrics | Where-Object Metric -eq 'val_accuracy'
            [math]::Abs($acc.Mean - (($folds | ForEach-Object { $_.Metrics['val_accuracy'] }) | Measure-Object -Average).Average) | Should -BeLessThan 1e-12
            $summary.Records.Count | Should -Be 3
            [math]::Abs($summary.Records[0].Values['val_loss'] - (($folds | ForEach-Object { $_.Records[0].Values['val_loss'] }) | Measure-Object -Average).Average) | Should -BeLessThan 1e-12
        }
        It 'returns one out-of-fold prediction per row, in row order, from the model that did not train on it' {
            $summary.OutOfFold.Count | Should -Be 178
            ($summary.OutOfFold.Index -join ',') | Should -Be ((0..177) -join ',')
            foreach ($p in $summary.OutOfFold) { [math]::Abs($p.class_0 + $p.class_1 + $p.class_2 - 1) | Should -BeLessThan 1e-5 }
        }
        It 'gives identical fold scores at -ThrottleLimit 2' {
            $two = @(Invoke-ModelCrossValidation @cv -ThrottleLimit 2 | Where-Object { $_ -is [KerasPS.CrossValidationFold] } | Sort-Object Fold)
            ($two.Best -join ',') | Should -Be ($folds.Best -join ',')
            ($two[0].History.ValLoss -join ',') | Should -Be ($folds[0].History.ValLoss -join ',')
        }
        It 'hands each fold''s training part to the model script, so -Adapt learns from it alone' {
            $seen = @(Invoke-ModelCrossValidation @cv -Epochs 1 -ModelScript {
                    param($p, $train)
                    if ($train.Count -ne 142 -and $train.Count -ne 143) { throw "the script got $($train.Count) rows" }
                    New-Model | Add-NormalizationLayer -Adapt $train | Add-DenseLayer -Units 3 -Activation softmax | Build-Model -Optimizer adam -Loss categorical_crossentropy
                } | Where-Object { $_ -is [KerasPS.CrossValidationFold] })
            $seen.Status | Select-Object -Unique | Should -Be 'Completed'
        }
        It 'draws the fold curves with their mean' {
            $chart = ($one | Show-History -Metric val_loss 6>&1 | ForEach-Object { "$_" }) -join "`n"
            $chart | Should -Match 'fold 1'
            $chart | Should -Match 'mean'
        }
    }
    Context 'repeats and callbacks' {
        It 'repeats the split with new shuffles, each repeat a partition' {
            $r = @(Invoke-ModelCrossValidation @cv -Folds 3 -Repeats 2 -Epochs 1 | Where-Object { $_ -is [KerasPS.CrossValidationFold] })
            $r.Count | Should -Be 6
            foreach ($rep in 1, 2) { (@($r | Where-Object Repeat -eq $rep | ForEach-Object { $_.ValidationRows }) | Sort-Object -Unique).Count | Should -Be 178 }
            (($r | Where-Object { $_.Repeat -eq 1 -and $_.Fold -eq 1 }).ValidationRows -join ',') | Should -Not -Be (($r | Where-Object { $_.Repeat -eq 2 -and $_.Fold -eq 1 }).ValidationRows -join ',')
        }
        It 'stops each fold early on its own validation part' {
            $r = @(Invoke-ModelCrossValidation @cv -Epochs 30 -Callbacks { New-EarlyStopping -Monitor val_loss -Patience 0 -MinDelta 10 } | Where-Object { $_ -is [KerasPS.CrossValidationFold] })
            $r.EpochsRun | Select-Object -Unique | Should -Be 2
        }
    }
    Context 'errors' {
        It 'refuses fewer than two folds' {
            { Invoke-ModelCrossValidation @cv -Folds 1 } | Should -Throw
        }
        It 'refuses -Stratify on a regression target' {
            $reg = 1..4 | ForEach-Object { [pscustomobject]@{ x = $_; y = 0.5 * $_ } } | ConvertTo-ModelData -Target y
            Get-ErrorId { Invoke-ModelCrossValidation -Data $reg -Folds 2 -Stratify -ModelScript $build } | Should -Be 'StratifyNeedsClasses'
        }
        It 'reports a fold whose script fails as a failed fold' {
            $r = @(Invoke-ModelCrossValidation @cv -Folds 2 -Epochs 1 -ModelScript { param($p, $train) New-Model | Add-DenseLayer -Units 0 })
            $r[0].Status | Should -Be 'Failed'
            $r[0].ErrorId | Should -Be 'InvalidUnits'
            $r[-1].Completed | Should -Be 0
        }
    }
}
