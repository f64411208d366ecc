using static TorchSharp.torch;
using KerasPS.Engine.Activations;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Convolution;

/// <summary>
/// keras.layers.Conv1D / Conv2D. The kernel is stored as Keras stores it, (kernel..., in, out), so that
/// checkpoints match Keras's layout; the forward pass permutes it to torch's (out, in, kh, kw).
/// </summary>
public abstract class ConvBase : KernelLayer, IOnnxSingleLowering
{
    private readonly int rank;
    private int[] inSpatial = Array.Empty<int>();

    protected ConvBase(int rank, int filters, int[] kernelSize, int[]? strides, string? padding, int[]? dilationRate,
        string? dataFormat, KernelOptions? options, string? name, int[]? inputShape) : base(options, name, inputShape)
    {
        this.rank = rank;
        var cls = ClassName;
        Filters = Spatial.Filters(filters, cls);
        (KernelSize, Strides, DilationRate) = Spatial.Window(kernelSize, strides, dilationRate, rank, cls);
        Padding = Spatial.CheckPadding(padding, cls, allowCausal: rank == 1);
        ChannelsLast = Spatial.CheckChannelsLast(dataFormat, cls);
    }

    public int Filters { get; }
    public int[] KernelSize { get; }
    public int[] Strides { get; }
    public string Padding { get; }
    public int[] DilationRate { get; }
    public bool ChannelsLast { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (spatial, _) = Spatial.Split(inputShape, rank, ChannelsLast, ClassName);
        var outSpatial = Spatial.OutputSpatial(spatial, KernelSize, Strides, DilationRate, Padding, ClassName, inputShape);
        return Spatial.Join(outSpatial, Filters, ChannelsLast);
    }

    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        var (spatial, channels) = Spatial.Split(inputShape, rank, ChannelsLast, ClassName);
        inSpatial = spatial;
        AddKernelAndBias(KernelSize.Append(channels).Append(Filters).ToArray(), Filters, rng);
    }

    public override Tensor ForwardWithoutActivation(Tensor x, bool training)
    {
        var t = Spatial.Pad(Spatial.ToTorch(x, rank, ChannelsLast), inSpatial, KernelSize, Strides, DilationRate, Padding);
        // Keras (k..., in, out) -> torch (out, in, kh, kw); a 1-D kernel gets height 1.
        var w = rank == 1 ? Kernel!.Value.permute(2, 1, 0).unsqueeze(2) : Kernel!.Value.permute(3, 2, 0, 1);
        var y = nn.functional.conv2d(t, w, Bias?.Value, Spatial.As2D(Strides, rank), new long[] { 0, 0 },
            Spatial.As2D(DilationRate, rank), 1);
        y = Spatial.FromTorch(y, rank, ChannelsLast);
        ObserveBeforeActivation(y);
        return y;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var y = ForwardWithoutActivation(x, training);
        return Activation == "linear" ? y : ObserveActivity(ActivationFunctions.Apply(Activation, y));
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["filters"] = Filters;
        c["kernel_size"] = KernelSize;
        c["strides"] = Strides;
        c["padding"] = Padding;
        c["data_format"] = ChannelsLast ? "channels_last" : "channels_first";
        c["dilation_rate"] = DilationRate;
        c["groups"] = 1;
        WriteKernelConfig(c);
    }

    public override string? Details => DetailText.Join(new[]
    {
        $"kernel=({string.Join("x", KernelSize)})",
        Strides.Any(s => s != 1) ? $"strides=({string.Join(", ", Strides)})" : null,
        Padding != "valid" ? $"padding={Padding}" : null,
        DilationRate.Any(d => d != 1) ? $"dilation=({string.Join(", ", DilationRate)})" : null,
        ChannelsLast ? null : "channels_first",
        Activation == "linear" ? null : $"activation={Activation}",
    }.Concat(RuleDetails()).ToArray());

    /// <summary>The settings every convolution's config holds, read once for the subclasses' FromConfig.</summary>
    protected sealed record ConvConfig(int Filters, int[] KernelSize, int[]? Strides, string? Padding, int[]? DilationRate,
        string? DataFormat, KernelOptions Options)
    {
        public static ConvConfig Read(ConfigReader c) =>
            new(c.Int("filters"), c.IntArray("kernel_size")!, c.IntArray("strides"), c.String("padding"),
                c.IntArray("dilation_rate"), c.String("data_format"), KernelOptions.FromConfig(c));
    }

    /// <summary>
    /// ONNX's Conv with the kernel moved from Keras's (k..., in, out) to (out, in, k...) and explicit pads; a
    /// channels-last input is transposed to channels-first and back.
    /// </summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        int rank = KernelSize.Length;
        var (spatial, channels) = Spatial.Split(InputShape!, rank, ChannelsLast, ClassName);
        var (t, back) = ChannelsFirst(g, x, rank, ChannelsLast);
        var k = WeightOf(this, "kernel").ToArray();
        int kernelElems = KernelSize.Aggregate(1, (a, v) => a * v);
        var onnxKernel = new float[k.Length];
        for (int s = 0; s < kernelElems; s++)
            for (int i = 0; i < channels; i++)
                for (int o = 0; o < Filters; o++)
                    onnxKernel[(o * channels + i) * kernelElems + s] = k[(s * channels + i) * Filters + o];
        var dims = new long[] { Filters, channels }.Concat(Longs(KernelSize)).ToArray();
        var inputs = new List<string> { t, g.Constant("kernel", onnxKernel, dims) };
        if (OptionalWeightOf(this, "bias") is { } b) inputs.Add(g.Constant(b));
        var y = g.Op("Conv", inputs.ToArray(),
            A("kernel_shape", Longs(KernelSize)),
            A("strides", Longs(Strides)),
            A("dilations", Longs(DilationRate)),
            A("pads", Pads(spatial, KernelSize, Strides, DilationRate, Padding)),
            A("group", 1L));
        return OnnxActivations.Apply(g, Activation, back(y));
    }
}

/// <summary>keras.layers.Conv1D: input (steps, channels); kernel (kernel_size, in, filters). Padding valid, same or causal.</summary>
[KerasLayer("Conv1D")]
public sealed class Conv1D : ConvBase, IKerasLayer<Conv1D>
{
    public Conv1D(int filters, int[] kernelSize, int[]? strides = null, string? padding = null, int[]? dilationRate = null,
        string? dataFormat = null, KernelOptions? options = null, string? name = null, int[]? inputShape = null)
        : base(1, filters, kernelSize, strides, padding, dilationRate, dataFormat, options, name, inputShape) { }

    public static Conv1D FromConfig(ConfigReader c)
    {
        var k = ConvConfig.Read(c);
        return new(k.Filters, k.KernelSize, k.Strides, k.Padding, k.DilationRate, k.DataFormat, k.Options, c.Name, c.InputShape);
    }

}

/// <summary>keras.layers.Conv2D: input (height, width, channels) (channels_last, the Keras default); kernel (kh, kw, in,
/// filters).</summary>
[KerasLayer("Conv2D")]
public sealed class Conv2D : ConvBase, IKerasLayer<Conv2D>
{
    public Conv2D(int filters, int[] kernelSize, int[]? strides = null, string? padding = null, int[]? dilationRate = null,
        string? dataFormat = null, KernelOptions? options = null, string? name = null, int[]? inputShape = null)
        : base(2, filters, kernelSize, strides, padding, dilationRate, dataFormat, options, name, inputShape) { }

    public static Conv2D FromConfig(ConfigReader c)
    {
        var k = ConvConfig.Read(c);
        return new(k.Filters, k.KernelSize, k.Strides, k.Padding, k.DilationRate, k.DataFormat, k.Options, c.Name, c.InputShape);
    }

}
