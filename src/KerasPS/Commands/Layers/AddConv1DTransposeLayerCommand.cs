using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Convolution;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a transposed 1-D convolution layer (Keras Conv1DTranspose) over sequences: input (steps, channels),
/// output (more steps, filters).</para>
/// <para type="description">Computes the gradient of a Conv1D with the same kernel, strides and padding, as TensorFlow does; with
/// strides 2 and padding same it doubles the number of steps. The kernel is stored as Keras stores it, (kernel size, filters, input
/// channels): Conv1DTranspose(4, 3) on (10, 2) sequences has 3*4*2 + 4 = 28 parameters. channels_last only.</para>
/// </summary>
/// <example><code>New-Model -InputShape 25,8 |
/// Add-Conv1DTransposeLayer -Filters 4 -KernelSize 3 -Strides 2 -Padding same -Activation relu</code></example>
/// <example><code># functional: upsample a sequence of 25 steps to 50
/// $x = New-ModelInput -Shape 25,8
/// $y = $x | Add-Conv1DTransposeLayer -Filters 8 -KernelSize 4 -Strides 2 -Padding same</code></example>
[Cmdlet(VerbsCommon.Add, "Conv1DTransposeLayer")]
[OutputType(typeof(Model))]
public sealed class AddConv1DTransposeLayerCommand : AddConvTransposeLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new Conv1DTranspose(Filters, KernelSize, Strides, Padding, OutputPadding, DilationRate, Options(Activation), Name, InputShape);
}
