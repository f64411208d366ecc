using static TorchSharp.torch;
using KerasPS.Engine.Layers.Convolution;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Pooling;

/// <summary>keras.layers.GlobalMaxPooling1D/2D: the largest value over the steps (or height and width) of each channel
/// (channels_last only).</summary>
public abstract class GlobalMaxPoolingBase : Layer, IOnnxSingleLowering
{
    private readonly int rank;

    protected GlobalMaxPoolingBase(int rank, bool keepDims, string? name, int[]? inputShape) : base(name, inputShape)
    {
        this.rank = rank;
        KeepDims = keepDims;
    }

    public bool KeepDims { get; }

    private long[] Axes => Enumerable.Range(1, rank).Select(d => (long)d).ToArray();

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (_, channels) = Spatial.Split(inputShape, rank, true, ClassName);
        return KeepDims ? Enumerable.Repeat(1, rank).Append(channels).ToArray() : new[] { channels };
    }

    public override Tensor Forward(Tensor x, bool training) => x.amax(Axes, KeepDims);

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["data_format"] = "channels_last";
        c["keepdims"] = KeepDims;
    }

    public override string? Details => KeepDims ? "keepdims" : null;

    /// <summary>Reads keepdims and refuses channels_first, which these layers do not run.</summary>
    protected static (bool KeepDims, string? Name, int[]? InputShape) Read(ConfigReader c, string className)
    {
        c.RequireChannelsLast(className);
        return (c.Bool("keepdims", false), c.Name, c.InputShape);
    }

    /// <summary>ReduceMax over the spatial axes, keepdims as the layer.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) =>
        g.Op("ReduceMax", new[] { x }, A("axes", Axes), A("keepdims", KeepDims ? 1L : 0L));
}

[KerasLayer("GlobalMaxPooling1D")]
public sealed class GlobalMaxPooling1D : GlobalMaxPoolingBase, IKerasLayer<GlobalMaxPooling1D>
{
    public GlobalMaxPooling1D(bool keepDims = false, string? name = null, int[]? inputShape = null)
        : base(1, keepDims, name, inputShape) { }

    public static GlobalMaxPooling1D FromConfig(ConfigReader c)
    {
        var (k, n, i) = Read(c, "GlobalMaxPooling1D");
        return new(k, n, i);
    }
}

[KerasLayer("GlobalMaxPooling2D")]
public sealed class GlobalMaxPooling2D : GlobalMaxPoolingBase, IKerasLayer<GlobalMaxPooling2D>
{
    public GlobalMaxPooling2D(bool keepDims = false, string? name = null, int[]? inputShape = null)
        : base(2, keepDims, name, inputShape) { }

    public static GlobalMaxPooling2D FromConfig(ConfigReader c)
    {
        var (k, n, i) = Read(c, "GlobalMaxPooling2D");
        return new(k, n, i);
    }
}
