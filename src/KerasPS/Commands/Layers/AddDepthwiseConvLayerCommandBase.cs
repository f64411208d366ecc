using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Parameters shared by Add-DepthwiseConv2DLayer, Add-SeparableConv1DLayer and Add-SeparableConv2DLayer, named as
/// Keras names them (depth_multiplier, depthwise_initializer, ...). These layers run channels_last only.
/// </summary>
public abstract class AddDepthwiseConvLayerCommandBase : AddLayerCommandBase
{
    /// <summary>Step of the window (1 by default): one integer, or one per spatial axis.</summary>
    [Parameter]
    public int[]? Strides { get; set; }

    /// <summary>valid (default: no padding) or same (output size = ceil(input / stride)).</summary>
    [Parameter]
    [ValidateSet("valid", "same")]
    public string? Padding { get; set; }

    /// <summary>Dilation of the window (1 by default); cannot be combined with strides above 1.</summary>
    [Parameter]
    public int[]? DilationRate { get; set; }

    /// <summary>How many output channels each input channel gets from the depthwise step (1 by default).</summary>
    [Parameter]
    public int DepthMultiplier { get; set; } = 1;

    /// <summary>Whether the layer has a bias (on by default; -UseBias:$false turns it off).</summary>
    [Parameter]
    public SwitchParameter UseBias { get; set; }

    /// <summary>Depthwise kernel initializer name (glorot_uniform by default), a hashtable in Keras's config form, or a
    /// New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? DepthwiseInitializer { get; set; }

    /// <summary>Bias initializer name (zeros by default), a hashtable in Keras's config form, or a New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? BiasInitializer { get; set; }

    /// <summary>Penalty on the depthwise kernel added to the loss: a name (factor 0.01) or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? DepthwiseRegularizer { get; set; }

    /// <summary>Penalty on the bias added to the loss: a name (factor 0.01) or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? BiasRegularizer { get; set; }

    /// <summary>Penalty on the layer's output (after the activation), divided by the batch size as in Keras.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? ActivityRegularizer { get; set; }

    /// <summary>Constraint applied to the depthwise kernel after each optimizer step: a name or a New-Constraint object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? DepthwiseConstraint { get; set; }

    /// <summary>Constraint applied to the bias after each optimizer step.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? BiasConstraint { get; set; }

    /// <summary>The engine's options for the layer (the kernel settings are the depthwise ones).</summary>
    protected KernelOptions Options(string? activation) => new()
    {
        Activation = activation,
        UseBias = !IsBound(nameof(UseBias)) || UseBias.IsPresent,
        KernelInitializer = EngineArguments.ToInitializer(DepthwiseInitializer),
        BiasInitializer = EngineArguments.ToInitializer(BiasInitializer),
        KernelRegularizer = EngineArguments.ToRegularizer(DepthwiseRegularizer),
        BiasRegularizer = EngineArguments.ToRegularizer(BiasRegularizer),
        ActivityRegularizer = EngineArguments.ToRegularizer(ActivityRegularizer),
        KernelConstraint = EngineArguments.ToConstraint(DepthwiseConstraint),
        BiasConstraint = EngineArguments.ToConstraint(BiasConstraint),
    };
}
