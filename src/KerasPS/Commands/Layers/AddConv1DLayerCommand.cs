using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Convolution;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a 1-D convolution layer (Keras Conv1D) over sequences: input (steps, channels), output (new steps,
/// filters).</para>
/// <para type="description">The kernel is stored as Keras stores it, (kernel_size, input channels, filters), so parameters = kernel_size x
/// channels x filters + filters. Padding valid, same or causal (output at step t sees only steps up to t). Regularizers add to the training
/// loss; constraints are applied after each optimizer step; Get-ModelSummary shows both.</para>
/// </summary>
/// <example><code>New-Model -InputShape 100,8 | Add-Conv1DLayer -Filters 16 -KernelSize 5 -Activation relu |
/// Add-GlobalAveragePooling1DLayer | Add-DenseLayer 1</code></example>
/// <example><code>New-Model -InputShape 200,1 | Add-Conv1DLayer 8 3 -Strides 2 -Padding same |
///     Add-GlobalAveragePooling1DLayer</code></example>
[Cmdlet(VerbsCommon.Add, "Conv1DLayer")]
[OutputType(typeof(Model))]
public sealed class AddConv1DLayerCommand : AddConvLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new Conv1D(Filters, KernelSize, Strides, Padding, DilationRate, DataFormat, Options(Activation), Name, InputShape);
}
