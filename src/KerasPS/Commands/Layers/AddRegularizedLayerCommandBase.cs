using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Parameters of the layers whose kernel and bias take rules (Dense and the convolutions), named as Keras names them:
/// the bias's and the output's regularizers (added to the training loss) and the bias's constraint (applied after each
/// optimizer step). Each layer family names its own kernel's parameters (Kernel*, Depthwise*).
/// </summary>
public abstract class AddRegularizedLayerCommandBase : AddBiasLayerCommandBase
{
    /// <summary>Penalty on the bias added to the loss: a name (factor 0.01) or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? BiasRegularizer { get; set; }

    /// <summary>Penalty on the layer's output (after the activation), divided by the batch size as in Keras.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? ActivityRegularizer { get; set; }

    /// <summary>Constraint applied to the bias after each optimizer step.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? BiasConstraint { get; set; }

    /// <summary>The engine's options for the layer, from the bias parameters, <paramref name="activation"/> and the kernel's
    /// initializer, regularizer and constraint as given.</summary>
    protected KernelOptions Options(string? activation, object? kernelInitializer, object? kernelRegularizer,
        object? kernelConstraint) => new()
    {
        Activation = activation,
        UseBias = Bias,
        KernelInitializer = EngineArguments.ToInitializer(kernelInitializer),
        BiasInitializer = BiasInit,
        KernelRegularizer = EngineArguments.ToRegularizer(kernelRegularizer),
        BiasRegularizer = EngineArguments.ToRegularizer(BiasRegularizer),
        ActivityRegularizer = EngineArguments.ToRegularizer(ActivityRegularizer),
        KernelConstraint = EngineArguments.ToConstraint(kernelConstraint),
        BiasConstraint = EngineArguments.ToConstraint(BiasConstraint),
    };
}
