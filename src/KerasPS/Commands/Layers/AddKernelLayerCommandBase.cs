using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Parameters of layers with a kernel and a bias (Dense, Conv1D, Conv2D), named as Keras names them: initializers,
/// regularizers (added to the training loss) and constraints (applied after each optimizer step).
/// </summary>
public abstract class AddKernelLayerCommandBase : AddRegularizedLayerCommandBase
{
    /// <summary>Kernel initializer name (glorot_uniform by default), a hashtable in Keras's config form, or a New-Initializer
    /// object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? KernelInitializer { get; set; }

    /// <summary>Penalty on the kernel added to the loss: a name (factor 0.01) or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? KernelRegularizer { get; set; }

    /// <summary>Constraint applied to the kernel after each optimizer step: a name or a New-Constraint object (for max_norm
    /// on a Conv2D kernel, New-Constraint max_norm -Axis 0,1,2).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? KernelConstraint { get; set; }

    /// <summary>The engine's options for the layer, from the parameters and <paramref name="activation"/>.</summary>
    protected KernelOptions Options(string? activation) => Options(activation, KernelInitializer, KernelRegularizer, KernelConstraint);
}
