using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Reshaping;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Flatten layer (Keras Flatten): (batch, d1, d2, ...) becomes (batch, d1*d2*...).</para>
/// <para type="description">Row-major (channels_last) order, as Keras. Use it between convolution/pooling layers and Dense layers.</para>
/// </summary>
/// <example><code>New-Model -InputShape 28,28,1 | Add-Conv2DLayer 32 3 -Activation relu | Add-FlattenLayer |
/// Add-DenseLayer 10 -Activation softmax</code></example>
/// <example><code>New-Model -InputShape 4,5 | Add-FlattenLayer | Get-ModelSummary</code></example>
[Cmdlet(VerbsCommon.Add, "FlattenLayer")]
[OutputType(typeof(Model))]
public sealed class AddFlattenLayerCommand : AddLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new Flatten(Name, InputShape);
}
