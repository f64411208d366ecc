using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Pooling;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a GlobalAveragePooling2D layer (Keras GlobalAveragePooling2D): the mean of each channel over height and
/// width.</para>
/// <para type="description">Input (batch, height, width, channels) with channels_last (default); output (batch, channels), or keeps the
/// pooled axes with size 1 with -KeepDims.</para>
/// </summary>
/// <example><code>$model | Add-Conv2DLayer 16 3 -Activation relu | Add-GlobalAveragePooling2DLayer |
/// Add-DenseLayer 2 -Activation softmax</code></example>
/// <example><code>New-Model -InputShape 8,8,16 | Add-GlobalAveragePooling2DLayer -KeepDims | Get-ModelSummary</code></example>
[Cmdlet(VerbsCommon.Add, "GlobalAveragePooling2DLayer")]
[OutputType(typeof(Model))]
public sealed class AddGlobalAveragePooling2DLayerCommand : AddGlobalAveragePoolingLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new GlobalAveragePooling2D(DataFormat, KeepDims.IsPresent, Name, InputShape);
}
