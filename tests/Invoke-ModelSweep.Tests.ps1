BeforeAll {
    . $PSScriptRoot/common.ps1
    $all = Get-SampleData Otto -Rows 400 -Seed 5
    $script:train = $all.Slice(0, 300)
    $script:val = $all.Slice(300, 100)
    $script:build = {
        param($p)
        New-Model -InputShape 93 | Add-DenseLayer -Units $p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
            Build-Model -Optimizer (New-Optimizer sgd -LearningRate $p.LearningRate) -Loss categorical_crossentropy -Metrics accuracy
    }
    $script:sweep = @{ ModelScript = $build; Data = $train; ValidationData = $val; Epochs = 2; BatchSize = 64 }
}

Describe 'Invoke-ModelSweep' {
    Context 'grid' {
        BeforeAll {
            $script:grid = @(Invoke-ModelSweep -Parameters ([ordered]@{ Units = 8, 16; LearningRate = 0.1, 0.01 }) @sweep -Seed 42)
        }
        It 'runs every combination once, the first parameter varying slowest' {
            $grid.Count | Should -Be 4
            ($grid | Sort-Object Trial | ForEach-Object { '{0}/{1}' -f $_.Units, $_.LearningRate }) -join ' ' |
                Should -Be '8/0.1 8/0.01 16/0.1 16/0.01'
        }
        It 'reports each trial with its best monitored value, epoch, history and seed' {
            foreach ($r in $grid) {
                $r.PSObject.TypeNames | Should -Contain 'KerasPS.TrialResult'
                $r.Status | Should -Be 'Completed'
                $r.Monitor | Should -Be 'val_loss'
                $r.EpochsRun | Should -Be 2
                $r.History.Count | Should -Be 2
                $best = $r.History | Sort-Object ValLoss | Select-Object -First 1
                $r.ValLoss | Should -Be $best.ValLoss
                $r.Best | Should -Be $best.ValLoss
                $r.BestEpoch | Should -Be $best.Epoch
                $r.Seed | Should -BeGreaterThan 0
            }
            ($grid.Seed | Select-Object -Unique).Count | Should -Be 4
        }
        It 'shows in 80 columns the parameters that vary between trials, each whole, and leaves out the fixed ones' {
            $r = @(Invoke-ModelSweep -Parameters ([ordered]@{ Units = 8; LearningRate = 0.001234, 0.0005678 }) @sweep -Epochs 1 -Seed 3)
            $lines = @($r | Sort-Object Trial | Out-String -Width 80 -Stream | Where-Object { $_.Trim() })
            ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
            $lines[0] | Should -Match '^Trial Status\s+Best Epoch Seconds Parameters / Error$'
            $lines[2] | Should -Match ('\s{0}\s+1\s+\d+\.\d\s+LearningRate=0\.001234$' -f [regex]::Escape(('{0:0.0000}' -f ($r | Sort-Object Trial)[0].Best)))
            $lines[3] | Should -Match 'LearningRate=0\.0005678$'
            ($lines -join "`n") | Should -Not -Match 'Units='
            ($lines -join "`n") | Should -Not -Match 'localhost'
        }

        It 'exports flat rows: parameters as columns, Seconds as a number, no cell naming a .NET type' {
            $csv = $grid | ConvertTo-Csv
            $csv | Where-Object { $_ -match 'System\.' } | Should -BeNullOrEmpty
            $rows = $csv | ConvertFrom-Csv
            $rows[0].PSObject.Properties.Name | Should -Contain 'Units'
            $rows[0].PSObject.Properties.Name | Should -Contain 'LearningRate'
            $rows[0].PSObject.Properties.Name | Should -Contain 'Seconds'
            $rows[0].PSObject.Properties.Name | Should -Not -Contain 'Records'
            [double]$rows[0].Seconds | Should -BeGreaterThan 0
            $json = $grid[0] | ConvertTo-Json -Depth 1 -WarningAction SilentlyContinue
            $json | Should -Not -Match 'System\.'
            $back = $json | ConvertFrom-Json
            $back.Units | Should -Be $grid[0].Units
            $back.Seconds | Should -BeOfType ([double])
            $back.PSObject.Properties.Name | Should -Not -Contain 'History'
            $back.PSObject.Properties.Name | Should -Not -Contain 'Duration'
        }

        It 'accepts -Monitor in either spelling' {
            $r = @(Invoke-ModelSweep -Parameters ([ordered]@{ Units = 8; LearningRate = 0.1 }) @sweep -Epochs 1 -Seed 1 -Monitor ValAccuracy)
            $r[0].Monitor | Should -Be 'val_accuracy'
            $r[0].ValAccuracy | Should -Be $r[0].Best
        }

        It 'sorts a plain hashtable by name so the trial order does not depend on the process' {
            $r = @(Invoke-ModelSweep -Parameters @{ Units = 8; LearningRate = 0.1, 0.01 } @sweep -Epochs 1 -Seed 1)
            ($r | Sort-Object Trial).LearningRate | Should -Be @(0.1, 0.01)
            $r[0].Parameters.Keys -join ',' | Should -Be 'LearningRate,Units'
        }
        It 'exports the parameters as CSV columns' {
            $csv = Join-Path $TestDrive 'sweep.csv'
            $grid | Export-Csv -Path $csv
            $rows = Import-Csv $csv
            $rows[0].PSObject.Properties.Name | Should -Contain 'Units'
            $rows[0].PSObject.Properties.Name | Should -Contain 'ValLoss'
            @($rows).Count | Should -Be 4
        }
    }

    Context 'streaming' {
        It 'writes each trial as it finishes, and stops the others when the pipeline stops' {
            $slow = { param($p) Start-Sleep -Seconds $p.Delay
                New-Model -InputShape 93 | Add-DenseLayer -Units 9 -Activation softmax | Build-Model -Optimizer sgd -Loss categorical_crossentropy }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $first = $train | Invoke-ModelSweep -Parameters ([ordered]@{ Delay = 60, 0 }) -ModelScript $slow -Epochs 1 -ThrottleLimit 2 | Select-Object -First 1
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
            $first.Delay | Should -Be 0
            $first.Trial | Should -Be 2
        }
    }

    Context 'reproducibility' {
        It 'gives each trial the same result at -ThrottleLimit 1 and 2 with the same seed' {
            $p = @{ Units = 8, 16; LearningRate = 0.1, 0.05 }
            $one = Invoke-ModelSweep -Parameters $p @sweep -Seed 7 -ThrottleLimit 1 -Threads 1 | Sort-Object Trial
            $two = Invoke-ModelSweep -Parameters $p @sweep -Seed 7 -ThrottleLimit 2 -Threads 1 | Sort-Object Trial
            $two.Count | Should -Be 4
            for ($i = 0; $i -lt 4; $i++) {
                $two[$i].Seed | Should -Be $one[$i].Seed
                $two[$i].Best | Should -Be $one[$i].Best
                ($two[$i].History.Loss -join ',') | Should -Be ($one[$i].History.Loss -join ',')
            }
        }
    }

    Context 'parallel trials with dropout' {
        It 'gives each trial the same dropout masks at -ThrottleLimit 1 and 2 (each fit has its own generator)' {
            $drop = { param($p) New-Model -InputShape 93 -Seed 1 | Add-DenseLayer -Units $p.Units -Activation relu | Add-DropoutLayer -Rate 0.3 |
                    Add-DenseLayer -Units 9 -Activation softmax | Build-Model -Optimizer sgd -Loss categorical_crossentropy }
            $one = @(Invoke-ModelSweep -Parameters @{ Units = 4, 8, 12, 16 } -ModelScript $drop -Data $train -Epochs 2 -Seed 3 -ThrottleLimit 1 -Threads 1 -WarningVariable w1) | Sort-Object Trial
            $two = @(Invoke-ModelSweep -Parameters @{ Units = 4, 8, 12, 16 } -ModelScript $drop -Data $train -Epochs 2 -Seed 3 -ThrottleLimit 2 -Threads 1 -WarningVariable w2) | Sort-Object Trial
            $two.Count | Should -Be 4
            for ($i = 0; $i -lt 4; $i++) { ($two[$i].History.Loss -join ',') | Should -Be ($one[$i].History.Loss -join ',') }
            @($w1) + @($w2) | Should -BeNullOrEmpty
        }
    }

    Context 'random' {
        It 'samples ranges within their bounds and lists among their items, reproducibly per trial' {
            $space = @{ LearningRate = [KerasPS.LogUniform]::new(0.001, 0.1); Units = [KerasPS.IntRange]::new(4, 12); Act = 'relu', 'tanh' }
            $build2 = { param($p) New-Model -InputShape 93 | Add-DenseLayer -Units $p.Units -Activation $p.Act | Add-DenseLayer -Units 9 -Activation softmax |
                    Build-Model -Optimizer (New-Optimizer sgd -LearningRate $p.LearningRate) -Loss categorical_crossentropy }
            $five = @(Invoke-ModelSweep -Random -Trials 5 -Parameters $space -ModelScript $build2 -Data $train -Epochs 1 -Seed 3 | Sort-Object Trial)
            $five.Count | Should -Be 5
            $five.Monitor | Select-Object -Unique | Should -Be 'loss'
            foreach ($r in $five) {
                $r.LearningRate | Should -BeGreaterOrEqual 0.001
                $r.LearningRate | Should -BeLessThan 0.1
                $r.Units | Should -BeIn (4..12)
                $r.Units | Should -BeOfType [int]
                $r.Act | Should -BeIn 'relu', 'tanh'
            }
            ($five.LearningRate | Select-Object -Unique).Count | Should -Be 5
            $three = @(Invoke-ModelSweep -Random -Trials 3 -Parameters $space -ModelScript $build2 -Data $train -Epochs 1 -Seed 3 | Sort-Object Trial)
            for ($i = 0; $i -lt 3; $i++) {
                $three[$i].LearningRate | Should -Be $five[$i].LearningRate
                $three[$i].Units | Should -Be $five[$i].Units
                $three[$i].Best | Should -Be $five[$i].Best
            }
        }
    }

    Context 'failing trials' {
        It 'reports a bad combination and a NaN loss as failed trials and runs the rest' {
            $r = @(Invoke-ModelSweep -Parameters ([ordered]@{ Units = 0, 8; LearningRate = 0.05, 1e30 }) @sweep -Seed 2 -WarningAction SilentlyContinue | Sort-Object Trial)
            $r.Count | Should -Be 4
            $r[0].Status | Should -Be 'Failed'
            $r[0].ErrorId | Should -Be 'InvalidUnits'
            $r[0].Error | Should -Match 'Units'
            $r[2].Status | Should -Be 'Completed'
            $r[3].Status | Should -Be 'Failed'
            $r[3].ErrorId | Should -Be 'LossNotFinite'
        }
        It 'calls -Callbacks once per trial with its parameters and hands the result to the fit' {
            $r = @(Invoke-ModelSweep -Parameters @{ Units = 4, 8 } @sweep -Callbacks { param($p) "not a callback (Units=$($p.Units))" } | Sort-Object Trial)
            $r.Status | Select-Object -Unique | Should -Be 'Failed'
            $r.ErrorId | Select-Object -Unique | Should -Be 'InvalidCallback'
            $r[0].Error | Should -Match 'Units=4'
            $r[1].Error | Should -Match 'Units=8'
        }
        It 'hints at -Parameters when the failing script reads a variable of the caller''s, $null in the trial' {
            $hidden = 16
            $r = @(Invoke-ModelSweep -Parameters @{ LearningRate = 0.01 } -Data $train -Epochs 1 -ModelScript {
                    param($p, $train)
                    $rate = $p.LearningRate
                    New-Model -InputShape $train.FeatureShape | Add-DenseLayer -Units $hidden | Build-Model (New-Optimizer sgd -LearningRate $rate) mse
                })
            $r[0].Status | Should -Be 'Failed'
            $r[0].Error | Should -BeLike '*reads $hidden, which it never sets*-Parameters*$p.hidden*'
            $r[0].Error | Should -Not -BeLike '*$rate*never sets*'
        }
        It 'reports a script that returns no model' {
            $r = Invoke-ModelSweep -Parameters @{ Units = 8 } -ModelScript { param($p) 'not a model' } -Data $train -Epochs 1
            $r.Status | Should -Be 'Failed'
            $r.ErrorId | Should -Be 'ModelScriptReturnedNoModel'
        }
    }

    Context 'checkpoints' {
        It 'keeps each trial''s best model in -CheckpointDirectory' {
            $dir = Join-Path $TestDrive 'models'
            $r = @(Invoke-ModelSweep -Parameters @{ Units = 8, 16 } @sweep -Epochs 3 -Seed 4 -CheckpointDirectory $dir | Sort-Object Trial)
            $r[0].Checkpoint | Should -Be (Join-Path $dir 'trial-001.kpt')
            $r[1].Checkpoint | Should -Be (Join-Path $dir 'trial-002.kpt')
            foreach ($t in $r) {
                $m = Import-Checkpoint -Path $t.Checkpoint
                $m.EpochsTrained | Should -Be $t.BestEpoch
                $m | Invoke-ModelEvaluate -Data $val | ForEach-Object Loss | Should -Be $t.Best
            }
        }
        It 'writes nothing with -WhatIf' {
            $dir = Join-Path $TestDrive 'whatif'
            $r = Invoke-ModelSweep -Parameters @{ Units = 8 } @sweep -CheckpointDirectory $dir -WhatIf
            $r | Should -BeNullOrEmpty
            Test-Path $dir | Should -BeFalse
        }
    }

    Context 'argument errors' {
        It 'refuses a range in a grid' {
            Get-ErrorId { Invoke-ModelSweep -Parameters @{ LearningRate = [KerasPS.Uniform]::new(0, 1) } @sweep } | Should -Be 'RangeInGridSweep'
        }
        It 'needs -Trials with -Random' {
            Get-ErrorId { Invoke-ModelSweep -Random -Parameters @{ Units = 8 } @sweep } | Should -Be 'TrialsRequired'
        }
        It 'refuses a validation monitor without validation data' {
            Get-ErrorId { Invoke-ModelSweep -Parameters @{ Units = 8 } -ModelScript $build -Data $train -Monitor val_accuracy } | Should -Be 'MonitorNeedsValidation'
        }
        It 'refuses a parameter named like a result property' {
            Get-ErrorId { Invoke-ModelSweep -Parameters @{ Seed = 1, 2 } @sweep } | Should -Be 'ReservedParameterName'
        }
        It 'refuses bad range bounds' {
            { [KerasPS.LogUniform]::new(0, 1) } | Should -Throw -ExpectedMessage '*positive bounds*'
            { [KerasPS.IntRange]::new(5, 1) } | Should -Throw -ExpectedMessage '*min <= max*'
        }
    }

    Context 'scored by folds' -Tag Slow {
        It 'ranks trials by the mean of their folds'' best values, with the spread' {
            $wine = Get-SampleData Wine
            $r = @(Invoke-ModelSweep -Parameters @{ Units = 2, 16 } -Data $wine -Folds 3 -Stratify -Epochs 4 -BatchSize 16 -Seed 4 -ModelScript {
                    param($p, $train)
                    New-Model | Add-NormalizationLayer -Adapt $train | Add-DenseLayer -Units $p.Units -Activation relu | Add-DenseLayer -Units 3 -Activation softmax |
                        Build-Model -Optimizer adam -Loss categorical_crossentropy
                } | Sort-Object Trial)
            $r.Count | Should -Be 2
            foreach ($t in $r) {
                $t.Status | Should -Be 'Completed'
                $t.Folds | Should -Be 3
                $t.FoldScores.Count | Should -Be 3
                $mean = ($t.FoldScores | Measure-Object -Average).Average
                [math]::Abs($t.Best - $mean) | Should -BeLessThan 1e-12
                [math]::Abs($t.ValLoss - $mean) | Should -BeLessThan 1e-12
                $t.BestStd | Should -BeGreaterThan 0
                $t.EpochsRun | Should -Be 4
            }
            # The winner by CV mean: Sort-Object ranks by it.
            (@($r | Sort-Object Best)[0].Best) | Should -Be ([math]::Min($r[0].Best, $r[1].Best))
        }
        It 'refuses -Folds with -ValidationData' {
            Get-ErrorId { Invoke-ModelSweep -Parameters @{ Units = 8 } @sweep -Folds 3 } | Should -Be 'FoldsWithValidation'
        }
    }
}
