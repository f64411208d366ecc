# Every layer through the shared harness (tests/LayerHarness.ps1). Expected output shapes and parameter counts
# are the ones Keras 3 reports for the configuration named in each case's comment.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/LayerHarness.ps1
}

Describe 'Layer harness' {
    It '<Case>' -ForEach @(
        # keras.layers.Dense(4) on Input((3, 5)): applies to the last axis -> (None, 3, 4), 5*4+4 = 24
        @{ Case = 'Dense on 3-D input'; Add = { param($m) $m | Add-DenseLayer 4 }; In = 3, 5; Out = '(None, 3, 4)'; P = 24 }
        # Dense(4, use_bias=False) on Input((5,)) -> 20
        @{ Case = 'Dense without bias'; Add = { param($m) $m | Add-DenseLayer 4 -UseBias:$false }; In = , 5; Out = '(None, 4)'; P = 20 }
        # Dense(3, kernel_regularizer=L1L2(0.01, 0.02), kernel_constraint=MaxNorm(2), activity_regularizer=L2(0.01)) on (6,) -> 21
        @{ Case = 'Dense with regularizers and constraints'; Add = { param($m) $m | Add-DenseLayer 3 -Activation relu -KernelRegularizer (New-Regularizer -L1 0.01 -L2 0.02) -BiasRegularizer l2 -ActivityRegularizer l2 -KernelConstraint (New-Constraint max_norm -MaxValue 2) -BiasConstraint non_neg -KernelInitializer he_normal -BiasInitializer (New-Initializer constant -Value 0.1) }; In = , 6; Out = '(None, 3)'; P = 21 }
        # Flatten on Input((4, 3, 2)) -> (None, 24)
        @{ Case = 'Flatten'; Add = { param($m) $m | Add-FlattenLayer }; In = 4, 3, 2; Out = '(None, 24)'; P = 0 }
        # Reshape((-1, 4)) on Input((12,)) -> (None, 3, 4)
        @{ Case = 'Reshape with one -1'; Add = { param($m) $m | Add-ReshapeLayer -TargetShape -1, 4 }; In = , 12; Out = '(None, 3, 4)'; P = 0 }
        # Permute((2, 1)) on Input((10, 64)) -> (None, 64, 10)  (the Keras docs' example)
        @{ Case = 'Permute'; Add = { param($m) $m | Add-PermuteLayer -Dims 2, 1 }; In = 10, 64; Out = '(None, 64, 10)'; P = 0 }
        # RepeatVector(3) on Input((5,)) -> (None, 3, 5)
        @{ Case = 'RepeatVector'; Add = { param($m) $m | Add-RepeatVectorLayer 3 }; In = , 5; Out = '(None, 3, 5)'; P = 0 }
        # Lambda(lambda x: x[:, 0:3] * 2) on Input((10,)) -> (None, 3)
        @{ Case = 'Lambda expression'; Add = { param($m) $m | Add-LambdaLayer -Expression 'x[:, 0:3] * 2' }; In = , 10; Out = '(None, 3)'; P = 0 }
        # Lambda(lambda x: ops.mean(x, axis=1)) on Input((4, 6)) -> (None, 6)
        @{ Case = 'Lambda reduction'; Add = { param($m) $m | Add-LambdaLayer -Expression 'mean(x, 1) + relu(x[:, 0])' }; In = 4, 6; Out = '(None, 6)'; P = 0 }
        # ActivityRegularization(l1=0.01) on Input((6,)) -> (None, 6)
        @{ Case = 'ActivityRegularization'; Add = { param($m) $m | Add-ActivityRegularizationLayer -L1 0.01 -L2 0.001 }; In = , 6; Out = '(None, 6)'; P = 0 }
        # LeakyReLU / ELU / ReLU / Softmax on Input((6,)) keep the shape, no weights
        @{ Case = 'LeakyReLU'; Add = { param($m) $m | Add-LeakyReLULayer -NegativeSlope 0.1 }; In = , 6; Out = '(None, 6)'; P = 0 }
        @{ Case = 'ELU'; Add = { param($m) $m | Add-ELULayer -Alpha 0.5 }; In = , 6; Out = '(None, 6)'; P = 0 }
        @{ Case = 'ReLU'; Add = { param($m) $m | Add-ReLULayer -MaxValue 6 -NegativeSlope 0.1 -Threshold 0.1 }; In = , 6; Out = '(None, 6)'; P = 0 }
        @{ Case = 'Softmax'; Add = { param($m) $m | Add-SoftmaxLayer -Axis 1 }; In = 3, 4; Out = '(None, 3, 4)'; P = 0 }
        # PReLU() on Input((4, 3)): alpha (4, 3) -> 12; PReLU(shared_axes=[1]) -> alpha (1, 3) -> 3
        @{ Case = 'PReLU'; Add = { param($m) $m | Add-PReLULayer -AlphaInitializer (New-Initializer constant -Value 0.25) }; In = 4, 3; Out = '(None, 4, 3)'; P = 12 }
        @{ Case = 'PReLU with shared axes'; Add = { param($m) $m | Add-PReLULayer -SharedAxes 1 }; In = 4, 3; Out = '(None, 4, 3)'; P = 3 }
        # BatchNormalization() on Input((8,)) -> 4*8 = 32 params, 16 non-trainable (moving mean and variance)
        @{ Case = 'BatchNormalization'; Add = { param($m) $m | Add-BatchNormalizationLayer }; In = , 8; Out = '(None, 8)'; P = 32; NT = 16 }
        # BatchNormalization(center=False) on Input((4, 8)) -> gamma + moving stats = 24, 16 non-trainable
        @{ Case = 'BatchNormalization without center'; Add = { param($m) $m | Add-BatchNormalizationLayer -Center:$false -Momentum 0.9 }; In = 4, 8; Out = '(None, 4, 8)'; P = 24; NT = 16 }
        # LayerNormalization() on Input((8,)) -> 16
        @{ Case = 'LayerNormalization'; Add = { param($m) $m | Add-LayerNormalizationLayer }; In = , 8; Out = '(None, 8)'; P = 16 }
        @{ Case = 'GaussianNoise'; Add = { param($m) $m | Add-GaussianNoiseLayer 0.1 }; In = , 6; Out = '(None, 6)'; P = 0 }
        @{ Case = 'AlphaDropout'; Add = { param($m) $m | Add-AlphaDropoutLayer 0.2 }; In = , 6; Out = '(None, 6)'; P = 0 }
        # Conv1D(16, 5) on Input((20, 8)) -> (None, 16, 16), 5*8*16+16 = 656
        @{ Case = 'Conv1D'; Add = { param($m) $m | Add-Conv1DLayer 16 5 -Activation relu }; In = 20, 8; Out = '(None, 16, 16)'; P = 656 }
        # Conv1D(4, 3, strides=2, padding='same') on Input((9, 2)) -> ceil(9/2) = 5 -> (None, 5, 4), 3*2*4+4 = 28
        @{ Case = 'Conv1D same, strided'; Add = { param($m) $m | Add-Conv1DLayer 4 3 -Strides 2 -Padding same }; In = 9, 2; Out = '(None, 5, 4)'; P = 28 }
        # Conv1D(2, 3, padding='causal', dilation_rate=2) on Input((6, 1)) -> (None, 6, 2), 3*1*2+2 = 8
        @{ Case = 'Conv1D causal, dilated'; Add = { param($m) $m | Add-Conv1DLayer 2 3 -Padding causal -DilationRate 2 }; In = 6, 1; Out = '(None, 6, 2)'; P = 8 }
        # Conv2D(32, 3) on Input((28, 28, 1)) -> (None, 26, 26, 32), 320
        @{ Case = 'Conv2D'; Add = { param($m) $m | Add-Conv2DLayer 32 3 -Activation relu }; In = 28, 28, 1; Out = '(None, 26, 26, 32)'; P = 320 }
        # Conv2D(8, 3, strides=2, padding='same') on Input((7, 7, 3)) -> (None, 4, 4, 8), 3*3*3*8+8 = 224
        @{ Case = 'Conv2D same, strided'; Add = { param($m) $m | Add-Conv2DLayer 8 3 -Strides 2 -Padding same -KernelRegularizer l2 -KernelConstraint (New-Constraint max_norm -Axis 0, 1, 2) }; In = 7, 7, 3; Out = '(None, 4, 4, 8)'; P = 224 }
        # Conv2D(4, (2, 3), data_format='channels_first', use_bias=False) on Input((3, 5, 6)) -> (None, 4, 4, 4), 2*3*3*4 = 72
        @{ Case = 'Conv2D channels_first'; Add = { param($m) $m | Add-Conv2DLayer 4 2, 3 -DataFormat channels_first -UseBias:$false }; In = 3, 5, 6; Out = '(None, 4, 4, 4)'; P = 72 }
        # MaxPooling1D(2) on Input((10, 3)) -> (None, 5, 3)
        @{ Case = 'MaxPooling1D'; Add = { param($m) $m | Add-MaxPooling1DLayer 2 }; In = 10, 3; Out = '(None, 5, 3)'; P = 0 }
        # MaxPooling2D() on Input((7, 7, 2)) -> (None, 3, 3, 2); pool 3, strides 2, same -> (None, 4, 4, 2)
        @{ Case = 'MaxPooling2D'; Add = { param($m) $m | Add-MaxPooling2DLayer }; In = 7, 7, 2; Out = '(None, 3, 3, 2)'; P = 0 }
        @{ Case = 'MaxPooling2D same'; Add = { param($m) $m | Add-MaxPooling2DLayer 3 -Strides 2 -Padding same }; In = 7, 7, 2; Out = '(None, 4, 4, 2)'; P = 0 }
        # AveragePooling1D(2) on Input((10, 3)) -> (None, 5, 3); AveragePooling2D(2, padding='same') on (7, 7, 3) -> (None, 4, 4, 3)
        @{ Case = 'AveragePooling1D'; Add = { param($m) $m | Add-AveragePooling1DLayer 2 }; In = 10, 3; Out = '(None, 5, 3)'; P = 0 }
        @{ Case = 'AveragePooling2D same'; Add = { param($m) $m | Add-AveragePooling2DLayer 2 -Padding same }; In = 7, 7, 3; Out = '(None, 4, 4, 3)'; P = 0 }
        # GlobalAveragePooling1D on Input((10, 3)) -> (None, 3); GlobalAveragePooling2D on (5, 5, 4) -> (None, 4)
        @{ Case = 'GlobalAveragePooling1D'; Add = { param($m) $m | Add-GlobalAveragePooling1DLayer }; In = 10, 3; Out = '(None, 3)'; P = 0 }
        @{ Case = 'GlobalAveragePooling2D'; Add = { param($m) $m | Add-GlobalAveragePooling2DLayer }; In = 5, 5, 4; Out = '(None, 4)'; P = 0 }
        # Embedding(1000, 16) on Input((20,)) -> (None, 20, 16), 16,000
        @{ Case = 'Embedding'; Add = { param($m) $m | Add-EmbeddingLayer 1000 16 }; In = , 20; Out = '(None, 20, 16)'; P = 16000; Tokens = 1000 }
        # SimpleRNN(16) on Input((10, 3)) -> (None, 16), 3*16 + 16*16 + 16 = 320
        @{ Case = 'SimpleRNN'; Add = { param($m) $m | Add-SimpleRNNLayer 16 }; In = 10, 3; Out = '(None, 16)'; P = 320 }
        @{ Case = 'SimpleRNN returning sequences'; Add = { param($m) $m | Add-SimpleRNNLayer 16 -ReturnSequences -GoBackwards }; In = 10, 3; Out = '(None, 10, 16)'; P = 320 }
        # LSTM(64) on Input((5, 100)) -> (None, 64), 4*(100*64 + 64*64 + 64) = 42,240
        @{ Case = 'LSTM'; Add = { param($m) $m | Add-LSTMLayer 64 }; In = 5, 100; Out = '(None, 64)'; P = 42240 }
        # LSTM(8, return_sequences=True) on Input((6, 4)) -> (None, 6, 8), 4*(4*8 + 8*8 + 8) = 416
        @{ Case = 'LSTM returning sequences'; Add = { param($m) $m | Add-LSTMLayer 8 -ReturnSequences }; In = 6, 4; Out = '(None, 6, 8)'; P = 416 }
        # GRU(32) on Input((10, 10)) (reset_after=True) -> 3*(10*32 + 32*32 + 2*32) = 4,224
        @{ Case = 'GRU'; Add = { param($m) $m | Add-GRULayer 32 }; In = 10, 10; Out = '(None, 32)'; P = 4224 }
        # GRU(4, reset_after=False) on Input((5, 3)) -> 3*(3*4 + 4*4 + 4) = 96
        @{ Case = 'GRU without reset_after'; Add = { param($m) $m | Add-GRULayer 4 -ResetAfter:$false -ReturnSequences }; In = 5, 3; Out = '(None, 5, 4)'; P = 96 }
    ) {
        $nt = if ($NT) { $NT } else { 0 }
        $tok = if ($Tokens) { $Tokens } else { 0 }
        Invoke-LayerTest -AddLayer $Add -InputShape $In -ExpectedOutputShape $Out -ExpectedParams $P -ExpectedNonTrainableParams $nt -TokenRange $tok
    }

    It 'round-trips a script-block Lambda only when unsafe code is allowed, and marks it unsafe' {
        Invoke-LayerTest -AddLayer { param($m) $m | Add-LambdaLayer -ScriptBlock { $x.abs() } } -InputShape 6 -ExpectedOutputShape '(None, 6)' -AllowUnsafeCode
    }
}

Describe 'Layer registry' {
    BeforeAll {
        $script:Registry = Get-KerasType 'KerasPS.Engine.Layers.LayerRegistry'
        function New-Config([hashtable] $Values) {
            $d = [Collections.Generic.Dictionary[string, object]]::new()
            foreach ($k in $Values.Keys) { $d[$k] = $Values[$k] }
            , $d
        }
        # The KerasException a direct engine call throws (PowerShell wraps it in a MethodInvocationException).
        function Get-EngineError([scriptblock] $ScriptBlock) {
            try { & $ScriptBlock | Out-Null } catch { $e = $_.Exception; while ($e -and $e.GetType().Name -ne 'KerasException') { $e = $e.InnerException }; return $e }
        }
    }

    It 'knows every layer class of the engine, each under the Keras name the class itself reports' {
        $layerType = Get-KerasType 'KerasPS.Engine.Layers.Layer'
        $classes = @($layerType.Assembly.GetTypes() | Where-Object { $_.IsSubclassOf($layerType) -and -not $_.IsAbstract })
        $classes.Count | Should -Be 31
        $script:Registry::ClassNames.Count | Should -Be $classes.Count
        foreach ($name in $script:Registry::ClassNames) {
            $script:Registry::TypeOf($name) | Should -BeIn $classes
        }
        $script:Registry::TypeOf('Activation').Name | Should -Be 'ActivationLayer'
    }

    It 'fills keys a config leaves out with the defaults of the class, which the cmdlets show too' {
        $bn = $script:Registry::FromConfig('BatchNormalization', (New-Config @{ name = 'bn' }), $false)
        $bn.Momentum | Should -Be 0.99
        $bn.Epsilon | Should -Be 0.001
        (Get-Command Add-BatchNormalizationLayer).Parameters.Keys | Should -Contain 'Momentum'
        $m = New-Model -InputShape 4 | Add-BatchNormalizationLayer
        $m.Engine.Layers[0].Momentum | Should -Be $bn.Momentum
        $script:Registry::FromConfig('LeakyReLU', (New-Config @{}), $false).NegativeSlope | Should -Be 0.3
        $script:Registry::FromConfig('LSTM', (New-Config @{ units = 2 }), $false).RecurrentInitializer.Name | Should -Be 'orthogonal'
    }

    It 'refuses a Keras option that KerasPS runs only at its default, naming it, with UnsupportedLayerOption' {

        $script:Registry::FromConfig('GRU', (New-Config @{ units = 2; stateful = $false; dropout = 0.0 }), $false).Units | Should -Be 2
    }

    It 'writes initializers, regularizers and constraints as Keras 3 serializes them, and reads both that and the older snake-case form' {
        $config = (New-Model -InputShape 4 | Add-DenseLayer 2 -KernelInitializer he_normal -KernelRegularizer l2 -KernelConstraint max_norm).Engine.Layers[0].GetConfig()
        $config.kernel_initializer.module | Should -Be 'keras.initializers'
        $config.kernel_initializer.class_name | Should -Be 'HeNormal'
        $config.kernel_initializer.config.ContainsKey('seed') | Should -BeTrue
        $config.bias_initializer.class_name | Should -Be 'Zeros'
        $config.kernel_regularizer.module | Should -Be 'keras.regularizers'
        $config.kernel_regularizer.class_name | Should -Be 'L1L2'
        $config.kernel_constraint.module | Should -Be 'keras.constraints'
        $config.kernel_constraint.class_name | Should -Be 'MaxNorm'
        $keras = New-Config @{ units = 2; kernel_initializer = (New-Config @{ class_name = 'RandomUniform'; config = (New-Config @{ minval = -0.1; maxval = 0.1; seed = $null }) })
            kernel_constraint = (New-Config @{ class_name = 'MinMaxNorm'; config = (New-Config @{ min_value = 0.5; max_value = 1.5; rate = 1.0; axis = 0 }) }) }
        $dense = $script:Registry::FromConfig('Dense', $keras, $false)
        $dense.KernelInitializer.Name | Should -Be 'random_uniform'
        $dense.KernelInitializer.MaxVal | Should -Be 0.1
        $dense.KernelConstraint.Name | Should -Be 'min_max_norm'
        $old = New-Config @{ units = 2; kernel_initializer = (New-Config @{ class_name = 'he_normal'; config = (New-Config @{}) }) }
        $script:Registry::FromConfig('Dense', $old, $false).KernelInitializer.Name | Should -Be 'he_normal'
    }

    It 'refuses an unknown class with UnknownLayerClass, listing the known ones' {
        $err = Get-EngineError { $script:Registry::FromConfig('Mystery', (New-Config @{}), $false) }
        $err.ErrorId | Should -Be 'UnknownLayerClass'
        $err.Message | Should -BeLike '*Known classes: Activation, ActivityRegularization, *'
    }
}
