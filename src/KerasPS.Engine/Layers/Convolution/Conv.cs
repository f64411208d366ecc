using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Constraints;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Regularizers;
using KerasPS.Engine.Activations;

namespace KerasPS.Engine.Layers.Convolution;

/// <summary>
/// keras.layers.Conv1D / Conv2D. The kernel is stored as Keras stores it, (kernel..., in, out), so that
/// checkpoints match Keras's layout; the forward pass permutes it to torch's (out, in, kh, kw).
/// </summary>
public abstract class ConvBase : Layer, IActivationHead
{
    private Weight? kernel, bias;
    private readonly WeightRules rules;
    private readonly int rank;
    private int[] inSpatial = Array.Empty<int>();

    protected ConvBase(int rank, int filters, int[] kernelSize, int[]? strides, string? padding, int[]? dilationRate, string? activation,
        bool useBias, string? dataFormat, object? kernelInitializer, object? biasInitializer,
        object? kernelRegularizer, object? biasRegularizer, object? activityRegularizer,
        object? kernelConstraint, object? biasConstraint, string? name, int[]? inputShape) : base(name, inputShape)
    {
        this.rank = rank;
        var cls = ClassName;
        if (filters <= 0)
            throw KerasException.BadArgument("InvalidFilters", $"{cls} filters must be a positive integer. Received: filters={filters}.", filters);
        Filters = filters;
        KernelSize = Spatial.Tuple(kernelSize, rank, "kernel_size", cls);
        Strides = Spatial.Tuple(strides, rank, "strides", cls, new[] { 1 });
        Padding = Spatial.CheckPadding(padding, cls, allowCausal: rank == 1);
        DilationRate = Spatial.Tuple(dilationRate, rank, "dilation_rate", cls, new[] { 1 });
        if (Strides.Any(s => s > 1) && DilationRate.Any(d => d > 1))
            throw KerasException.BadArgument("InvalidDilationRate", $"{cls} cannot combine strides > 1 with dilation_rate > 1 (Keras refuses it too). Use one of them.");
        ChannelsLast = Spatial.CheckChannelsLast(dataFormat, cls);
        Activation = ActivationFunctions.Normalize(activation);
        UseBias = useBias;
        KernelInitializer = Initializer.From(kernelInitializer, "glorot_uniform");
        BiasInitializer = Initializer.From(biasInitializer, "zeros");
        KernelRegularizer = Regularizer.From(kernelRegularizer);
        BiasRegularizer = Regularizer.From(biasRegularizer);
        ActivityRegularizer = Regularizer.From(activityRegularizer);
        KernelConstraint = Constraint.From(kernelConstraint);
        BiasConstraint = Constraint.From(biasConstraint);
        rules = new WeightRules { ActivityRegularizer = ActivityRegularizer };
    }

    public int Filters { get; }
    public int[] KernelSize { get; }
    public int[] Strides { get; }
    public string Padding { get; }
    public int[] DilationRate { get; }
    public bool ChannelsLast { get; }
    public string Activation { get; }
    public bool UseBias { get; }
    public Initializer KernelInitializer { get; }
    public Initializer BiasInitializer { get; }
    public Regularizer? KernelRegularizer { get; }
    public Regularizer? BiasRegularizer { get; }
    public Regularizer? ActivityRegularizer { get; }
    public Constraint? KernelConstraint { get; }
    public Constraint? BiasConstraint { get; }

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
        kernel = AddWeight("kernel", KernelSize.Append(channels).Append(Filters).ToArray(), KernelInitializer, rng);
        bias = UseBias ? AddWeight("bias", new[] { Filters }, BiasInitializer, rng) : null;
        rules.Clear();
        rules.Attach(kernel, KernelRegularizer, KernelConstraint);
        rules.Attach(bias, BiasRegularizer, BiasConstraint);
    }

    public Tensor ForwardWithoutActivation(Tensor x, bool training)
    {
        var t = Spatial.Pad(Spatial.ToTorch(x, rank, ChannelsLast), inSpatial, KernelSize, Strides, DilationRate, Padding);
        // Keras (k..., in, out) -> torch (out, in, kh, kw); a 1-D kernel gets height 1.
        var w = rank == 1 ? kernel!.Value.permute(2, 1, 0).unsqueeze(2) : kernel!.Value.permute(3, 2, 0, 1);
        var y = nn.functional.conv2d(t, w, bias?.Value, Spatial.As2D(Strides, rank), new long[] { 0, 0 }, Spatial.As2D(DilationRate, rank), 1);
        y = Spatial.FromTorch(y, rank, ChannelsLast);
        if (ActivityRegularizer is not null) rules.Observe(Activation == "linear" ? y : ActivationFunctions.Apply(Activation, y));
        return y;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var y = ForwardWithoutActivation(x, training);
        return Activation == "linear" ? y : rules.Observe(ActivationFunctions.Apply(Activation, y));
    }

    public override Tensor? RegularizationLoss() => rules.Loss();
    public override void ApplyConstraints() => rules.ApplyConstraints();

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["filters"] = Filters;
        c["kernel_size"] = KernelSize;
        c["strides"] = Strides;
        c["padding"] = Padding;
        c["data_format"] = ChannelsLast ? "channels_last" : "channels_first";
        c["dilation_rate"] = DilationRate;
        c["activation"] = Activation;
        c["use_bias"] = UseBias;
        c["kernel_initializer"] = KernelInitializer.GetConfig();
        c["bias_initializer"] = BiasInitializer.GetConfig();
        c["kernel_regularizer"] = KernelRegularizer?.GetConfig();
        c["bias_regularizer"] = BiasRegularizer?.GetConfig();
        c["activity_regularizer"] = ActivityRegularizer?.GetConfig();
        c["kernel_constraint"] = KernelConstraint?.GetConfig();
        c["bias_constraint"] = BiasConstraint?.GetConfig();
    }

    public override string? Details => DetailText.Join(
        $"kernel=({string.Join("x", KernelSize)})",
        Strides.Any(s => s != 1) ? $"strides=({string.Join(", ", Strides)})" : null,
        Padding != "valid" ? $"padding={Padding}" : null,
        DilationRate.Any(d => d != 1) ? $"dilation=({string.Join(", ", DilationRate)})" : null,
        ChannelsLast ? null : "channels_first",
        Activation == "linear" ? null : $"activation={Activation}",
        KernelRegularizer is null ? null : $"kernel_regularizer={KernelRegularizer}",
        BiasRegularizer is null ? null : $"bias_regularizer={BiasRegularizer}",
        ActivityRegularizer is null ? null : $"activity_regularizer={ActivityRegularizer}",
        KernelConstraint is null ? null : $"kernel_constraint={KernelConstraint}",
        BiasConstraint is null ? null : $"bias_constraint={BiasConstraint}");

    internal static T FromConfig<T>(ConfigReader c, Func<int, int[], int[]?, string?, int[]?, string?, bool, string?, object?, object?, object?, object?, object?, object?, object?, T> make) =>
        make(c.Int("filters"), c.IntArray("kernel_size")!, c.IntArray("strides"), c.String("padding"), c.IntArray("dilation_rate"), c.String("activation"),
            c.Bool("use_bias", true), c.String("data_format"),
            Initializer.FromConfig(c.Raw("kernel_initializer")), Initializer.FromConfig(c.Raw("bias_initializer") ?? "zeros"),
            Regularizer.FromConfig(c.Raw("kernel_regularizer")), Regularizer.FromConfig(c.Raw("bias_regularizer")), Regularizer.FromConfig(c.Raw("activity_regularizer")),
            Constraint.FromConfig(c.Raw("kernel_constraint")), Constraint.FromConfig(c.Raw("bias_constraint")));
}

/// <summary>keras.layers.Conv1D: input (steps, channels); kernel (kernel_size, in, filters). Padding valid, same or causal.</summary>
public sealed class Conv1D : ConvBase
{
    public Conv1D(int filters, int[] kernelSize, int[]? strides = null, string? padding = null, int[]? dilationRate = null, string? activation = null,
        bool useBias = true, string? dataFormat = null, object? kernelInitializer = null, object? biasInitializer = null,
        object? kernelRegularizer = null, object? biasRegularizer = null, object? activityRegularizer = null,
        object? kernelConstraint = null, object? biasConstraint = null, string? name = null, int[]? inputShape = null)
        : base(1, filters, kernelSize, strides, padding, dilationRate, activation, useBias, dataFormat, kernelInitializer, biasInitializer,
            kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint, name, inputShape) { }

    public override string ClassName => "Conv1D";
}

/// <summary>keras.layers.Conv2D: input (height, width, channels) (channels_last, the Keras default); kernel (kh, kw, in, filters).</summary>
public sealed class Conv2D : ConvBase
{
    public Conv2D(int filters, int[] kernelSize, int[]? strides = null, string? padding = null, int[]? dilationRate = null, string? activation = null,
        bool useBias = true, string? dataFormat = null, object? kernelInitializer = null, object? biasInitializer = null,
        object? kernelRegularizer = null, object? biasRegularizer = null, object? activityRegularizer = null,
        object? kernelConstraint = null, object? biasConstraint = null, string? name = null, int[]? inputShape = null)
        : base(2, filters, kernelSize, strides, padding, dilationRate, activation, useBias, dataFormat, kernelInitializer, biasInitializer,
            kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint, name, inputShape) { }

    public override string ClassName => "Conv2D";
}
