using static TorchSharp.torch;
using KerasPS.Engine.Onnx;

namespace KerasPS.Engine.Layers.Regularization;

/// <summary>keras.layers.Dropout: zeroes a fraction of inputs while training and scales the rest by 1/(1-rate).</summary>
[KerasLayer("Dropout")]
public sealed class Dropout : Layer, IKerasLayer<Dropout>, IOnnxIdentity
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    public Dropout(double rate, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (!(rate >= 0 && rate < 1))
            throw KerasException.BadArgument("InvalidRate", $"Dropout rate must be in [0, 1). Received: rate={F(rate)}.", rate);
        Rate = rate;
    }

    public double Rate { get; }
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();
    public override Tensor Forward(Tensor x, bool training) =>
        training && Rate > 0 ? x * Training.RandomContext.DropoutMask(x, Rate) : x;
    protected override void WriteConfig(IDictionary<string, object?> c) { c["rate"] = Rate; c["seed"] = null; c["noise_shape"] = null; }
    public static Dropout FromConfig(ConfigReader c) => new(c.Double("rate"), c.Name, c.InputShape);
    public override string? Details => $"rate={F(Rate)}";
}
