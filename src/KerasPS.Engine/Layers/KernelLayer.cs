using static TorchSharp.torch;
using KerasPS.Engine.Activations;
using KerasPS.Engine.Constraints;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Regularizers;

namespace KerasPS.Engine.Layers;

/// <summary>
/// The options Keras gives every layer with a kernel and a bias (Dense, Conv1D, Conv2D): activation, use_bias,
/// kernel/bias initializers, kernel/bias/activity regularizers and kernel/bias constraints. Unset initializers
/// take Keras's defaults (glorot_uniform, zeros).
/// </summary>
public sealed record KernelOptions
{
    public string? Activation { get; init; }
    public bool UseBias { get; init; } = true;
    public Initializer? KernelInitializer { get; init; }
    public Initializer? BiasInitializer { get; init; }
    public Regularizer? KernelRegularizer { get; init; }
    public Regularizer? BiasRegularizer { get; init; }
    public Regularizer? ActivityRegularizer { get; init; }
    public Constraint? KernelConstraint { get; init; }
    public Constraint? BiasConstraint { get; init; }

    /// <summary>Reads the options back from a layer config written by <see cref="KernelLayer"/>.</summary>
    public static KernelOptions FromConfig(ConfigReader c) => new()
    {
        Activation = c.String("activation"),
        UseBias = c.Bool("use_bias", true),
        KernelInitializer = Initializer.Optional(c.Raw("kernel_initializer")),
        BiasInitializer = Initializer.Optional(c.Raw("bias_initializer")),
        KernelRegularizer = Regularizer.FromConfig(c.Raw("kernel_regularizer")),
        BiasRegularizer = Regularizer.FromConfig(c.Raw("bias_regularizer")),
        ActivityRegularizer = Regularizer.FromConfig(c.Raw("activity_regularizer")),
        KernelConstraint = Constraint.FromConfig(c.Raw("kernel_constraint")),
        BiasConstraint = Constraint.FromConfig(c.Raw("bias_constraint")),
    };
}

/// <summary>
/// A layer computing <c>activation(op(x, kernel) + bias)</c>: holds the <see cref="KernelOptions"/>, creates the
/// kernel and bias with their rules attached, and writes the options into config and summary. Subclasses give
/// the operation and the kernel's shape.
/// </summary>
public abstract class KernelLayer : Layer, IActivationHead
{
    protected KernelLayer(KernelOptions? options, string? name, int[]? inputShape) : base(name, inputShape)
    {
        var o = options ?? new KernelOptions();
        Activation = ActivationFunctions.Normalize(o.Activation);
        UseBias = o.UseBias;
        KernelInitializer = o.KernelInitializer ?? new Initializer("glorot_uniform");
        BiasInitializer = o.BiasInitializer ?? new Initializer("zeros");
        KernelRegularizer = o.KernelRegularizer;
        BiasRegularizer = o.BiasRegularizer;
        ActivityRegularizer = o.ActivityRegularizer;
        KernelConstraint = o.KernelConstraint;
        BiasConstraint = o.BiasConstraint;
    }

    public string Activation { get; }
    public bool UseBias { get; }
    public Initializer KernelInitializer { get; }
    public Initializer BiasInitializer { get; }
    public Regularizer? KernelRegularizer { get; }
    public Regularizer? BiasRegularizer { get; }
    public Constraint? KernelConstraint { get; }
    public Constraint? BiasConstraint { get; }

    protected Weight? Kernel { get; private set; }
    protected Weight? Bias { get; private set; }

    /// <summary>Creates the kernel and (with use_bias) a bias of <paramref name="units"/> values.</summary>
    protected void AddKernelAndBias(int[] kernelShape, int units, MersenneTwister rng)
    {
        Kernel = AddWeight("kernel", kernelShape, KernelInitializer, rng, regularizer: KernelRegularizer, constraint: KernelConstraint);
        Bias = UseBias ? AddWeight("bias", new[] { units }, BiasInitializer, rng, regularizer: BiasRegularizer, constraint: BiasConstraint)
            : null;
    }

    public abstract Tensor ForwardWithoutActivation(Tensor x, bool training);

    /// <summary>
    /// For the fused path (the loss applies the final activation): the activity regularizer still sees the
    /// activated output, so it is computed here only when there is one.
    /// </summary>
    protected void ObserveBeforeActivation(Tensor y)
    {
        if (ActivityRegularizer is not null) ObserveActivity(Activation == "linear" ? y : ActivationFunctions.Apply(Activation, y));
    }

    /// <summary>Keras's config keys for the options, after the layer's own settings.</summary>
    protected void WriteKernelConfig(IDictionary<string, object?> c)
    {
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

    /// <summary>The summary's words for the regularizers and constraints (null where unset).</summary>
    protected IEnumerable<string?> RuleDetails() => new[]
    {
        KernelRegularizer is null ? null : $"kernel_regularizer={KernelRegularizer}",
        BiasRegularizer is null ? null : $"bias_regularizer={BiasRegularizer}",
        ActivityRegularizer is null ? null : $"activity_regularizer={ActivityRegularizer}",
        KernelConstraint is null ? null : $"kernel_constraint={KernelConstraint}",
        BiasConstraint is null ? null : $"bias_constraint={BiasConstraint}",
    };
}
