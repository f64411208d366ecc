using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Layers.Convolution;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Pooling;

/// <summary>
/// keras.layers.MaxPooling1D/2D and AveragePooling1D/2D: a window of <c>pool_size</c> moved by <c>strides</c>
/// (default: the pool size). With padding "same", max pooling ignores the padding and average pooling
/// averages only the real inputs under the window, as Keras does.
/// </summary>
public abstract class PoolingBase : Layer, IOnnxSingleLowering
{
    private readonly int rank;
    private readonly bool max;
    private int[] inSpatial = Array.Empty<int>();

    protected PoolingBase(int rank, bool max, int[]? poolSize, int[]? strides, string? padding, string? dataFormat, string? name,
        int[]? inputShape)
        : base(name, inputShape)
    {
        this.rank = rank;
        this.max = max;
        PoolSize = Spatial.Tuple(poolSize, rank, "pool_size", ClassName, Enumerable.Repeat(2, rank).ToArray());
        Strides = Spatial.Tuple(strides, rank, "strides", ClassName, PoolSize);
        Padding = Spatial.CheckPadding(padding, ClassName);
        ChannelsLast = Spatial.CheckChannelsLast(dataFormat, ClassName);
    }

    public int[] PoolSize { get; }
    public int[] Strides { get; }
    public string Padding { get; }
    public bool ChannelsLast { get; }

    /// <summary>Max pooling (MaxPooling1D/2D) rather than average pooling.</summary>
    public bool IsMax => max;

    private int[] Ones => Enumerable.Repeat(1, rank).ToArray();

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (spatial, channels) = Spatial.Split(inputShape, rank, ChannelsLast, ClassName);
        return Spatial.Join(Spatial.OutputSpatial(spatial, PoolSize, Strides, Ones, Padding, ClassName, inputShape), channels,
            ChannelsLast);
    }

    protected override void BuildCore(int[] inputShape, MersenneTwister rng) =>
        inSpatial = Spatial.Split(inputShape, rank, ChannelsLast, ClassName).Spatial;

    public override Tensor Forward(Tensor x, bool training)
    {
        var t = Spatial.ToTorch(x, rank, ChannelsLast);
        var k = Spatial.As2D(PoolSize, rank);
        var s = Spatial.As2D(Strides, rank);
        var zero = new long[] { 0, 0 };
        Tensor y;
        if (max)
            y = nn.functional.max_pool2d(Spatial.Pad(t, inSpatial, PoolSize, Strides, Ones, Padding, double.NegativeInfinity), k, s, zero,
                new long[] { 1, 1 }, false);
        else if (Padding == "valid")
            y = nn.functional.avg_pool2d(t, k, s, zero, false, true, null);
        else
        {
            // Sum over the window divided by how many real inputs it covers.
            var sum = nn.functional.avg_pool2d(Spatial.Pad(t, inSpatial, PoolSize, Strides, Ones, Padding), k, s, zero, false, true, null);
            using var ones = torch.ones(1, 1, t.shape[2], t.shape[3], dtype: t.dtype);
            var count = nn.functional.avg_pool2d(Spatial.Pad(ones, inSpatial, PoolSize, Strides, Ones, Padding), k, s, zero,
                false, true, null);
            y = sum / count;
        }
        return Spatial.FromTorch(y, rank, ChannelsLast);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["pool_size"] = PoolSize;
        c["strides"] = Strides;
        c["padding"] = Padding;
        c["data_format"] = ChannelsLast ? "channels_last" : "channels_first";
    }

    public override string? Details => DetailText.Join($"pool=({string.Join("x", PoolSize)})",
        Strides.SequenceEqual(PoolSize) ? null : $"strides=({string.Join(", ", Strides)})",
        Padding != "valid" ? $"padding={Padding}" : null, ChannelsLast ? null : "channels_first");

    /// <summary>Reads a pooling config for the subclasses' FromConfig: pool_size, strides, padding, data_format, name, input
    /// shape.</summary>
    protected static T Read<T>(ConfigReader c, Func<int[]?, int[]?, string?, string?, string?, int[]?, T> make) =>
        make(c.IntArray("pool_size"), c.IntArray("strides"), c.String("padding"), c.String("data_format"), c.Name, c.InputShape);

    /// <summary>
    /// MaxPool or AveragePool with explicit pads and the channels-first transposes. Padding never counts: max pooling
    /// ignores it, average pooling divides by the real inputs under the window (<c>count_include_pad=0</c>).
    /// </summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        int rank = PoolSize.Length;
        var (spatial, _) = Spatial.Split(InputShape!, rank, ChannelsLast, ClassName);
        var (t, back) = ChannelsFirst(g, x, rank, ChannelsLast);
        bool max = this is MaxPooling1D or MaxPooling2D;
        var attributes = new List<OnnxAttribute>
        {
            A("kernel_shape", Longs(PoolSize)),
            A("strides", Longs(Strides)),
            A("pads", Pads(spatial, PoolSize, Strides, Enumerable.Repeat(1, rank).ToArray(), Padding)),
        };
        if (!max) attributes.Add(A("count_include_pad", 0L));
        return back(g.Op(max ? "MaxPool" : "AveragePool", new[] { t }, attributes.ToArray()));
    }
}

[KerasLayer("MaxPooling1D")]
public sealed class MaxPooling1D : PoolingBase, IKerasLayer<MaxPooling1D>
{
    public MaxPooling1D(int[]? poolSize = null, int[]? strides = null, string? padding = null, string? dataFormat = null,
        string? name = null, int[]? inputShape = null)
        : base(1, true, poolSize, strides, padding, dataFormat, name, inputShape) { }
    public static MaxPooling1D FromConfig(ConfigReader c) => Read(c, (k, s, p, d, n, i) => new MaxPooling1D(k, s, p, d, n, i));
}

[KerasLayer("MaxPooling2D")]
public sealed class MaxPooling2D : PoolingBase, IKerasLayer<MaxPooling2D>
{
    public MaxPooling2D(int[]? poolSize = null, int[]? strides = null, string? padding = null, string? dataFormat = null,
        string? name = null, int[]? inputShape = null)
        : base(2, true, poolSize, strides, padding, dataFormat, name, inputShape) { }
    public static MaxPooling2D FromConfig(ConfigReader c) => Read(c, (k, s, p, d, n, i) => new MaxPooling2D(k, s, p, d, n, i));
}

[KerasLayer("AveragePooling1D")]
public sealed class AveragePooling1D : PoolingBase, IKerasLayer<AveragePooling1D>
{
    public AveragePooling1D(int[]? poolSize = null, int[]? strides = null, string? padding = null, string? dataFormat = null,
        string? name = null, int[]? inputShape = null)
        : base(1, false, poolSize, strides, padding, dataFormat, name, inputShape) { }
    public static AveragePooling1D FromConfig(ConfigReader c) => Read(c, (k, s, p, d, n, i) => new AveragePooling1D(k, s, p, d, n, i));
}

[KerasLayer("AveragePooling2D")]
public sealed class AveragePooling2D : PoolingBase, IKerasLayer<AveragePooling2D>
{
    public AveragePooling2D(int[]? poolSize = null, int[]? strides = null, string? padding = null, string? dataFormat = null,
        string? name = null, int[]? inputShape = null)
        : base(2, false, poolSize, strides, padding, dataFormat, name, inputShape) { }
    public static AveragePooling2D FromConfig(ConfigReader c) => Read(c, (k, s, p, d, n, i) => new AveragePooling2D(k, s, p, d, n, i));
}

/// <summary>keras.layers.GlobalAveragePooling1D/2D: the mean over the steps (or height and width) of each channel.</summary>
public abstract class GlobalAveragePoolingBase : Layer, IOnnxSingleLowering
{
    private readonly int rank;

    protected GlobalAveragePoolingBase(int rank, string? dataFormat, bool keepDims, string? name, int[]? inputShape)
        : base(name, inputShape)
    {
        this.rank = rank;
        ChannelsLast = Spatial.CheckChannelsLast(dataFormat, ClassName);
        KeepDims = keepDims;
    }

    public bool ChannelsLast { get; }
    public bool KeepDims { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (_, channels) = Spatial.Split(inputShape, rank, ChannelsLast, ClassName);
        return KeepDims ? Spatial.Join(Enumerable.Repeat(1, rank).ToArray(), channels, ChannelsLast) : new[] { channels };
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var dims = ChannelsLast ? Enumerable.Range(1, rank) : Enumerable.Range(2, rank);
        return x.mean(dims.Select(d => (long)d).ToArray(), keepdim: KeepDims);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["data_format"] = ChannelsLast ? "channels_last" : "channels_first";
        c["keepdims"] = KeepDims;
    }

    /// <summary>ReduceMean over the spatial axes, keepdims as the layer.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        int rank = InputShape!.Length - 1;
        var axes = Enumerable.Range(ChannelsLast ? 1 : 2, rank).Select(v => (long)v).ToArray();
        return g.Op("ReduceMean", new[] { x }, A("axes", axes), A("keepdims", KeepDims ? 1L : 0L));
    }
}

[KerasLayer("GlobalAveragePooling1D")]
public sealed class GlobalAveragePooling1D : GlobalAveragePoolingBase, IKerasLayer<GlobalAveragePooling1D>
{
    public GlobalAveragePooling1D(string? dataFormat = null, bool keepDims = false, string? name = null, int[]? inputShape = null)
        : base(1, dataFormat, keepDims, name, inputShape) { }
    public static GlobalAveragePooling1D FromConfig(ConfigReader c) =>
        new(c.String("data_format"), c.Bool("keepdims", false), c.Name, c.InputShape);

    /// <summary>Keras reads the mask (supports_masking) and gives the pooled output none.</summary>
    public override bool SupportsMasking => true;

    public override Tensor? ComputeMask(Tensor input, Tensor? mask) => null;

    /// <summary>With a mask (batch, steps), Keras's masked mean: the sum over the unmasked steps divided by their count.</summary>
    public override Tensor Forward(Tensor x, Tensor? mask, bool training)
    {
        if (mask is null) return Forward(x, training);
        long stepsAxis = ChannelsLast ? 1 : 2;
        var keep = mask.to_type(ScalarType.Bool).unsqueeze(ChannelsLast ? 2 : 1);
        var sum = torch.where(keep, x, torch.zeros_like(x)).sum(stepsAxis, keepdim: KeepDims);
        return sum / keep.to_type(x.dtype).sum(stepsAxis, keepdim: KeepDims);
    }
}

[KerasLayer("GlobalAveragePooling2D")]
public sealed class GlobalAveragePooling2D : GlobalAveragePoolingBase, IKerasLayer<GlobalAveragePooling2D>
{
    public GlobalAveragePooling2D(string? dataFormat = null, bool keepDims = false, string? name = null, int[]? inputShape = null)
        : base(2, dataFormat, keepDims, name, inputShape) { }
    public static GlobalAveragePooling2D FromConfig(ConfigReader c) =>
        new(c.String("data_format"), c.Bool("keepdims", false), c.Name, c.InputShape);
}
