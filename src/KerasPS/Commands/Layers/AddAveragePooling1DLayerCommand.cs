using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Pooling;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a AveragePooling1D layer (Keras AveragePooling1D): the average over windows of steps, per channel.</para>
/// <para type="description">The window is -PoolSize (2 by default), moved by -Strides (the pool size by default). Padding "same" keeps
/// ceil(size / stride) outputs and averages only the real inputs under each window, as Keras does.</para>
/// </summary>
/// <example><code>$model | Add-Conv1DLayer 16 5 -Activation relu | Add-AveragePooling1DLayer 2</code></example>
/// <example><code>New-Model -InputShape 100,4 | Add-AveragePooling1DLayer -PoolSize 4 -Strides 2 | Get-ModelSummary</code></example>
[Cmdlet(VerbsCommon.Add, "AveragePooling1DLayer")]
[OutputType(typeof(Model))]
public sealed class AddAveragePooling1DLayerCommand : AddPoolingLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new AveragePooling1D(PoolSize, Strides, Padding, DataFormat, Name, InputShape);
}
