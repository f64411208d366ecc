# What each layer computes, against values worked out by hand from Keras's definitions: the cases of
# tests/LayerCases.ps1 that carry Row and Expected, then checks that need more than one row.
BeforeDiscovery {
    . $PSScriptRoot/LayerCases.ps1
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    function Invoke-Layer([scriptblock] $Add, [int[]] $Shape, [double[]] $Row) {
        $m = New-Model -InputShape $Row.Count -Seed 1
        if ($Shape.Count -gt 1) { $m = $m | Add-ReshapeLayer $Shape }
        $m = & $Add $m
        $p = $m | Invoke-ModelPredict -X @(, $Row) -AsMatrix
        @(for ($i = 0; $i -lt $p.GetLength(1); $i++) { [math]::Round($p[0, $i], 4) })
    }
}

Describe 'Layer values' {
    It '<Case>' -ForEach @($LayerCases | Where-Object { $_.ContainsKey('Expected') }) {
        Invoke-Layer $Add $In $Row | Should -Be $Expected
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
