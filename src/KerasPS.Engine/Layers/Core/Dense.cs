using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Constraints;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Regularizers;
using KerasPS.Engine.Activations;

namespace KerasPS.Engine.Layers.Core;

/// <summary>
/// keras.layers.Dense: <c>activation(x @ kernel + bias)</c> on the last axis; kernel is (in, out) as in Keras.
/// Regularizers add to the training loss; constraints project the weights after each optimizer step.
/// </summary>
public sealed class Dense : Layer, IActivationHead
{
    private Weight? kernel, bias;
    private readonly WeightRules rules;

    public Dense(int units, string? activation = null, bool useBias = true, string? name = null, int[]? inputShape = null,
        object? kernelInitializer = null, object? biasInitializer = null,
        object? kernelRegularizer = null, object? biasRegularizer = null, object? activityRegularizer = null,
        object? kernelConstraint = null, object? biasConstraint = null)
        : base(name, inputShape)
    {
        if (units <= 0)
            throw KerasException.BadArgument("InvalidUnits", $"Dense units must be a positive integer. Received: units={units}.", units);
        Units = units;
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

    public override string ClassName => "Dense";
    public int Units { get; }
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
        var r = (int[])inputShape.Clone();
        r[^1] = Units;
        return r;
    }

    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        kernel = AddWeight("kernel", new[] { inputShape[^1], Units }, KernelInitializer, rng);
        bias = UseBias ? AddWeight("bias", new[] { Units }, BiasInitializer, rng) : null;
        rules.Clear();
        rules.Attach(kernel, KernelRegularizer, KernelConstraint);
        rules.Attach(bias, BiasRegularizer, BiasConstraint);
    }

    /// <summary>x @ kernel + bias on the last axis.</summary>
    private Tensor Affine(Tensor x)
    {
        if (InputShape is { Length: 1 } || (InputShape is null && x.dim() == 2))   // rank known from the build: no native call
            return bias is null ? x.matmul(kernel!.Value) : torch.addmm(bias.Value, x, kernel!.Value, 1f, 1f);
        var y = x.matmul(kernel!.Value);
        return bias is null ? y : y.add_(bias.Value);
    }

    public Tensor ForwardWithoutActivation(Tensor x, bool training)
    {
        var y = Affine(x);
        // The loss may fuse the final activation; the activity regularizer still sees the activated output.
        if (ActivityRegularizer is not null) rules.Observe(Activation == "linear" ? y : ActivationFunctions.Apply(Activation, y));
        return y;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var y = Affine(x);
        return rules.Observe(Activation switch
        {
            "linear" => y,
            "relu" => y.relu_(),   // in place: the matmul's output is not needed by its backward
            _ => ActivationFunctions.Apply(Activation, y),
        });
    }

    public override Tensor? RegularizationLoss() => rules.Loss();
    public override void ApplyConstraints() => rules.ApplyConstraints();

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["units"] = Units;
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

    internal static Dense FromConfig(ConfigReader c) => new(c.Int("units"), c.String("activation"), c.Bool("use_bias", true), c.Name, c.InputShape,
        Initializer.FromConfig(c.Raw("kernel_initializer")), Initializer.FromConfig(c.Raw("bias_initializer") ?? "zeros"),
        Regularizer.FromConfig(c.Raw("kernel_regularizer")), Regularizer.FromConfig(c.Raw("bias_regularizer")), Regularizer.FromConfig(c.Raw("activity_regularizer")),
        Constraint.FromConfig(c.Raw("kernel_constraint")), Constraint.FromConfig(c.Raw("bias_constraint")));

    public override string? Details => DetailText.Join(
        Activation == "linear" ? null : $"activation={Activation}",
        UseBias ? null : "use_bias=False",
        KernelRegularizer is null ? null : $"kernel_regularizer={KernelRegularizer}",
        BiasRegularizer is null ? null : $"bias_regularizer={BiasRegularizer}",
        ActivityRegularizer is null ? null : $"activity_regularizer={ActivityRegularizer}",
        KernelConstraint is null ? null : $"kernel_constraint={KernelConstraint}",
        BiasConstraint is null ? null : $"bias_constraint={BiasConstraint}");
}
