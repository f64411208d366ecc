using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Regularizers;
using KerasPS.Engine.Onnx;

namespace KerasPS.Engine.Layers.Regularization;

/// <summary>keras.layers.GaussianNoise: adds zero-mean noise of the given standard deviation while training; identity at
/// inference.</summary>
[KerasLayer("GaussianNoise")]
public sealed class GaussianNoise : Layer, IKerasLayer<GaussianNoise>, IOnnxIdentity
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    public GaussianNoise(double stddev, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (!(stddev >= 0) || double.IsInfinity(stddev))
            throw KerasException.BadArgument("InvalidStdDev",
                $"GaussianNoise stddev must be a finite number >= 0. Received: stddev={F(stddev)}.", stddev);
        StdDev = stddev;
    }

    public double StdDev { get; }
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();
    public override Tensor Forward(Tensor x, bool training) =>
        training && StdDev > 0 ? x.Plus(torch.empty_like(x).normal_(0, StdDev, Training.RandomContext.Current)) : x;
    protected override void WriteConfig(IDictionary<string, object?> c) { c["stddev"] = StdDev; c["seed"] = null; }
    public static GaussianNoise FromConfig(ConfigReader c) => new(c.Double("stddev"), c.Name, c.InputShape);
    public override string? Details => $"stddev={F(StdDev)}";
}

/// <summary>
/// keras.layers.AlphaDropout: dropout for SELU networks. Dropped inputs are set to SELU's negative saturation
/// value and the result is rescaled so that mean and variance are kept; identity at inference.
/// </summary>
[KerasLayer("AlphaDropout")]
public sealed class AlphaDropout : Layer, IKerasLayer<AlphaDropout>, IOnnxIdentity
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    private const double AlphaP = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;

    public AlphaDropout(double rate, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (!(rate >= 0 && rate < 1))
            throw KerasException.BadArgument("InvalidRate", $"AlphaDropout rate must be in [0, 1). Received: rate={F(rate)}.", rate);
        Rate = rate;
    }

    public double Rate { get; }
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();

    public override Tensor Forward(Tensor x, bool training)
    {
        if (!training || Rate == 0) return x;
        var keep = torch.empty_like(x).bernoulli_(1 - Rate, Training.RandomContext.Current);
        double a = Math.Pow((1 - Rate) * (1 + Rate * AlphaP * AlphaP), -0.5);
        double b = -a * AlphaP * Rate;
        // (x * keep + (1 - keep) * AlphaP) * a + b, with kept Scalars.
        return (x * keep).Plus(keep.OneMinus().mul(Scalars.Of(AlphaP))).mul(Scalars.Of(a)).Plus(b);
    }

    protected override void WriteConfig(IDictionary<string, object?> c) { c["rate"] = Rate; c["noise_shape"] = null; c["seed"] = null; }
    public static AlphaDropout FromConfig(ConfigReader c) => new(c.Double("rate"), c.Name, c.InputShape);
    public override string? Details => $"rate={F(Rate)}";
}

/// <summary>keras.layers.ActivityRegularization: identity that adds <c>l1 * sum|x| + l2 * sum x^2</c> (per sample) to the loss.</summary>
[KerasLayer("ActivityRegularization")]
public sealed class ActivityRegularization : Layer, IKerasLayer<ActivityRegularization>, IOnnxIdentity
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    public ActivityRegularization(double l1 = 0, double l2 = 0, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (!(l1 >= 0) || !(l2 >= 0) || double.IsInfinity(l1) || double.IsInfinity(l2))
            throw KerasException.BadArgument("InvalidRegularizer",
                $"ActivityRegularization factors must be finite and not negative. Received: l1={F(l1)}, l2={F(l2)}.");
        L1 = l1;
        L2 = l2;
        ActivityRegularizer = l1 > 0 || l2 > 0 ? new Regularizer(l1, l2) : null;
    }

    public double L1 { get; }
    public double L2 { get; }
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();
    public override Tensor Forward(Tensor x, bool training) => ObserveActivity(x);
    protected override void WriteConfig(IDictionary<string, object?> c) { c["l1"] = L1; c["l2"] = L2; }
    public static ActivityRegularization FromConfig(ConfigReader c) => new(c.Double("l1", 0), c.Double("l2", 0), c.Name, c.InputShape);
    public override string? Details => $"l1={F(L1)}, l2={F(L2)}";
}
