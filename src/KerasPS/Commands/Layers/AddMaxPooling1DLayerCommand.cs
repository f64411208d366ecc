using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Pooling;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a MaxPooling1D layer (Keras MaxPooling1D): the max over windows of steps, per channel.</para>
/// <para type="description">The window is -PoolSize (2 by default), moved by -Strides (the pool size by default). Padding "same" keeps
/// ceil(size / stride) outputs; padded positions never win the max, as Keras does.</para>
/// </summary>
/// <example><code>$model | Add-Conv1DLayer 16 5 -Activation relu | Add-MaxPooling1DLayer 2</code></example>
/// <example><code>New-Model -InputShape 100,4 | Add-MaxPooling1DLayer -PoolSize 3 -Strides 1 -Padding same |
///     Get-ModelSummary</code></example>
[Cmdlet(VerbsCommon.Add, "MaxPooling1DLayer")]
[OutputType(typeof(Model))]
public sealed class AddMaxPooling1DLayerCommand : AddPoolingLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new MaxPooling1D(PoolSize, Strides, Padding, DataFormat, Name, InputShape);
}
