using static TorchSharp.torch;
using KerasPS.Engine.Activations;
using KerasPS.Engine.Onnx;

namespace KerasPS.Engine.Layers.Activations;

/// <summary>keras.layers.Activation: applies a named activation; no weights.</summary>
[KerasLayer("Activation")]
public sealed class ActivationLayer : Layer, IActivationHead, IKerasLayer<ActivationLayer>, IOnnxSingleLowering
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    public ActivationLayer(string activation, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (string.IsNullOrWhiteSpace(activation))
            throw KerasException.BadArgument("UnknownActivation",
                $"Activation needs a name. Valid names: {string.Join(", ", ActivationFunctions.Names)}.");
        Activation = ActivationFunctions.Normalize(activation);
    }

    public string Activation { get; }
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();
    public Tensor ForwardWithoutActivation(Tensor x, bool training) => x;
    public override Tensor Forward(Tensor x, bool training) => ActivationFunctions.Apply(Activation, x);
    protected override void WriteConfig(IDictionary<string, object?> c) => c["activation"] = Activation;
    public static ActivationLayer FromConfig(ConfigReader c) => new(c.String("activation")!, c.Name, c.InputShape);
    public override string? Details => $"activation={Activation}";

    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) => OnnxActivations.Apply(g, Activation, x);
}
