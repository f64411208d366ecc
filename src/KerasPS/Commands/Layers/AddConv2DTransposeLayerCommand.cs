using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Convolution;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a transposed 2-D convolution layer (Keras Conv2DTranspose, sometimes called deconvolution): input
/// (height, width, channels), output (larger height, larger width, filters).</para>
/// <para type="description">Computes the gradient of a Conv2D with the same kernel, strides and padding, as TensorFlow does; with
/// strides 2 and padding same it doubles the height and width. The kernel is stored as Keras stores it, (kh, kw, filters, input
/// channels): Conv2DTranspose(8, 3x3) on 7x7x4 images has 3*3*8*4 + 8 = 296 parameters. channels_last only. Regularizers add to the
/// training loss; constraints are applied after each optimizer step.</para>
/// </summary>
/// <example><code>New-Model -InputShape 7,7,16 |
/// Add-Conv2DTransposeLayer -Filters 8 -KernelSize 3 -Strides 2 -Padding same -Activation relu |
/// Add-Conv2DTransposeLayer -Filters 1 -KernelSize 3 -Strides 2 -Padding same -Activation sigmoid</code></example>
/// <example><code># functional: a decoder step from 7x7 to 14x14
/// $x = New-ModelInput -Shape 7,7,16
/// $y = $x | Add-Conv2DTransposeLayer -Filters 8 -KernelSize 3 -Strides 2 -Padding same -Activation relu</code></example>
[Cmdlet(VerbsCommon.Add, "Conv2DTransposeLayer")]
[OutputType(typeof(Model))]
public sealed class AddConv2DTransposeLayerCommand : AddConvTransposeLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new Conv2DTranspose(Filters, KernelSize, Strides, Padding, OutputPadding, DilationRate, Options(Activation), Name, InputShape);
}
