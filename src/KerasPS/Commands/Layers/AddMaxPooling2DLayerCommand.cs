using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Pooling;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a MaxPooling2D layer (Keras MaxPooling2D): the max over windows of height x width, per channel.</para>
/// <para type="description">The window is -PoolSize (2 by default), moved by -Strides (the pool size by default). Padding "same" keeps
/// ceil(size / stride) outputs; padded positions never win the max, as Keras does.</para>
/// </summary>
/// <example><code>$model | Add-Conv2DLayer 32 3 -Activation relu | Add-MaxPooling2DLayer -PoolSize 2</code></example>
/// <example><code>New-Model -InputShape 28,28,1 | Add-Conv2DLayer 8 3 |
///     Add-MaxPooling2DLayer -PoolSize 2 -Strides 2 -Padding same</code></example>
[Cmdlet(VerbsCommon.Add, "MaxPooling2DLayer")]
[OutputType(typeof(Model))]
public sealed class AddMaxPooling2DLayerCommand : AddPoolingLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new MaxPooling2D(PoolSize, Strides, Padding, DataFormat, Name, InputShape);
}
