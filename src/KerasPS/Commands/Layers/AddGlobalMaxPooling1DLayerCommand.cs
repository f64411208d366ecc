using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Pooling;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a GlobalMaxPooling1D layer (Keras GlobalMaxPooling1D): the largest value of each channel over the
/// steps.</para>
/// <para type="description">Input (batch, steps, channels), channels_last; output (batch, channels), or (batch, 1, channels) with
/// -KeepDims.</para>
/// </summary>
/// <example><code>$model | Add-Conv1DLayer 16 3 -Activation relu | Add-GlobalMaxPooling1DLayer | Add-DenseLayer 2 -Activation
/// softmax</code></example>
/// <example><code># functional: the largest value of each channel over the steps
/// $x = New-ModelInput -Shape 50,8
/// $y = $x | Add-GlobalMaxPooling1DLayer</code></example>
[Cmdlet(VerbsCommon.Add, "GlobalMaxPooling1DLayer")]
[OutputType(typeof(Model))]
public sealed class AddGlobalMaxPooling1DLayerCommand : AddLayerCommandBase
{
    /// <summary>Keep the pooled axis with size 1.</summary>
    [Parameter]
    public SwitchParameter KeepDims { get; set; }

    protected override Layer CreateLayer() => new GlobalMaxPooling1D(KeepDims.IsPresent, Name, InputShape);
}
