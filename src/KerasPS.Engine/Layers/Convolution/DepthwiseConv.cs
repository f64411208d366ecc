using static TorchSharp.torch;
using KerasPS.Engine.Activations;
using KerasPS.Engine.Constraints;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Onnx;
using KerasPS.Engine.Regularizers;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Convolution;

/// <summary>
/// What keras.layers.SeparableConv1D/2D add to the depthwise options: how the pointwise (1x1) kernel starts, its
/// penalty and its constraint (Keras's pointwise_initializer, pointwise_regularizer, pointwise_constraint).
/// </summary>
public sealed record PointwiseOptions
{
    public Initializer? Initializer { get; init; }
    public Regularizer? Regularizer { get; init; }
    public Constraint? Constraint { get; init; }
}

/// <summary>
/// keras.layers.DepthwiseConv2D and the depthwise step of SeparableConv1D/2D: each input channel is convolved with its
/// own depth_multiplier filters, output channel c * depth_multiplier + m (TensorFlow's order). The kernel is stored as
/// Keras stores it, depthwise_kernel (k..., in, depth_multiplier); the forward pass runs torch's grouped convolution
/// (groups = input channels). The <see cref="KernelOptions"/> kernel settings are Keras's depthwise_* settings.
/// channels_last only.
/// </summary>
public abstract class DepthwiseConvBase : KernelLayer, IOnnxSingleLowering
{
    public const int DefaultDepthMultiplier = 1;
    private readonly int rank;
    private int[] inSpatial = Array.Empty<int>();
    private int channels;

    protected DepthwiseConvBase(int rank, int[] kernelSize, int[]? strides, string? padding, int depthMultiplier, int[]? dilationRate,
        KernelOptions? options, string? name, int[]? inputShape) : base(options, name, inputShape)
    {
        this.rank = rank;
        var cls = ClassName;
        if (depthMultiplier <= 0)
            throw KerasException.BadArgument("InvalidDepthMultiplier",
                $"{cls} depth_multiplier must be a positive integer. Received: depth_multiplier={depthMultiplier}.", depthMultiplier);
        DepthMultiplier = depthMultiplier;
        (KernelSize, Strides, DilationRate) = Spatial.Window(kernelSize, strides, dilationRate, rank, cls);
        Padding = Spatial.CheckPadding(padding, cls);
    }

    public int DepthMultiplier { get; }
    public int[] KernelSize { get; }
    public int[] Strides { get; }
    public string Padding { get; }
    public int[] DilationRate { get; }

    /// <summary>The depthwise kernel, (k..., in, depth_multiplier).</summary>
    protected Weight? DepthwiseKernel { get; private set; }

    /// <summary>Output channels: the pointwise filters (separable) or in * depth_multiplier (depthwise).</summary>
    protected abstract int OutChannels(int inChannels);

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (spatial, ch) = Spatial.Split(inputShape, rank, true, ClassName);
        var outSpatial = Spatial.OutputSpatial(spatial, KernelSize, Strides, DilationRate, Padding, ClassName, inputShape);
        return Spatial.Join(outSpatial, OutChannels(ch), true);
    }

    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        (inSpatial, channels) = Spatial.Split(inputShape, rank, true, ClassName);
        DepthwiseKernel = AddWeight("depthwise_kernel", KernelSize.Append(channels).Append(DepthMultiplier).ToArray(),
            KernelInitializer, rng, regularizer: KernelRegularizer, constraint: KernelConstraint);
        BuildPointwise(channels * DepthMultiplier, rng);
    }

    /// <summary>Adds the weights after the depthwise kernel, in Keras's order (pointwise_kernel, then bias).</summary>
    protected abstract void BuildPointwise(int depthChannels, MersenneTwister rng);

    /// <summary>A bias of <paramref name="units"/> values with the layer's bias settings.</summary>
    protected Weight AddBias(int units, MersenneTwister rng) =>
        AddWeight("bias", new[] { units }, BiasInitializer, rng, regularizer: BiasRegularizer, constraint: BiasConstraint);

    /// <summary>The depthwise step on a (batch, channels, height, width) tensor, with <paramref name="bias"/> if given.</summary>
    protected Tensor Depthwise(Tensor x, Tensor? bias)
    {
        var t = Spatial.Pad(Spatial.ToTorch(x, rank, true), inSpatial, KernelSize, Strides, DilationRate, Padding);
        // (k..., in, mult) -> (k..., in * mult) -> (in * mult, 1, kh, kw); a 1-D kernel gets height 1.
        var k = DepthwiseKernel!.Value;
        var w = rank == 1
            ? k.reshape(KernelSize[0], channels * DepthMultiplier).permute(1, 0).unsqueeze(1).unsqueeze(1)
            : k.reshape(KernelSize[0], KernelSize[1], channels * DepthMultiplier).permute(2, 0, 1).unsqueeze(1);
        return nn.functional.conv2d(t, w, bias, Spatial.As2D(Strides, rank), new long[] { 0, 0 }, Spatial.As2D(DilationRate, rank),
            channels);
    }

    /// <summary>The forward pass without the activation, from the channels-last input to torch's layout.</summary>
    protected abstract Tensor Finish(Tensor x);

    /// <summary>True where the bias belongs to the depthwise step (DepthwiseConv2D).</summary>
    private protected virtual bool DepthwiseHasBias => false;

    public override Tensor ForwardWithoutActivation(Tensor x, bool training)
    {
        var y = Spatial.FromTorch(Finish(x), rank, true);
        ObserveBeforeActivation(y);
        return y;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var y = ForwardWithoutActivation(x, training);
        return Activation == "linear" ? y : ObserveActivity(ActivationFunctions.Apply(Activation, y));
    }

    /// <summary>Keras's keys for the shared settings; the depthwise options under depthwise_*.</summary>
    protected void WriteDepthwiseConfig(IDictionary<string, object?> c)
    {
        c["kernel_size"] = KernelSize;
        c["strides"] = Strides;
        c["padding"] = Padding;
        c["data_format"] = "channels_last";
        c["dilation_rate"] = DilationRate;
        c["depth_multiplier"] = DepthMultiplier;
        c["activation"] = Activation;
        c["use_bias"] = UseBias;
        c["depthwise_initializer"] = KernelInitializer.GetConfig();
        c["bias_initializer"] = BiasInitializer.GetConfig();
        c["depthwise_regularizer"] = KernelRegularizer?.GetConfig();
        c["bias_regularizer"] = BiasRegularizer?.GetConfig();
        c["activity_regularizer"] = ActivityRegularizer?.GetConfig();
        c["depthwise_constraint"] = KernelConstraint?.GetConfig();
        c["bias_constraint"] = BiasConstraint?.GetConfig();
    }

    public override string? Details => DetailText.Join(new[]
    {
        $"kernel=({string.Join("x", KernelSize)})",
        DepthMultiplier != 1 ? $"depth_multiplier={DepthMultiplier}" : null,
        Strides.Any(s => s != 1) ? $"strides=({string.Join(", ", Strides)})" : null,
        Padding != "valid" ? $"padding={Padding}" : null,
        DilationRate.Any(d => d != 1) ? $"dilation=({string.Join(", ", DilationRate)})" : null,
        Activation == "linear" ? null : $"activation={Activation}",
    }.Concat(RuleDetails()).ToArray());

    /// <summary>The settings every depthwise config holds; refuses channels_first, which these layers do not run.</summary>
    protected sealed record DepthwiseConfig(int[] KernelSize, int[]? Strides, string? Padding, int DepthMultiplier,
        int[]? DilationRate, KernelOptions Options)
    {
        public static DepthwiseConfig Read(ConfigReader c, string className)
        {
            RefuseChannelsFirst(c, className);
            return new(c.IntArray("kernel_size")!, c.IntArray("strides"), c.String("padding"),
                c.Int("depth_multiplier", DefaultDepthMultiplier), c.IntArray("dilation_rate"), new KernelOptions
                {
                    Activation = c.String("activation"),
                    UseBias = c.Bool("use_bias", true),
                    KernelInitializer = Initializer.Optional(c.Raw("depthwise_initializer")),
                    BiasInitializer = Initializer.Optional(c.Raw("bias_initializer")),
                    KernelRegularizer = Regularizer.FromConfig(c.Raw("depthwise_regularizer")),
                    BiasRegularizer = Regularizer.FromConfig(c.Raw("bias_regularizer")),
                    ActivityRegularizer = Regularizer.FromConfig(c.Raw("activity_regularizer")),
                    KernelConstraint = Constraint.FromConfig(c.Raw("depthwise_constraint")),
                    BiasConstraint = Constraint.FromConfig(c.Raw("bias_constraint")),
                });
        }
    }

    /// <summary>Refuses a config with data_format channels_first: the layers run channels_last only.</summary>
    internal static void RefuseChannelsFirst(ConfigReader c, string className)
    {
        var f = c.String("data_format");
        if (f is null || string.Equals(f.Trim(), "channels_last", StringComparison.OrdinalIgnoreCase)) return;
        throw KerasException.BadData("UnsupportedLayerOption",
            $"{className} '{c.Name}' sets data_format={f}, which KerasPS does not support for {className} "
                + "(it runs channels_last only). Save the model with channels_last layers.", "data_format");
    }

    /// <summary>ONNX: the depthwise step as a Conv with group = input channels, then the subclass's nodes.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var (t, back) = ChannelsFirst(g, x, rank, true);
        var k = WeightOf(this, "depthwise_kernel").ToArray();
        int depth = channels * DepthMultiplier;
        int kernelElems = KernelSize.Aggregate(1, (a, v) => a * v);
        var onnxKernel = new float[k.Length];
        for (int s = 0; s < kernelElems; s++)
            for (int o = 0; o < depth; o++)
                onnxKernel[o * kernelElems + s] = k[s * depth + o];
        var dims = new long[] { depth, 1 }.Concat(Longs(KernelSize)).ToArray();
        var inputs = new List<string> { t, g.Constant("depthwise_kernel", onnxKernel, dims) };
        if (DepthwiseHasBias && OptionalWeightOf(this, "bias") is { } b) inputs.Add(g.Constant(b));
        var y = g.Op("Conv", inputs.ToArray(),
            A("kernel_shape", Longs(KernelSize)),
            A("strides", Longs(Strides)),
            A("dilations", Longs(DilationRate)),
            A("pads", Pads(inSpatial, KernelSize, Strides, DilationRate, Padding)),
            A("group", (long)channels));
        return OnnxActivations.Apply(g, Activation, back(LowerPointwise(g, y, depth)));
    }

    /// <summary>ONNX nodes after the depthwise Conv (channels-first layout).</summary>
    private protected abstract string LowerPointwise(OnnxGraph g, string y, int depthChannels);
}

/// <summary>keras.layers.DepthwiseConv2D: input (height, width, channels), output (new height, new width, channels *
/// depth_multiplier); weights depthwise_kernel (kh, kw, in, depth_multiplier) and bias (in * depth_multiplier).</summary>
[KerasLayer("DepthwiseConv2D")]
public sealed class DepthwiseConv2D : DepthwiseConvBase, IKerasLayer<DepthwiseConv2D>
{
    private Weight? bias;

    public DepthwiseConv2D(int[] kernelSize, int[]? strides = null, string? padding = null, int depthMultiplier = DefaultDepthMultiplier,
        int[]? dilationRate = null, KernelOptions? options = null, string? name = null, int[]? inputShape = null)
        : base(2, kernelSize, strides, padding, depthMultiplier, dilationRate, options, name, inputShape) { }

    public static DepthwiseConv2D FromConfig(ConfigReader c)
    {
        var k = DepthwiseConfig.Read(c, "DepthwiseConv2D");
        return new(k.KernelSize, k.Strides, k.Padding, k.DepthMultiplier, k.DilationRate, k.Options, c.Name, c.InputShape);
    }

    protected override int OutChannels(int inChannels) => inChannels * DepthMultiplier;

    protected override void BuildPointwise(int depthChannels, MersenneTwister rng) =>
        bias = UseBias ? AddBias(depthChannels, rng) : null;

    protected override Tensor Finish(Tensor x) => Depthwise(x, bias?.Value);

    protected override void WriteConfig(IDictionary<string, object?> c) => WriteDepthwiseConfig(c);

    private protected override bool DepthwiseHasBias => true;

    private protected override string LowerPointwise(OnnxGraph g, string y, int depthChannels) => y;
}

/// <summary>
/// keras.layers.SeparableConv1D / SeparableConv2D: a depthwise convolution (no bias) followed by a pointwise 1x1
/// convolution to <c>filters</c> channels, then the bias and the activation. Weights in Keras's order and layout:
/// depthwise_kernel (k..., in, depth_multiplier), pointwise_kernel (1..., in * depth_multiplier, filters), bias (filters).
/// </summary>
public abstract class SeparableConvBase : DepthwiseConvBase
{
    private readonly int rank;
    private Weight? pointwise;
    private Weight? bias;

    protected SeparableConvBase(int rank, int filters, int[] kernelSize, int[]? strides, string? padding, int depthMultiplier,
        int[]? dilationRate, KernelOptions? options, PointwiseOptions? pointwiseOptions, string? name, int[]? inputShape)
        : base(rank, kernelSize, strides, padding, depthMultiplier, dilationRate, options, name, inputShape)
    {
        this.rank = rank;
        Filters = Spatial.Filters(filters, ClassName);
        var p = pointwiseOptions ?? new PointwiseOptions();
        PointwiseInitializer = p.Initializer ?? new Initializer("glorot_uniform");
        PointwiseRegularizer = p.Regularizer;
        PointwiseConstraint = p.Constraint;
    }

    public int Filters { get; }
    public Initializer PointwiseInitializer { get; }
    public Regularizer? PointwiseRegularizer { get; }
    public Constraint? PointwiseConstraint { get; }

    protected override int OutChannels(int inChannels) => Filters;

    protected override void BuildPointwise(int depthChannels, MersenneTwister rng)
    {
        var shape = Enumerable.Repeat(1, rank).Append(depthChannels).Append(Filters).ToArray();
        pointwise = AddWeight("pointwise_kernel", shape, PointwiseInitializer, rng, regularizer: PointwiseRegularizer,
            constraint: PointwiseConstraint);
        bias = UseBias ? AddBias(Filters, rng) : null;
    }

    protected override Tensor Finish(Tensor x)
    {
        var d = Depthwise(x, null);
        // (1..., depth, filters) -> (filters, depth, 1, 1)
        var w = pointwise!.Value.reshape(-1, Filters).t().unsqueeze(2).unsqueeze(3);
        return nn.functional.conv2d(d, w, bias?.Value);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["filters"] = Filters;
        WriteDepthwiseConfig(c);
        c["pointwise_initializer"] = PointwiseInitializer.GetConfig();
        c["pointwise_regularizer"] = PointwiseRegularizer?.GetConfig();
        c["pointwise_constraint"] = PointwiseConstraint?.GetConfig();
    }

    public override string? Details => DetailText.Join(new[]
    {
        base.Details,
        PointwiseRegularizer is null ? null : $"pointwise_regularizer={PointwiseRegularizer}",
        PointwiseConstraint is null ? null : $"pointwise_constraint={PointwiseConstraint}",
    });

    /// <summary>The pointwise settings of a separable config.</summary>
    protected static PointwiseOptions ReadPointwise(ConfigReader c) => new()
    {
        Initializer = Initializer.Optional(c.Raw("pointwise_initializer")),
        Regularizer = Regularizer.FromConfig(c.Raw("pointwise_regularizer")),
        Constraint = Constraint.FromConfig(c.Raw("pointwise_constraint")),
    };

    /// <summary>ONNX: the pointwise step as a 1x1 Conv with the kernel moved to (filters, depth, 1...).</summary>
    private protected override string LowerPointwise(OnnxGraph g, string y, int depthChannels)
    {
        var p = WeightOf(this, "pointwise_kernel").ToArray();
        var onnxKernel = new float[p.Length];
        for (int i = 0; i < depthChannels; i++)
            for (int f = 0; f < Filters; f++)
                onnxKernel[f * depthChannels + i] = p[i * Filters + f];
        var ones = Enumerable.Repeat(1L, rank).ToArray();
        var dims = new long[] { Filters, depthChannels }.Concat(ones).ToArray();
        var inputs = new List<string> { y, g.Constant("pointwise_kernel", onnxKernel, dims) };
        if (OptionalWeightOf(this, "bias") is { } b) inputs.Add(g.Constant(b));
        return g.Op("Conv", inputs.ToArray(), A("kernel_shape", ones), A("group", 1L));
    }
}

/// <summary>keras.layers.SeparableConv1D: input (steps, channels), output (new steps, filters).</summary>
[KerasLayer("SeparableConv1D")]
public sealed class SeparableConv1D : SeparableConvBase, IKerasLayer<SeparableConv1D>
{
    public SeparableConv1D(int filters, int[] kernelSize, int[]? strides = null, string? padding = null,
        int depthMultiplier = DefaultDepthMultiplier, int[]? dilationRate = null, KernelOptions? options = null,
        PointwiseOptions? pointwiseOptions = null, string? name = null, int[]? inputShape = null)
        : base(1, filters, kernelSize, strides, padding, depthMultiplier, dilationRate, options, pointwiseOptions, name, inputShape) { }

    public static SeparableConv1D FromConfig(ConfigReader c)
    {
        var k = DepthwiseConfig.Read(c, "SeparableConv1D");
        return new(c.Int("filters"), k.KernelSize, k.Strides, k.Padding, k.DepthMultiplier, k.DilationRate, k.Options,
            ReadPointwise(c), c.Name, c.InputShape);
    }
}

/// <summary>keras.layers.SeparableConv2D: input (height, width, channels), output (new height, new width, filters).</summary>
[KerasLayer("SeparableConv2D")]
public sealed class SeparableConv2D : SeparableConvBase, IKerasLayer<SeparableConv2D>
{
    public SeparableConv2D(int filters, int[] kernelSize, int[]? strides = null, string? padding = null,
        int depthMultiplier = DefaultDepthMultiplier, int[]? dilationRate = null, KernelOptions? options = null,
        PointwiseOptions? pointwiseOptions = null, string? name = null, int[]? inputShape = null)
        : base(2, filters, kernelSize, strides, padding, depthMultiplier, dilationRate, options, pointwiseOptions, name, inputShape) { }

    public static SeparableConv2D FromConfig(ConfigReader c)
    {
        var k = DepthwiseConfig.Read(c, "SeparableConv2D");
        return new(c.Int("filters"), k.KernelSize, k.Strides, k.Padding, k.DepthMultiplier, k.DilationRate, k.Options,
            ReadPointwise(c), c.Name, c.InputShape);
    }
}
