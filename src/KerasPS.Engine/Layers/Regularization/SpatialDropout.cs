using static TorchSharp.torch;
using KerasPS.Engine.Layers.Convolution;
using KerasPS.Engine.Onnx;

namespace KerasPS.Engine.Layers.Regularization;

/// <summary>
/// keras.layers.SpatialDropout1D/2D: while training, drops whole channels (one draw per sample and channel, shared by
/// every step or pixel) and scales the rest by 1/(1-rate); identity at inference. channels_last only.
/// </summary>
public abstract class SpatialDropoutBase : Layer, IOnnxIdentity
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    private readonly int rank;

    protected SpatialDropoutBase(int rank, double rate, string? name, int[]? inputShape) : base(name, inputShape)
    {
        this.rank = rank;
        if (!(rate >= 0 && rate < 1))
            throw KerasException.BadArgument("InvalidRate", $"{ClassName} rate must be in [0, 1). Received: rate={F(rate)}.", rate);
        Rate = rate;
    }

    public double Rate { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        Spatial.Split(inputShape, rank, true, ClassName);
        return (int[])inputShape.Clone();
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        if (!training || Rate == 0) return x;
        // The noise shape (batch, 1..., channels): one draw per channel, broadcast over the spatial axes.
        var like = x;
        for (int d = 1; d <= rank; d++) like = like.narrow(d, 0, 1);
        return x * Training.RandomContext.DropoutMask(like, Rate);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["rate"] = Rate;
        c["seed"] = null;
        if (rank == 2) c["data_format"] = "channels_last";
    }

    public override string? Details => $"rate={F(Rate)}";

    /// <summary>Reads the rate and refuses channels_first, which these layers do not run.</summary>
    protected static (double Rate, string? Name, int[]? InputShape) Read(ConfigReader c, string className)
    {
        c.RequireChannelsLast(className);
        return (c.Double("rate"), c.Name, c.InputShape);
    }
}

[KerasLayer("SpatialDropout1D")]
public sealed class SpatialDropout1D : SpatialDropoutBase, IKerasLayer<SpatialDropout1D>
{
    public SpatialDropout1D(double rate, string? name = null, int[]? inputShape = null) : base(1, rate, name, inputShape) { }

    public static SpatialDropout1D FromConfig(ConfigReader c)
    {
        var (r, n, i) = Read(c, "SpatialDropout1D");
        return new(r, n, i);
    }
}

[KerasLayer("SpatialDropout2D")]
public sealed class SpatialDropout2D : SpatialDropoutBase, IKerasLayer<SpatialDropout2D>
{
    public SpatialDropout2D(double rate, string? name = null, int[]? inputShape = null) : base(2, rate, name, inputShape) { }

    public static SpatialDropout2D FromConfig(ConfigReader c)
    {
        var (r, n, i) = Read(c, "SpatialDropout2D");
        return new(r, n, i);
    }
}
