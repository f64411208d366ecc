using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Normalization;

/// <summary>
/// keras.layers.BatchNormalization over the last axis (channels_last). While training it normalizes with the
/// batch's mean and (biased) variance and moves <c>moving_mean</c>/<c>moving_variance</c> toward them
/// (<c>moving = moving * momentum + batch * (1 - momentum)</c>); at inference it uses the moving statistics.
/// The moving statistics are non-trainable weights, so they count as non-trainable parameters and are saved.
/// </summary>
[KerasLayer("BatchNormalization")]
public sealed class BatchNormalization : Layer, IKerasLayer<BatchNormalization>, IOnnxSingleLowering
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    private Weight? gamma, beta, movingMean, movingVariance;

    /// <summary>Keras's defaults.</summary>
    public const double DefaultMomentum = 0.99, DefaultEpsilon = 1e-3;

    public BatchNormalization(double momentum = DefaultMomentum, double epsilon = DefaultEpsilon, bool center = true, bool scale = true,
        string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (!(momentum >= 0 && momentum <= 1))
            throw KerasException.BadArgument("InvalidMomentum",
                $"BatchNormalization momentum must be in [0, 1]. Received: momentum={F(momentum)}.", momentum);
        if (!(epsilon > 0))
            throw KerasException.BadArgument("InvalidEpsilon",
                $"BatchNormalization epsilon must be positive. Received: epsilon={F(epsilon)}.", epsilon);
        Momentum = momentum;
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
    }

    public double Momentum { get; }
    public double Epsilon { get; }
    public bool Center { get; }
    public bool Scale { get; }

    /// <summary>The axis a file's config names (Keras's <c>axis</c>); KerasPS normalizes the last one only.</summary>
    internal int KerasAxis { get; init; } = -1;

    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();

    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        NormalizationAxis.Check(KerasAxis, inputShape, "BatchNormalization", Name);
        var f = new[] { inputShape[^1] };
        gamma = Scale ? AddWeight("gamma", f, new Initializer("ones"), rng) : null;
        beta = Center ? AddWeight("beta", f, new Initializer("zeros"), rng) : null;
        movingMean = AddWeight("moving_mean", f, new Initializer("zeros"), rng, trainable: false);
        movingVariance = AddWeight("moving_variance", f, new Initializer("ones"), rng, trainable: false);
    }

    public override Tensor Forward(Tensor x, bool training) => Forward(x, null, training);

    /// <summary>
    /// While training with a mask (batch, steps), Keras 3's masked moments: the mean and variance over the unmasked steps
    /// only, each divided by their count plus Keras's epsilon 1e-7 (<c>BatchNormalization._moments</c>).
    /// </summary>
    public override Tensor Forward(Tensor x, Tensor? mask, bool training)
    {
        Tensor mean, variance;
        if (training && Trainable)   // Keras 3: a frozen BatchNormalization runs in inference mode, its moving statistics untouched
        {
            var dims = Enumerable.Range(0, (int)x.dim() - 1).Select(i => (long)i).ToArray();
            if (mask is not null && mask.dim() == x.dim() - 1)
            {
                var keep = mask.to_type(ScalarType.Bool).unsqueeze(-1).expand(x.shape);
                var count = keep.to_type(x.dtype).sum(dims).Plus(1e-7);
                mean = torch.where(keep, x, torch.zeros_like(x)).sum(dims) / count;
                variance = torch.where(keep, x - mean, torch.zeros_like(x)).Squared().sum(dims) / count;
            }
            else
            {
                mean = x.mean(dims);
                variance = x.var(dims, unbiased: false);
            }
            using (torch.no_grad())
            {
                movingMean!.Value.mul_(Scalars.Of(Momentum)).add_(mean.detach(), Scalars.Of(1 - Momentum));
                movingVariance!.Value.mul_(Scalars.Of(Momentum)).add_(variance.detach(), Scalars.Of(1 - Momentum));
            }
        }
        else
        {
            mean = movingMean!.Value;
            variance = movingVariance!.Value;
        }
        var y = (x - mean) * variance.Plus(Epsilon).rsqrt();
        if (gamma is not null) y = y * gamma.Value;
        if (beta is not null) y = y.Plus(beta.Value);
        return y;
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["axis"] = -1;
        c["momentum"] = Momentum;
        c["epsilon"] = Epsilon;
        c["center"] = Center;
        c["scale"] = Scale;
        // Fixed in KerasPS; written so that Keras reads the same layer.
        c["beta_initializer"] = new Initializer("zeros").GetConfig();
        c["gamma_initializer"] = new Initializer("ones").GetConfig();
        c["moving_mean_initializer"] = new Initializer("zeros").GetConfig();
        c["moving_variance_initializer"] = new Initializer("ones").GetConfig();
        c["beta_regularizer"] = null;
        c["gamma_regularizer"] = null;
        c["beta_constraint"] = null;
        c["gamma_constraint"] = null;
        c["synchronized"] = false;
    }

    public static BatchNormalization FromConfig(ConfigReader c) =>
        new(c.Double("momentum", DefaultMomentum), c.Double("epsilon", DefaultEpsilon), c.Bool("center", true), c.Bool("scale", true),
            c.Name, c.InputShape) { KerasAxis = NormalizationAxis.Read(c, "BatchNormalization") };

    public override string? Details => $"momentum={F(Momentum)}, epsilon={F(Epsilon)}";

    /// <summary>At inference, the moving statistics and gamma folded into one scale: <c>(x - mean) * scale + beta</c>.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        int f = InputShape![^1];
        var mean = WeightOf(this, "moving_mean").ToArray();
        var variance = WeightOf(this, "moving_variance").ToArray();
        var gamma = OptionalWeightOf(this, "gamma")?.ToArray();
        var scale = new float[f];
        for (int i = 0; i < f; i++) scale[i] = (float)(1 / Math.Sqrt(variance[i] + (double)(float)Epsilon) * (gamma?[i] ?? 1f));
        var centered = g.Op("Sub", new[] { x, g.Constant("moving_mean", mean, f) });
        var y = g.Op("Mul", new[] { centered, g.Constant("scale", scale, f) });
        if (OptionalWeightOf(this, "beta") is { } beta) y = g.Op("Add", new[] { y, g.Constant("beta", beta.ToArray(), f) });
        return y;
    }
}

/// <summary>keras.layers.LayerNormalization over the last axis: each sample normalized by its own mean and variance, then scaled and
/// shifted.</summary>
[KerasLayer("LayerNormalization")]
public sealed class LayerNormalization : Layer, IKerasLayer<LayerNormalization>, IOnnxSingleLowering
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    private Weight? gamma, beta;

    /// <summary>Keras's default epsilon.</summary>
    public const double DefaultEpsilon = 1e-3;

    public LayerNormalization(double epsilon = DefaultEpsilon, bool center = true, bool scale = true, string? name = null,
        int[]? inputShape = null) : base(name, inputShape)
    {
        if (!(epsilon > 0))
            throw KerasException.BadArgument("InvalidEpsilon",
                $"LayerNormalization epsilon must be positive. Received: epsilon={F(epsilon)}.", epsilon);
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
    }

    public double Epsilon { get; }
    public bool Center { get; }
    public bool Scale { get; }
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();

    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        NormalizationAxis.Check(KerasAxis, inputShape, "LayerNormalization", Name);
        var f = new[] { inputShape[^1] };
        gamma = Scale ? AddWeight("gamma", f, new Initializer("ones"), rng) : null;
        beta = Center ? AddWeight("beta", f, new Initializer("zeros"), rng) : null;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var mean = x.mean(new long[] { -1 }, keepdim: true);
        var variance = x.var(-1L, unbiased: false, keepdim: true);
        var y = (x - mean) * variance.Plus(Epsilon).rsqrt();
        if (gamma is not null) y = y * gamma.Value;
        if (beta is not null) y = y.Plus(beta.Value);
        return y;
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["axis"] = -1;
        c["epsilon"] = Epsilon;
        c["center"] = Center;
        c["scale"] = Scale;
        c["rms_scaling"] = false;
        c["beta_initializer"] = new Initializer("zeros").GetConfig();
        c["gamma_initializer"] = new Initializer("ones").GetConfig();
        c["beta_regularizer"] = null;
        c["gamma_regularizer"] = null;
        c["beta_constraint"] = null;
        c["gamma_constraint"] = null;
    }

    /// <summary>The axis a file's config names (Keras's <c>axis</c>); KerasPS normalizes the last one only.</summary>
    internal int KerasAxis { get; init; } = -1;

    public static LayerNormalization FromConfig(ConfigReader c) =>
        new(c.Double("epsilon", DefaultEpsilon), c.Bool("center", true), c.Bool("scale", true), c.Name, c.InputShape)
        {
            KerasAxis = NormalizationAxis.Read(c, "LayerNormalization"),
        };

    public override string? Details => $"epsilon={F(Epsilon)}";

    /// <summary>ONNX's LayerNormalization over the last axis; gamma of ones without <c>scale</c>.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        int f = InputShape![^1];
        var gamma = OptionalWeightOf(this, "gamma")?.ToArray() ?? Enumerable.Repeat(1f, f).ToArray();
        var inputs = new List<string> { x, g.Constant("gamma", gamma, f) };
        if (OptionalWeightOf(this, "beta") is { } beta) inputs.Add(g.Constant("beta", beta.ToArray(), f));
        return g.Op("LayerNormalization", inputs.ToArray(), A("axis", -1L), A("epsilon", (float)Epsilon));
    }
}

/// <summary>
/// Keras's <c>axis</c> of BatchNormalization and LayerNormalization as a file gives it (an int, or a list of one):
/// KerasPS normalizes the last axis (channels_last) only, so any other axis is refused by name when the layer learns its
/// input's rank, never normalized over the wrong axis.
/// </summary>
internal static class NormalizationAxis
{
    public static int Read(ConfigReader c, string className)
    {
        var axes = c.IntArray("axis");
        if (axes is null) return -1;
        if (axes.Length != 1)
            throw KerasException.BadData("UnsupportedLayerOption",
                $"{className} '{c.Name}' normalizes over the axes [{string.Join(", ", axes)}]; KerasPS normalizes over the last "
                    + "axis only (axis=-1): save the model with that axis, or reshape so the features are last.", "axis");
        return axes[0];
    }

    /// <summary>Refuses an axis other than the last of an input of shape <paramref name="inputShape"/> (batch left out).</summary>
    public static void Check(int axis, int[] inputShape, string className, string name)
    {
        if (axis == -1 || axis == inputShape.Length) return;
        throw KerasException.BadData("UnsupportedLayerOption",
            $"{className} '{name}' normalizes axis {axis} of its {inputShape.Length + 1}-D input (the batch is axis 0); KerasPS "
                + "normalizes the last axis only (channels_last): save the model with axis=-1 on channels_last data.", "axis");
    }
}
