using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Convolution;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a depthwise separable 2-D convolution layer (Keras SeparableConv2D): a depthwise convolution, then a
/// 1x1 convolution to the given number of filters; input (height, width, channels), output (new height, new width, filters).</para>
/// <para type="description">The depthwise step convolves each input channel with DepthMultiplier filters of its own (no bias); the
/// pointwise step mixes the channels with a 1x1 kernel, then the bias and the activation are applied. The weights are stored as Keras
/// stores them: depthwise_kernel (kh, kw, in, depth multiplier), pointwise_kernel (1, 1, in * depth multiplier, filters), bias
/// (filters). SeparableConv2D(16, 3x3) on 8x8x4 images has 3*3*4 + 4*16 + 16 = 116 parameters. channels_last only.</para>
/// </summary>
/// <example><code>New-Model -InputShape 32,32,3 | Add-SeparableConv2DLayer -Filters 32 -KernelSize 3 -Padding same -Activation relu |
/// Add-MaxPooling2DLayer | Add-FlattenLayer | Add-DenseLayer 10 -Activation softmax</code></example>
/// <example><code># functional: depthwise 3x3, then a 1x1 convolution to 16 channels
/// $x = New-ModelInput -Shape 32,32,3
/// $y = $x | Add-SeparableConv2DLayer -Filters 16 -KernelSize 3</code></example>
[Cmdlet(VerbsCommon.Add, "SeparableConv2DLayer")]
[OutputType(typeof(Model))]
public sealed class AddSeparableConv2DLayerCommand : AddSeparableConvLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new SeparableConv2D(Filters, KernelSize, Strides, Padding, DepthMultiplier, DilationRate, Options(Activation), Pointwise(), Name,
            InputShape);
}
