# Every layer's test cases in one table. Each row names a case, a script block that adds the layer(s) to a model
# (Add), and the input shape without the batch axis (In); the fields it carries decide which tests take it:
#   Out, P, NT, Tokens  the layer harness (tests/Layers.Tests.ps1 through tests/LayerHarness.ps1): the output shape
#                       and parameter count Keras reports for the configuration in the comment above the row
#                       (NT non-trainable), config round trip, one training step; Tokens gives integer inputs
#   Row, Expected       the values test (tests/LayerValues.Tests.ps1): one input row of shape In, and the output
#                       worked out by hand from Keras's definition (rounded to 4 places)
#   Onnx = $true        the ONNX test (tests/Export-OnnxModel.Tests.ps1): ONNX Runtime gives what
#                       Invoke-ModelPredict gives on the exported model
# A new layer adds its rows here, under its name; tests/Layers.Tests.ps1 fails while a registered layer lacks a
# harness, values or ONNX case, unless it is in $LayerCasesNotExportable with the reason.
# Dot-sourced at discovery (the test names) and in BeforeAll (the script blocks).

# Registered layers without an ONNX form, each with the reason (the exporter refuses them with OnnxUnsupportedLayer).
$script:LayerCasesNotExportable = @{
    Hashing = 'ONNX has no FarmHash or SipHash operator (the layer hashes the decimal text of each value)'
    TextVectorization = 'string standardization and splitting have no ONNX operators; KerasPS runs the layer on the host'
    StringLookup = 'it takes strings, which KerasPS encodes on the host before the model runs'
    IntegerLookup = 'its vocabulary table runs on the host (an ONNX LabelEncoder form is not written yet)'
    Masking = 'ONNX has no mask beside a tensor, and the layers after Masking (recurrent layers, pooling) read it'
}

$script:OnnxActivationNames = @('linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'log_softmax', 'elu', 'selu', 'softplus',
    'softsign', 'gelu', 'swish', 'silu', 'leaky_relu', 'hard_sigmoid', 'hard_sigmoid_keras2', 'hard_silu', 'hard_swish', 'mish', 'exponential')

# A functional block inside a case's Sequential model (Keras: a Functional used as a layer): $Build gets an input tensor of
# the model's current output shape and returns the block's output tensor; the block joins the model as one nested layer.
# Get-CaseClass in tests/Layers.Tests.ps1 counts the block's own layers (InputLayer, the merge layers) and Functional.
function global:Add-FunctionalBlock($Model, [scriptblock] $Build) {
    $engine = $Model.Engine
    $shape = if ($engine.Layers.Count -gt 0) { $engine.Layers[-1].OutputShape } else { $engine.InputShape }
    $x = New-ModelInput -Shape $shape
    $block = New-Model -Inputs $x -Outputs (& $Build $x) -Name "block_$($engine.Layers.Count)" -Seed 5
    $Model | Add-ModelLayer -Layer $block
}

$script:LayerCases = @(
    # Dense
    # keras.layers.Dense(4) on Input((3, 5)): applies to the last axis -> (None, 3, 4), 5*4+4 = 24
    @{ Case = 'Dense on 3-D input'; Add = { param($m) $m | Add-DenseLayer 4 }; In = 3, 5; Out = '(None, 3, 4)'; P = 24; Onnx = $true }
    # Dense(4, use_bias=False) on Input((5,)) -> 20
    @{ Case = 'Dense without bias'; Add = { param($m) $m | Add-DenseLayer 4 -UseBias:$false }; In = , 5; Out = '(None, 4)'; P = 20 }
    # Dense(3, kernel_regularizer=L1L2(0.01, 0.02), kernel_constraint=MaxNorm(2), activity_regularizer=L2(0.01)) on (6,) -> 21
    @{ Case = 'Dense with regularizers and constraints'; In = , 6; Out = '(None, 3)'; P = 21
        Add = {
            param($m)
            $rules = @{ KernelRegularizer = (New-Regularizer -L1 0.01 -L2 0.02); BiasRegularizer = 'l2'; ActivityRegularizer = 'l2'
                KernelConstraint = (New-Constraint max_norm -MaxValue 2); BiasConstraint = 'non_neg'
                KernelInitializer = 'he_normal'; BiasInitializer = (New-Initializer constant -Value 0.1) }
            $m | Add-DenseLayer 3 -Activation relu @rules
        } }
    # kernel of ones, bias 0.5: each unit is 1 + 2 + 3 + 0.5 = 6.5
    @{ Case = 'Dense: x @ kernel + bias'; In = , 3; Row = @(1, 2, 3); Expected = @(6.5, 6.5)
        Add = { param($m) $m | Add-DenseLayer 2 -KernelInitializer ones -BiasInitializer (New-Initializer constant -Value 0.5) } }
    @{ Case = 'Dense without bias, relu'; In = , 5; Onnx = $true
        Add = { param($m) $m | Add-DenseLayer 4 -UseBias:$false -Activation relu } }
    # Embedding
    # Embedding(1000, 16) on Input((20,)) -> (None, 20, 16), 16,000
    @{ Case = 'Embedding'; In = , 20; Out = '(None, 20, 16)'; P = 16000; Tokens = 1000
        Add = { param($m) $m | Add-EmbeddingLayer 1000 16 } }
    # Embedding rows are the table's rows: ids 2 and 0 with embeddings[i] = constant 0.5 everywhere.
    @{ Case = 'Embedding looks up rows'; In = , 2; Row = @(2, 0); Expected = @(0.5, 0.5, 0.5, 0.5)
        Add = { param($m) $m | Add-EmbeddingLayer 3 2 -EmbeddingsInitializer (New-Initializer constant -Value 0.5) } }
    @{ Case = 'Embedding'; Add = { param($m) $m | Add-EmbeddingLayer 50 8 }; In = , 20; Tokens = 50; Onnx = $true }
    # Lambda
    # Lambda(lambda x: x[:, 0:3] * 2) on Input((10,)) -> (None, 3)
    @{ Case = 'Lambda expression'; In = , 10; Out = '(None, 3)'; P = 0; Onnx = $true
        Add = { param($m) $m | Add-LambdaLayer -Expression 'x[:, 0:3] * 2' } }
    # Lambda(lambda x: ops.mean(x, axis=1)) on Input((4, 6)) -> (None, 6)
    @{ Case = 'Lambda reduction'; In = 4, 6; Out = '(None, 6)'; P = 0; Onnx = $true
        Add = { param($m) $m | Add-LambdaLayer -Expression 'mean(x, 1) + relu(x[:, 0])' } }
    @{ Case = 'Lambda: the expression on each row'; In = , 2; Row = @(1, -2); Expected = @(3, -3)
        Add = { param($m) $m | Add-LambdaLayer -Expression 'x * 2 + 1' } }
    @{ Case = 'Lambda arithmetic and functions'; In = , 6; Onnx = $true
        Add = {
            param($m)
            $e = '-x / 2 + 1 - square(x) * abs(x) ** 2 + clip(x, -0.5, 0.5) + pow(abs(x), 1.5) + exp(x) - sqrt(abs(x) + 1) + ' +
                'sin(x) * cos(x) + sign(x) + floor(x) + ceil(x) + round(x * 3) + negative(x) + maximum(x, 0.1) + minimum(x, -0.1) + ' +
                'maximum(x, sigmoid(x)) + 2 / (abs(x) + 1) + log(abs(x) + 1)'
            $m | Add-LambdaLayer -Expression $e
        } }
    @{ Case = 'Lambda index, step slice and reductions'; In = 4, 6; Onnx = $true
        Add = {
            param($m)
            $e = 'sum(x[:, -1, 0:6:2], 1, 1) + max(x[:, 1], -1, 1) - min(x[:, 2], 1, 1) + prod(x[:, 0, 1:3], 1, 1) + mean(x, 2)[:, 1:2]'
            $m | Add-LambdaLayer -Expression $e
        } }
    # Activation
    @{ Case = 'Activation'; Add = { param($m) $m | Add-ActivationLayer tanh }; In = , 6; Out = '(None, 6)'; P = 0 }
    # sigmoid(0) = 0.5, sigmoid(2) = 1 / (1 + e^-2) = 0.8808
    @{ Case = 'Activation: a named activation'; In = , 2; Row = @(0, 2); Expected = @(0.5, 0.8808)
        Add = { param($m) $m | Add-ActivationLayer sigmoid } }
    foreach ($a in $OnnxActivationNames) {
        @{ Case = "Activation $a"; Add = [scriptblock]::Create("param(`$m) `$m | Add-ActivationLayer $a"); In = 3, 4; Onnx = $true }
    }
    # LeakyReLU
    # LeakyReLU / ELU / ReLU / Softmax on Input((6,)) keep the shape, no weights
    @{ Case = 'LeakyReLU'; In = , 6; Out = '(None, 6)'; P = 0; Onnx = $true
        Add = { param($m) $m | Add-LeakyReLULayer -NegativeSlope 0.1 } }
    @{ Case = 'LeakyReLU: Keras 3 default slope 0.3'; In = , 3; Row = @(-2, 0, 2); Expected = @(-0.6, 0, 2)
        Add = { param($m) $m | Add-LeakyReLULayer } }
    # PReLU
    # PReLU() on Input((4, 3)): alpha (4, 3) -> 12; PReLU(shared_axes=[1]) -> alpha (1, 3) -> 3
    @{ Case = 'PReLU'; In = 4, 3; Out = '(None, 4, 3)'; P = 12
        Add = { param($m) $m | Add-PReLULayer -AlphaInitializer (New-Initializer constant -Value 0.25) } }
    @{ Case = 'PReLU with shared axes'; In = 4, 3; Out = '(None, 4, 3)'; P = 3; Onnx = $true
        Add = { param($m) $m | Add-PReLULayer -SharedAxes 1 } }
    @{ Case = 'PReLU: alpha from its initializer'; In = , 2; Row = @(-4, 4); Expected = @(-1, 4)
        Add = { param($m) $m | Add-PReLULayer -AlphaInitializer (New-Initializer constant -Value 0.25) } }
    @{ Case = 'PReLU'; Add = { param($m) $m | Add-PReLULayer }; In = 4, 3; Onnx = $true }
    # ELU
    @{ Case = 'ELU'; Add = { param($m) $m | Add-ELULayer -Alpha 0.5 }; In = , 6; Out = '(None, 6)'; P = 0; Onnx = $true }
    @{ Case = 'ELU: alpha (exp(x) - 1) below 0'; In = , 2; Row = @(-1, 3); Expected = @([math]::Round(2 * ([math]::Exp(-1) - 1), 4), 3)
        Add = { param($m) $m | Add-ELULayer -Alpha 2 } }
    # ReLU
    @{ Case = 'ReLU'; In = , 6; Out = '(None, 6)'; P = 0
        Add = { param($m) $m | Add-ReLULayer -MaxValue 6 -NegativeSlope 0.1 -Threshold 0.1 } }
    @{ Case = 'ReLU: plain max(x, 0)'; In = , 4; Row = @(-2, -0.5, 0.5, 8); Expected = @(0, 0, 0.5, 8)
        Add = { param($m) $m | Add-ReLULayer } }
    # keras.activations.relu(x, negative_slope=0.1, max_value=6, threshold=1)
    @{ Case = 'ReLU: cap, slope and threshold'; In = , 4; Row = @(-2, 0.5, 3, 8); Expected = @(-0.3, -0.05, 3, 6)
        Add = { param($m) $m | Add-ReLULayer -MaxValue 6 -NegativeSlope 0.1 -Threshold 1 } }
    @{ Case = 'ReLU with max, slope and threshold'; In = , 6; Onnx = $true
        Add = { param($m) $m | Add-ReLULayer -MaxValue 0.6 -NegativeSlope 0.1 -Threshold 0.1 } }
    @{ Case = 'ReLU plain'; Add = { param($m) $m | Add-ReLULayer }; In = , 6; Onnx = $true }
    # Softmax
    @{ Case = 'Softmax'; Add = { param($m) $m | Add-SoftmaxLayer -Axis 1 }; In = 3, 4; Out = '(None, 3, 4)'; P = 0 }
    # Softmax over axis 1 of a (2, 2) input: each column sums to 1.
    @{ Case = 'Softmax along axis 1'; In = 2, 2; Row = @(0, 5, 0, 5); Expected = @(0.5, 0.5, 0.5, 0.5)
        Add = { param($m) $m | Add-SoftmaxLayer -Axis 1 } }
    @{ Case = 'Softmax on axis 1'; Add = { param($m) $m | Add-SoftmaxLayer -Axis 1 }; In = 3, 4; Onnx = $true }
    # Flatten
    # Flatten on Input((4, 3, 2)) -> (None, 24)
    @{ Case = 'Flatten'; Add = { param($m) $m | Add-FlattenLayer }; In = 4, 3, 2; Out = '(None, 24)'; P = 0; Onnx = $true }
    @{ Case = 'Flatten keeps row-major order'; In = 2, 2, 1; Row = @(1, 2, 3, 4); Expected = @(1, 2, 3, 4)
        Add = { param($m) $m | Add-FlattenLayer } }
    # Reshape
    # Reshape((-1, 4)) on Input((12,)) -> (None, 3, 4)
    @{ Case = 'Reshape with one -1'; In = , 12; Out = '(None, 3, 4)'; P = 0; Onnx = $true
        Add = { param($m) $m | Add-ReshapeLayer -TargetShape -1, 4 } }
    @{ Case = 'Reshape keeps row-major order'; In = , 6; Row = @(1, 2, 3, 4, 5, 6); Expected = @(1, 2, 3, 4, 5, 6)
        Add = { param($m) $m | Add-ReshapeLayer 3, 2 } }
    # Permute
    # Permute((2, 1)) on Input((10, 64)) -> (None, 64, 10)  (the Keras docs' example)
    @{ Case = 'Permute'; Add = { param($m) $m | Add-PermuteLayer -Dims 2, 1 }; In = 10, 64; Out = '(None, 64, 10)'; P = 0 }
    @{ Case = 'Permute swaps axes'; In = 2, 3; Row = @(1, 2, 3, 4, 5, 6); Expected = @(1, 4, 2, 5, 3, 6)
        Add = { param($m) $m | Add-PermuteLayer 2, 1 } }
    @{ Case = 'Permute'; Add = { param($m) $m | Add-PermuteLayer -Dims 2, 1 }; In = 10, 6; Onnx = $true }
    # RepeatVector
    # RepeatVector(3) on Input((5,)) -> (None, 3, 5)
    @{ Case = 'RepeatVector'; Add = { param($m) $m | Add-RepeatVectorLayer 3 }; In = , 5; Out = '(None, 3, 5)'; P = 0; Onnx = $true }
    @{ Case = 'RepeatVector repeats rows'; In = , 2; Row = @(7, 8); Expected = @(7, 8, 7, 8)
        Add = { param($m) $m | Add-RepeatVectorLayer 2 } }
    # Dropout
    @{ Case = 'Dropout'; Add = { param($m) $m | Add-DropoutLayer 0.5 }; In = , 6; Out = '(None, 6)'; P = 0 }
    @{ Case = 'Dropout is off at inference'; Add = { param($m) $m | Add-DropoutLayer 0.9 }; In = , 2; Row = @(1, 2); Expected = @(1, 2) }
    @{ Case = 'Dropout last'; Add = { param($m) $m | Add-DropoutLayer 0.3 }; In = , 6; Onnx = $true }
    # GaussianNoise
    @{ Case = 'GaussianNoise'; Add = { param($m) $m | Add-GaussianNoiseLayer 0.1 }; In = , 6; Out = '(None, 6)'; P = 0 }
    @{ Case = 'GaussianNoise is off at inference'; In = , 2; Row = @(1, 2); Expected = @(1, 2)
        Add = { param($m) $m | Add-GaussianNoiseLayer 5 } }
    # AlphaDropout
    @{ Case = 'AlphaDropout'; Add = { param($m) $m | Add-AlphaDropoutLayer 0.2 }; In = , 6; Out = '(None, 6)'; P = 0 }
    @{ Case = 'AlphaDropout is off at inference'; In = , 2; Row = @(1, 2); Expected = @(1, 2)
        Add = { param($m) $m | Add-AlphaDropoutLayer 0.5 } }
    # ActivityRegularization
    # ActivityRegularization(l1=0.01) on Input((6,)) -> (None, 6)
    @{ Case = 'ActivityRegularization'; In = , 6; Out = '(None, 6)'; P = 0
        Add = { param($m) $m | Add-ActivityRegularizationLayer -L1 0.01 -L2 0.001 } }
    @{ Case = 'ActivityRegularization passes its input through'; In = , 2; Row = @(1, 2); Expected = @(1, 2)
        Add = { param($m) $m | Add-ActivityRegularizationLayer -L2 1 } }
    # Normalization
    # Normalization() adapted to rows of 2 features: mean (2,), variance (2,) and count () -> 5, all non-trainable
    @{ Case = 'Normalization adapted'; In = , 2; Out = '(None, 2)'; P = 5; NT = 5
        Add = { param($m) $m | Add-NormalizationLayer -Adapt @(@(0, 10), @(2, 30)) } }
    # (x - mean) / sqrt(variance): (3 - 1) / 2 = 1, (0 - 2) / 1 = -2
    @{ Case = 'Normalization: (x - mean) / sqrt(variance)'; In = , 2; Row = @(3, 0); Expected = @(1, -2)
        Add = { param($m) $m | Add-NormalizationLayer -Mean 1, 2 -Variance 4, 1 } }
    @{ Case = 'Normalization'; In = , 4; Onnx = $true
        Add = { param($m) $m | Add-NormalizationLayer -Mean 0.1, -0.2, 0.3, 0 -Variance 0.5, 2, 1, 0.25 } }
    @{ Case = 'Normalization on axis 1 of 3-D input'; In = 3, 4; Onnx = $true
        Add = { param($m) $m | Add-NormalizationLayer -Axis 1 -Mean 0.1, -0.2, 0.3 -Variance 0.5, 2, 1 } }
    # Discretization
    # Discretization(bin_boundaries=[-0.5, 0., 0.5]) on Input((4,)) -> (None, 4), no weights
    @{ Case = 'Discretization'; In = , 4; Out = '(None, 4)'; P = 0; Onnx = $true
        Add = { param($m) $m | Add-DiscretizationLayer -BinBoundaries -0.5, 0, 0.5 } }
    # Keras's docstring: Discretization(bin_boundaries=[0., 1., 2.]) on [-1.5, 1.0, 3.4, .5] -> [0, 2, 3, 1]
    @{ Case = 'Discretization: bin indices as Keras''s docstring'; In = , 4; Row = @(-1.5, 1.0, 3.4, 0.5); Expected = @(0, 2, 3, 1)
        Add = { param($m) $m | Add-DiscretizationLayer -BinBoundaries 0, 1, 2 } }
    # output_mode='count': bins 0, 1, 1, 3 of 4 -> [1, 2, 0, 1]
    @{ Case = 'Discretization count'; In = , 4; Row = @(-1.5, 0.2, 0.7, 3.4); Expected = @(1, 2, 0, 1); Out = '(None, 4)'; P = 0
        Onnx = $true; Add = { param($m) $m | Add-DiscretizationLayer -BinBoundaries 0, 1, 2 -OutputMode count } }
    # output_mode='one_hot' on Input((3, 1)): the last axis of 1 is encoded in place -> (None, 3, 3)
    @{ Case = 'Discretization one_hot'; In = 3, 1; Out = '(None, 3, 3)'; P = 0; Onnx = $true
        Add = { param($m) $m | Add-DiscretizationLayer -BinBoundaries -0.2, 0.3 -OutputMode one_hot } }
    @{ Case = 'Discretization multi_hot'; In = , 5; Onnx = $true
        Add = { param($m) $m | Add-DiscretizationLayer -BinBoundaries -0.5, 0, 0.5 -OutputMode multi_hot } }
    # CategoryEncoding
    # CategoryEncoding(num_tokens=4) (multi_hot) on Input((2,)) -> (None, 4)
    @{ Case = 'CategoryEncoding'; In = , 2; Out = '(None, 4)'; P = 0; Tokens = 4
        Add = { param($m) $m | Add-CategoryEncodingLayer 4 } }
    # Keras's docstring, count mode: [3, 1] of 4 tokens -> [0, 1, 0, 1]; [1, 1] would be [0, 2, 0, 0]
    @{ Case = 'CategoryEncoding count'; In = , 3; Row = @(1, 3, 1); Expected = @(0, 2, 0, 1)
        Add = { param($m) $m | Add-CategoryEncodingLayer 4 -OutputMode count } }
    # one_hot on Input((1,)) -> (None, 4)
    @{ Case = 'CategoryEncoding one_hot'; In = , 1; Row = , 2; Expected = @(0, 0, 1, 0); Out = '(None, 4)'; P = 0; Tokens = 4
        Onnx = $true; Add = { param($m) $m | Add-CategoryEncodingLayer 4 -OutputMode one_hot } }
    @{ Case = 'CategoryEncoding multi_hot'; In = , 3; Tokens = 5; Onnx = $true; Add = { param($m) $m | Add-CategoryEncodingLayer 5 } }
    @{ Case = 'CategoryEncoding count'; In = , 6; Tokens = 3; Onnx = $true
        Add = { param($m) $m | Add-CategoryEncodingLayer 3 -OutputMode count } }
    # Hashing
    # Hashing(num_bins=3) on Input((2,)) -> (None, 2), no weights
    @{ Case = 'Hashing'; In = , 2; Out = '(None, 2)'; P = 0; Tokens = 100; Add = { param($m) $m | Add-HashingLayer 3 } }
    # Keras's hashing_test: Hashing(num_bins=3) of 0, 1, 2, 3, 4 -> 1, 0, 1, 0, 2
    @{ Case = 'Hashing integers as Keras''s tests'; In = , 5; Row = @(0, 1, 2, 3, 4); Expected = @(1, 0, 1, 0, 2)
        Add = { param($m) $m | Add-HashingLayer 3 } }
    # Hashing(num_bins=3, output_mode='count') of [0, 1, 2, 3, 4] -> [2, 2, 1] (Keras's test_count_output)
    @{ Case = 'Hashing count'; In = , 5; Row = @(0, 1, 2, 3, 4); Expected = @(2, 2, 1); Out = '(None, 3)'; P = 0
        Add = { param($m) $m | Add-HashingLayer 3 -OutputMode count } }
    # TextVectorization
    # TextVectorization(vocabulary=['a', 'b'], output_sequence_length=4) -> (None, 4), no weights. KerasPS encodes the strings on the
    # host, so the model's tensor input is already the layer's output: the (None, 4) token ids, which the layer passes on.
    @{ Case = 'TextVectorization'; In = , 4; Out = '(None, 4)'; P = 0
        Add = { param($m) $m | Add-TextVectorizationLayer -Vocabulary a, b -OutputSequenceLength 4 } }
    @{ Case = 'TextVectorization passes host-encoded ids on'; In = , 3; Row = @(2, 3, 0); Expected = @(2, 3, 0)
        Add = { param($m) $m | Add-TextVectorizationLayer -Vocabulary a, b -OutputSequenceLength 3 } }
    # StringLookup(vocabulary=['a', 'b', 'c'], output_mode='one_hot') -> (None, 4) (OOV first), no weights; host-encoded as above.
    @{ Case = 'StringLookup'; In = , 4; Out = '(None, 4)'; P = 0
        Add = { param($m) $m | Add-StringLookupLayer -Vocabulary a, b, c -OutputMode one_hot } }
    @{ Case = 'StringLookup passes host-encoded rows on'; In = , 4; Row = @(0, 0, 1, 0); Expected = @(0, 0, 1, 0)
        Add = { param($m) $m | Add-StringLookupLayer -Vocabulary a, b, c -OutputMode one_hot } }
    # IntegerLookup(vocabulary=[0, 1]) on Input((3,)) -> (None, 3), no weights
    @{ Case = 'IntegerLookup'; In = , 3; Out = '(None, 3)'; P = 0
        Add = { param($m) $m | Add-IntegerLookupLayer -Vocabulary 0, 1 } }
    # integer_lookup.py: vocabulary [12, 36, 1138, 42] maps 42 -> 4, the unseen 7 -> 0 (OOV), 12 -> 1
    @{ Case = 'IntegerLookup: vocabulary indices, OOV at 0'; In = , 3; Row = @(42, 7, 12); Expected = @(4, 0, 1)
        Add = { param($m) $m | Add-IntegerLookupLayer -Vocabulary 12, 36, 1138, 42 } }
    # BatchNormalization
    # BatchNormalization() on Input((8,)) -> 4*8 = 32 params, 16 non-trainable (moving mean and variance)
    @{ Case = 'BatchNormalization'; In = , 8; Out = '(None, 8)'; P = 32; NT = 16; Onnx = $true
        Add = { param($m) $m | Add-BatchNormalizationLayer } }
    # BatchNormalization(center=False) on Input((4, 8)) -> gamma + moving stats = 24, 16 non-trainable
    @{ Case = 'BatchNormalization without center'; In = 4, 8; Out = '(None, 4, 8)'; P = 24; NT = 16
        Add = { param($m) $m | Add-BatchNormalizationLayer -Center:$false -Momentum 0.9 } }
    # at inference, fresh statistics (mean 0, variance 1, gamma 1, beta 0): x / sqrt(1 + 0.001) -> 0.9995, 1.999
    @{ Case = 'BatchNormalization at inference'; In = , 2; Row = @(1, 2); Expected = @(0.9995, 1.999)
        Add = { param($m) $m | Add-BatchNormalizationLayer } }
    @{ Case = 'BatchNormalization without center on 3-D input'; In = 4, 8; Onnx = $true
        Add = { param($m) $m | Add-BatchNormalizationLayer -Center:$false } }
    # LayerNormalization
    # LayerNormalization() on Input((8,)) -> 16
    @{ Case = 'LayerNormalization'; In = , 8; Out = '(None, 8)'; P = 16; Onnx = $true
        Add = { param($m) $m | Add-LayerNormalizationLayer } }
    @{ Case = 'LayerNormalization per sample'; In = , 2; Row = @(1, 3); Expected = @(-1, 1)
        Add = { param($m) $m | Add-LayerNormalizationLayer -Epsilon 1e-9 } }
    @{ Case = 'LayerNormalization without scale'; In = 3, 8; Onnx = $true
        Add = { param($m) $m | Add-LayerNormalizationLayer -Scale:$false -Epsilon 0.01 } }
    # Conv1D
    # Conv1D(16, 5) on Input((20, 8)) -> (None, 16, 16), 5*8*16+16 = 656
    @{ Case = 'Conv1D'; In = 20, 8; Out = '(None, 16, 16)'; P = 656; Onnx = $true
        Add = { param($m) $m | Add-Conv1DLayer 16 5 -Activation relu } }
    # Conv1D(4, 3, strides=2, padding='same') on Input((9, 2)) -> ceil(9/2) = 5 -> (None, 5, 4), 3*2*4+4 = 28
    @{ Case = 'Conv1D same, strided'; In = 9, 2; Out = '(None, 5, 4)'; P = 28; Onnx = $true
        Add = { param($m) $m | Add-Conv1DLayer 4 3 -Strides 2 -Padding same } }
    # Conv1D(2, 3, padding='causal', dilation_rate=2) on Input((6, 1)) -> (None, 6, 2), 3*1*2+2 = 8
    @{ Case = 'Conv1D causal, dilated'; In = 6, 1; Out = '(None, 6, 2)'; P = 8; Onnx = $true
        Add = { param($m) $m | Add-Conv1DLayer 2 3 -Padding causal -DilationRate 2 } }
    # kernel (2, 1, 1) of ones, no bias, valid: sliding sums 1 + 2, 2 + 3
    @{ Case = 'Conv1D: sliding window sums'; In = 3, 1; Row = @(1, 2, 3); Expected = @(3, 5)
        Add = { param($m) $m | Add-Conv1DLayer 1 2 -KernelInitializer ones -UseBias:$false } }
    # Conv2D
    # Conv2D(32, 3) on Input((28, 28, 1)) -> (None, 26, 26, 32), 320
    @{ Case = 'Conv2D'; In = 28, 28, 1; Out = '(None, 26, 26, 32)'; P = 320
        Add = { param($m) $m | Add-Conv2DLayer 32 3 -Activation relu } }
    # Conv2D(8, 3, strides=2, padding='same') on Input((7, 7, 3)) -> (None, 4, 4, 8), 3*3*3*8+8 = 224
    @{ Case = 'Conv2D same, strided'; In = 7, 7, 3; Out = '(None, 4, 4, 8)'; P = 224
        Add = {
            param($m)
            $maxNorm = New-Constraint max_norm -Axis 0, 1, 2
            $m | Add-Conv2DLayer 8 3 -Strides 2 -Padding same -KernelRegularizer l2 -KernelConstraint $maxNorm
        } }
    # Conv2D(4, (2, 3), data_format='channels_first', use_bias=False) on Input((3, 5, 6)) -> (None, 4, 4, 4), 2*3*3*4 = 72
    @{ Case = 'Conv2D channels_first'; In = 3, 5, 6; Out = '(None, 4, 4, 4)'; P = 72; Onnx = $true
        Add = { param($m) $m | Add-Conv2DLayer 4 2, 3 -DataFormat channels_first -UseBias:$false } }
    # kernel (2, 2, 1, 1) of ones on a 2x2 image, no bias: one output, 1 + 2 + 3 + 4
    @{ Case = 'Conv2D: window sum'; In = 2, 2, 1; Row = @(1, 2, 3, 4); Expected = , 10
        Add = { param($m) $m | Add-Conv2DLayer 1 2 -KernelInitializer ones -UseBias:$false } }
    @{ Case = 'Conv2D'; Add = { param($m) $m | Add-Conv2DLayer 8 3 -Activation relu }; In = 8, 8, 1; Onnx = $true }
    @{ Case = 'Conv2D same, strided'; Add = { param($m) $m | Add-Conv2DLayer 8 3 -Strides 2 -Padding same }; In = 7, 7, 3; Onnx = $true }
    @{ Case = 'Conv2D dilated'; Add = { param($m) $m | Add-Conv2DLayer 3 3 -DilationRate 2 -Padding same }; In = 7, 6, 2; Onnx = $true }
    # DepthwiseConv2D
    # DepthwiseConv2D(3, depth_multiplier=2) on Input((8, 8, 4)) -> (None, 6, 6, 8), 3*3*4*2 + 4*2 = 80
    @{ Case = 'DepthwiseConv2D'; In = 8, 8, 4; Out = '(None, 6, 6, 8)'; P = 80; Onnx = $true
        Add = { param($m) $m | Add-DepthwiseConv2DLayer 3 relu -DepthMultiplier 2 } }
    # DepthwiseConv2D((2, 3), strides=2, padding='same', use_bias=False) on Input((7, 7, 3)) -> ceil(7/2) = 4 -> (None, 4, 4, 3), 2*3*3 = 18
    @{ Case = 'DepthwiseConv2D same, strided'; In = 7, 7, 3; Out = '(None, 4, 4, 3)'; P = 18; Onnx = $true
        Add = { param($m) $m | Add-DepthwiseConv2DLayer 2, 3 -Strides 2 -Padding same -UseBias:$false } }
    # DepthwiseConv2D(3, dilation_rate=2, padding='same', depthwise_regularizer=L2, depthwise_constraint=NonNeg) on (7, 6, 2)
    # -> (None, 7, 6, 2), 3*3*2 + 2 = 20
    @{ Case = 'DepthwiseConv2D dilated, regularized'; In = 7, 6, 2; Out = '(None, 7, 6, 2)'; P = 20; Onnx = $true
        Add = {
            param($m)
            $m | Add-DepthwiseConv2DLayer 3 -DilationRate 2 -Padding same -DepthwiseRegularizer l2 -DepthwiseConstraint non_neg
        } }
    # ones kernel (2, 2, 2, 2) on channels [1 3 5 7] and [2 4 6 8]: output channel c * 2 + m -> 16, 16, 20, 20
    @{ Case = 'DepthwiseConv2D: window sums per channel'; In = 2, 2, 2; Row = @(1, 2, 3, 4, 5, 6, 7, 8); Expected = @(16, 16, 20, 20)
        Add = { param($m) $m | Add-DepthwiseConv2DLayer 2 -DepthMultiplier 2 -DepthwiseInitializer ones -UseBias:$false } }
    # SeparableConv1D
    # SeparableConv1D(8, 3) on Input((20, 4)) -> (None, 18, 8), 3*4 + 4*8 + 8 = 52
    @{ Case = 'SeparableConv1D'; In = 20, 4; Out = '(None, 18, 8)'; P = 52; Onnx = $true
        Add = { param($m) $m | Add-SeparableConv1DLayer 8 3 -Activation relu } }
    # SeparableConv1D(2, 3, strides=2, padding='same', depth_multiplier=3) on Input((9, 2)) -> (None, 5, 2), 3*2*3 + 6*2 + 2 = 32
    @{ Case = 'SeparableConv1D same, strided'; In = 9, 2; Out = '(None, 5, 2)'; P = 32; Onnx = $true
        Add = { param($m) $m | Add-SeparableConv1DLayer 2 3 -Strides 2 -Padding same -DepthMultiplier 3 } }
    # ones kernels, no bias, on [1, 2, 3]: depthwise window sums 3, 5; pointwise 1x1 with weight 1 keeps them
    @{ Case = 'SeparableConv1D: sliding window sums'; In = 3, 1; Row = @(1, 2, 3); Expected = @(3, 5)
        Add = { param($m) $m | Add-SeparableConv1DLayer 1 2 -DepthwiseInitializer ones -PointwiseInitializer ones -UseBias:$false } }
    # SeparableConv2D
    # SeparableConv2D(16, 3) on Input((8, 8, 4)) -> (None, 6, 6, 16), 3*3*4 + 4*16 + 16 = 116
    @{ Case = 'SeparableConv2D'; In = 8, 8, 4; Out = '(None, 6, 6, 16)'; P = 116; Onnx = $true
        Add = { param($m) $m | Add-SeparableConv2DLayer 16 3 -Activation relu } }
    # SeparableConv2D(4, 3, strides=2, padding='same', depth_multiplier=2, pointwise_regularizer=L1) on Input((5, 5, 3))
    # -> (None, 3, 3, 4), 3*3*3*2 + 6*4 + 4 = 82
    @{ Case = 'SeparableConv2D same, strided'; In = 5, 5, 3; Out = '(None, 3, 3, 4)'; P = 82; Onnx = $true
        Add = { param($m) $m | Add-SeparableConv2DLayer 4 3 -Strides 2 -Padding same -DepthMultiplier 2 -PointwiseRegularizer l1 } }
    # ones kernels: depthwise (2, 2, 2, 2) gives 16, 16, 20, 20; pointwise (1, 1, 4, 1) of ones sums them: 72
    @{ Case = 'SeparableConv2D: depthwise then pointwise sums'; In = 2, 2, 2; Row = @(1, 2, 3, 4, 5, 6, 7, 8); Expected = , 72
        Add = {
            param($m)
            $m | Add-SeparableConv2DLayer 1 2 -DepthMultiplier 2 -DepthwiseInitializer ones -PointwiseInitializer ones -UseBias:$false
        } }
    # Conv1DTranspose
    # Conv1DTranspose(4, 3) on Input((10, 2)) -> valid: 10 + max(3 - 1, 0) = 12 -> (None, 12, 4), 3*4*2 + 4 = 28
    @{ Case = 'Conv1DTranspose'; In = 10, 2; Out = '(None, 12, 4)'; P = 28; Onnx = $true
        Add = { param($m) $m | Add-Conv1DTransposeLayer 4 3 -Activation relu } }
    # Conv1DTranspose(2, 3, strides=2, padding='same') on Input((5, 3)) -> 5*2 = 10 -> (None, 10, 2), 3*2*3 + 2 = 20
    @{ Case = 'Conv1DTranspose same, strided'; In = 5, 3; Out = '(None, 10, 2)'; P = 20; Onnx = $true
        Add = { param($m) $m | Add-Conv1DTransposeLayer 2 3 -Strides 2 -Padding same } }
    # ones kernel of 2, strides 2, valid, on [1, 2, 3]: length 3*2 + max(2 - 2, 0) = 6, each input written twice
    @{ Case = 'Conv1DTranspose: strided scatter'; In = 3, 1; Row = @(1, 2, 3); Expected = @(1, 1, 2, 2, 3, 3)
        Add = { param($m) $m | Add-Conv1DTransposeLayer 1 2 -Strides 2 -KernelInitializer ones -UseBias:$false } }
    # ones kernel of 3, strides 2, same, on [1, 2]: full result [1, 1, 3, 2, 2]; length 2*2 = 4, TensorFlow's pad
    # max((2 - 1)*2 + 3 - 4, 0) = 1 puts 0 before -> [1, 1, 3, 2]
    @{ Case = 'Conv1DTranspose: same trims the end'; In = 2, 1; Row = @(1, 2); Expected = @(1, 1, 3, 2)
        Add = { param($m) $m | Add-Conv1DTransposeLayer 1 3 -Strides 2 -Padding same -KernelInitializer ones -UseBias:$false } }
    # Conv2DTranspose
    # Conv2DTranspose(8, 3) on Input((7, 7, 4)) -> valid: 7 + 2 = 9 -> (None, 9, 9, 8), 3*3*8*4 + 8 = 296
    @{ Case = 'Conv2DTranspose'; In = 7, 7, 4; Out = '(None, 9, 9, 8)'; P = 296; Onnx = $true
        Add = { param($m) $m | Add-Conv2DTransposeLayer 8 3 -Activation relu } }
    # Conv2DTranspose(4, 3, strides=2, padding='same') on Input((5, 5, 3)) -> (None, 10, 10, 4), 3*3*4*3 + 4 = 112
    @{ Case = 'Conv2DTranspose same, strided'; In = 5, 5, 3; Out = '(None, 10, 10, 4)'; P = 112; Onnx = $true
        Add = { param($m) $m | Add-Conv2DTransposeLayer 4 3 -Strides 2 -Padding same } }
    # Conv2DTranspose(2, 3, strides=2, padding='same', output_padding=1) on Input((3, 3, 1)) -> (3 - 1)*2 + 3 - 2*1 + 1 = 6
    # -> (None, 6, 6, 2), 3*3*2*1 + 2 = 20
    @{ Case = 'Conv2DTranspose output_padding'; In = 3, 3, 1; Out = '(None, 6, 6, 2)'; P = 20; Onnx = $true
        Add = { param($m) $m | Add-Conv2DTransposeLayer 2 3 -Strides 2 -Padding same -OutputPadding 1 } }
    # Conv2DTranspose(2, 2, strides=3) on Input((2, 2, 1)): kernel smaller than the stride -> 2*3 = 6 -> (None, 6, 6, 2), 2*2*2 + 2 = 10
    @{ Case = 'Conv2DTranspose kernel smaller than stride'; In = 2, 2, 1; Out = '(None, 6, 6, 2)'; P = 10; Onnx = $true
        Add = { param($m) $m | Add-Conv2DTransposeLayer 2 2 -Strides 3 -KernelInitializer he_normal } }
    # ones kernel (2, 2, 1, 1), valid, on [[1, 2], [3, 4]]: each input added to a 2x2 block -> [[1, 3, 2], [4, 10, 6], [3, 7, 4]]
    @{ Case = 'Conv2DTranspose: overlapping blocks'; In = 2, 2, 1; Row = @(1, 2, 3, 4); Expected = @(1, 3, 2, 4, 10, 6, 3, 7, 4)
        Add = { param($m) $m | Add-Conv2DTransposeLayer 1 2 -KernelInitializer ones -UseBias:$false } }
    # MaxPooling1D
    # MaxPooling1D(2) on Input((10, 3)) -> (None, 5, 3)
    @{ Case = 'MaxPooling1D'; Add = { param($m) $m | Add-MaxPooling1DLayer 2 }; In = 10, 3; Out = '(None, 5, 3)'; P = 0; Onnx = $true }
    @{ Case = 'MaxPooling1D'; Add = { param($m) $m | Add-MaxPooling1DLayer 2 }; In = 4, 1; Row = @(1, 3, -2, -1); Expected = @(3, -1) }
    # MaxPooling2D
    # MaxPooling2D() on Input((7, 7, 2)) -> (None, 3, 3, 2); pool 3, strides 2, same -> (None, 4, 4, 2)
    @{ Case = 'MaxPooling2D'; Add = { param($m) $m | Add-MaxPooling2DLayer }; In = 7, 7, 2; Out = '(None, 3, 3, 2)'; P = 0; Onnx = $true }
    @{ Case = 'MaxPooling2D same'; In = 7, 7, 2; Out = '(None, 4, 4, 2)'; P = 0; Onnx = $true
        Add = { param($m) $m | Add-MaxPooling2DLayer 3 -Strides 2 -Padding same } }
    # 3x3 image 1..9, 2x2 pool, stride 2, same: windows {1,2,4,5}, {3,6}, {7,8}, {9}
    @{ Case = 'MaxPooling2D same ignores padding'; In = 3, 3, 1; Row = @(-1, -2, -3, -4, -5, -6, -7, -8, -9); Expected = @(-1, -3, -7, -9)
        Add = { param($m) $m | Add-MaxPooling2DLayer 2 -Padding same } }
    # AveragePooling1D
    # AveragePooling1D(2) on Input((10, 3)) -> (None, 5, 3); AveragePooling2D(2, padding='same') on (7, 7, 3) -> (None, 4, 4, 3)
    @{ Case = 'AveragePooling1D'; In = 10, 3; Out = '(None, 5, 3)'; P = 0; Onnx = $true
        Add = { param($m) $m | Add-AveragePooling1DLayer 2 } }
    @{ Case = 'AveragePooling1D'; In = 4, 1; Row = @(1, 3, -2, -1); Expected = @(2, -1.5)
        Add = { param($m) $m | Add-AveragePooling1DLayer 2 } }
    @{ Case = 'AveragePooling1D same'; In = 10, 3; Onnx = $true
        Add = { param($m) $m | Add-AveragePooling1DLayer 3 -Strides 2 -Padding same } }
    # AveragePooling2D
    @{ Case = 'AveragePooling2D same'; In = 7, 7, 3; Out = '(None, 4, 4, 3)'; P = 0; Onnx = $true
        Add = { param($m) $m | Add-AveragePooling2DLayer 2 -Padding same } }
    @{ Case = 'AveragePooling2D same averages real inputs only'; In = 3, 3, 1
        Row = @(1, 2, 3, 4, 5, 6, 7, 8, 9); Expected = @(3, 4.5, 7.5, 9)
        Add = { param($m) $m | Add-AveragePooling2DLayer 2 -Padding same } }
    @{ Case = 'AveragePooling2D channels_first'; In = 3, 6, 4; Onnx = $true
        Add = { param($m) $m | Add-AveragePooling2DLayer 2 -DataFormat channels_first } }
    # Masking
    # keras.layers.Masking(mask_value=0.0) on Input((4, 3)) -> (None, 4, 3), 0 parameters
    @{ Case = 'Masking'; In = 4, 3; Out = '(None, 4, 3)'; P = 0; Add = { param($m) $m | Add-MaskingLayer } }
    # Masking(-1) on steps (1, -1), (-1, -1), (0, 2): the step of all -1 becomes 0, a step with one -1 is kept.
    @{ Case = 'Masking zeroes the steps of mask_value'; In = 3, 2; Row = @(1, -1, -1, -1, 0, 2); Expected = @(1, -1, 0, 0, 0, 2)
        Add = { param($m) $m | Add-MaskingLayer -MaskValue -1 } }
    # Masking then GlobalAveragePooling1D: the mean over the unmasked steps (1, 2) and (3, 6) only.
    @{ Case = 'GlobalAveragePooling1D after Masking'; In = 3, 2; Row = @(1, 2, 0, 0, 3, 6); Expected = @(2, 4)
        Add = { param($m) $m | Add-MaskingLayer | Add-GlobalAveragePooling1DLayer } }

    # GlobalAveragePooling1D
    # GlobalAveragePooling1D on Input((10, 3)) -> (None, 3); GlobalAveragePooling2D on (5, 5, 4) -> (None, 4)
    @{ Case = 'GlobalAveragePooling1D'; In = 10, 3; Out = '(None, 3)'; P = 0; Onnx = $true
        Add = { param($m) $m | Add-GlobalAveragePooling1DLayer } }
    @{ Case = 'GlobalAveragePooling1D per channel'; In = 3, 2; Row = @(1, 10, 2, 20, 3, 30); Expected = @(2, 20)
        Add = { param($m) $m | Add-GlobalAveragePooling1DLayer } }
    # GlobalAveragePooling2D
    @{ Case = 'GlobalAveragePooling2D'; In = 5, 5, 4; Out = '(None, 4)'; P = 0; Onnx = $true
        Add = { param($m) $m | Add-GlobalAveragePooling2DLayer } }
    @{ Case = 'GlobalAveragePooling2D per channel'; In = 2, 2, 2; Row = @(1, 0, 2, 0, 3, 0, 6, 4); Expected = @(3, 1)
        Add = { param($m) $m | Add-GlobalAveragePooling2DLayer } }
    @{ Case = 'GlobalAveragePooling2D channels_first, keepdims'; In = 4, 5, 5; Onnx = $true
        Add = { param($m) $m | Add-GlobalAveragePooling2DLayer -DataFormat channels_first -KeepDims } }
    # ZeroPadding1D
    # ZeroPadding1D(padding=2) on Input((5, 3)) -> (None, 9, 3)
    @{ Case = 'ZeroPadding1D'; Add = { param($m) $m | Add-ZeroPadding1DLayer 2 }; In = 5, 3; Out = '(None, 9, 3)'; P = 0 }
    @{ Case = 'ZeroPadding1D (before, after)'; In = 2, 1; Row = @(1, 2); Expected = @(0, 1, 2, 0, 0)
        Add = { param($m) $m | Add-ZeroPadding1DLayer -Padding 1, 2 } }
    @{ Case = 'ZeroPadding1D (2, 1)'; Add = { param($m) $m | Add-ZeroPadding1DLayer 2, 1 }; In = 5, 3; Onnx = $true }
    # ZeroPadding2D
    # ZeroPadding2D() on Input((4, 4, 2)) -> (None, 6, 6, 2); ZeroPadding2D(((1, 0), (2, 3))) on (3, 3, 1) -> (None, 4, 8, 1)
    @{ Case = 'ZeroPadding2D'; Add = { param($m) $m | Add-ZeroPadding2DLayer }; In = 4, 4, 2; Out = '(None, 6, 6, 2)'; P = 0 }
    @{ Case = 'ZeroPadding2D ((1, 0), (2, 3))'; In = 3, 3, 1; Out = '(None, 4, 8, 1)'; P = 0
        Add = { param($m) $m | Add-ZeroPadding2DLayer 1, 0, 2, 3 } }
    @{ Case = 'ZeroPadding2D top and right'; In = 2, 2, 1; Row = @(1, 2, 3, 4); Expected = @(0, 0, 0, 1, 2, 0, 3, 4, 0)
        Add = { param($m) $m | Add-ZeroPadding2DLayer -Padding 1, 0, 0, 1 } }
    @{ Case = 'ZeroPadding2D (1, 2)'; Add = { param($m) $m | Add-ZeroPadding2DLayer 1, 2 }; In = 3, 4, 2; Onnx = $true }
    # Cropping1D
    # Cropping1D() on Input((6, 3)) -> (None, 4, 3)
    @{ Case = 'Cropping1D'; Add = { param($m) $m | Add-Cropping1DLayer }; In = 6, 3; Out = '(None, 4, 3)'; P = 0 }
    @{ Case = 'Cropping1D (before, after)'; In = 5, 1; Row = @(1, 2, 3, 4, 5); Expected = @(2, 3)
        Add = { param($m) $m | Add-Cropping1DLayer -Cropping 1, 2 } }
    @{ Case = 'Cropping1D (2, 1)'; Add = { param($m) $m | Add-Cropping1DLayer 2, 1 }; In = 6, 3; Onnx = $true }
    # Cropping2D
    # Cropping2D(cropping=((2, 2), (4, 4))) on Input((28, 28, 3)) -> (None, 24, 20, 3)  (the Keras docs' example)
    @{ Case = 'Cropping2D'; Add = { param($m) $m | Add-Cropping2DLayer 2, 4 }; In = 28, 28, 3; Out = '(None, 24, 20, 3)'; P = 0 }
    @{ Case = 'Cropping2D top and right'; In = 3, 3, 1; Row = @(1, 2, 3, 4, 5, 6, 7, 8, 9); Expected = @(4, 5, 7, 8)
        Add = { param($m) $m | Add-Cropping2DLayer -Cropping 1, 0, 0, 1 } }
    @{ Case = 'Cropping2D ((1, 0), (2, 1))'; Add = { param($m) $m | Add-Cropping2DLayer 1, 0, 2, 1 }; In = 5, 6, 2; Onnx = $true }
    # UpSampling1D
    # UpSampling1D(size=2) on Input((4, 3)) -> (None, 8, 3)
    @{ Case = 'UpSampling1D'; Add = { param($m) $m | Add-UpSampling1DLayer }; In = 4, 3; Out = '(None, 8, 3)'; P = 0 }
    @{ Case = 'UpSampling1D repeats each step'; In = 2, 2; Row = @(1, 10, 2, 20); Expected = @(1, 10, 1, 10, 1, 10, 2, 20, 2, 20, 2, 20)
        Add = { param($m) $m | Add-UpSampling1DLayer -Size 3 } }
    @{ Case = 'UpSampling1D size 3'; Add = { param($m) $m | Add-UpSampling1DLayer 3 }; In = 4, 3; Onnx = $true }
    # UpSampling2D
    # UpSampling2D(size=(2, 3)) on Input((3, 4, 2)) -> (None, 6, 12, 2); UpSampling2D(interpolation='bilinear') on (3, 3, 1)
    # -> (None, 6, 6, 1)
    @{ Case = 'UpSampling2D'; Add = { param($m) $m | Add-UpSampling2DLayer 2, 3 }; In = 3, 4, 2; Out = '(None, 6, 12, 2)'; P = 0 }
    @{ Case = 'UpSampling2D bilinear'; In = 3, 3, 1; Out = '(None, 6, 6, 1)'; P = 0
        Add = { param($m) $m | Add-UpSampling2DLayer -Interpolation bilinear } }
    @{ Case = 'UpSampling2D nearest repeats rows and columns'; In = 2, 1, 1; Row = @(1, 2); Expected = @(1, 1, 1, 1, 2, 2, 2, 2)
        Add = { param($m) $m | Add-UpSampling2DLayer } }
    # bilinear as keras.ops.image.resize: output pixel j samples input (j + 0.5) / 2 - 0.5, clamped at the edges; along the
    # width [0, 4] -> [0, 1, 3, 4] and [8, 12] -> [8, 9, 11, 12], then the rows the same way (0.75/0.25 weights)
    @{ Case = 'UpSampling2D bilinear, half-pixel centres'; In = 2, 2, 1; Row = @(0, 4, 8, 12)
        Expected = @(0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12)
        Add = { param($m) $m | Add-UpSampling2DLayer -Interpolation bilinear } }
    @{ Case = 'UpSampling2D nearest (2, 3)'; Add = { param($m) $m | Add-UpSampling2DLayer 2, 3 }; In = 3, 4, 2; Onnx = $true }
    @{ Case = 'UpSampling2D bilinear (2, 3)'; In = 3, 4, 2; Onnx = $true
        Add = { param($m) $m | Add-UpSampling2DLayer 2, 3 -Interpolation bilinear } }
    # Rescaling
    # Rescaling(1/255) on Input((8, 8, 3)) -> (None, 8, 8, 3), 0; Rescaling(0.5, offset=1): 2 -> 2, 4 -> 3
    @{ Case = 'Rescaling'; Add = { param($m) $m | Add-RescalingLayer (1 / 255) }; In = 8, 8, 3; Out = '(None, 8, 8, 3)'; P = 0 }
    @{ Case = 'Rescaling: x * scale + offset'; In = , 2; Row = @(2, 4); Expected = @(2, 3)
        Add = { param($m) $m | Add-RescalingLayer 0.5 -Offset 1 } }
    @{ Case = 'Rescaling with offset'; Add = { param($m) $m | Add-RescalingLayer (1 / 127.5) -Offset -1 }; In = 4, 4, 3; Onnx = $true }
    # Resizing
    # Resizing(4, 5) on Input((8, 8, 3)) -> (None, 4, 5, 3); crop_to_aspect_ratio=True, nearest -> the same shape
    @{ Case = 'Resizing'; Add = { param($m) $m | Add-ResizingLayer 4 5 }; In = 8, 8, 3; Out = '(None, 4, 5, 3)'; P = 0 }
    @{ Case = 'Resizing nearest, cropped to the aspect ratio'; In = 8, 8, 3; Out = '(None, 4, 5, 3)'; P = 0
        Add = { param($m) $m | Add-ResizingLayer 4 5 -Interpolation nearest -CropToAspectRatio } }
    # bilinear with half-pixel centres, as UpSampling2D bilinear above: [[0, 4], [8, 12]] -> 4 x 4
    @{ Case = 'Resizing bilinear enlarges with half-pixel centres'; In = 2, 2, 1; Row = @(0, 4, 8, 12)
        Expected = @(0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12)
        Add = { param($m) $m | Add-ResizingLayer 4 4 } }
    # shrinking 4 x 4 (0..15) to 2 x 2: output j samples (j + 0.5) * 2 - 0.5 = 0.5, 2.5: the mean of each 2 x 2 block
    @{ Case = 'Resizing bilinear shrinks without antialiasing'; In = 4, 4, 1; Row = @(0..15); Expected = @(2.5, 4.5, 10.5, 12.5)
        Add = { param($m) $m | Add-ResizingLayer 2 2 } }
    # nearest: floor((j + 0.5) * in / out) = 0, 0, 1, 1
    @{ Case = 'Resizing nearest'; In = 2, 2, 1; Row = @(0, 4, 8, 12); Expected = @(0, 0, 4, 4, 0, 0, 4, 4, 8, 8, 12, 12, 8, 8, 12, 12)
        Add = { param($m) $m | Add-ResizingLayer 4 4 -Interpolation nearest } }
    # crop_to_aspect_ratio: 2 x 4 (0..7) to 1 x 1 keeps the centred 2 x 2 (columns 1, 2), whose bilinear 1 x 1 is its mean
    @{ Case = 'Resizing crops the centre to the aspect ratio'; In = 2, 4, 1; Row = @(0..7); Expected = @(3.5)
        Add = { param($m) $m | Add-ResizingLayer 1 1 -CropToAspectRatio } }
    @{ Case = 'Resizing bilinear'; Add = { param($m) $m | Add-ResizingLayer 5 7 }; In = 8, 6, 3; Onnx = $true }
    @{ Case = 'Resizing nearest'; Add = { param($m) $m | Add-ResizingLayer 12 9 -Interpolation nearest }; In = 5, 4, 2; Onnx = $true }
    @{ Case = 'Resizing cropped'; Add = { param($m) $m | Add-ResizingLayer 3 3 -CropToAspectRatio }; In = 6, 8, 2; Onnx = $true }
    # CenterCrop
    # CenterCrop(4, 6) on Input((8, 8, 3)) -> (None, 4, 6, 3); CenterCrop(10, 10) on (8, 8, 3) resizes -> (None, 10, 10, 3)
    @{ Case = 'CenterCrop'; Add = { param($m) $m | Add-CenterCropLayer 4 6 }; In = 8, 8, 3; Out = '(None, 4, 6, 3)'; P = 0 }
    @{ Case = 'CenterCrop larger than the input'; Add = { param($m) $m | Add-CenterCropLayer 10 10 }; In = 8, 8, 3
        Out = '(None, 10, 10, 3)'; P = 0 }
    # 3 x 5 (r * 5 + c) to 2 x 2: starts at ((3 - 2) // 2, (5 - 2) // 2) = (0, 1)
    @{ Case = 'CenterCrop keeps the centred window'; In = 3, 5, 1; Row = @(0..14); Expected = @(1, 2, 6, 7)
        Add = { param($m) $m | Add-CenterCropLayer 2 2 } }
    # smaller than the target: resized bilinearly (the same aspect ratio, so nothing is cropped)
    @{ Case = 'CenterCrop resizes a smaller input'; In = 2, 2, 1; Row = @(0, 4, 8, 12)
        Expected = @(0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12)
        Add = { param($m) $m | Add-CenterCropLayer 4 4 } }
    @{ Case = 'CenterCrop'; Add = { param($m) $m | Add-CenterCropLayer 3 4 }; In = 6, 7, 2; Onnx = $true }
    @{ Case = 'CenterCrop larger than the input'; Add = { param($m) $m | Add-CenterCropLayer 6 6 }; In = 4, 5, 2; Onnx = $true }
    # RandomFlip
    # RandomFlip() on Input((6, 5, 3)) -> (None, 6, 5, 3), 0; identity at inference (and in ONNX)
    @{ Case = 'RandomFlip'; Add = { param($m) $m | Add-RandomFlipLayer }; In = 6, 5, 3; Out = '(None, 6, 5, 3)'; P = 0 }
    @{ Case = 'RandomFlip is off at inference'; In = 2, 1, 1; Row = @(0.25, 0.75); Expected = @(0.25, 0.75)
        Add = { param($m) $m | Add-RandomFlipLayer } }
    @{ Case = 'RandomFlip'; Add = { param($m) $m | Add-RandomFlipLayer }; In = 4, 4, 3; Onnx = $true }
    # RandomRotation
    # RandomRotation(0.2) on Input((6, 5, 3)) -> (None, 6, 5, 3), 0; identity at inference (and in ONNX)
    @{ Case = 'RandomRotation'; Add = { param($m) $m | Add-RandomRotationLayer 0.2 }; In = 6, 5, 3; Out = '(None, 6, 5, 3)'; P = 0 }
    @{ Case = 'RandomRotation is off at inference'; In = 2, 1, 1; Row = @(0.25, 0.75); Expected = @(0.25, 0.75)
        Add = { param($m) $m | Add-RandomRotationLayer 0.2 } }
    @{ Case = 'RandomRotation'; Add = { param($m) $m | Add-RandomRotationLayer 0.2 }; In = 4, 4, 3; Onnx = $true }
    # RandomZoom
    # RandomZoom(0.2, (-0.1, 0.1), fill_mode='constant', fill_value=1) on Input((6, 5, 3)) -> (None, 6, 5, 3), 0; identity at inference (and in ONNX)
    @{ Case = 'RandomZoom'; Add = { param($m) $m | Add-RandomZoomLayer 0.2 -0.1, 0.1 -FillMode constant -FillValue 1 }; In = 6, 5, 3; Out = '(None, 6, 5, 3)'; P = 0 }
    @{ Case = 'RandomZoom is off at inference'; In = 2, 1, 1; Row = @(0.25, 0.75); Expected = @(0.25, 0.75)
        Add = { param($m) $m | Add-RandomZoomLayer 0.2 -0.1, 0.1 -FillMode constant -FillValue 1 } }
    @{ Case = 'RandomZoom'; Add = { param($m) $m | Add-RandomZoomLayer 0.2 -0.1, 0.1 -FillMode constant -FillValue 1 }; In = 4, 4, 3; Onnx = $true }
    # RandomTranslation
    # RandomTranslation(0.1, (-0.2, 0.2), 'nearest', 'nearest') on Input((6, 5, 3)) -> (None, 6, 5, 3), 0; identity at inference (and in ONNX)
    @{ Case = 'RandomTranslation'; Add = { param($m) $m | Add-RandomTranslationLayer 0.1 -0.2, 0.2 -FillMode nearest -Interpolation nearest }; In = 6, 5, 3; Out = '(None, 6, 5, 3)'; P = 0 }
    @{ Case = 'RandomTranslation is off at inference'; In = 2, 1, 1; Row = @(0.25, 0.75); Expected = @(0.25, 0.75)
        Add = { param($m) $m | Add-RandomTranslationLayer 0.1 -0.2, 0.2 -FillMode nearest -Interpolation nearest } }
    @{ Case = 'RandomTranslation'; Add = { param($m) $m | Add-RandomTranslationLayer 0.1 -0.2, 0.2 -FillMode nearest -Interpolation nearest }; In = 4, 4, 3; Onnx = $true }
    # RandomContrast
    # RandomContrast(0.3) on Input((6, 5, 3)) -> (None, 6, 5, 3), 0; identity at inference (and in ONNX)
    @{ Case = 'RandomContrast'; Add = { param($m) $m | Add-RandomContrastLayer 0.3 }; In = 6, 5, 3; Out = '(None, 6, 5, 3)'; P = 0 }
    @{ Case = 'RandomContrast is off at inference'; In = 2, 1, 1; Row = @(0.25, 0.75); Expected = @(0.25, 0.75)
        Add = { param($m) $m | Add-RandomContrastLayer 0.3 } }
    @{ Case = 'RandomContrast'; Add = { param($m) $m | Add-RandomContrastLayer 0.3 }; In = 4, 4, 3; Onnx = $true }
    # RandomBrightness
    # RandomBrightness((-0.1, 0.2), value_range=(0, 1)) on Input((6, 5, 3)) -> (None, 6, 5, 3), 0; identity at inference (and in ONNX)
    @{ Case = 'RandomBrightness'; Add = { param($m) $m | Add-RandomBrightnessLayer -0.1, 0.2 -ValueRange 0, 1 }; In = 6, 5, 3; Out = '(None, 6, 5, 3)'; P = 0 }
    @{ Case = 'RandomBrightness is off at inference'; In = 2, 1, 1; Row = @(0.25, 0.75); Expected = @(0.25, 0.75)
        Add = { param($m) $m | Add-RandomBrightnessLayer -0.1, 0.2 -ValueRange 0, 1 } }
    @{ Case = 'RandomBrightness'; Add = { param($m) $m | Add-RandomBrightnessLayer -0.1, 0.2 -ValueRange 0, 1 }; In = 4, 4, 3; Onnx = $true }
    # GlobalMaxPooling1D
    # GlobalMaxPooling1D() on Input((10, 3)) -> (None, 3); keepdims=True -> (None, 1, 3)
    @{ Case = 'GlobalMaxPooling1D'; Add = { param($m) $m | Add-GlobalMaxPooling1DLayer }; In = 10, 3; Out = '(None, 3)'; P = 0 }
    @{ Case = 'GlobalMaxPooling1D keepdims'; In = 10, 3; Out = '(None, 1, 3)'; P = 0
        Add = { param($m) $m | Add-GlobalMaxPooling1DLayer -KeepDims } }
    @{ Case = 'GlobalMaxPooling1D per channel'; In = 3, 2; Row = @(1, -10, 3, -20, 2, -30); Expected = @(3, -10)
        Add = { param($m) $m | Add-GlobalMaxPooling1DLayer } }
    @{ Case = 'GlobalMaxPooling1D'; Add = { param($m) $m | Add-GlobalMaxPooling1DLayer }; In = 10, 3; Onnx = $true }
    # GlobalMaxPooling2D
    # GlobalMaxPooling2D() on Input((5, 5, 4)) -> (None, 4); keepdims=True -> (None, 1, 1, 4)
    @{ Case = 'GlobalMaxPooling2D'; Add = { param($m) $m | Add-GlobalMaxPooling2DLayer }; In = 5, 5, 4; Out = '(None, 4)'; P = 0 }
    @{ Case = 'GlobalMaxPooling2D keepdims'; In = 5, 5, 4; Out = '(None, 1, 1, 4)'; P = 0
        Add = { param($m) $m | Add-GlobalMaxPooling2DLayer -KeepDims } }
    @{ Case = 'GlobalMaxPooling2D per channel'; In = 2, 2, 2; Row = @(1, 0, 2, -1, 3, -5, -6, 4); Expected = @(3, 4)
        Add = { param($m) $m | Add-GlobalMaxPooling2DLayer } }
    @{ Case = 'GlobalMaxPooling2D keepdims'; Add = { param($m) $m | Add-GlobalMaxPooling2DLayer -KeepDims }; In = 4, 5, 3; Onnx = $true }
    # SpatialDropout1D
    # SpatialDropout1D(0.5) on Input((5, 3)) / SpatialDropout2D(0.5) on Input((4, 4, 3)) keep the shape, no weights
    @{ Case = 'SpatialDropout1D'; Add = { param($m) $m | Add-SpatialDropout1DLayer 0.5 }; In = 5, 3; Out = '(None, 5, 3)'; P = 0 }
    @{ Case = 'SpatialDropout1D is off at inference'; In = 2, 2; Row = @(1, 2, 3, 4); Expected = @(1, 2, 3, 4)
        Add = { param($m) $m | Add-SpatialDropout1DLayer 0.9 } }
    @{ Case = 'SpatialDropout1D'; Add = { param($m) $m | Add-SpatialDropout1DLayer 0.3 }; In = 5, 3; Onnx = $true }
    # SpatialDropout2D
    @{ Case = 'SpatialDropout2D'; Add = { param($m) $m | Add-SpatialDropout2DLayer 0.5 }; In = 4, 4, 3; Out = '(None, 4, 4, 3)'; P = 0 }
    @{ Case = 'SpatialDropout2D is off at inference'; In = 1, 2, 2; Row = @(1, 2, 3, 4); Expected = @(1, 2, 3, 4)
        Add = { param($m) $m | Add-SpatialDropout2DLayer 0.9 } }
    @{ Case = 'SpatialDropout2D'; Add = { param($m) $m | Add-SpatialDropout2DLayer 0.3 }; In = 4, 4, 3; Onnx = $true }
    # ThresholdedReLU
    # ThresholdedReLU(theta=0.5) on Input((6,)) (Keras 2) -> (None, 6)
    @{ Case = 'ThresholdedReLU'; Add = { param($m) $m | Add-ThresholdedReLULayer 0.5 }; In = , 6; Out = '(None, 6)'; P = 0 }
    # Keras 2: x * (x > theta), so a value equal to theta (default 1) becomes 0
    @{ Case = 'ThresholdedReLU: x above theta, else 0'; In = , 4; Row = @(-2, 0.5, 1, 1.5); Expected = @(0, 0, 0, 1.5)
        Add = { param($m) $m | Add-ThresholdedReLULayer } }
    @{ Case = 'ThresholdedReLU'; Add = { param($m) $m | Add-ThresholdedReLULayer 0.5 }; In = , 6; Onnx = $true }
    # SimpleRNN
    # SimpleRNN(16) on Input((10, 3)) -> (None, 16), 3*16 + 16*16 + 16 = 320
    @{ Case = 'SimpleRNN'; Add = { param($m) $m | Add-SimpleRNNLayer 16 }; In = 10, 3; Out = '(None, 16)'; P = 320; Onnx = $true }
    @{ Case = 'SimpleRNN returning sequences'; In = 10, 3; Out = '(None, 10, 16)'; P = 320
        Add = { param($m) $m | Add-SimpleRNNLayer 16 -ReturnSequences -GoBackwards } }
    # SimpleRNN(1, activation=None), kernel 1, recurrent 0.5: h = x_t + 0.5 h -> 1, 2.5, 4.25; backwards (3, 2, 1) -> 3, 3.5, 2.75
    @{ Case = 'SimpleRNN recurrence'; In = 3, 1; Row = @(1, 2, 3); Expected = @(1, 2.5, 4.25)
        Add = {
            param($m)
            $half = New-Initializer constant -Value 0.5
            $m | Add-SimpleRNNLayer 1 -Activation linear -KernelInitializer ones -RecurrentInitializer $half -ReturnSequences
        } }
    @{ Case = 'SimpleRNN go_backwards'; In = 3, 1; Row = @(1, 2, 3); Expected = @(2.75)
        Add = {
            param($m)
            $half = New-Initializer constant -Value 0.5
            $m | Add-SimpleRNNLayer 1 -Activation linear -KernelInitializer ones -RecurrentInitializer $half -GoBackwards
        } }
    @{ Case = 'SimpleRNN returning sequences, backwards, relu'; In = 10, 3; Onnx = $true
        Add = { param($m) $m | Add-SimpleRNNLayer 6 -ReturnSequences -GoBackwards -Activation relu } }
    # LSTM
    # LSTM(64) on Input((5, 100)) -> (None, 64), 4*(100*64 + 64*64 + 64) = 42,240
    @{ Case = 'LSTM'; Add = { param($m) $m | Add-LSTMLayer 64 }; In = 5, 100; Out = '(None, 64)'; P = 42240 }
    # LSTM(8, return_sequences=True) on Input((6, 4)) -> (None, 6, 8), 4*(4*8 + 8*8 + 8) = 416
    @{ Case = 'LSTM returning sequences'; In = 6, 4; Out = '(None, 6, 8)'; P = 416; Onnx = $true
        Add = { param($m) $m | Add-LSTMLayer 8 -ReturnSequences } }
    # LSTM(1), kernel 1, recurrent 0, no bias, one step of x = 1: i = f = o = sigmoid(1), c = i * tanh(1), h = o * tanh(c)
    # = 0.7311 * tanh(0.7311 * 0.7616)
    @{ Case = 'LSTM cell'; In = 1, 1; Row = , 1; Expected = , 0.3696
        Add = { param($m) $m | Add-LSTMLayer 1 -KernelInitializer ones -RecurrentInitializer zeros -UseBias:$false } }
    @{ Case = 'LSTM'; Add = { param($m) $m | Add-LSTMLayer 12 }; In = 5, 10; Onnx = $true }
    # LSTM(8, dropout=0.2, recurrent_dropout=0.3) on Input((6, 4)): dropout adds no weights -> 416; at inference it changes nothing
    @{ Case = 'LSTM with dropout and recurrent dropout'; In = 6, 4; Out = '(None, 8)'; P = 416; Onnx = $true
        Add = { param($m) $m | Add-LSTMLayer 8 -Dropout 0.2 -RecurrentDropout 0.3 } }
    @{ Case = 'LSTM cell with dropout, at inference'; In = 1, 1; Row = , 1; Expected = , 0.3696
        Add = { param($m) $m | Add-LSTMLayer 1 -KernelInitializer ones -RecurrentInitializer zeros -UseBias:$false -Dropout 0.5 -RecurrentDropout 0.5 } }
    # Keras 2's hard_sigmoid as the recurrent activation (what a Keras 1/2 file's LSTM defaults to): ONNX's HardSigmoid, 0.2x + 0.5
    @{ Case = 'LSTM with Keras 2 hard_sigmoid'; In = 5, 3; Onnx = $true
        Add = { param($m) $m | Add-LSTMLayer 4 -RecurrentActivation hard_sigmoid_keras2 -ReturnSequences } }
    @{ Case = 'LSTM backwards without bias'; In = 6, 4; Onnx = $true
        Add = { param($m) $m | Add-LSTMLayer 5 -GoBackwards -UseBias:$false } }
    # TimeDistributed
    # TimeDistributed(Dense(4)) on Input((3, 5)) -> (None, 3, 4), 5*4+4 = 24
    @{ Case = 'TimeDistributed Dense'; In = 3, 5; Out = '(None, 3, 4)'; P = 24; Onnx = $true
        Add = { param($m) $m | Add-TimeDistributedLayer (New-Model | Add-DenseLayer 4 -Activation relu) } }
    # TimeDistributed(Conv1D(2, 3)) on Input((4, 6, 2)) -> (None, 4, 4, 2), 3*2*2+2 = 14
    @{ Case = 'TimeDistributed Conv1D'; In = 4, 6, 2; Out = '(None, 4, 4, 2)'; P = 14; Onnx = $true
        Add = { param($m) $m | Add-TimeDistributedLayer (New-Model | Add-Conv1DLayer 2 3) } }
    # TimeDistributed(Dense(1)), kernel ones, bias 0.5, on 3 steps of (1, 2), (3, 4), (5, 6): 3.5, 7.5, 11.5
    @{ Case = 'TimeDistributed applies the layer at every step'; In = 3, 2; Row = @(1, 2, 3, 4, 5, 6); Expected = @(3.5, 7.5, 11.5)
        Add = { param($m) $m | Add-TimeDistributedLayer (New-Model | Add-DenseLayer 1 -KernelInitializer ones -BiasInitializer (New-Initializer constant -Value 0.5)) } }
    # Bidirectional
    # Bidirectional(LSTM(4, return_sequences=True)) on Input((5, 3)) -> (None, 5, 8), 2 * 4*(3*4 + 4*4 + 4) = 256
    @{ Case = 'Bidirectional LSTM, concat'; In = 5, 3; Out = '(None, 5, 8)'; P = 256; Onnx = $true
        Add = { param($m) $m | Add-BidirectionalLayer (New-Model | Add-LSTMLayer 4 -ReturnSequences) } }
    # Bidirectional(GRU(2), merge_mode='ave') on Input((6, 8)) (reset_after) -> (None, 2), 2 * 3*(8*2 + 2*2 + 2*2) = 144
    @{ Case = 'Bidirectional GRU, ave'; In = 6, 8; Out = '(None, 2)'; P = 144; Onnx = $true
        Add = { param($m) $m | Add-BidirectionalLayer (New-Model | Add-GRULayer 2) -MergeMode ave } }
    @{ Case = 'Bidirectional SimpleRNN, mul, returning sequences'; In = 4, 3; Onnx = $true
        Add = { param($m) $m | Add-BidirectionalLayer (New-Model | Add-SimpleRNNLayer 3 -ReturnSequences -Activation relu) -MergeMode mul } }
    # SimpleRNN(1, activation=None), kernel 1, recurrent 0.5 on (1, 2, 3): forward 1, 2.5, 4.25; backward over (3, 2, 1):
    # 3, 3.5, 2.75, put back in time order 2.75, 3.5, 3; concat per step
    @{ Case = 'Bidirectional concat puts the backward sequence back in time order'; In = 3, 1; Row = @(1, 2, 3)
        Expected = @(1, 2.75, 2.5, 3.5, 4.25, 3)
        Add = {
            param($m)
            $half = New-Initializer constant -Value 0.5
            $m | Add-BidirectionalLayer (New-Model | Add-SimpleRNNLayer 1 -Activation linear -KernelInitializer ones -RecurrentInitializer $half -UseBias:$false -ReturnSequences)
        } }
    # the same, last outputs summed: 4.25 + 2.75
    @{ Case = 'Bidirectional sum of the last outputs'; In = 3, 1; Row = @(1, 2, 3); Expected = , 7
        Add = {
            param($m)
            $half = New-Initializer constant -Value 0.5
            $m | Add-BidirectionalLayer (New-Model | Add-SimpleRNNLayer 1 -Activation linear -KernelInitializer ones -RecurrentInitializer $half -UseBias:$false) -MergeMode sum
        } }
    # GRU
    # GRU(32) on Input((10, 10)) (reset_after=True) -> 3*(10*32 + 32*32 + 2*32) = 4,224
    @{ Case = 'GRU'; Add = { param($m) $m | Add-GRULayer 32 }; In = 10, 10; Out = '(None, 32)'; P = 4224 }
    # GRU(4, reset_after=False) on Input((5, 3)) -> 3*(3*4 + 4*4 + 4) = 96
    @{ Case = 'GRU without reset_after'; In = 5, 3; Out = '(None, 5, 4)'; P = 96; Onnx = $true
        Add = { param($m) $m | Add-GRULayer 4 -ResetAfter:$false -ReturnSequences } }
    # GRU(1) reset_after, kernel 1, recurrent 0, no bias, x = 1 from h = 0: h = (1 - z) tanh(1) with z = sigmoid(1)
    # = (1 - 0.7311) * 0.7616
    @{ Case = 'GRU cell'; In = 1, 1; Row = , 1; Expected = , 0.2048
        Add = { param($m) $m | Add-GRULayer 1 -KernelInitializer ones -RecurrentInitializer zeros -UseBias:$false } }
    @{ Case = 'GRU'; Add = { param($m) $m | Add-GRULayer 12 }; In = 10, 10; Onnx = $true }
    # GRU(4, dropout=0.1, recurrent_dropout=0.2) on Input((5, 3)) -> 3*(3*4 + 4*4 + 2*4) = 108
    @{ Case = 'GRU with dropout and recurrent dropout'; In = 5, 3; Out = '(None, 4)'; P = 108
        Add = { param($m) $m | Add-GRULayer 4 -Dropout 0.1 -RecurrentDropout 0.2 } }
    # SimpleRNN(3, dropout=0.5) on Input((4, 2)) -> 2*3 + 3*3 + 3 = 18
    @{ Case = 'SimpleRNN with dropout'; In = 4, 2; Out = '(None, 3)'; P = 18
        Add = { param($m) $m | Add-SimpleRNNLayer 3 -Dropout 0.5 -RecurrentDropout 0.5 } }
    @{ Case = 'GRU backwards, returning sequences'; In = 5, 3; Onnx = $true
        Add = { param($m) $m | Add-GRULayer 4 -GoBackwards -ReturnSequences } }
    # Several layers in one model
    @{ Case = 'Dense softmax classifier head'; In = , 5; Onnx = $true
        Add = { param($m) $m | Add-DenseLayer 6 -Activation tanh | Add-DenseLayer 3 -Activation softmax } }
    @{ Case = 'Dropout, AlphaDropout, GaussianNoise, ActivityRegularization (identity)'; In = , 6; Onnx = $true
        Add = { param($m) $m | Add-DenseLayer 4 | Add-DropoutLayer 0.5 | Add-AlphaDropoutLayer 0.2 | Add-GaussianNoiseLayer 0.1 |
            Add-ActivityRegularizationLayer -L1 0.01 } }
    @{ Case = 'Embedding, Conv1D, pooling, LSTM, Dense softmax'; In = , 12; Tokens = 30; Onnx = $true
        Add = { param($m) $m | Add-EmbeddingLayer 30 6 | Add-Conv1DLayer 8 3 -Padding same -Activation relu | Add-MaxPooling1DLayer 2 |
            Add-LSTMLayer 5 | Add-DenseLayer 3 -Activation softmax } }
    # Merge layers (functional API), each inside a functional block; Sequential and Functional are models used as layers.
    # x + Dense(3)(x) on Input((3,)): Dense 3*3+3 = 12 -> (None, 3)
    @{ Case = 'Add: residual block'; In = , 3; Out = '(None, 3)'; P = 12; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-AddLayer -With ($x | Add-DenseLayer 3) } } }
    # kernel of ones, no bias: each unit is 1 + 2 + 3 = 6; x + 6
    @{ Case = 'Add: x + Dense(x)'; In = , 3; Row = @(1, 2, 3); Expected = @(7, 8, 9)
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-AddLayer -With ($x | Add-DenseLayer 3 -KernelInitializer ones -UseBias:$false) } } }
    @{ Case = 'Subtract: x - Dense(x)'; In = , 3; Row = @(1, 2, 3); Expected = @(-5, -4, -3); Out = '(None, 3)'; P = 9; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-SubtractLayer -With ($x | Add-DenseLayer 3 -KernelInitializer ones -UseBias:$false) } } }
    @{ Case = 'Multiply: x * x'; In = , 3; Row = @(1, -2, 3); Expected = @(1, 4, 9); Out = '(None, 3)'; P = 0; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-MultiplyLayer -With $x } } }
    # (x + 6) / 2 with Dense of ones
    @{ Case = 'Average: mean of x and Dense(x)'; In = , 3; Row = @(1, 2, 3); Expected = @(3.5, 4, 4.5); Out = '(None, 3)'; P = 9; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x, ($x | Add-DenseLayer 3 -KernelInitializer ones -UseBias:$false) | Add-AverageLayer } } }
    @{ Case = 'Maximum: max(x, -x) = |x|'; In = , 3; Row = @(1, -2, 3); Expected = @(1, 2, 3); Out = '(None, 3)'; P = 0; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-MaximumLayer -With ($x | Add-LambdaLayer -Expression '-x') } } }
    @{ Case = 'Minimum: min(x, -x) = -|x|'; In = , 3; Row = @(1, -2, 3); Expected = @(-1, -2, -3); Out = '(None, 3)'; P = 0; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-MinimumLayer -With ($x | Add-LambdaLayer -Expression '-x') } } }
    # Concatenate()([x, 2x]) on Input((2,)) -> (None, 4)
    @{ Case = 'Concatenate: x then 2x'; In = , 2; Row = @(1, 2); Expected = @(1, 2, 2, 4); Out = '(None, 4)'; P = 0; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-ConcatenateLayer -With ($x | Add-LambdaLayer -Expression 'x * 2') } } }
    # Concatenate(axis=1)([x, x]) on Input((2, 3)) -> (None, 4, 3)
    @{ Case = 'Concatenate along axis 1'; In = 2, 3; Out = '(None, 4, 3)'; P = 0; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-ConcatenateLayer -With $x -Axis 1 } } }
    # Dot(axes=1)([x, 2x]) = 2 * (1 + 4 + 9) = 28 -> (None, 1)
    @{ Case = 'Dot: x . 2x'; In = , 3; Row = @(1, 2, 3); Expected = @(28); Out = '(None, 1)'; P = 0; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-DotLayer -With ($x | Add-LambdaLayer -Expression 'x * 2') -Axes 1 } } }
    # cosine similarity of x and 2x is 1
    @{ Case = 'Dot normalized: cosine of x and 2x'; In = , 3; Row = @(1, 2, 3); Expected = @(1); Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-DotLayer -With ($x | Add-LambdaLayer -Expression 'x * 2') -Axes 1 -Normalize } } }
    # Dot(axes=2) of (2, 3) and (4, 3) -> (None, 2, 4)
    @{ Case = 'Dot of matrices along their last axes'; In = 2, 3; Out = '(None, 2, 2)'; P = 0
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-DotLayer -With $x -Axes 2 } } }
    # Attention (functional API: $q | Add-AttentionLayer -Value $v [-Key $k]; the value defaults to the query)
    # Attention()([x, x]) on Input((2, 2)), x = [[1, 0], [0, 1]]: scores x.x^T = I, softmax rows (0.7311, 0.2689), times x
    @{ Case = 'Attention: dot-product self-attention'; In = 2, 2; Row = @(1, 0, 0, 1); Expected = @(0.7311, 0.2689, 0.2689, 0.7311)
        Out = '(None, 2, 2)'; P = 0; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-AttentionLayer } } }
    # value = key = 2x: scores x.(2x)^T = 2I, softmax rows (0.8808, 0.1192), times 2x
    @{ Case = 'Attention: query x over value 2x'; In = 2, 2; Row = @(1, 0, 0, 1); Expected = @(1.7616, 0.2384, 0.2384, 1.7616)
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-AttentionLayer -Value ($x | Add-LambdaLayer -Expression 'x * 2') } } }
    # use_causal_mask: step 0 sees itself only (1, 0); step 1 as in the first case
    @{ Case = 'Attention: causal mask'; In = 2, 2; Row = @(1, 0, 0, 1); Expected = @(1, 0, 0.2689, 0.7311); Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-AttentionLayer -UseCausalMask } } }
    # score_mode="concat", use_scale (scale and concat_score_weight start at 1): scores sum(tanh(q_i + k_j)) =
    # ((0.9640, 1.5232), (1.5232, 0.9640)), softmax rows (0.3637, 0.6363)
    @{ Case = 'Attention: concat scores with scale'; In = 2, 2; Row = @(1, 0, 0, 1); Expected = @(0.3637, 0.6363, 0.6363, 0.3637)
        Out = '(None, 2, 2)'; P = 2; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-AttentionLayer -ScoreMode concat -UseScale } } }
    # Attention(use_scale=True)([x, Dense(2)(x), x]) on Input((4, 3)): value (4, 2) -> (None, 4, 2); 1 + 3*2+2 = 9
    @{ Case = 'Attention: query, value and key'; In = 4, 3; Out = '(None, 4, 2)'; P = 9; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-AttentionLayer -Value ($x | Add-DenseLayer 2) -Key $x -UseScale -Dropout 0.1 } } }
    # AdditiveAttention (functional API, as Attention); tests/data/attention/additive.json (make-references.py) holds these values
    # AdditiveAttention(use_scale=False)([x, x]), x = [[1, 0], [0, 1]]: scores sum(tanh(q_i + k_j)) = ((0.9640, 1.5232),
    # (1.5232, 0.9640)), softmax rows (0.3637, 0.6363), times x
    @{ Case = 'AdditiveAttention: self-attention without scale'; In = 2, 2; Row = @(1, 0, 0, 1); Expected = @(0.3637, 0.6363, 0.6363, 0.3637)
        Out = '(None, 2, 2)'; P = 0; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-AdditiveAttentionLayer -UseScale $false } } }
    # use_causal_mask: step 0 sees itself only (1, 0); step 1 as above
    @{ Case = 'AdditiveAttention: causal mask'; In = 2, 2; Row = @(1, 0, 0, 1); Expected = @(1, 0, 0.6363, 0.3637); Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-AdditiveAttentionLayer -UseScale $false -UseCausalMask } } }
    # AdditiveAttention()([x, Dense(2)(x), x]) on Input((4, 3)): a scale vector of the query's 3 features; 3 + 3*2+2 = 11
    @{ Case = 'AdditiveAttention: query, value and key, scale vector'; In = 4, 3; Out = '(None, 4, 2)'; P = 11; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-AdditiveAttentionLayer -Value ($x | Add-DenseLayer 2) -Key $x -Dropout 0.1 } } }
    # MultiHeadAttention (functional API; the value defaults to the query)
    # MultiHeadAttention(2, 4)([x, x]) on Input((5, 6)): query/key kernels (6, 2, 4) + biases (2, 4): 2 * 56; value the same, 56;
    # attention_output kernel (2, 4, 6) + bias (6): 54 -> 222, output (None, 5, 6)
    @{ Case = 'MultiHeadAttention: self-attention'; In = 5, 6; Out = '(None, 5, 6)'; P = 222; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-MultiHeadAttentionLayer 2 4 } } }
    # MultiHeadAttention(3, 2, value_dim=5, output_shape=4, use_bias=False)([x, Dense(3)(x), x]) on Input((4, 6)):
    # query 6*3*2 = 36, key 36, value 3*3*5 = 45, output 3*5*4 = 60, Dense 21 -> 198, output (None, 4, 4)
    @{ Case = 'MultiHeadAttention: query, value and key, no bias'; In = 4, 6; Out = '(None, 4, 4)'; P = 198; Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x)
            $x | Add-MultiHeadAttentionLayer 3 2 -Value ($x | Add-DenseLayer 3) -Key $x -ValueDim 5 -OutputShape 4 -UseBias $false -Dropout 0.1 } } }
    # one head, key_dim 2, kernels of ones, biases 0, x = [[1, 0], [0, 2]]: every projection of step i is s_i (1, 1) with
    # s = (1, 2), scores sqrt(2) s_i s_j, softmax rows (0.1956, 0.8044) and (0.0558, 0.9442); contexts 1.8044 and 1.9442 per
    # feature, times the output kernel of ones: 2 * context
    @{ Case = 'MultiHeadAttention: scaled dot products'; In = 2, 2; Row = @(1, 0, 0, 2); Expected = @(3.6089, 3.6089, 3.8884, 3.8884)
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-MultiHeadAttentionLayer 1 2 -KernelInitializer ones } } }
    # the same with use_causal_mask: step 0 sees itself only, context 1
    @{ Case = 'MultiHeadAttention: causal mask'; In = 2, 2; Row = @(1, 0, 0, 2); Expected = @(2, 2, 3.8884, 3.8884); Onnx = $true
        Add = { param($m) Add-FunctionalBlock $m { param($x) $x | Add-MultiHeadAttentionLayer 1 2 -KernelInitializer ones -UseCausalMask } } }
    # Sequential([Dense(2)]) used as a layer on Input((3,)): 3*2+2 = 8; kernel of ones: 6, 6
    @{ Case = 'Sequential model as a layer'; In = , 3; Row = @(1, 2, 3); Expected = @(6, 6); Out = '(None, 2)'; P = 8; Onnx = $true
        Add = { param($m) $m | Add-ModelLayer -Layer (New-Model -Name inner -InputShape 3 -Seed 1 | Add-DenseLayer 2 -KernelInitializer ones) } }
)
