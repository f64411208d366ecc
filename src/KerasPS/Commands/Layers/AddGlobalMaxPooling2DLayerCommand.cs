using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Pooling;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a GlobalMaxPooling2D layer (Keras GlobalMaxPooling2D): the largest value of each channel over height
/// and width.</para>
/// <para type="description">Input (batch, height, width, channels), channels_last; output (batch, channels), or (batch, 1, 1,
/// channels) with -KeepDims.</para>
/// </summary>
/// <example><code>$model | Add-Conv2DLayer 16 3 -Activation relu | Add-GlobalMaxPooling2DLayer | Add-DenseLayer 2 -Activation
/// softmax</code></example>
/// <example><code># functional, keeping the spatial axes as size 1: (None, 1, 1, 3)
/// $x = New-ModelInput -Shape 28,28,3
/// $y = $x | Add-GlobalMaxPooling2DLayer -KeepDims</code></example>
[Cmdlet(VerbsCommon.Add, "GlobalMaxPooling2DLayer")]
[OutputType(typeof(Model))]
public sealed class AddGlobalMaxPooling2DLayerCommand : AddLayerCommandBase
{
    /// <summary>Keep the pooled axes with size 1.</summary>
    [Parameter]
    public SwitchParameter KeepDims { get; set; }

    protected override Layer CreateLayer() => new GlobalMaxPooling2D(KeepDims.IsPresent, Name, InputShape);
}
