namespace KerasPS.Engine.Onnx;

/// <summary>Keras's named activations as ONNX opset-17 nodes, each computing what <c>ActivationFunctions</c> computes.</summary>
internal static class OnnxActivations
{
    private static OnnxAttribute A(string name, object value) => new(name, value);

    /// <summary>Adds the nodes of activation <paramref name="name"/> (canonical, lower case) on <paramref name="x"/>.</summary>
    public static string Apply(OnnxGraph g, string name, string x)
    {
        switch (name)
        {
            case "linear": return x;
            case "relu": return g.Op("Relu", new[] { x });
            case "relu6": return g.Op("Clip", new[] { x, g.Scalar("zero", 0f), g.Scalar("six", 6f) });
            case "sigmoid": return g.Op("Sigmoid", new[] { x });
            case "tanh": return g.Op("Tanh", new[] { x });
            case "softmax": return g.Op("Softmax", new[] { x }, A("axis", -1L));
            case "log_softmax": return g.Op("LogSoftmax", new[] { x }, A("axis", -1L));
            case "elu": return g.Op("Elu", new[] { x }, A("alpha", 1f));
            case "selu": return g.Op("Selu", new[] { x });   // ONNX's default alpha and gamma are SELU's constants
            case "softplus": return g.Op("Softplus", new[] { x });
            case "softsign": return g.Op("Softsign", new[] { x });
            case "gelu":
            {
                // The exact (erf) form torch uses by default; ONNX has no Gelu op before opset 20.
                var erf = g.Op("Erf", new[] { g.Op("Mul", new[] { x, g.Scalar("inv_sqrt2", (float)(1 / Math.Sqrt(2))) }) });
                var half = g.Op("Mul", new[] { x, g.Scalar("half", 0.5f) });
                return g.Op("Mul", new[] { half, g.Op("Add", new[] { erf, g.Scalar("one", 1f) }) });
            }
            case "swish":
            case "silu": return g.Op("Mul", new[] { x, g.Op("Sigmoid", new[] { x }) });
            case "leaky_relu": return g.Op("LeakyRelu", new[] { x }, A("alpha", 0.2f));
            case "hard_sigmoid": return g.Op("HardSigmoid", new[] { x }, A("alpha", 1f / 6), A("beta", 0.5f));
            case "hard_sigmoid_keras2": return g.Op("HardSigmoid", new[] { x }, A("alpha", 0.2f), A("beta", 0.5f));
            case "hard_silu":
            case "hard_swish": return g.Op("HardSwish", new[] { x });
            case "mish": return g.Op("Mul", new[] { x, g.Op("Tanh", new[] { g.Op("Softplus", new[] { x }) }) });
            case "exponential": return g.Op("Exp", new[] { x });
            default: throw new InvalidOperationException($"No ONNX form for activation '{name}'.");
        }
    }

    /// <summary>
    /// The names ONNX's RNN, LSTM and GRU operators take in their <c>activations</c> attribute, for the Keras
    /// activations that have one without extra parameters; null for the others.
    /// </summary>
    public static string? RecurrentName(string name) => name switch
    {
        "tanh" => "Tanh",
        "sigmoid" => "Sigmoid",
        "relu" => "Relu",
        "softsign" => "Softsign",
        "softplus" => "Softplus",
        "hard_sigmoid_keras2" => "HardSigmoid",   // ONNX's default alpha 0.2 and beta 0.5 are Keras 2's
        _ => null,
    };
}
