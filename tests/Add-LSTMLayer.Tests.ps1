BeforeAll {
    . $PSScriptRoot/common.ps1
    function New-TrendSequences {
        # 10 steps of 1 feature: a noisy rising ('up') or falling ('down') line from a random start. Seeded.
        param([int] $Count, [int] $Seed)
        $rng = [KerasPS.Engine.MersenneTwister]::new($Seed)
        $x = [float[,]]::new($Count, 10)
        $y = [string[]]::new($Count)
        for ($i = 0; $i -lt $Count; $i++) {
            $up = $rng.NextInt(2) -eq 0
            $start = $rng.NextDouble() * 2 - 1
            for ($t = 0; $t -lt 10; $t++) {
                $x[$i, $t] = $start + ($(if ($up) { 0.1 } else { -0.1 })) * $t + ($rng.NextDouble() - 0.5) * 0.2
            }
            $y[$i] = if ($up) { 'up' } else { 'down' }
        }
        @{ X = $x; Y = $y }
    }
}

Describe 'Add-LSTMLayer' {
    It 'has Keras''s parameter count: LSTM(64) on 100 features = 4 * (100*64 + 64*64 + 64) = 42,240' {
        (New-Model -InputShape 5, 100 | Add-LSTMLayer 64 | Get-ModelSummary).ParamCount | Should -Be 42240
    }

    It 'names its weights as Keras does and starts the forget-gate bias at 1' {
        $w = (New-Model -InputShape 4, 3 | Add-LSTMLayer 2).Engine.Layers[0].Weights
        $w.Path | Should -Be @('lstm/kernel', 'lstm/recurrent_kernel', 'lstm/bias')
        $w[2].ToArray() | Should -Be @(0, 0, 1, 1, 0, 0, 0, 0)
    }

    It 'learns whether a sequence rises or falls to clearly better than chance' {
        $train = New-TrendSequences -Count 96 -Seed 1
        $test = New-TrendSequences -Count 60 -Seed 2
        $m = New-Model -InputShape 10 -Seed 3 | Add-ReshapeLayer 10, 1 | Add-LSTMLayer 8 | Add-DenseLayer 2 -Activation softmax |
            Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.02) -Loss sparse_categorical_crossentropy -Metrics accuracy
        $null = $m | Invoke-ModelFit -X $train.X -Y $train.Y -Epochs 8 -BatchSize 16 -Seed 4
        ($m | Invoke-ModelEvaluate -X $test.X -Y $test.Y).Accuracy | Should -BeGreaterOrEqual 0.9
    }

    It 'runs <Case> on libtorch''s fused kernel with the outputs and gradients of Keras''s step equations' -TestCases @(
        @{ Case = 'LSTM, all steps'; Add = { param($m) $m | Add-LSTMLayer 6 -ReturnSequences } }
        @{ Case = 'LSTM, go_backwards'; Add = { param($m) $m | Add-LSTMLayer 6 -GoBackwards } }
        @{ Case = 'GRU reset_after, all steps'; Add = { param($m) $m | Add-GRULayer 6 -ReturnSequences } }
        @{ Case = 'GRU reset_after, no bias'; Add = { param($m) $m | Add-GRULayer 6 -UseBias:$false } }
        @{ Case = 'SimpleRNN tanh, all steps'; Add = { param($m) $m | Add-SimpleRNNLayer 6 -ReturnSequences } }
        @{ Case = 'SimpleRNN relu'; Add = { param($m) $m | Add-SimpleRNNLayer 6 -Activation relu } }
    ) {
        # The step loop is Keras's equations one timestep at a time (its values are checked against Keras in
        # LayerValues.Tests.ps1); the fused path must agree with it on random weights and non-zero biases.
        param($Case, $Add)
        $torch = Get-KerasType 'TorchSharp.torch'
        $layer = (& $Add (New-Model -InputShape 7, 5 -Seed 3)).Engine.Layers[0]
        $rng = [KerasPS.Engine.MersenneTwister]::new(17)
        foreach ($w in $layer.Weights) { $w.Assign([float[]](1..$w.Count | ForEach-Object { ($rng.NextDouble() - 0.5) * 1.2 })) }
        $x = (ConvertTo-Tensor -Values (1..140 | ForEach-Object { $rng.NextDouble() * 2 - 1 }) -FeatureShape 7, 5).requires_grad_($true)
        $stepLoop = $layer.GetType().BaseType.GetMethod('StepLoop', [Reflection.BindingFlags]'NonPublic, Instance')
        $runs = foreach ($fused in $true, $false) {
            foreach ($w in $layer.Weights) { $w.Value.requires_grad_($true) | Out-Null; if ($w.Value.grad) { $w.Value.grad.zero_() | Out-Null } }
            if ($x.grad) { $x.grad.zero_() | Out-Null }
            $y = if ($fused) { $layer.Forward($x, $true) } else { $stepLoop.Invoke($layer, @($(if ($layer.GoBackwards) { $x.flip(1) } else { $x }))) }
            $probe = $torch::arange($y.numel()).reshape($y.shape).to_type($y.dtype).sin()
            $y.mul($probe).sum().backward()
            , @(@(, $y.detach().clone()) + @($layer.Weights | ForEach-Object { , $_.Value.grad.clone() }) + @(, $x.grad.clone()))
        }
        $runs[0].Count | Should -Be ($layer.Weights.Count + 2) -Because 'the output, each weight''s gradient and the input''s are compared'
        $runs[0][0].sub($runs[1][0]).abs().max().item[float]() | Should -BeLessOrEqual 1e-6 -Because 'the outputs match'
        for ($i = 1; $i -lt $runs[0].Count; $i++) {
            $runs[0][$i].sub($runs[1][$i]).abs().max().item[float]() | Should -BeLessOrEqual 1e-5 -Because "gradient $i matches"
        }
    }

    It 'refuses input without a time axis with InvalidInputShape, and units <= 0 with InvalidUnits' {
        Get-ErrorId { New-Model -InputShape 10 | Add-LSTMLayer 4 } | Should -Be 'InvalidInputShape'
        Get-ErrorId { New-Model -InputShape 10, 1 | Add-LSTMLayer 0 } | Should -Be 'InvalidUnits'
    }
}

Describe 'dropout and recurrent_dropout of SimpleRNN, LSTM and GRU' {
    BeforeAll {
        # The layer's training-time forward pass on a batch of sequences of ones (rows, steps, 1 feature).
        function Invoke-TrainingForward($Model, [int] $Rows, [int] $Steps) {
            $alc = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($Model.Engine.GetType().Assembly)
            $torch = ($alc.Assemblies | Where-Object { $_.GetName().Name -eq 'TorchSharp' }).GetType('TorchSharp.torch')
            $tensorOf = $torch.GetMethods() | Where-Object {
                $_.Name -eq 'tensor' -and ($p = $_.GetParameters()).Count -eq 5 -and $p[0].ParameterType -eq [float[]] -and $p[1].ParameterType.Name -like 'Nullable*' } |
                Select-Object -First 1
            $x = $tensorOf.Invoke($null, @([float[]]@(1..($Rows * $Steps) | ForEach-Object { 1 }), $null, $null, $false, $null)).reshape([long[]]@($Rows, $Steps, 1))
            $y = $Model.Engine.Layers[0].Forward($x, $true).data[float]().ToArray()
            , @(for ($r = 0; $r -lt $Rows; $r++) { , $y[($r * $Steps)..($r * $Steps + $Steps - 1)] })
        }
    }

    It 'drops input features with one mask per sequence, the same at every timestep (Keras dropout)' {
        # SimpleRNN(1, linear), kernel 1, recurrent 1, no bias, dropout 0.5: h_t = m x_t + h_(t-1) with m in {0, 2} per sequence,
        # so a sequence of ones gives 2, 4, 6, 8 or 0, 0, 0, 0 (a mask per step would mix them).
        $m = New-Model -InputShape 4, 1 -Seed 1 | Add-SimpleRNNLayer 1 -Activation linear -KernelInitializer ones -RecurrentInitializer ones -UseBias:$false -ReturnSequences -Dropout 0.5
        $rows = Invoke-TrainingForward $m 200 4
        $kept = @($rows | Where-Object { ($_ -join ',') -eq '2,4,6,8' }).Count
        $dropped = @($rows | Where-Object { ($_ -join ',') -eq '0,0,0,0' }).Count
        $kept + $dropped | Should -Be 200
        $kept | Should -BeGreaterThan 70
        $dropped | Should -BeGreaterThan 70
    }

    It 'drops the previous output with one mask per sequence (Keras recurrent_dropout)' {
        # recurrent_dropout 0.5 only: h_t = 1 + m h_(t-1): 1, 3, 7, 15 with m = 2, or 1, 1, 1, 1 with m = 0
        $m = New-Model -InputShape 4, 1 -Seed 1 | Add-SimpleRNNLayer 1 -Activation linear -KernelInitializer ones -RecurrentInitializer ones -UseBias:$false -ReturnSequences -RecurrentDropout 0.5
        $rows = Invoke-TrainingForward $m 200 4
        $kept = @($rows | Where-Object { ($_ -join ',') -eq '1,3,7,15' }).Count
        $dropped = @($rows | Where-Object { ($_ -join ',') -eq '1,1,1,1' }).Count
        $kept + $dropped | Should -Be 200
        $kept | Should -BeGreaterThan 70
        $dropped | Should -BeGreaterThan 70
    }

    It 'changes nothing at inference and keeps its rates through .kpt, .keras and .h5' {
        $build = { param($d, $r) New-Model -InputShape 10 -Seed 2 | Add-ReshapeLayer -TargetShape 5, 2 | Add-LSTMLayer 6 -Dropout $d -RecurrentDropout $r -ReturnSequences |
            Add-GRULayer 3 -Dropout $d -RecurrentDropout $r | Add-DenseLayer 1 }
        $with = & $build 0.2 0.3
        $without = & $build 0 0
        $x = @(1..4 | ForEach-Object { $s = $_; , [double[]]@(1..10 | ForEach-Object { [math]::Sin($s * $_) }) })
        $a = @($with | Invoke-ModelPredict -X $x -AsMatrix | ForEach-Object { $_ })
        $b = @($without | Invoke-ModelPredict -X $x -AsMatrix | ForEach-Object { $_ })
        $a | Should -Be $b
        $dir = Join-Path ([IO.Path]::GetTempPath()) "kerasps-rnn-dropout-$PID"
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        try {
            foreach ($ext in 'kpt', 'keras', 'h5') {
                $path = Join-Path $dir "m.$ext"
                $with | Export-Checkpoint -Path $path -Force
                $back = Import-Checkpoint -Path $path
                $back.Engine.Layers[1].Dropout | Should -Be 0.2 -Because $ext
                $back.Engine.Layers[1].RecurrentDropout | Should -Be 0.3 -Because $ext
                $back.Engine.Layers[2].Dropout | Should -Be 0.2 -Because $ext
                @($back | Invoke-ModelPredict -X $x -AsMatrix | ForEach-Object { $_ }) | Should -Be $a -Because $ext
            }
        }
        finally { Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'refuses a rate outside [0, 1) with InvalidRate' {
        Get-ErrorId { New-Model -InputShape 3, 2 | Add-LSTMLayer 2 -Dropout 1 } | Should -Be 'InvalidRate'
        Get-ErrorId { New-Model -InputShape 3, 2 | Add-GRULayer 2 -RecurrentDropout -0.1 } | Should -Be 'InvalidRate'
    }
}
