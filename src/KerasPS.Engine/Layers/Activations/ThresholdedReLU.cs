using static TorchSharp.torch;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Activations;

/// <summary>keras.layers.ThresholdedReLU (Keras 2): <c>x</c> where x &gt; theta, 0 elsewhere (default theta 1).</summary>
[KerasLayer("ThresholdedReLU")]
public sealed class ThresholdedReLU : Layer, IKerasLayer<ThresholdedReLU>, IOnnxSingleLowering
{
    /// <summary>Keras 2 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    /// <summary>Keras's default theta.</summary>
    public const double DefaultTheta = 1.0;

    public ThresholdedReLU(double theta = DefaultTheta, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (!(theta >= 0) || double.IsInfinity(theta))
            throw KerasException.BadArgument("InvalidTheta",
                $"ThresholdedReLU theta must be a finite number >= 0. Received: theta={F(theta)}.", theta);
        Theta = theta;
    }

    public double Theta { get; }
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();
    public override Tensor Forward(Tensor x, bool training) => x * x.gt(Scalars.Of(Theta)).to_type(x.dtype);
    protected override void WriteConfig(IDictionary<string, object?> c) => c["theta"] = Theta;
    public static ThresholdedReLU FromConfig(ConfigReader c) => new(c.Double("theta", DefaultTheta), c.Name, c.InputShape);
    public override string? Details => $"theta={F(Theta)}";

    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) => g.Op("ThresholdedRelu", new[] { x }, A("alpha", (float)Theta));
}
