using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Pooling;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a AveragePooling2D layer (Keras AveragePooling2D): the average over windows of height x width, per
/// channel.</para>
/// <para type="description">The window is -PoolSize (2 by default), moved by -Strides (the pool size by default). Padding "same" keeps
/// ceil(size / stride) outputs and averages only the real inputs under each window, as Keras does.</para>
/// </summary>
/// <example><code>$model | Add-Conv2DLayer 32 3 -Activation relu | Add-AveragePooling2DLayer -PoolSize 2</code></example>
/// <example><code>New-Model -InputShape 32,32,3 | Add-AveragePooling2DLayer -PoolSize 2 -Strides 2 | Get-ModelSummary</code></example>
[Cmdlet(VerbsCommon.Add, "AveragePooling2DLayer")]
[OutputType(typeof(Model))]
public sealed class AddAveragePooling2DLayerCommand : AddPoolingLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new AveragePooling2D(PoolSize, Strides, Padding, DataFormat, Name, InputShape);
}
