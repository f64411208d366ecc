using System.Management.Automation;
using KerasPS.Infrastructure;

namespace KerasPS.Commands;

/// <summary>Parameters shared by Add-Conv1DLayer and Add-Conv2DLayer (Keras's Conv arguments).</summary>
public abstract class AddConvLayerCommandBase : AddLayerCommandBase
{
    /// <summary>Number of output channels (filters).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int Filters { get; set; }

    /// <summary>Window size: one integer, or one per spatial axis (Conv2D: height,width).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public int[] KernelSize { get; set; } = null!;

    /// <summary>Activation applied to the output: linear (default), relu, ...</summary>
    [Parameter(Position = 2)]
    [ArgumentCompleter(typeof(ActivationCompleter))]
    public string? Activation { get; set; }

    /// <summary>Step of the window (1 by default): one integer, or one per spatial axis.</summary>
    [Parameter]
    public int[]? Strides { get; set; }

    /// <summary>valid (default: no padding) or same (output size = ceil(input / stride)); Conv1D also takes causal.</summary>
    [Parameter]
    [ValidateSet("valid", "same", "causal")]
    public string? Padding { get; set; }

    /// <summary>Dilation of the window (1 by default); cannot be combined with strides above 1.</summary>
    [Parameter]
    public int[]? DilationRate { get; set; }

    /// <summary>channels_last (default, Keras's: height, width, channels) or channels_first.</summary>
    [Parameter]
    [ValidateSet("channels_last", "channels_first")]
    public string? DataFormat { get; set; }

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

    /// <summary>Penalty on the kernel: l1, l2, l1_l2 or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? KernelRegularizer { get; set; }

    /// <summary>Penalty on the bias: l1, l2, l1_l2 or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? BiasRegularizer { get; set; }

    /// <summary>Penalty on the output, divided by the batch size.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? ActivityRegularizer { get; set; }

    /// <summary>Constraint on the kernel after each step (for max_norm use -Axis 0,1,2 on a Conv2D kernel).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? KernelConstraint { get; set; }

    /// <summary>Constraint on the bias after each step.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? BiasConstraint { get; set; }

    protected bool Bias => !IsBound(nameof(UseBias)) || UseBias.IsPresent;
}
