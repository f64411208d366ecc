using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Parameters shared by Add-DepthwiseConv2DLayer, Add-SeparableConv1DLayer and Add-SeparableConv2DLayer, named as
/// Keras names them (depth_multiplier, depthwise_initializer, ...). These layers run channels_last only.
/// </summary>
public abstract class AddDepthwiseConvLayerCommandBase : AddRegularizedLayerCommandBase
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

    /// <summary>Depthwise kernel initializer name (glorot_uniform by default), a hashtable in Keras's config form, or a
    /// New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? DepthwiseInitializer { get; set; }

    /// <summary>Penalty on the depthwise kernel added to the loss: a name (factor 0.01) or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? DepthwiseRegularizer { get; set; }

    /// <summary>Constraint applied to the depthwise kernel after each optimizer step: a name or a New-Constraint object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? DepthwiseConstraint { get; set; }

    /// <summary>The engine's options for the layer (the kernel settings are the depthwise ones).</summary>
    protected KernelOptions Options(string? activation) =>
        Options(activation, DepthwiseInitializer, DepthwiseRegularizer, DepthwiseConstraint);
}
