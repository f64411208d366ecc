# What each layer computes, against values worked out by hand from Keras's definitions.
BeforeAll {
    . $PSScriptRoot/common.ps1
    function Invoke-Layer([scriptblock] $Add, [int[]] $Shape, [double[]] $Row) {
        $m = New-Model -InputShape $Row.Count -Seed 1
        if ($Shape.Count -gt 1) { $m = $m | Add-ReshapeLayer $Shape }
        $m = & $Add $m
        $p = $m | Invoke-ModelPredict -X @(, $Row) -AsMatrix
        @(for ($i = 0; $i -lt $p.GetLength(1); $i++) { [math]::Round($p[0, $i], 4) })
    }
    function ConvertTo-Tensor([double[]] $Row, [int[]] $Shape) {
        [KerasPS.Engine.Data.EncodedData]::new([float[]]$Row, $Shape, [string[]](1..$Row.Count | ForEach-Object { "f$_" })).FeatureTensor()
    }
}

Describe 'Layer values' {
    It '<Case>' -ForEach @(
        @{ Case = 'ReLU: plain max(x, 0)'; Add = { param($m) $m | Add-ReLULayer }; Shape = , 4; Row = @(-2, -0.5, 0.5, 8); Expected = @(0, 0, 0.5, 8) }
        # keras.activations.relu(x, negative_slope=0.1, max_value=6, threshold=1)
        @{ Case = 'ReLU: cap, slope and threshold'; Add = { param($m) $m | Add-ReLULayer -MaxValue 6 -NegativeSlope 0.1 -Threshold 1 }; Shape = , 4; Row = @(-2, 0.5, 3, 8); Expected = @(-0.3, -0.05, 3, 6) }
        @{ Case = 'LeakyReLU: Keras 3 default slope 0.3'; Add = { param($m) $m | Add-LeakyReLULayer }; Shape = , 3; Row = @(-2, 0, 2); Expected = @(-0.6, 0, 2) }
        @{ Case = 'ELU: alpha (exp(x) - 1) below 0'; Add = { param($m) $m | Add-ELULayer -Alpha 2 }; Shape = , 2; Row = @(-1, 3); Expected = @([math]::Round(2 * ([math]::Exp(-1) - 1), 4), 3) }
        @{ Case = 'PReLU: alpha from its initializer'; Add = { param($m) $m | Add-PReLULayer -AlphaInitializer (New-Initializer constant -Value 0.25) }; Shape = , 2; Row = @(-4, 4); Expected = @(-1, 4) }
        # Softmax over axis 1 of a (2, 2) input: each column sums to 1.
        @{ Case = 'Softmax along axis 1'; Add = { param($m) $m | Add-SoftmaxLayer -Axis 1 }; Shape = 2, 2; Row = @(0, 5, 0, 5); Expected = @(0.5, 0.5, 0.5, 0.5) }
        @{ Case = 'Permute swaps axes'; Add = { param($m) $m | Add-PermuteLayer 2, 1 }; Shape = 2, 3; Row = @(1, 2, 3, 4, 5, 6); Expected = @(1, 4, 2, 5, 3, 6) }
        @{ Case = 'RepeatVector repeats rows'; Add = { param($m) $m | Add-RepeatVectorLayer 2 }; Shape = , 2; Row = @(7, 8); Expected = @(7, 8, 7, 8) }
        @{ Case = 'Flatten keeps row-major order'; Add = { param($m) $m | Add-FlattenLayer }; Shape = 2, 2, 1; Row = @(1, 2, 3, 4); Expected = @(1, 2, 3, 4) }
        @{ Case = 'MaxPooling1D'; Add = { param($m) $m | Add-MaxPooling1DLayer 2 }; Shape = 4, 1; Row = @(1, 3, -2, -1); Expected = @(3, -1) }
        # 3x3 image 1..9, 2x2 pool, stride 2, same: windows {1,2,4,5}, {3,6}, {7,8}, {9}
        @{ Case = 'MaxPooling2D same ignores padding'; Add = { param($m) $m | Add-MaxPooling2DLayer 2 -Padding same }; Shape = 3, 3, 1; Row = @(-1, -2, -3, -4, -5, -6, -7, -8, -9); Expected = @(-1, -3, -7, -9) }
        @{ Case = 'AveragePooling2D same averages real inputs only'; Add = { param($m) $m | Add-AveragePooling2DLayer 2 -Padding same }; Shape = 3, 3, 1; Row = @(1, 2, 3, 4, 5, 6, 7, 8, 9); Expected = @(3, 4.5, 7.5, 9) }
        @{ Case = 'AveragePooling1D'; Add = { param($m) $m | Add-AveragePooling1DLayer 2 }; Shape = 4, 1; Row = @(1, 3, -2, -1); Expected = @(2, -1.5) }
        @{ Case = 'GlobalAveragePooling1D per channel'; Add = { param($m) $m | Add-GlobalAveragePooling1DLayer }; Shape = 3, 2; Row = @(1, 10, 2, 20, 3, 30); Expected = @(2, 20) }
        @{ Case = 'GlobalAveragePooling2D per channel'; Add = { param($m) $m | Add-GlobalAveragePooling2DLayer }; Shape = 2, 2, 2; Row = @(1, 0, 2, 0, 3, 0, 6, 4); Expected = @(3, 1) }
        @{ Case = 'LayerNormalization per sample'; Add = { param($m) $m | Add-LayerNormalizationLayer -Epsilon 1e-9 }; Shape = , 2; Row = @(1, 3); Expected = @(-1, 1) }
        @{ Case = 'GaussianNoise is off at inference'; Add = { param($m) $m | Add-GaussianNoiseLayer 5 }; Shape = , 2; Row = @(1, 2); Expected = @(1, 2) }
        @{ Case = 'AlphaDropout is off at inference'; Add = { param($m) $m | Add-AlphaDropoutLayer 0.5 }; Shape = , 2; Row = @(1, 2); Expected = @(1, 2) }
        @{ Case = 'ActivityRegularization passes its input through'; Add = { param($m) $m | Add-ActivityRegularizationLayer -L2 1 }; Shape = , 2; Row = @(1, 2); Expected = @(1, 2) }
        # Embedding rows are the table's rows: ids 2 and 0 with embeddings[i] = constant 0.5 everywhere.
        @{ Case = 'Embedding looks up rows'; Add = { param($m) $m | Add-EmbeddingLayer 3 2 -EmbeddingsInitializer (New-Initializer constant -Value 0.5) }; Shape = , 2; Row = @(2, 0); Expected = @(0.5, 0.5, 0.5, 0.5) }
        # SimpleRNN(1, activation=None), kernel 1, recurrent 0.5: h = x_t + 0.5 h -> 1, 2.5, 4.25; backwards (3, 2, 1) -> 3, 3.5, 2.75
        @{ Case = 'SimpleRNN recurrence'; Add = { param($m) $m | Add-SimpleRNNLayer 1 -Activation linear -KernelInitializer ones -RecurrentInitializer (New-Initializer constant -Value 0.5) -ReturnSequences }; Shape = 3, 1; Row = @(1, 2, 3); Expected = @(1, 2.5, 4.25) }
        @{ Case = 'SimpleRNN go_backwards'; Add = { param($m) $m | Add-SimpleRNNLayer 1 -Activation linear -KernelInitializer ones -RecurrentInitializer (New-Initializer constant -Value 0.5) -GoBackwards }; Shape = 3, 1; Row = @(1, 2, 3); Expected = @(2.75) }
        # LSTM(1), kernel 1, recurrent 0, no bias, one step of x = 1: i = f = o = sigmoid(1), c = i * tanh(1), h = o * tanh(c)
        @{ Case = 'LSTM cell'; Add = { param($m) $m | Add-LSTMLayer 1 -KernelInitializer ones -RecurrentInitializer zeros -UseBias:$false }; Shape = 1, 1; Row = , 1; Expected = , 0.3696 }   # 0.7311 * tanh(0.7311 * 0.7616)
        # GRU(1) reset_after, kernel 1, recurrent 0, no bias, x = 1 from h = 0: h = (1 - z) tanh(1) with z = sigmoid(1)
        @{ Case = 'GRU cell'; Add = { param($m) $m | Add-GRULayer 1 -KernelInitializer ones -RecurrentInitializer zeros -UseBias:$false }; Shape = 1, 1; Row = , 1; Expected = , 0.2048 }   # (1 - 0.7311) * 0.7616
    ) {
        Invoke-Layer $Add $Shape $Row | Should -Be $Expected
    }

    It 'GaussianNoise and AlphaDropout change their input while training' {
        foreach ($add in { param($m) $m | Add-GaussianNoiseLayer 1 }, { param($m) $m | Add-AlphaDropoutLayer 0.5 }) {
            $m = & $add (New-Model -InputShape 100)
            $y = $m.Engine.Forward((ConvertTo-Tensor (1..100) @(100)), $true).data[float]().ToArray()
            $changed = @(for ($i = 0; $i -lt 100; $i++) { if ($y[$i] -ne $i + 1) { 1 } }).Count
            $changed | Should -BeGreaterThan 30
        }
    }

    It 'ActivityRegularization adds l2 * sum(x^2) / batch to the loss' {
        # One row [1, 2] feeding Dense(1) with a zero kernel: data loss (0 - 0)^2 = 0, penalty 0.5 * 5 / 1 = 2.5.
        $m = New-Model -InputShape 2 | Add-ActivityRegularizationLayer -L2 0.5 | Add-DenseLayer 1 -KernelInitializer zeros | Build-Model -Optimizer sgd -Loss mse
        [math]::Round(($m | Invoke-ModelEvaluate -X @(, @(1, 2)) -Y @(0)).Loss, 5) | Should -Be 2.5
    }

    It 'a final Softmax layer trains exactly like a Dense layer with a softmax activation' {
        $x = @(@(1, 2), @(2, 1), @(-1, 0), @(0, -2), @(3, 3), @(-2, 1))
        $y = @('a', 'b', 'c', 'a', 'b', 'c')
        $fused = New-Model -InputShape 2 -Seed 4 | Add-DenseLayer 3 -Activation softmax | Build-Model adam sparse_categorical_crossentropy
        $layer = New-Model -InputShape 2 -Seed 4 | Add-DenseLayer 3 | Add-SoftmaxLayer | Build-Model adam sparse_categorical_crossentropy
        $a = ($fused | Invoke-ModelFit -X $x -Y $y -Epochs 3 -Seed 1).Loss
        $b = ($layer | Invoke-ModelFit -X $x -Y $y -Epochs 3 -Seed 1).Loss
        $b | Should -Be $a
    }

    It 'Embedding refuses token ids outside its vocabulary with InvalidTokenIndex' {
        $m = New-Model -InputShape 2 | Add-EmbeddingLayer 3 2
        Get-ErrorId { $m | Invoke-ModelPredict -X @(, @(1, 3)) } | Should -Be 'InvalidTokenIndex'
    }
}

Describe 'Layer input checks' {
    It '<Case> refuses input <In> with InvalidInputShape' -ForEach @(
        @{ Case = 'Conv1D'; In = , 8; Add = { param($m) $m | Add-Conv1DLayer 2 3 } }
        @{ Case = 'Conv1D window larger than the sequence'; In = 2, 1; Add = { param($m) $m | Add-Conv1DLayer 2 3 } }
        @{ Case = 'MaxPooling2D'; In = 4, 4; Add = { param($m) $m | Add-MaxPooling2DLayer } }
        @{ Case = 'GlobalAveragePooling1D'; In = , 4; Add = { param($m) $m | Add-GlobalAveragePooling1DLayer } }
        @{ Case = 'LSTM'; In = , 4; Add = { param($m) $m | Add-LSTMLayer 2 } }
        @{ Case = 'RepeatVector'; In = 2, 2; Add = { param($m) $m | Add-RepeatVectorLayer 2 } }
        @{ Case = 'Permute'; In = 2, 2; Add = { param($m) $m | Add-PermuteLayer 1, 3, 2 } }
    ) {
        Get-ErrorId { & $Add (New-Model -InputShape $In) } | Should -Be 'InvalidInputShape'
    }

    It 'Reshape refuses a target with a different size with InvalidTargetShape, and the model stays usable' {
        $m = New-Model -InputShape 12 | Add-DenseLayer 4
        Get-ErrorId { $m | Add-ReshapeLayer 3, 3 } | Should -Be 'InvalidTargetShape'
        Get-ErrorId { $m | Add-ReshapeLayer -1, -1 } | Should -Be 'InvalidTargetShape'
        $m.LayerCount | Should -Be 1
        ($m | Add-ReshapeLayer 2, -1 | Get-ModelSummary)[-1].OutputShape | Should -Be '(None, 2, 2)'
    }

    It 'Permute refuses dims that are not a 1-based permutation with InvalidPermutation' {
        Get-ErrorId { New-Model -InputShape 2, 3 | Add-PermuteLayer 0, 1 } | Should -Be 'InvalidPermutation'
    }

    It 'Softmax refuses the batch axis with InvalidAxis' {
        Get-ErrorId { New-Model -InputShape 3 | Add-SoftmaxLayer -Axis 0 } | Should -Be 'InvalidAxis'
    }
}
