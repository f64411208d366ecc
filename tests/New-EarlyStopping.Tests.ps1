BeforeAll {
    . $PSScriptRoot/common.ps1
    # Feeds a scripted sequence of history values to a callback, as the fit loop would, and returns the
    # epoch (1-based) after which training was told to stop, or 0.
    function Invoke-ScriptedFit($Callback, [string] $Name, [double[]] $Values) {
        $model = New-Model -InputShape 2 -Seed 1 | Add-DenseLayer 1 | Build-Model sgd mse
        $ctx = [KerasPS.Engine.Training.Callbacks.TrainingContext]::new($model.Engine, $Values.Count, [Action[string]] {}, [Action[string]] {})
        $Callback.OnTrainBegin($ctx)
        $stoppedAt = 0
        for ($e = 0; $e -lt $Values.Count; $e++) {
            $Callback.OnEpochBegin($ctx, $e)
            $vals = [System.Collections.Generic.Dictionary[string, double]]::new()
            $vals['loss'] = 1.0; $vals[$Name] = $Values[$e]
            $model.Engine.EpochsTrained = $e + 1
            $Callback.OnEpochEnd($ctx, [KerasPS.Engine.Training.EpochRecord]::new($e + 1, $vals, $ctx.LearningRate, [TimeSpan]::Zero, 10))
            if ($ctx.StopTraining) { $stoppedAt = $e + 1; break }
        }
        $Callback.OnTrainEnd($ctx)
        [pscustomobject]@{ StoppedAt = $stoppedAt; LearningRate = $ctx.LearningRate }
    }
}

Describe 'New-EarlyStopping' {
    It 'stops after Patience epochs without improvement (val_loss 1.0, 0.9, 0.95, 0.96 with patience 2 -> epoch 4)' {
        $es = New-EarlyStopping -Monitor val_loss -Patience 2
        (Invoke-ScriptedFit $es 'val_loss' @(1.0, 0.9, 0.95, 0.96, 0.5, 0.4)).StoppedAt | Should -Be 4
        $es.BestEpoch | Should -Be 2
        $es.StoppedEpoch | Should -Be 4
    }

    It 'counts an improvement only beyond MinDelta' {
        $es = New-EarlyStopping -Patience 1 -MinDelta 0.05
        (Invoke-ScriptedFit $es 'val_loss' @(1.0, 0.97, 0.5)).StoppedAt | Should -Be 2
    }

    It 'maximises accuracy-like values in auto mode, and obeys -Mode' {
        (Invoke-ScriptedFit (New-EarlyStopping -Monitor val_accuracy -Patience 1) 'val_accuracy' @(0.5, 0.6, 0.7, 0.65)).StoppedAt | Should -Be 4
        (Invoke-ScriptedFit (New-EarlyStopping -Monitor score -Mode max -Patience 1) 'score' @(1, 2, 1)).StoppedAt | Should -Be 3
    }

    It 'does not reset its patience on improvements that miss the Baseline (Keras 3)' {
        (Invoke-ScriptedFit (New-EarlyStopping -Patience 2 -Baseline 0.5) 'val_loss' @(0.9, 0.95, 0.97, 0.99)).StoppedAt | Should -Be 2
        (Invoke-ScriptedFit (New-EarlyStopping -Patience 2) 'val_loss' @(0.9, 0.95, 0.97, 0.99)).StoppedAt | Should -Be 3
    }

    It 'waits StartFromEpoch epochs before watching' {
        (Invoke-ScriptedFit (New-EarlyStopping -Patience 1 -StartFromEpoch 3) 'val_loss' @(1, 2, 3, 4, 5, 6)).StoppedAt | Should -Be 5
    }

    It 'resets between fits, so one instance can be reused' {
        $es = New-EarlyStopping -Patience 1
        (Invoke-ScriptedFit $es 'val_loss' @(1, 2, 3)).StoppedAt | Should -Be 2
        (Invoke-ScriptedFit $es 'val_loss' @(5, 4, 3, 2)).StoppedAt | Should -Be 0
    }

    It 'restores the best epoch''s weights in a real fit, also when patience never ran out' {
        # A wide model on 200 rows with a high learning rate overfits: validation loss bottoms out early.
        $data = Get-SampleData Otto -Rows 400 -Seed 5
        $m = New-Model -InputShape 93 -Seed 2 | Add-DenseLayer 256 -Activation relu | Add-DenseLayer 9 -Activation softmax |
            Build-Model (New-Optimizer adam -LearningRate 0.01) categorical_crossentropy
        $es = New-EarlyStopping -Monitor val_loss -Patience 100 -RestoreBestWeights
        $h = $m | Invoke-ModelFit -Data $data.Slice(0, 200) -ValidationData $data.Slice(200, 200) -Epochs 25 -BatchSize 32 -Seed 1 -Callbacks $es -Verbose 4>&1
        $records = $h | Where-Object { $_.PSObject.TypeNames -contains 'KerasPS.EpochRecord' }
        $best = $records | Sort-Object ValLoss | Select-Object -First 1
        $best.Epoch | Should -BeLessThan 25
        $es.StoppedEpoch | Should -Be 0
        $es.BestEpoch | Should -Be $best.Epoch
        ($h | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'Restoring model weights from the end of the best epoch' }).Count | Should -Be 1
        $e = $m | Invoke-ModelEvaluate -Data $data.Slice(200, 200)
        $e.Loss | Should -BeGreaterThan ($best.ValLoss - 1e-5)
        $e.Loss | Should -BeLessThan ($best.ValLoss + 1e-5)
    }

    It 'stops a fit without validation data before its first epoch when it monitors val_loss, saying what is missing' {
        $data = Get-SampleData Otto -Rows 300 -Seed 5
        $m = New-Model -InputShape 93 | Add-DenseLayer 9 -Activation softmax | Build-Model sgd categorical_crossentropy
        $err = $null
        try { $m | Invoke-ModelFit -Data $data -Epochs 3 -Callbacks (New-EarlyStopping -Monitor val_loss) } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'UnknownMonitor,*'
        $err.Exception.Message | Should -Match "monitors 'val_loss'.*produces: loss .*-ValidationData or -ValidationSplit"
        $m.EpochsTrained | Should -Be 0
    }

    It 'refuses a negative patience with InvalidPatience' {
        Get-ErrorId { New-EarlyStopping -Patience -1 } | Should -Be 'InvalidPatience'
    }
}

Describe 'New-ReduceLROnPlateau' {
    It 'multiplies the learning rate by Factor after Patience flat epochs, then cools down' {
        $cb = New-ReduceLROnPlateau -Factor 0.5 -Patience 2 -Cooldown 1
        $model = New-Model -InputShape 2 | Add-DenseLayer 1 | Build-Model (New-Optimizer sgd -LearningRate 0.1) mse
        $ctx = [KerasPS.Engine.Training.Callbacks.TrainingContext]::new($model.Engine, 10, [Action[string]] {}, [Action[string]] {})
        $cb.OnTrainBegin($ctx)
        $lrs = foreach ($e in 1..7) {
            $vals = [System.Collections.Generic.Dictionary[string, double]]::new(); $vals['loss'] = 1; $vals['val_loss'] = 1.0
            $cb.OnEpochEnd($ctx, [KerasPS.Engine.Training.EpochRecord]::new($e, $vals, $ctx.LearningRate, [TimeSpan]::Zero, 1))
            $ctx.LearningRate
        }
        # epoch 1 sets the best; epochs 2-3 wait -> reduce at 3; epoch 4 cooldown; 5-6 wait -> reduce at 6.
        $lrs | Should -Be @(0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025)
    }

    It 'refuses a factor outside (0, 1) with InvalidFactor' {
        Get-ErrorId { New-ReduceLROnPlateau -Factor 1.5 } | Should -Be 'InvalidFactor'
    }
}

Describe 'New-LearningRateScheduler' {
    It 'sets the learning rate before each epoch from the script block (epoch 0-based, as Keras)' {
        $data = Get-SampleData Otto -Rows 200
        $m = New-Model -InputShape 93 | Add-DenseLayer 9 -Activation softmax | Build-Model (New-Optimizer sgd -LearningRate 0.1) categorical_crossentropy
        $s = New-LearningRateScheduler { param($epoch, $lr) if ($epoch -lt 2) { $lr } else { $lr / 2 } }
        ($m | Invoke-ModelFit -Data $data -Epochs 4 -Callbacks $s).LearningRate | Should -Be @(0.1, 0.1, 0.05, 0.025)
    }

    It 'stops the fit with InvalidLearningRate when the schedule returns a non-positive rate' {
        $data = Get-SampleData Otto -Rows 100
        $m = New-Model -InputShape 93 | Add-DenseLayer 9 -Activation softmax | Build-Model sgd categorical_crossentropy
        Get-ErrorId { $m | Invoke-ModelFit -Data $data -Epochs 2 -Callbacks (New-LearningRateScheduler { param($e, $lr) 0 }) } | Should -Be 'InvalidLearningRate'
        $m | Invoke-ModelFit -Data $data -Epochs 1 | Should -Not -BeNullOrEmpty
    }
}

Describe 'New-TerminateOnNaN' {
    It 'stops at the first batch whose loss is not finite, within the epoch' {
        $m = New-Model -InputShape 1 | Add-DenseLayer 1 | Build-Model -Optimizer (New-Optimizer sgd -LearningRate 1e10) -Loss mse
        $x = 1..64 | ForEach-Object { , @(1000.0) }
        $y = 1..64 | ForEach-Object { 1e6 }
        $r = $m | Invoke-ModelFit -X $x -Y $y -Epochs 20 -BatchSize 8 -Callbacks (New-TerminateOnNaN) -WarningVariable w -WarningAction SilentlyContinue
        @($r).Count | Should -Be 0
        $w[0].Message | Should -Match '^Batch \d+: invalid loss'
    }

    Context 'metric names in either spelling' {
        BeforeAll {
            $script:esData = Get-SampleData Otto -Rows 600 -Seed 2
            function Invoke-EarlyStoppedFit([string] $Monitor) {
                $m = New-Model -InputShape 93 -Seed 3 | Add-DenseLayer 16 -Activation relu | Add-DenseLayer 9 -Activation softmax |
                    Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.05) -Loss categorical_crossentropy -Metrics accuracy
                $es = New-EarlyStopping -Monitor $Monitor -Patience 1
                $h = $m | Invoke-ModelFit -Data $esData.Slice(0, 400) -ValidationData $esData.Slice(400, 200) -Epochs 40 -BatchSize 32 -Seed 1 -Callbacks $es
                [pscustomobject]@{ Epochs = @($h).Count; Stopped = $es.StoppedEpoch; Monitor = $es.Monitor.Name }
            }
        }

        It 'stops at the same epoch with -Monitor ValLoss (the record property) as with -Monitor val_loss' {
            $snake = Invoke-EarlyStoppedFit 'val_loss'
            $pascal = Invoke-EarlyStoppedFit 'ValLoss'
            $snake.Stopped | Should -BeGreaterThan 0
            $snake.Stopped | Should -BeLessThan 40
            $pascal.Stopped | Should -Be $snake.Stopped
            $pascal.Epochs | Should -Be $snake.Epochs
            $pascal.Monitor | Should -Be 'val_loss'
        }

        It 'refuses, before the first epoch, a name the fit does not produce: UnknownMonitor listing the names it does' {
            $m = New-Model -InputShape 93 -Seed 3 | Add-DenseLayer 9 -Activation softmax | Build-Model sgd categorical_crossentropy -Metrics accuracy
            $err = $null
            try { $m | Invoke-ModelFit -Data $esData -Epochs 3 -Callbacks (New-EarlyStopping -Monitor val_accuracy) -ErrorAction SilentlyContinue } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'UnknownMonitor,*'
            $err.Exception.Message | Should -BeLike '*produces: loss, accuracy (as record properties: Loss, Accuracy)*-ValidationData*'
            $m.EpochsTrained | Should -Be 0
            Get-ErrorId { $m | Invoke-ModelFit -Data $esData -Epochs 1 -Callbacks (New-EarlyStopping -Monitor los) } | Should -Be 'UnknownMonitor'
        }

        It 'shows its settings, not type names' {
            $text = New-EarlyStopping -Monitor ValAccuracy -Patience 3 | Format-List | Out-String
            $text | Should -Match 'Monitor\s+:\s+val_accuracy'
            $text | Should -Match 'Mode\s+:\s+max'
            $text | Should -Not -Match 'KerasPS\.Engine'
        }

        It 'completes -Monitor with history names' {
            $c = TabExpansion2 -inputScript 'New-EarlyStopping -Monitor val_a' -cursorColumn 'New-EarlyStopping -Monitor val_a'.Length
            $c.CompletionMatches.CompletionText | Should -Contain 'val_accuracy'
        }
    }
}
