using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Convolution;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a depthwise separable 1-D convolution layer (Keras SeparableConv1D) over sequences: a depthwise
/// convolution, then a pointwise convolution to the given number of filters; input (steps, channels), output (new steps,
/// filters).</para>
/// <para type="description">The depthwise step convolves each input channel with DepthMultiplier filters of its own (no bias); the
/// pointwise step mixes the channels, then the bias and the activation are applied. The weights are stored as Keras stores them:
/// depthwise_kernel (kernel size, in, depth multiplier), pointwise_kernel (1, in * depth multiplier, filters), bias (filters).
/// SeparableConv1D(8, 3) on (20, 4) sequences has 3*4 + 4*8 + 8 = 52 parameters. channels_last only.</para>
/// </summary>
/// <example><code>New-Model -InputShape 100,6 | Add-SeparableConv1DLayer -Filters 16 -KernelSize 5 -Activation relu |
/// Add-GlobalAveragePooling1DLayer | Add-DenseLayer 1 -Activation sigmoid</code></example>
/// <example><code># functional: a separable convolution on a 3-channel sequence
/// $x = New-ModelInput -Shape 64,3
/// $y = $x | Add-SeparableConv1DLayer -Filters 8 -KernelSize 3 -Padding same</code></example>
[Cmdlet(VerbsCommon.Add, "SeparableConv1DLayer")]
[OutputType(typeof(Model))]
public sealed class AddSeparableConv1DLayerCommand : AddSeparableConvLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new SeparableConv1D(Filters, KernelSize, Strides, Padding, DepthMultiplier, DilationRate, Options(Activation), Pointwise(), Name,
            InputShape);
}
