using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Convolution;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a 2-D convolution layer (Keras Conv2D) over images: input (height, width, channels) by default, output (new
/// height, new width, filters).</para>
/// <para type="description">channels_last like Keras; -DataFormat channels_first takes (channels, height, width). The kernel is stored as
/// Keras stores it, (kh, kw, input channels, filters): Conv2D(32, 3x3) on 28x28x1 images has 3*3*1*32 + 32 = 320 parameters. Feed flat CSV
/// features through Add-ReshapeLayer -TargetShape H,W,C first. Regularizers add to the training loss; constraints are applied after each
/// optimizer step; Get-ModelSummary shows both.</para>
/// </summary>
/// <example><code>New-Model -InputShape 784 | Add-ReshapeLayer 28,28,1 | Add-Conv2DLayer -Filters 32 -KernelSize 3 -Activation relu |
/// Add-MaxPooling2DLayer | Add-FlattenLayer | Add-DenseLayer 10 -Activation softmax</code></example>
/// <example><code>New-Model -InputShape 32,32,3 | Add-Conv2DLayer 16 3 -Padding same -Strides 2 -Activation relu |
///     Get-ModelSummary</code></example>
[Cmdlet(VerbsCommon.Add, "Conv2DLayer")]
[OutputType(typeof(Model))]
public sealed class AddConv2DLayerCommand : AddConvLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new Conv2D(Filters, KernelSize, Strides, Padding, DilationRate, DataFormat, Options(Activation), Name, InputShape);
}
