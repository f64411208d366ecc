using static TorchSharp.torch;
using NF = TorchSharp.torch.nn.functional;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Activations;

/// <summary>keras.layers.LeakyReLU: <c>x</c> for x &gt;= 0, <c>negative_slope * x</c> otherwise (Keras 3 default 0.3).</summary>
[KerasLayer("LeakyReLU")]
public sealed class LeakyReLU : Layer, IKerasLayer<LeakyReLU>, IOnnxSingleLowering
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    /// <summary>Keras's default negative_slope.</summary>
    public const double DefaultNegativeSlope = 0.3;

    public LeakyReLU(double negativeSlope = DefaultNegativeSlope, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (!(negativeSlope >= 0) || double.IsInfinity(negativeSlope))
            throw KerasException.BadArgument("InvalidNegativeSlope",
                $"LeakyReLU negative_slope must be a finite number >= 0. Received: negative_slope={F(negativeSlope)}.", negativeSlope);
        NegativeSlope = negativeSlope;
    }

    public double NegativeSlope { get; }
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();
    public override Tensor Forward(Tensor x, bool training) => x.leaky_relu(Scalars.Of(NegativeSlope));
    protected override void WriteConfig(IDictionary<string, object?> c) => c["negative_slope"] = NegativeSlope;
    /// <summary>Keras 2 called the slope <c>alpha</c>; Keras 3 still reads it under that name.</summary>
    public static LeakyReLU FromConfig(ConfigReader c) =>
        new(c.Double("negative_slope", c.Double("alpha", DefaultNegativeSlope)), c.Name, c.InputShape);
    public override string? Details => $"negative_slope={F(NegativeSlope)}";

    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) => g.Op("LeakyRelu", new[] { x }, A("alpha", (float)NegativeSlope));
}

/// <summary>keras.layers.PReLU: leaky ReLU with a learned slope <c>alpha</c> per input element (shared along <c>shared_axes</c>).</summary>
[KerasLayer("PReLU")]
public sealed class PReLU : Layer, IKerasLayer<PReLU>, IOnnxSingleLowering
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    private Weight? alpha;

    public PReLU(Initializer? alphaInitializer = null, int[]? sharedAxes = null, string? name = null, int[]? inputShape = null)
        : base(name, inputShape)
    {
        AlphaInitializer = alphaInitializer ?? new Initializer("zeros");
        if (sharedAxes is not null && sharedAxes.Any(a => a < 1))
            throw KerasException.BadArgument("InvalidSharedAxes",
                $"PReLU shared axes are 1-based (the batch axis is 0 and cannot be shared). Received: ({string.Join(", ", sharedAxes)}).",
                sharedAxes);
        SharedAxes = sharedAxes is { Length: > 0 } ? sharedAxes.Distinct().Order().ToArray() : null;
    }

    public Initializer AlphaInitializer { get; }
    public int[]? SharedAxes { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (SharedAxes is not null && SharedAxes.Max() > inputShape.Length)
            throw KerasException.BadArgument("InvalidSharedAxes",
                $"PReLU shared axes ({string.Join(", ", SharedAxes)}) go beyond the input {Shapes.Format(inputShape)}.", SharedAxes);
        return (int[])inputShape.Clone();
    }

    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        var shape = (int[])inputShape.Clone();
        if (SharedAxes is not null) foreach (var a in SharedAxes) shape[a - 1] = 1;
        alpha = AddWeight("alpha", shape, AlphaInitializer, rng);
    }

    public override Tensor Forward(Tensor x, bool training) => NF.relu(x) - alpha!.Value * NF.relu(-x);

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["alpha_initializer"] = AlphaInitializer.GetConfig();
        c["shared_axes"] = SharedAxes;
        c["alpha_regularizer"] = null;
        c["alpha_constraint"] = null;
    }

    public static PReLU FromConfig(ConfigReader c) =>
        new(Initializer.Optional(c.Raw("alpha_initializer")), c.IntArray("shared_axes"), c.Name, c.InputShape);

    public override string? Details => SharedAxes is null ? null : $"shared_axes=({string.Join(", ", SharedAxes)})";

    /// <summary>ONNX's PRelu with alpha as stored (its shape broadcasts against the input's, batch axis aside).</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) => g.Op("PRelu", new[] { x, g.Constant(WeightOf(this, "alpha")) });
}

/// <summary>keras.layers.ELU: <c>x</c> for x &gt; 0, <c>alpha * (exp(x) - 1)</c> otherwise.</summary>
[KerasLayer("ELU")]
public sealed class ELU : Layer, IKerasLayer<ELU>, IOnnxSingleLowering
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    /// <summary>Keras's default alpha.</summary>
    public const double DefaultAlpha = 1.0;

    public ELU(double alpha = DefaultAlpha, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (double.IsNaN(alpha) || double.IsInfinity(alpha))
            throw KerasException.BadArgument("InvalidAlpha", $"ELU alpha must be a finite number. Received: alpha={F(alpha)}.", alpha);
        Alpha = alpha;
    }

    public double Alpha { get; }
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();
    public override Tensor Forward(Tensor x, bool training) => x.elu(Scalars.Of(Alpha), Scalars.Of(1.0), Scalars.Of(1.0));
    protected override void WriteConfig(IDictionary<string, object?> c) => c["alpha"] = Alpha;
    public static ELU FromConfig(ConfigReader c) => new(c.Double("alpha", DefaultAlpha), c.Name, c.InputShape);
    public override string? Details => $"alpha={F(Alpha)}";

    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) => g.Op("Elu", new[] { x }, A("alpha", (float)Alpha));
}

/// <summary>
/// keras.layers.ReLU: <c>max_value</c> caps the output, values at or below <c>threshold</c> become
/// <c>negative_slope * (x - threshold)</c>.
/// </summary>
[KerasLayer("ReLU")]
public sealed class ReLU : Layer, IKerasLayer<ReLU>, IOnnxSingleLowering
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    public ReLU(double? maxValue = null, double negativeSlope = 0, double threshold = 0, string? name = null, int[]? inputShape = null)
        : base(name, inputShape)
    {
        if (maxValue is double m && !(m >= 0))
            throw KerasException.BadArgument("InvalidMaxValue", $"ReLU max_value must be >= 0. Received: max_value={F(m)}.", maxValue);
        if (!(negativeSlope >= 0))
            throw KerasException.BadArgument("InvalidNegativeSlope",
                $"ReLU negative_slope must be >= 0. Received: negative_slope={F(negativeSlope)}.", negativeSlope);
        if (double.IsNaN(threshold) || double.IsInfinity(threshold))
            throw KerasException.BadArgument("InvalidThreshold",
                $"ReLU threshold must be a finite number. Received: threshold={F(threshold)}.", threshold);
        MaxValue = maxValue;
        NegativeSlope = negativeSlope;
        Threshold = threshold;
    }

    public double? MaxValue { get; }
    public double NegativeSlope { get; }
    public double Threshold { get; }
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();

    public override Tensor Forward(Tensor x, bool training)
    {
        // keras.activations.relu, term for term.
        var y = Threshold != 0 ? x * x.gt(Scalars.Of(Threshold)).to_type(x.dtype) : NF.relu(x);
        if (MaxValue is double m) y = y.clamp(Scalars.Zero, Scalars.Of(m));
        if (NegativeSlope != 0) y = y - NF.relu(x.neg().Plus(Threshold)).mul(Scalars.Of(NegativeSlope));
        return y;
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["max_value"] = MaxValue;
        c["negative_slope"] = NegativeSlope;
        c["threshold"] = Threshold;
    }

    public static ReLU FromConfig(ConfigReader c) =>
        new(c.NullableDouble("max_value"), c.Double("negative_slope", 0), c.Double("threshold", 0), c.Name, c.InputShape);

    public override string? Details => DetailText.Join(MaxValue is double m ? $"max_value={F(m)}" : null,
        NegativeSlope != 0 ? $"negative_slope={F(NegativeSlope)}" : null, Threshold != 0 ? $"threshold={F(Threshold)}" : null);

    /// <summary>keras.activations.relu term for term, as <see cref="Forward"/> computes it.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        string y;
        if (Threshold != 0)
        {
            var above = g.Op("Greater", new[] { x, g.Scalar("threshold", (float)Threshold) });
            y = g.Op("Mul", new[] { x, g.Op("Cast", new[] { above }, A("to", 1L)) });
        }
        else y = g.Op("Relu", new[] { x });
        if (MaxValue is double m) y = g.Op("Clip", new[] { y, g.Scalar("min", 0f), g.Scalar("max", (float)m) });
        if (NegativeSlope != 0)
        {
            var shifted = g.Op("Add", new[] { g.Op("Neg", new[] { x }), g.Scalar("threshold", (float)Threshold) });
            var below = g.Op("Relu", new[] { shifted });
            y = g.Op("Sub", new[] { y, g.Op("Mul", new[] { below, g.Scalar("negative_slope", (float)NegativeSlope) }) });
        }
        return y;
    }
}

/// <summary>keras.layers.Softmax along an axis (Keras numbering: 0 is the batch axis, -1 the last).</summary>
[KerasLayer("Softmax")]
public sealed class Softmax : Layer, IActivationHead, IKerasLayer<Softmax>, IOnnxSingleLowering
{
    /// <summary>Keras's default axis: the last.</summary>
    public const int DefaultAxis = -1;

    /// <summary>
    /// Keras's Softmax reads a mask as a mask over the values it normalizes, which a sequence's (batch, steps) mask is not
    /// (Keras raises an error for it); refused by name rather than computed without the mask.
    /// </summary>
    public override Tensor Forward(Tensor x, Tensor? mask, bool training) => mask is null ? Forward(x, training)
        : throw KerasException.BadArgument("MaskNotSupported",
            $"Softmax layer '{Name}' receives a sequence mask (from Masking or Embedding mask_zero), which Keras's Softmax reads as "
                + "a mask over the values it normalizes and refuses for a (batch, steps) mask. Use Add-ActivationLayer softmax or a "
                + "Dense layer's -Activation softmax instead.", Name);

    public Softmax(int axis = DefaultAxis, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (axis == 0)
            throw KerasException.BadArgument("InvalidAxis",
                "Softmax cannot run along the batch axis (0). Use -1 (the last axis) or an axis from 1.", axis);
        Axis = axis;
    }

    public int Axis { get; }

    /// <summary>Only a softmax over the last axis can be fused into a cross-entropy loss.</summary>
    public string Activation => Axis == -1 ? "softmax" : "linear-softmax";

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        int rank = inputShape.Length + 1;
        if (Axis >= rank || Axis < -rank + 1)
            throw KerasException.BadArgument("InvalidAxis",
                $"Softmax axis {Axis} does not exist for input {Shapes.Format(inputShape)} (axes 1..{rank - 1}, or -1 for the last).",
                Axis);
        return (int[])inputShape.Clone();
    }

    public Tensor ForwardWithoutActivation(Tensor x, bool training) => x;
    public override Tensor Forward(Tensor x, bool training) => x.softmax(Axis);
    protected override void WriteConfig(IDictionary<string, object?> c) => c["axis"] = Axis;
    public static Softmax FromConfig(ConfigReader c) => new(c.Int("axis", DefaultAxis), c.Name, c.InputShape);
    public override string? Details => $"axis={Axis}";

    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) => g.Op("Softmax", new[] { x }, A("axis", (long)Axis));
}
