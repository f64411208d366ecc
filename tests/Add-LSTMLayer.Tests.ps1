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
