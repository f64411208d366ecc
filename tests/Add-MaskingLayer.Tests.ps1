# Masks (Keras's mask propagation): Add-MaskingLayer and Add-EmbeddingLayer -MaskZero make one; recurrent layers,
# Bidirectional, GlobalAveragePooling1D, Attention, MultiHeadAttention and the loss read it. References: TensorFlow.js 4.22.0
# (tests/data/rnn/make-references.mjs -> masked-references.json: sequences of different lengths) and NumPy over Keras 3's
# attention equations (tests/data/attention/make-references.py -> masked.json). Shapes, counts and the config round trip
# are in tests/LayerCases.ps1.
BeforeDiscovery {
    $cases = (Get-Content (Join-Path $PSScriptRoot 'data/rnn/masked-references.json') -Raw | ConvertFrom-Json).cases
    $script:references = @($cases | ForEach-Object { $h = @{}; foreach ($p in $_.PSObject.Properties) { $h[$p.Name] = $p.Value }
        $h['inputValues'] = $h['input']; $h.Remove('input'); $h })
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-masking-$PID"
    New-Item -ItemType Directory -Force $script:Work | Out-Null
    function Get-Rows([int[]] $Shape, $Values) {
        $features = 1; foreach ($d in ($Shape | Select-Object -Skip 1)) { $features *= $d }
        $x = [double[,]]::new($Shape[0], $features)
        for ($i = 0; $i -lt $Values.Count; $i++) { $x[[math]::Floor($i / $features), ($i % $features)] = $Values[$i] }
        , $x
    }
    function Assert-Close($Actual, $Expected, [double] $Tolerance = 1e-5) {
        @($Actual).Count | Should -Be @($Expected).Count
        for ($i = 0; $i -lt @($Expected).Count; $i++) {
            [math]::Abs($Actual[$i] - $Expected[$i]) | Should -BeLessOrEqual $Tolerance -Because "value $i ($($Actual[$i]) vs $($Expected[$i]))"
        }
    }
}
AfterAll { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }

Describe 'Masked sequences against TensorFlow.js' {
    It '<name>' -ForEach $references {
        $steps = [int[]]($inputShape | Select-Object -Skip 1)
        $features = 1; foreach ($d in $steps) { $features *= $d }
        $m = New-Model -InputShape $features -Seed 1
        if ($steps.Count -gt 1) { $m = $m | Add-ReshapeLayer $steps }
        $m = & ([scriptblock]::Create("param(`$m) `$m | $command")) $m
        $all = @($m.Engine.Layers | ForEach-Object { $_.Weights })
        $all.Count | Should -Be $weights.Count
        for ($i = 0; $i -lt $weights.Count; $i++) {
            [long[]]$all[$i].Shape | Should -Be ([long[]]$weights[$i].shape) -Because $weights[$i].name
            $all[$i].Assign([float[]]$weights[$i].values)
        }
        $p = $m | Invoke-ModelPredict -X (Get-Rows $inputShape $inputValues) -AsMatrix
        $flat = [Collections.Generic.List[double]]::new()
        for ($r = 0; $r -lt $p.GetLength(0); $r++) { for ($c = 0; $c -lt $p.GetLength(1); $c++) { $flat.Add($p[$r, $c]) } }
        Assert-Close $flat $output
    }

    It 'gives a padded sequence the output of the same sequence without its padding' {
        # The Keras contract behind the references: appending masked steps changes nothing (LSTM, return_sequences off).
        $a = New-Model -InputShape 8 -Seed 3 | Add-ReshapeLayer 4, 2 | Add-MaskingLayer | Add-LSTMLayer 3
        $b = New-Model -InputShape 4 -Seed 3 | Add-ReshapeLayer 2, 2 | Add-LSTMLayer 3
        $b.Engine.Layers[-1].Weights | ForEach-Object -Begin { $i = 0 } -Process {
            $_.Assign($a.Engine.Layers[-1].Weights[$i].ToArray()); $i++ }
        $padded = $a | Invoke-ModelPredict -X @(, @(0.5, -1, 0, 0, 2, 0.25, 0, 0)) -AsMatrix
        $short = $b | Invoke-ModelPredict -X @(, @(0.5, -1, 2, 0.25)) -AsMatrix
        Assert-Close @($padded[0, 0], $padded[0, 1], $padded[0, 2]) @($short[0, 0], $short[0, 1], $short[0, 2])
        # Without the mask the padding runs through the LSTM and the output differs.
        $plain = New-Model -InputShape 8 -Seed 3 | Add-ReshapeLayer 4, 2 | Add-LSTMLayer 3
        $plain.Engine.Layers[-1].Weights | ForEach-Object -Begin { $i = 0 } -Process {
            $_.Assign($a.Engine.Layers[-1].Weights[$i].ToArray()); $i++ }
        $unmasked = $plain | Invoke-ModelPredict -X @(, @(0.5, -1, 0, 0, 2, 0.25, 0, 0)) -AsMatrix
        [math]::Abs($unmasked[0, 0] - $short[0, 0]) | Should -BeGreaterThan 1e-3
    }
}

Describe 'Add-MaskingLayer' {
    It 'sets masked steps to 0 and keeps the others' {
        $m = New-Model -InputShape 6 | Add-ReshapeLayer 3, 2 | Add-MaskingLayer -MaskValue 2
        $p = $m | Invoke-ModelPredict -X @(, @(2, 2, 2, 5, 1, 2)) -AsMatrix
        @($p[0, 0], $p[0, 1], $p[0, 2], $p[0, 3], $p[0, 4], $p[0, 5]) | Should -Be @(0, 0, 2, 5, 1, 2)
    }

    It 'averages the unmasked steps only in GlobalAveragePooling1D (hand-computed)' {
        # Steps (1, 2), (0, 0) masked, (3, 6): masked mean (2, 4); row 2 steps (4, 0), (0, 0), (0, 0): (4, 0).
        $m = New-Model -InputShape 6 | Add-ReshapeLayer 3, 2 | Add-MaskingLayer | Add-GlobalAveragePooling1DLayer
        $p = $m | Invoke-ModelPredict -X @(@(1, 2, 0, 0, 3, 6), @(4, 0, 0, 0, 0, 0)) -AsMatrix
        @($p[0, 0], $p[0, 1], $p[1, 0], $p[1, 1]) | Should -Be @(2, 4, 4, 0)
    }

    It 'passes the mask through Dense and Dropout to the pooling' {
        # Dense with kernel 1 and bias 1: masked steps become 1 + 0 = 1, but the pooling still leaves them out.
        $m = New-Model -InputShape 4 | Add-ReshapeLayer 2, 2 | Add-MaskingLayer | Add-DropoutLayer 0.5 |
            Add-DenseLayer 1 -KernelInitializer ones -BiasInitializer ones | Add-GlobalAveragePooling1DLayer
        $p = $m | Invoke-ModelPredict -X @(, @(1, 2, 0, 0)) -AsMatrix
        $p[0, 0] | Should -Be 4
    }

    It 'drops the mask at a layer that does not support masking, as Keras 3 does (Reshape)' {
        $m = New-Model -InputShape 4 | Add-ReshapeLayer 2, 2 | Add-MaskingLayer | Add-ReshapeLayer 2, 2 | Add-GlobalAveragePooling1DLayer
        $p = $m | Invoke-ModelPredict -X @(, @(2, 4, 0, 0)) -AsMatrix
        @($p[0, 0], $p[0, 1]) | Should -Be @(1, 2)
    }

    It 'merges masks as Keras 3 does: Add ORs them, Concatenate with an unmasked input keeps every step' {
        # a: steps (1, 1), (0, 0) masked, (0, 0) masked; b: (0, 0) masked, (2, 2), (0, 0) masked. Add: steps 1 and 2 kept,
        # (1, 1) and (2, 2) averaged -> (1.5, 1.5). Concatenate with the unmasked b: all three steps -> (1/3, 1/3, 2/3, 2/3).
        $a = New-ModelInput -Shape 3, 2 -Name a; $b = New-ModelInput -Shape 3, 2 -Name b
        $am = $a | Add-MaskingLayer; $bm = $b | Add-MaskingLayer
        $inputs = @(@{ shape = [long[]](1, 3, 2); values = [float[]](1, 1, 0, 0, 0, 0) }, @{ shape = [long[]](1, 3, 2); values = [float[]](0, 0, 2, 2, 0, 0) })
        $added = New-Model -Inputs $a, $b -Outputs ($am | Add-AddLayer -With $bm | Add-GlobalAveragePooling1DLayer)
        Assert-Close (Invoke-EngineForward $added $inputs)[0] @(1.5, 1.5)
        $joined = New-Model -Inputs $a, $b -Outputs ($am | Add-ConcatenateLayer -With $b | Add-GlobalAveragePooling1DLayer)
        Assert-Close (Invoke-EngineForward $joined $inputs)[0] @((1 / 3), (1 / 3), (2 / 3), (2 / 3))
    }

    It 'gives BatchNormalization the moments of the unmasked steps while training (Keras 3''s _moments)' {
        # Steps (1, 2), (0, 0) masked, (3, 6): masked mean (2, 4) / (2 + 1e-7); moving_mean = 0.01 * mean after one batch.
        $m = New-Model -InputShape 6 | Add-ReshapeLayer 3, 2 | Add-MaskingLayer | Add-BatchNormalizationLayer |
            Build-Model -Optimizer sgd -Loss mse
        $null = $m | Invoke-ModelFit -X @(, @(1, 2, 0, 0, 3, 6)) -Y @(, @(0, 0, 0, 0, 0, 0)) -Epochs 1 -BatchSize 1
        $mean = ($m.Engine.Layers | Where-Object ClassName -eq 'BatchNormalization').Weights |
            Where-Object Name -eq 'moving_mean'
        Assert-Close $mean.ToArray() @(0.02, 0.04) 1e-6
    }

    It 'runs TimeDistributed(Dense) on a masked sequence and refuses TimeDistributed around a layer that reads masks' {
        $m = New-Model -InputShape 4 | Add-ReshapeLayer 2, 2 | Add-MaskingLayer |
            Add-TimeDistributedLayer (New-Model | Add-DenseLayer 1 -KernelInitializer ones -UseBias:$false)
        $p = $m | Invoke-ModelPredict -X @(, @(1, 2, 0, 0)) -AsMatrix
        @($p[0, 0], $p[0, 1]) | Should -Be @(3, 0)
        $r = New-Model -InputShape 8 | Add-ReshapeLayer 2, 2, 2 | Add-MaskingLayer |
            Add-TimeDistributedLayer (New-Model | Add-GlobalAveragePooling1DLayer)
        Get-ErrorId { $r | Invoke-ModelPredict -X @(, @(1, 2, 0, 0, 3, 4, 5, 6)) } | Should -Be 'MaskNotSupported'
    }

    It 'refuses a Softmax layer reading a sequence mask' {
        $m = New-Model -InputShape 4 | Add-ReshapeLayer 2, 2 | Add-MaskingLayer | Add-SoftmaxLayer
        Get-ErrorId { $m | Invoke-ModelPredict -X @(, @(1, 2, 0, 0)) } | Should -Be 'MaskNotSupported'
    }

    It 'keeps mask_value through <ext>' -ForEach @(@{ ext = 'kpt' }, @{ ext = 'keras' }, @{ ext = 'h5' }) {
        $m = New-Model -InputShape 6 -Seed 2 | Add-ReshapeLayer 3, 2 | Add-MaskingLayer -MaskValue -1 | Add-GRULayer 2
        $path = Join-Path $script:Work "masking.$ext"
        $m | Export-Checkpoint -Path $path
        $back = Import-Checkpoint -Path $path
        ($back.Engine.Layers | Where-Object ClassName -eq 'Masking').MaskValue | Should -Be -1
        $x = @(, @(0.5, 1, -1, -1, 2, 3))
        $before = $m | Invoke-ModelPredict -X $x -AsMatrix; $after = $back | Invoke-ModelPredict -X $x -AsMatrix
        Assert-Close @($after[0, 0], $after[0, 1]) @($before[0, 0], $before[0, 1]) 1e-6
    }

    It 'refuses ONNX export by name' {
        $m = New-Model -InputShape 6 | Add-ReshapeLayer 3, 2 | Add-MaskingLayer | Add-LSTMLayer 2
        Get-ErrorId { $m | Export-OnnxModel -Path (Join-Path $script:Work 'masking.onnx') } | Should -Be 'OnnxUnsupportedLayer'
        $e = New-Model -InputShape 3 | Add-EmbeddingLayer 5 2 -MaskZero | Add-LSTMLayer 2
        try { $e | Export-OnnxModel -Path (Join-Path $script:Work 'embedding.onnx'); throw 'exported' }
        catch { $_.Exception.Message | Should -Match 'mask_zero' }
    }
}

Describe 'Add-EmbeddingLayer -MaskZero' {
    It 'keeps mask_zero through <ext>' -ForEach @(@{ ext = 'kpt' }, @{ ext = 'keras' }, @{ ext = 'h5' }) {
        $m = New-Model -InputShape 4 -Seed 2 | Add-EmbeddingLayer 6 3 -MaskZero | Add-SimpleRNNLayer 2
        $path = Join-Path $script:Work "embedding.$ext"
        $m | Export-Checkpoint -Path $path
        $back = Import-Checkpoint -Path $path
        ($back.Engine.Layers | Where-Object ClassName -eq 'Embedding').MaskZero | Should -BeTrue
        $x = @(, @(3, 1, 0, 0))
        $before = $m | Invoke-ModelPredict -X $x -AsMatrix; $after = $back | Invoke-ModelPredict -X $x -AsMatrix
        Assert-Close @($after[0, 0], $after[0, 1]) @($before[0, 0], $before[0, 1]) 1e-6
    }
}

Describe 'Attention with masks against NumPy''s Keras equations' {
    BeforeAll {
        $script:ref = Get-Content -Raw (Join-Path $PSScriptRoot 'data/attention/masked.json') | ConvertFrom-Json -AsHashtable
        $script:inputs = @(@{ shape = [long[]](2, 4, 3); values = [float[]]$ref.query }, @{ shape = [long[]](2, 5, 3); values = [float[]]$ref.value })
    }

    It 'Attention masks the value steps and zeroes masked query steps<causal>' -ForEach @(@{ causal = '' }, @{ causal = ' with use_causal_mask' }) {
        $q = New-ModelInput -Shape 4, 3 -Name query; $v = New-ModelInput -Shape 5, 3 -Name value
        $qm = $q | Add-MaskingLayer; $vm = $v | Add-MaskingLayer
        $model = New-Model -Inputs $q, $v -Outputs ($qm | Add-AttentionLayer -Value $vm -UseCausalMask:([bool]$causal))
        $out = (Invoke-EngineForward $model $inputs)[0]
        Assert-Close $out $(if ($causal) { $ref.attention_causal_output } else { $ref.attention_output })
    }

    It 'gives the output the query''s mask (GlobalAveragePooling1D after Attention)' {
        $q = New-ModelInput -Shape 4, 3 -Name query; $v = New-ModelInput -Shape 5, 3 -Name value
        $qm = $q | Add-MaskingLayer; $vm = $v | Add-MaskingLayer
        $model = New-Model -Inputs $q, $v -Outputs ($qm | Add-AttentionLayer -Value $vm | Add-GlobalAveragePooling1DLayer)
        Assert-Close (Invoke-EngineForward $model $inputs)[0] $ref.attention_pooled
    }

    It 'AdditiveAttention masks the value steps and zeroes masked query steps<causal>' -ForEach @(@{ causal = '' }, @{ causal = ' with use_causal_mask' }) {
        $q = New-ModelInput -Shape 4, 3 -Name query; $v = New-ModelInput -Shape 5, 3 -Name value
        $qm = $q | Add-MaskingLayer; $vm = $v | Add-MaskingLayer
        $model = New-Model -Inputs $q, $v -Outputs ($qm | Add-AdditiveAttentionLayer -Value $vm -UseCausalMask:([bool]$causal)) -Seed 1
        $scale = @($model.Engine.Weights | Where-Object Name -like '*scale')
        $scale.Count | Should -Be 1
        $scale[0].Assign([float[]]$ref.additive_scale)
        $out = (Invoke-EngineForward $model $inputs)[0]
        Assert-Close $out $(if ($causal) { $ref.additive_causal_output } else { $ref.additive_output })
    }

    It 'MultiHeadAttention combines the query and value masks' {
        $q = New-ModelInput -Shape 4, 3 -Name query; $v = New-ModelInput -Shape 5, 3 -Name value
        $qm = $q | Add-MaskingLayer; $vm = $v | Add-MaskingLayer
        $model = New-Model -Inputs $q, $v -Outputs ($qm | Add-MultiHeadAttentionLayer 2 3 -Value $vm -ValueDim 2 -OutputShape 4) -Seed 1
        foreach ($w in $model.Engine.Weights) { $w.Assign([float[]]$ref.mha_weights[$w.Name]) }
        Assert-Close (Invoke-EngineForward $model $inputs)[0] $ref.mha_output
    }
}

Describe 'The loss of a masked sequence output' {
    It 'weighs each step by the mask, as Keras 3 does (hand-computed)' {
        # Dense(1) with kernel (1, 1) and bias 0 on steps (x1, x2): output x1 + x2. Row 1: steps (1, 2), (0, 0) masked,
        # (2, 2); targets 2, 9, 5: squared errors 1 and 1 (the masked 81 left out). Row 2: (3, 0) then two masked steps;
        # target 1: error 4. Keras: sum(loss * mask) / count(mask) = (1 + 1 + 4) / 3 = 2.
        $m = New-Model -InputShape 6 | Add-ReshapeLayer 3, 2 | Add-MaskingLayer |
            Add-DenseLayer 1 -KernelInitializer ones -UseBias:$false | Build-Model -Optimizer sgd -Loss mse
        $r = $m | Invoke-ModelEvaluate -X @(@(1, 2, 0, 0, 2, 2), @(3, 0, 0, 0, 0, 0)) -Y @(@(2, 9, 5), @(1, 7, 7))
        [math]::Round($r.Loss, 5) | Should -Be 2
        # With the mask dropped (a Reshape in between) every step counts: (1 + 81 + 1 + 4 + 49 + 49) / 6.
        $plain = New-Model -InputShape 6 | Add-ReshapeLayer 3, 2 | Add-MaskingLayer | Add-ReshapeLayer 3, 2 |
            Add-DenseLayer 1 -KernelInitializer ones -UseBias:$false | Build-Model -Optimizer sgd -Loss mse
        $p = $plain | Invoke-ModelEvaluate -X @(@(1, 2, 0, 0, 2, 2), @(3, 0, 0, 0, 0, 0)) -Y @(@(2, 9, 5), @(1, 7, 7))
        [math]::Round($p.Loss, 5) | Should -Be ([math]::Round(185 / 6, 5))
    }

    It 'weighs the training loss by the mask too (Invoke-ModelFit, one batch: the loss before the step)' {
        $m = New-Model -InputShape 6 | Add-ReshapeLayer 3, 2 | Add-MaskingLayer |
            Add-DenseLayer 1 -KernelInitializer ones -UseBias:$false | Build-Model -Optimizer sgd -Loss mse
        $h = $m | Invoke-ModelFit -X @(@(1, 2, 0, 0, 2, 2), @(3, 0, 0, 0, 0, 0)) -Y @(@(2, 9, 5), @(1, 7, 7)) -Epochs 1 -BatchSize 2
        [math]::Round(@($h)[-1].Loss, 5) | Should -Be 2
    }

    It 'refuses metrics on an output that carries a mask' {
        $m = New-Model -InputShape 6 | Add-ReshapeLayer 3, 2 | Add-MaskingLayer | Add-DenseLayer 1 |
            Build-Model -Optimizer sgd -Loss mse -Metrics mae
        Get-ErrorId { $m | Invoke-ModelEvaluate -X @(, @(1, 2, 0, 0, 2, 2)) -Y @(, @(2, 9, 5)) } | Should -Be 'MaskedMetricsUnsupported'
    }
}
