using System.Management.Automation;
using KerasPS.Engine.Layers.Convolution;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>Parameters shared by Add-SeparableConv1DLayer and Add-SeparableConv2DLayer (Keras's SeparableConv arguments).</summary>
public abstract class AddSeparableConvLayerCommandBase : AddDepthwiseConvLayerCommandBase
{
    /// <summary>Number of output channels (filters of the pointwise step).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int Filters { get; set; }

    /// <summary>Window size of the depthwise step: one integer, or one per spatial axis (2-D: height,width).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public int[] KernelSize { get; set; } = null!;

    /// <summary>Activation applied to the output (linear by default).</summary>
    [Parameter(Position = 2)]
    [ArgumentCompleter(typeof(ActivationCompleter))]
    public string? Activation { get; set; }

    /// <summary>Pointwise (1x1) kernel initializer name (glorot_uniform by default), a hashtable in Keras's config form, or a
    /// New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? PointwiseInitializer { get; set; }

    /// <summary>Penalty on the pointwise kernel added to the loss: a name (factor 0.01) or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? PointwiseRegularizer { get; set; }

    /// <summary>Constraint applied to the pointwise kernel after each optimizer step: a name or a New-Constraint object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? PointwiseConstraint { get; set; }

    /// <summary>The engine's pointwise options from the parameters.</summary>
    protected PointwiseOptions Pointwise() => new()
    {
        Initializer = EngineArguments.ToInitializer(PointwiseInitializer),
        Regularizer = EngineArguments.ToRegularizer(PointwiseRegularizer),
        Constraint = EngineArguments.ToConstraint(PointwiseConstraint),
    };
}
