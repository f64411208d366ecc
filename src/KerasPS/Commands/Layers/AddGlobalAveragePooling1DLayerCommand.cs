using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Pooling;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a GlobalAveragePooling1D layer (Keras GlobalAveragePooling1D): the mean of each channel over the
/// steps.</para>
/// <para type="description">Input (batch, steps, channels) with channels_last (default); output (batch, channels), or keeps the pooled axes
/// with size 1 with -KeepDims.</para>
/// </summary>
/// <example><code>$model | Add-EmbeddingLayer 1000 16 | Add-GlobalAveragePooling1DLayer</code></example>
/// <example><code>New-Model -InputShape 50,8 | Add-GlobalAveragePooling1DLayer -KeepDims | Get-ModelSummary</code></example>
[Cmdlet(VerbsCommon.Add, "GlobalAveragePooling1DLayer")]
[OutputType(typeof(Model))]
public sealed class AddGlobalAveragePooling1DLayerCommand : AddGlobalAveragePoolingLayerCommandBase
{
    protected override Layer CreateLayer() =>
        new GlobalAveragePooling1D(DataFormat, KeepDims.IsPresent, Name, InputShape);
}
