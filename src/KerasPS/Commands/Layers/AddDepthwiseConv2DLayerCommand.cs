using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Convolution;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a depthwise 2-D convolution layer (Keras DepthwiseConv2D): each input channel is convolved with its own
/// filters; input (height, width, channels), output (new height, new width, channels * depth multiplier).</para>
/// <para type="description">Each input channel c gets DepthMultiplier filters of its own, giving output channels c * DepthMultiplier + m
/// in TensorFlow's order. The kernel is stored as Keras stores it, depthwise_kernel (kh, kw, input channels, depth multiplier), then a
/// bias of channels * depth multiplier values: DepthwiseConv2D(3x3) on 8x8x4 images has 3*3*4 + 4 = 40 parameters. channels_last only.
/// Regularizers add to the training loss; constraints are applied after each optimizer step.</para>
/// </summary>
/// <example><code>New-Model -InputShape 28,28,3 | Add-DepthwiseConv2DLayer -KernelSize 3 -DepthMultiplier 2 -Activation relu |
/// Add-Conv2DLayer 16 1 | Add-FlattenLayer | Add-DenseLayer 10 -Activation softmax</code></example>
/// <example><code># functional: one 3x3 filter per channel
/// $x = New-ModelInput -Shape 28,28,3
/// $y = $x | Add-DepthwiseConv2DLayer -KernelSize 3 -Padding same</code></example>
[Cmdlet(VerbsCommon.Add, "DepthwiseConv2DLayer")]
[OutputType(typeof(Model))]
public sealed class AddDepthwiseConv2DLayerCommand : AddDepthwiseConvLayerCommandBase
{
    /// <summary>Window size: one integer, or height,width.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int[] KernelSize { get; set; } = null!;

    /// <summary>Activation applied to the output (linear by default).</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(ActivationCompleter))]
    public string? Activation { get; set; }

    protected override Layer CreateLayer() =>
        new DepthwiseConv2D(KernelSize, Strides, Padding, DepthMultiplier, DilationRate, Options(Activation), Name, InputShape);
}
