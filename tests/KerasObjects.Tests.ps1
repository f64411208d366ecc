# The registry of Keras objects (optimizers, losses, metrics, initializers, regularizers, constraints): every registered
# class resolves by its names, builds back from its own config, and feeds the completers and the monitors' direction.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Objects = [KerasPS.Engine.KerasObjects]
    # Metrics hold tensors: a model built once loads the native runtime the way a user's first model does.
    $null = New-Model -InputShape 2 | Add-DenseLayer 1 | Build-Model sgd mse -InputShape 2

    # A config with every setting moved off its default (numbers halved, switches flipped), as the engine's dictionary,
    # so that a class which writes a key but does not read it back fails the round trip.
    function Step-Config($Config) {
        $moved = [System.Collections.Generic.Dictionary[string, object]]::new()
        foreach ($key in $Config.Keys) {
            $v = $Config[$key]
            $moved[$key] = $v
            if ($v -is [bool]) { $moved[$key] = -not $v }
            elseif ($v -is [int]) { $moved[$key] = [int][math]::Max(2, [math]::Floor($v / 2)) }
            elseif ($v -is [double]) { $moved[$key] = $v / 2 }
        }
        , $moved
    }

    function ConvertTo-CanonicalJson($Value) { $Value | ConvertTo-Json -Depth 6 -Compress }
}

Describe 'The registry of Keras objects' {
    Context '<What>' -ForEach @(
        @{ What = 'optimizers'; Registry = 'Optimizers' }
        @{ What = 'losses'; Registry = 'Losses' }
        @{ What = 'metrics'; Registry = 'Metrics' }
        @{ What = 'initializers'; Registry = 'Initializers' }
        @{ What = 'regularizers'; Registry = 'Regularizers' }
        @{ What = 'constraints'; Registry = 'Constraints' }
    ) {
        It 'resolves every class by its Keras class name, each alias in any case, and the snake form of the class name' {
            $r = $script:Objects::$Registry
            $r.Entries.Count | Should -BeGreaterThan 0
            foreach ($e in $r.Entries) {
                $r.Get($e.ClassName).Type | Should -Be $e.Type
                foreach ($a in $e.Aliases) {
                    $r.Get($a).Type | Should -Be $e.Type
                    $r.Get($a.ToUpperInvariant()).Type | Should -Be $e.Type
                }
                $r.Get([KerasPS.Engine.KerasObjects]::ToSnakeName($e.ClassName)).Type | Should -Be $e.Type
            }
        }

        It 'lists every alias once, in declaration order, as its names' {
            $r = $script:Objects::$Registry
            $r.Names | Should -Be @($r.Entries | ForEach-Object { $_.Aliases })
            ($r.Names | Sort-Object -Unique).Count | Should -Be $r.Names.Count
        }

        It 'refuses an unknown name with its Unknown* id, listing the valid names' {
            $r = $script:Objects::$Registry
            $e = { $r.Get('no_such_object') } | Should -Throw -PassThru
            $e.Exception.InnerException.ErrorId | Should -Be $r.UnknownId
            $e.Exception.InnerException.Message | Should -BeLike "*Valid names: $($r.Names -join ', ')."
        }
    }

    Context 'config round trips' {
        It 'rebuilds every optimizer from its config, defaults and every setting moved' {
            foreach ($name in $script:Objects::Optimizers.Entries.Name) {
                $default = [KerasPS.Engine.KerasObjects]::Optimizers.Create($name).GetConfig()
                $default['name'] | Should -Be $name
                $moved = Step-Config $default
                $moved['clipnorm'] = 0.5; $moved['clipvalue'] = 0.25
                $back = [KerasPS.Engine.Training.Optimizers.Optimizer]::FromConfig($moved).GetConfig()
                ConvertTo-CanonicalJson $back | Should -Be (ConvertTo-CanonicalJson $moved) -Because $name
                # Every switch and every non-zero number really moved, so the comparison above checks each key.
                $settings = $default.Keys | Where-Object { $default[$_] -is [bool] -or ($default[$_] -is [double] -and $default[$_] -ne 0) }
                foreach ($key in $settings) {
                    $moved[$key] | Should -Not -Be $default[$key] -Because "$name $key"
                }
            }
        }

        It 'rebuilds every <Kind> from its serialized config, defaults and every setting moved' -ForEach @(
            @{ Kind = 'initializer'; Registry = 'Initializers'; Type = 'KerasPS.Engine.Initializers.Initializer' }
            @{ Kind = 'constraint'; Registry = 'Constraints'; Type = 'KerasPS.Engine.Constraints.Constraint' }
            @{ Kind = 'regularizer'; Registry = 'Regularizers'; Type = 'KerasPS.Engine.Regularizers.Regularizer' }
        ) {
            $type = Get-KerasType $Type
            foreach ($e in $script:Objects::$Registry.Entries) {
                foreach ($name in $e.Aliases) {
                    $serialized = $script:Objects::$Registry.Create($name).GetConfig()
                    $serialized['class_name'] | Should -Be $e.ClassName
                    $serialized['module'] | Should -Be $e.Module
                    $moved = [System.Collections.Generic.Dictionary[string, object]]::new($serialized)
                    $moved['config'] = Step-Config $serialized['config']
                    $back = $type::FromConfig($moved).GetConfig()
                    ConvertTo-CanonicalJson $back | Should -Be (ConvertTo-CanonicalJson $moved) -Because $name
                }
            }
        }

        It 'rebuilds every metric from its config, renamed and with each of its options set' {
            # A value for each option a metric registration may list; a metric with a new option adds its value here.
            $values = @{ thresholds = 0.3; top_k = 2; class_id = 1; num_thresholds = 50 }
            foreach ($e in $script:Objects::Metrics.Entries) {
                $config = [System.Collections.Generic.Dictionary[string, object]]::new()
                $metric = $script:Objects::Metrics.FromConfig($e.ClassName, $config)
                try {
                    $metric.Name | Should -Be $e.Name
                    $moved = $metric.GetConfig()
                    $moved['name'] = "renamed_$($e.Name)"
                    foreach ($option in $e.Attribute.Options) {
                        $values.ContainsKey($option) | Should -BeTrue -Because "the test needs a value for $($e.ClassName)'s option $option"
                        $moved[$option] = $values[$option]
                    }
                    $back = $script:Objects::Metrics.FromConfig($e.ClassName, $moved)
                    try {
                        $back.Name | Should -Be "renamed_$($e.Name)"
                        ConvertTo-CanonicalJson $back.GetConfig() | Should -Be (ConvertTo-CanonicalJson $moved) -Because $e.ClassName
                    }
                    finally { $back.Dispose() }
                }
                finally { $metric.Dispose() }
            }
        }

        It 'rebuilds every registered callback from its config' {
            $made = @(
                New-EarlyStopping -Monitor val_auc -Patience 3 -MinDelta 0.1 -Baseline 0.5 -RestoreBestWeights -StartFromEpoch 2
                New-ReduceLROnPlateau -Monitor loss -Factor 0.5 -Patience 2 -MinDelta 0.01 -Cooldown 1 -MinLearningRate 1e-5
                New-ModelCheckpoint -Path (Join-Path $TestDrive 'e{epoch}.kpt') -Monitor val_mae -SaveBestOnly -SaveWeightsOnly `
                    -InitialValueThreshold 2
                New-TerminateOnNaN
            )
            @($made | ForEach-Object { $_.GetType().Name } | Sort-Object) |
                Should -Be @($script:Objects::Callbacks.Entries | ForEach-Object { $_.Type.Name } | Sort-Object)
            foreach ($callback in $made) {
                $entry = $script:Objects::Callbacks.EntryOf($callback.GetType())
                $config = $callback.GetConfig()
                $back = $script:Objects::Callbacks.FromConfig($entry.ClassName, $config)
                ConvertTo-CanonicalJson $back.GetConfig() | Should -Be (ConvertTo-CanonicalJson $config) -Because $entry.ClassName
            }
            (New-EarlyStopping -Monitor val_auc).GetConfig()['mode'] | Should -Be 'max'
        }

        It 'gives every loss its first name, which a compile config records' {
            foreach ($e in $script:Objects::Losses.Entries) {
                foreach ($a in $e.Aliases) { [KerasPS.Engine.KerasObjects]::Losses.Create($a).Name | Should -Be $e.Name }
            }
        }

        It 'reads Keras''s L1 and L2 regularizer configs as L1L2' {
            $d = [System.Collections.Generic.Dictionary[string, object]]::new()
            $c = [System.Collections.Generic.Dictionary[string, object]]::new(); $c['l2'] = 0.02
            $d['class_name'] = 'L2'; $d['config'] = $c
            $r = $script:Objects::Regularizers.Deserialize($d)
            $r.L1 | Should -Be 0
            $r.L2 | Should -Be 0.02
        }
    }

    Context 'defaults are the classes'' constants' {
        It 'New-Optimizer takes each optimizer''s defaults from its class' {
            (New-Optimizer sgd).LearningRate | Should -Be ([KerasPS.Engine.Training.Optimizers.Sgd]::DefaultLearningRate)
            (New-Optimizer adamw).WeightDecay | Should -Be ([KerasPS.Engine.Training.Optimizers.AdamW]::DefaultWeightDecay)
            (New-Optimizer adadelta).Rho | Should -Be ([KerasPS.Engine.Training.Optimizers.Adadelta]::DefaultRho)
            (New-Initializer random_uniform).MaxVal | Should -Be ([KerasPS.Engine.Initializers.RandomUniform]::DefaultMaxVal)
            (New-Constraint max_norm).MaxValue | Should -Be ([KerasPS.Engine.Constraints.MaxNorm]::DefaultMaxValue)
        }
    }

    Context 'completers' {
        It 'completes <Command> from the <Registry> registry, in its order' -ForEach @(
            @{ Command = 'New-Optimizer '; Registry = 'Optimizers' }
            @{ Command = 'Build-Model -Optimizer sgd -Loss '; Registry = 'Losses' }
            @{ Command = 'New-Metric '; Registry = 'Metrics' }
            @{ Command = 'New-Initializer '; Registry = 'Initializers' }
            @{ Command = 'Add-DenseLayer 4 -KernelRegularizer '; Registry = 'Regularizers' }
            @{ Command = 'New-Constraint '; Registry = 'Constraints' }
        ) {
            $r = TabExpansion2 -inputScript $Command -cursorColumn $Command.Length
            $r.CompletionMatches.CompletionText | Should -Be @($script:Objects::$Registry.Names)
        }
    }

    Context 'a metric says which way it improves' {
        It 'monitors <Monitor> in <Mode> mode' -ForEach @(
            @{ Monitor = 'val_auc'; Mode = 'Max' }
            @{ Monitor = 'auc'; Mode = 'Max' }
            @{ Monitor = 'val_mae'; Mode = 'Min' }
            @{ Monitor = 'mean_squared_error'; Mode = 'Min' }
            @{ Monitor = 'val_top5'; Mode = 'Max' }
            @{ Monitor = 'val_loss'; Mode = 'Min' }
            @{ Monitor = 'loss'; Mode = 'Min' }
            @{ Monitor = 'val_precision_b'; Mode = 'Max' }
            @{ Monitor = 'learning_rate'; Mode = 'Min' }
        ) {
            (New-EarlyStopping -Monitor $Monitor).Monitor.Mode | Should -Be $Mode
            (New-ModelCheckpoint -Path (Join-Path $TestDrive 'm.kpt') -Monitor $Monitor).Monitor.Mode | Should -Be $Mode
            [KerasPS.Engine.Sweeps.TrialMonitor]::new($Monitor).Mode | Should -Be $Mode.ToLowerInvariant()
        }

        It 'takes every registered metric''s direction from its class, under each of its names and their val_ forms' {
            foreach ($e in $script:Objects::Metrics.Entries) {
                $expected = if ($e.Attribute.HigherIsBetter) { 'Max' } else { 'Min' }
                foreach ($a in $e.Aliases) {
                    [KerasPS.Engine.Training.Callbacks.Monitor]::AutoMode($a) | Should -Be $expected -Because $a
                    [KerasPS.Engine.Training.Callbacks.Monitor]::AutoMode("val_$a") | Should -Be $expected -Because "val_$a"
                }
            }
        }
    }
}

Describe 'Help that lists names' {
    # The build appends the names a parameter's completer offers to its help (tools/New-MamlHelp.ps1), so a class added
    # to a registry shows in Get-Help with no edit of help text; this holds the generated help to the registry.
    It 'names every registered <What> in <Where>' -ForEach @(
        @{ What = 'optimizer'; Registry = 'Optimizers'; Command = 'New-Optimizer'; Parameter = 'Name'; Where = 'New-Optimizer -Name' }
        @{ What = 'optimizer'; Registry = 'Optimizers'; Command = 'Build-Model'; Parameter = 'Optimizer'; Where = 'Build-Model -Optimizer' }
        @{ What = 'loss'; Registry = 'Losses'; Command = 'Build-Model'; Parameter = 'Loss'; Where = 'Build-Model -Loss' }
        @{ What = 'initializer'; Registry = 'Initializers'; Command = 'New-Initializer'; Parameter = 'Name'; Where = 'New-Initializer -Name' }
        @{ What = 'constraint'; Registry = 'Constraints'; Command = 'New-Constraint'; Parameter = 'Name'; Where = 'New-Constraint -Name' }
        @{ What = 'metric'; Registry = 'Metrics'; Command = 'New-Metric'; Parameter = 'Kind'; Where = 'New-Metric -Kind' }
        @{ What = 'metric'; Registry = 'Metrics'; Command = 'Build-Model'; Parameter = 'Metrics'; Where = 'Build-Model -Metrics' }
        @{ What = 'regularizer'; Registry = 'Regularizers'; Command = 'Add-DenseLayer'; Parameter = 'KernelRegularizer'; Where = 'Add-DenseLayer -KernelRegularizer' }
    ) {
        $help = Get-Help $Command -Full
        $text = if ($Parameter) {
            ($help.parameters.parameter | Where-Object name -eq $Parameter).description.Text -join ' '
        } else {
            $help.description.Text -join ' '
        }
        $text | Should -Not -BeNullOrEmpty
        $missing = foreach ($e in [KerasPS.Engine.KerasObjects]::$Registry.Entries) {
            if ($text -notmatch "\b$([regex]::Escape($e.Name))\b") { $e.Name }
        }
        $missing | Should -BeNullOrEmpty -Because "the help of $Where lists the ${What}s a user can name"
    }
}
