using static TorchSharp.torch;
using KerasPS.Engine.Activations;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Convolution;

/// <summary>
/// keras.layers.Conv1DTranspose / Conv2DTranspose: the gradient of a convolution with the same kernel, strides and
/// padding, as TensorFlow's conv_transpose computes it. The kernel is stored as Keras stores it, (k..., filters, in).
/// The output length follows Keras: without output_padding, input * stride (same) or input * stride +
/// max(kernel - stride, 0) (valid); with it, (input - 1) * stride + kernel - 2 * pad + output_padding, pad being
/// kernel // 2 for same and 0 for valid (the kernel dilated). channels_last only.
/// </summary>
public abstract class ConvTransposeBase : KernelLayer, IOnnxSingleLowering
{
    private readonly int rank;
    private int[] inSpatial = Array.Empty<int>();

    protected ConvTransposeBase(int rank, int filters, int[] kernelSize, int[]? strides, string? padding, int[]? outputPadding,
        int[]? dilationRate, KernelOptions? options, string? name, int[]? inputShape) : base(options, name, inputShape)
    {
        this.rank = rank;
        var cls = ClassName;
        Filters = Spatial.Filters(filters, cls);
        (KernelSize, Strides, DilationRate) = Spatial.Window(kernelSize, strides, dilationRate, rank, cls);
        Padding = Spatial.CheckPadding(padding, cls);
        if (outputPadding is { Length: > 0 })
        {
            var op = outputPadding.Length == 1 && rank > 1 ? Enumerable.Repeat(outputPadding[0], rank).ToArray() : outputPadding;
            if (op.Length != rank || op.Any(v => v < 0) || op.Where((v, i) => v >= Strides[i]).Any())
                throw KerasException.BadArgument("InvalidOutputPadding",
                    $"{cls} output_padding must be {rank} non-negative integer(s), each smaller than its stride "
                        + $"({string.Join(", ", Strides)}). Received: ({string.Join(", ", outputPadding)}).", outputPadding);
            OutputPadding = op.ToArray();
        }
    }

    public int Filters { get; }
    public int[] KernelSize { get; }
    public int[] Strides { get; }
    public string Padding { get; }

    /// <summary>Keras's output_padding, or null (Keras's None: the output length follows from the padding alone).</summary>
    public int[]? OutputPadding { get; }
    public int[] DilationRate { get; }

    /// <summary>Per spatial axis, the output length Keras gives and how many leading values of the full transposed
    /// convolution TensorFlow's padding drops.</summary>
    private (int Length, int Before)[] Geometry(int[] spatial)
    {
        var r = new (int, int)[rank];
        for (int i = 0; i < rank; i++)
        {
            int k = DilationRate[i] * (KernelSize[i] - 1) + 1, s = Strides[i], n = spatial[i];
            int length = OutputPadding is null
                ? (Padding == "valid" ? n * s + Math.Max(k - s, 0) : n * s)
                : (n - 1) * s + k - 2 * (Padding == "same" ? k / 2 : 0) + OutputPadding[i];
            int before = 0;
            if (Padding == "same")
            {
                int total = Math.Max(((length + s - 1) / s - 1) * s + k - length, 0);
                before = total / 2;
            }
            r[i] = (length, before);
        }
        return r;
    }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (spatial, _) = Spatial.Split(inputShape, rank, true, ClassName);
        var g = Geometry(spatial);
        if (g.Any(a => a.Length <= 0))
            throw KerasException.BadArgument("InvalidInputShape",
                $"{ClassName} with kernel ({string.Join(", ", KernelSize)}) and output_padding gives no output for input "
                    + $"{Shapes.Format(inputShape)}. Use a larger input or output_padding.", inputShape);
        return Spatial.Join(g.Select(a => a.Length).ToArray(), Filters, true);
    }

    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        var (spatial, channels) = Spatial.Split(inputShape, rank, true, ClassName);
        inSpatial = spatial;
        AddKernelAndBias(KernelSize.Append(Filters).Append(channels).ToArray(), Filters, rng);
    }

    public override Tensor ForwardWithoutActivation(Tensor x, bool training)
    {
        var t = Spatial.ToTorch(x, rank, true);
        // Keras (k..., filters, in) -> torch (in, filters, kh, kw); a 1-D kernel gets height 1.
        var w = rank == 1 ? Kernel!.Value.permute(2, 1, 0).unsqueeze(2) : Kernel!.Value.permute(3, 2, 0, 1);
        var y = nn.functional.conv_transpose2d(t, w, null, Spatial.As2D(Strides, rank), new long[] { 0, 0 }, new long[] { 0, 0 },
            Spatial.As2D(DilationRate, rank), 1);
        // Keep [before, before + length) of the full result along each axis, zeros past its end.
        var geometry = Geometry(inSpatial);
        for (int i = 0; i < rank; i++)
        {
            int dim = 4 - rank + i;
            var (length, before) = geometry[i];
            long extra = before + length - y.shape[dim];
            if (extra > 0)
                y = nn.functional.pad(y, dim == 3 ? new[] { 0L, extra } : new[] { 0L, 0L, 0L, extra });
            y = y.narrow(dim, before, length);
        }
        if (Bias is not null) y = y.Plus(Bias.Value.view(1, Filters, 1, 1));
        y = Spatial.FromTorch(y, rank, true);
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
        c["output_padding"] = OutputPadding;
        c["data_format"] = "channels_last";
        c["dilation_rate"] = DilationRate;
        WriteKernelConfig(c);
    }

    public override string? Details => DetailText.Join(new[]
    {
        $"kernel=({string.Join("x", KernelSize)})",
        Strides.Any(s => s != 1) ? $"strides=({string.Join(", ", Strides)})" : null,
        Padding != "valid" ? $"padding={Padding}" : null,
        OutputPadding is null ? null : $"output_padding=({string.Join(", ", OutputPadding)})",
        DilationRate.Any(d => d != 1) ? $"dilation=({string.Join(", ", DilationRate)})" : null,
        Activation == "linear" ? null : $"activation={Activation}",
    }.Concat(RuleDetails()).ToArray());

    /// <summary>The settings every transposed convolution's config holds; refuses channels_first.</summary>
    protected sealed record ConvTransposeConfig(int Filters, int[] KernelSize, int[]? Strides, string? Padding, int[]? OutputPadding,
        int[]? DilationRate, KernelOptions Options)
    {
        public static ConvTransposeConfig Read(ConfigReader c, string className)
        {
            DepthwiseConvBase.RefuseChannelsFirst(c, className);
            return new(c.Int("filters"), c.IntArray("kernel_size")!, c.IntArray("strides"), c.String("padding"),
                c.IntArray("output_padding"), c.IntArray("dilation_rate"), KernelOptions.FromConfig(c));
        }
    }

    /// <summary>
    /// ONNX's ConvTranspose with the kernel moved from Keras's (k..., filters, in) to (in, filters, k...), explicit pads
    /// (TensorFlow's leading pad; the rest trimmed at the end) and output_padding where Keras's output is longer than
    /// the full result.
    /// </summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var (_, channels) = Spatial.Split(InputShape!, rank, true, ClassName);
        var (t, back) = ChannelsFirst(g, x, rank, true);
        var k = WeightOf(this, "kernel").ToArray();
        int kernelElems = KernelSize.Aggregate(1, (a, v) => a * v);
        var onnxKernel = new float[k.Length];
        for (int s = 0; s < kernelElems; s++)
            for (int f = 0; f < Filters; f++)
                for (int i = 0; i < channels; i++)
                    onnxKernel[(i * Filters + f) * kernelElems + s] = k[(s * Filters + f) * channels + i];
        var dims = new long[] { channels, Filters }.Concat(Longs(KernelSize)).ToArray();
        var inputs = new List<string> { t, g.Constant("kernel", onnxKernel, dims) };
        if (OptionalWeightOf(this, "bias") is { } b) inputs.Add(g.Constant(b));
        var geometry = Geometry(inSpatial);
        var pads = new long[2 * rank];
        var outputPadding = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            int full = (inSpatial[i] - 1) * Strides[i] + DilationRate[i] * (KernelSize[i] - 1) + 1;
            int after = full - geometry[i].Before - geometry[i].Length;
            pads[i] = geometry[i].Before;
            pads[rank + i] = Math.Max(after, 0);
            outputPadding[i] = Math.Max(-after, 0);
        }
        var y = g.Op("ConvTranspose", inputs.ToArray(),
            A("kernel_shape", Longs(KernelSize)),
            A("strides", Longs(Strides)),
            A("dilations", Longs(DilationRate)),
            A("pads", pads),
            A("output_padding", outputPadding),
            A("group", 1L));
        return OnnxActivations.Apply(g, Activation, back(y));
    }
}

/// <summary>keras.layers.Conv1DTranspose: input (steps, channels), output (new steps, filters); kernel (kernel_size,
/// filters, in).</summary>
[KerasLayer("Conv1DTranspose")]
public sealed class Conv1DTranspose : ConvTransposeBase, IKerasLayer<Conv1DTranspose>
{
    public Conv1DTranspose(int filters, int[] kernelSize, int[]? strides = null, string? padding = null, int[]? outputPadding = null,
        int[]? dilationRate = null, KernelOptions? options = null, string? name = null, int[]? inputShape = null)
        : base(1, filters, kernelSize, strides, padding, outputPadding, dilationRate, options, name, inputShape) { }

    public static Conv1DTranspose FromConfig(ConfigReader c)
    {
        var k = ConvTransposeConfig.Read(c, "Conv1DTranspose");
        return new(k.Filters, k.KernelSize, k.Strides, k.Padding, k.OutputPadding, k.DilationRate, k.Options, c.Name, c.InputShape);
    }
}

/// <summary>keras.layers.Conv2DTranspose: input (height, width, channels), output (new height, new width, filters);
/// kernel (kh, kw, filters, in).</summary>
[KerasLayer("Conv2DTranspose")]
public sealed class Conv2DTranspose : ConvTransposeBase, IKerasLayer<Conv2DTranspose>
{
    public Conv2DTranspose(int filters, int[] kernelSize, int[]? strides = null, string? padding = null, int[]? outputPadding = null,
        int[]? dilationRate = null, KernelOptions? options = null, string? name = null, int[]? inputShape = null)
        : base(2, filters, kernelSize, strides, padding, outputPadding, dilationRate, options, name, inputShape) { }

    public static Conv2DTranspose FromConfig(ConfigReader c)
    {
        var k = ConvTransposeConfig.Read(c, "Conv2DTranspose");
        return new(k.Filters, k.KernelSize, k.Strides, k.Padding, k.OutputPadding, k.DilationRate, k.Options, c.Name, c.InputShape);
    }
}
