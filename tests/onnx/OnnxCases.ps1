# The models tests/Export-OnnxModel.Tests.ps1 exports: one or more per layer type (the layer harness's cases in
# tests/Layers.Tests.ps1, plus every activation and the recurrent, convolution and Lambda variants). Each adds its
# layers to a model whose input is In (without the batch axis); Tokens gives integer inputs in [0, Tokens).
# Dot-sourced twice: at discovery (the test names) and in BeforeAll (the models).
$script:OnnxActivationNames = @('linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'log_softmax', 'elu', 'selu', 'softplus',
    'softsign', 'gelu', 'swish', 'silu', 'leaky_relu', 'hard_sigmoid', 'hard_silu', 'hard_swish', 'mish', 'exponential')

$script:OnnxCases = @(
    @{ Case = 'Dense on 3-D input'; Add = { param($m) $m | Add-DenseLayer 4 }; In = 3, 5 }
    @{ Case = 'Dense without bias, relu'; Add = { param($m) $m | Add-DenseLayer 4 -UseBias:$false -Activation relu }; In = , 5 }
    @{ Case = 'Dense softmax classifier head'; Add = { param($m) $m | Add-DenseLayer 6 -Activation tanh | Add-DenseLayer 3 -Activation softmax }; In = , 5 }
    foreach ($a in $OnnxActivationNames) {
        @{ Case = "Activation $a"; Add = [scriptblock]::Create("param(`$m) `$m | Add-ActivationLayer $a"); In = 3, 4 }
    }
    @{ Case = 'Dropout, AlphaDropout, GaussianNoise, ActivityRegularization (identity)'; Add = { param($m) $m | Add-DenseLayer 4 | Add-DropoutLayer 0.5 | Add-AlphaDropoutLayer 0.2 | Add-GaussianNoiseLayer 0.1 | Add-ActivityRegularizationLayer -L1 0.01 }; In = , 6 }
    @{ Case = 'Dropout last'; Add = { param($m) $m | Add-DropoutLayer 0.3 }; In = , 6 }
    @{ Case = 'Flatten'; Add = { param($m) $m | Add-FlattenLayer }; In = 4, 3, 2 }
    @{ Case = 'Reshape with one -1'; Add = { param($m) $m | Add-ReshapeLayer -TargetShape -1, 4 }; In = , 12 }
    @{ Case = 'Permute'; Add = { param($m) $m | Add-PermuteLayer -Dims 2, 1 }; In = 10, 6 }
    @{ Case = 'RepeatVector'; Add = { param($m) $m | Add-RepeatVectorLayer 3 }; In = , 5 }
    @{ Case = 'Lambda expression'; Add = { param($m) $m | Add-LambdaLayer -Expression 'x[:, 0:3] * 2' }; In = , 10 }
    @{ Case = 'Lambda reduction'; Add = { param($m) $m | Add-LambdaLayer -Expression 'mean(x, 1) + relu(x[:, 0])' }; In = 4, 6 }
    @{ Case = 'Lambda arithmetic and functions'; Add = { param($m) $m | Add-LambdaLayer -Expression '-x / 2 + 1 - square(x) * abs(x) ** 2 + clip(x, -0.5, 0.5) + pow(abs(x), 1.5) + exp(x) - sqrt(abs(x) + 1) + sin(x) * cos(x) + sign(x) + floor(x) + ceil(x) + round(x * 3) + negative(x) + maximum(x, 0.1) + minimum(x, -0.1) + maximum(x, sigmoid(x)) + 2 / (abs(x) + 1) + log(abs(x) + 1)' }; In = , 6 }
    @{ Case = 'Lambda index, step slice and reductions'; Add = { param($m) $m | Add-LambdaLayer -Expression 'sum(x[:, -1, 0:6:2], 1, 1) + max(x[:, 1], -1, 1) - min(x[:, 2], 1, 1) + prod(x[:, 0, 1:3], 1, 1) + mean(x, 2)[:, 1:2]' }; In = 4, 6 }
    @{ Case = 'LeakyReLU'; Add = { param($m) $m | Add-LeakyReLULayer -NegativeSlope 0.1 }; In = , 6 }
    @{ Case = 'ELU'; Add = { param($m) $m | Add-ELULayer -Alpha 0.5 }; In = , 6 }
    @{ Case = 'ReLU with max, slope and threshold'; Add = { param($m) $m | Add-ReLULayer -MaxValue 0.6 -NegativeSlope 0.1 -Threshold 0.1 }; In = , 6 }
    @{ Case = 'ReLU plain'; Add = { param($m) $m | Add-ReLULayer }; In = , 6 }
    @{ Case = 'Softmax on axis 1'; Add = { param($m) $m | Add-SoftmaxLayer -Axis 1 }; In = 3, 4 }
    @{ Case = 'PReLU'; Add = { param($m) $m | Add-PReLULayer }; In = 4, 3 }
    @{ Case = 'PReLU with shared axes'; Add = { param($m) $m | Add-PReLULayer -SharedAxes 1 }; In = 4, 3 }
    @{ Case = 'BatchNormalization'; Add = { param($m) $m | Add-BatchNormalizationLayer }; In = , 8 }
    @{ Case = 'BatchNormalization without center on 3-D input'; Add = { param($m) $m | Add-BatchNormalizationLayer -Center:$false }; In = 4, 8 }
    @{ Case = 'LayerNormalization'; Add = { param($m) $m | Add-LayerNormalizationLayer }; In = , 8 }
    @{ Case = 'LayerNormalization without scale'; Add = { param($m) $m | Add-LayerNormalizationLayer -Scale:$false -Epsilon 0.01 }; In = 3, 8 }
    @{ Case = 'Normalization'; Add = { param($m) $m | Add-NormalizationLayer -Mean 0.1, -0.2, 0.3, 0 -Variance 0.5, 2, 1, 0.25 }; In = , 4 }
    @{ Case = 'Normalization on axis 1 of 3-D input'; Add = { param($m) $m | Add-NormalizationLayer -Axis 1 -Mean 0.1, -0.2, 0.3 -Variance 0.5, 2, 1 }; In = 3, 4 }
    @{ Case = 'Conv1D'; Add = { param($m) $m | Add-Conv1DLayer 16 5 -Activation relu }; In = 20, 8 }
    @{ Case = 'Conv1D same, strided'; Add = { param($m) $m | Add-Conv1DLayer 4 3 -Strides 2 -Padding same }; In = 9, 2 }
    @{ Case = 'Conv1D causal, dilated'; Add = { param($m) $m | Add-Conv1DLayer 2 3 -Padding causal -DilationRate 2 }; In = 6, 1 }
    @{ Case = 'Conv2D'; Add = { param($m) $m | Add-Conv2DLayer 8 3 -Activation relu }; In = 8, 8, 1 }
    @{ Case = 'Conv2D same, strided'; Add = { param($m) $m | Add-Conv2DLayer 8 3 -Strides 2 -Padding same }; In = 7, 7, 3 }
    @{ Case = 'Conv2D channels_first'; Add = { param($m) $m | Add-Conv2DLayer 4 2, 3 -DataFormat channels_first -UseBias:$false }; In = 3, 5, 6 }
    @{ Case = 'Conv2D dilated'; Add = { param($m) $m | Add-Conv2DLayer 3 3 -DilationRate 2 -Padding same }; In = 7, 6, 2 }
    @{ Case = 'MaxPooling1D'; Add = { param($m) $m | Add-MaxPooling1DLayer 2 }; In = 10, 3 }
    @{ Case = 'MaxPooling2D'; Add = { param($m) $m | Add-MaxPooling2DLayer }; In = 7, 7, 2 }
    @{ Case = 'MaxPooling2D same'; Add = { param($m) $m | Add-MaxPooling2DLayer 3 -Strides 2 -Padding same }; In = 7, 7, 2 }
    @{ Case = 'AveragePooling1D'; Add = { param($m) $m | Add-AveragePooling1DLayer 2 }; In = 10, 3 }
    @{ Case = 'AveragePooling1D same'; Add = { param($m) $m | Add-AveragePooling1DLayer 3 -Strides 2 -Padding same }; In = 10, 3 }
    @{ Case = 'AveragePooling2D same'; Add = { param($m) $m | Add-AveragePooling2DLayer 2 -Padding same }; In = 7, 7, 3 }
    @{ Case = 'AveragePooling2D channels_first'; Add = { param($m) $m | Add-AveragePooling2DLayer 2 -DataFormat channels_first }; In = 3, 6, 4 }
    @{ Case = 'GlobalAveragePooling1D'; Add = { param($m) $m | Add-GlobalAveragePooling1DLayer }; In = 10, 3 }
    @{ Case = 'GlobalAveragePooling2D'; Add = { param($m) $m | Add-GlobalAveragePooling2DLayer }; In = 5, 5, 4 }
    @{ Case = 'GlobalAveragePooling2D channels_first, keepdims'; Add = { param($m) $m | Add-GlobalAveragePooling2DLayer -DataFormat channels_first -KeepDims }; In = 4, 5, 5 }
    @{ Case = 'Embedding'; Add = { param($m) $m | Add-EmbeddingLayer 50 8 }; In = , 20; Tokens = 50 }
    @{ Case = 'SimpleRNN'; Add = { param($m) $m | Add-SimpleRNNLayer 16 }; In = 10, 3 }
    @{ Case = 'SimpleRNN returning sequences, backwards, relu'; Add = { param($m) $m | Add-SimpleRNNLayer 6 -ReturnSequences -GoBackwards -Activation relu }; In = 10, 3 }
    @{ Case = 'LSTM'; Add = { param($m) $m | Add-LSTMLayer 12 }; In = 5, 10 }
    @{ Case = 'LSTM returning sequences'; Add = { param($m) $m | Add-LSTMLayer 8 -ReturnSequences }; In = 6, 4 }
    @{ Case = 'LSTM backwards without bias'; Add = { param($m) $m | Add-LSTMLayer 5 -GoBackwards -UseBias:$false }; In = 6, 4 }
    @{ Case = 'GRU'; Add = { param($m) $m | Add-GRULayer 12 }; In = 10, 10 }
    @{ Case = 'GRU without reset_after'; Add = { param($m) $m | Add-GRULayer 4 -ResetAfter:$false -ReturnSequences }; In = 5, 3 }
    @{ Case = 'GRU backwards, returning sequences'; Add = { param($m) $m | Add-GRULayer 4 -GoBackwards -ReturnSequences }; In = 5, 3 }
    @{ Case = 'Embedding, Conv1D, pooling, LSTM, Dense softmax'; Add = { param($m) $m | Add-EmbeddingLayer 30 6 | Add-Conv1DLayer 8 3 -Padding same -Activation relu | Add-MaxPooling1DLayer 2 | Add-LSTMLayer 5 | Add-DenseLayer 3 -Activation softmax }; In = , 12; Tokens = 30 }
)
