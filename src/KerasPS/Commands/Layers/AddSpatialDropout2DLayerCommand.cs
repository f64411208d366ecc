using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Regularization;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a SpatialDropout2D layer (Keras SpatialDropout2D): while training, drops whole feature maps.</para>
/// <para type="description">Input (batch, height, width, channels), channels_last. While training each channel of each sample is
/// dropped over the whole image, with probability rate, and the kept ones are scaled by 1/(1-rate); at inference the layer passes its
/// input through.</para>
/// </summary>
/// <example><code>$model | Add-Conv2DLayer 32 3 -Activation relu | Add-SpatialDropout2DLayer -Rate 0.25</code></example>
/// <example><code># functional: drop whole feature maps while training
/// $x = New-ModelInput -Shape 28,28,8
/// $y = $x | Add-SpatialDropout2DLayer -Rate 0.2</code></example>
[Cmdlet(VerbsCommon.Add, "SpatialDropout2DLayer")]
[OutputType(typeof(Model))]
public sealed class AddSpatialDropout2DLayerCommand : AddLayerCommandBase
{
    /// <summary>Fraction of channels to drop, in [0, 1).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public double Rate { get; set; }

    protected override Layer CreateLayer() => new SpatialDropout2D(Rate, Name, InputShape);
}
