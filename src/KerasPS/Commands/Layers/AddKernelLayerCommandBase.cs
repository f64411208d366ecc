using System.Management.Automation;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Parameters of layers with a kernel and a bias (Dense, Conv1D, Conv2D), named as Keras names them: initializers,
/// regularizers (added to the training loss) and constraints (applied after each optimizer step).
/// </summary>
public abstract class AddKernelLayerCommandBase : AddLayerCommandBase
{
    /// <summary>Whether the layer has a bias vector (on by default; -UseBias:$false turns it off).</summary>
    [Parameter]
    public SwitchParameter UseBias { get; set; }

    /// <summary>Kernel initializer name (glorot_uniform by default) or a New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? KernelInitializer { get; set; }

    /// <summary>Bias initializer name (zeros by default) or a New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? BiasInitializer { get; set; }

    /// <summary>Penalty on the kernel added to the loss: l1, l2, l1_l2 (factor 0.01) or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? KernelRegularizer { get; set; }

    /// <summary>Penalty on the bias added to the loss: l1, l2, l1_l2 or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? BiasRegularizer { get; set; }

    /// <summary>Penalty on the layer's output (after the activation), divided by the batch size as in Keras.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? ActivityRegularizer { get; set; }

    /// <summary>Constraint applied to the kernel after each optimizer step: max_norm, non_neg, unit_norm, min_max_norm or a New-Constraint object (for max_norm on a Conv2D kernel use -Axis 0,1,2).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? KernelConstraint { get; set; }

    /// <summary>Constraint applied to the bias after each optimizer step.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? BiasConstraint { get; set; }

    /// <summary>UseBias, on unless -UseBias:$false was given.</summary>
    protected bool Bias => !IsBound(nameof(UseBias)) || UseBias.IsPresent;
}
