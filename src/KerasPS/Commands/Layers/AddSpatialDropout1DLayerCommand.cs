using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Regularization;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a SpatialDropout1D layer (Keras SpatialDropout1D): while training, drops whole channels of a
/// sequence.</para>
/// <para type="description">Input (batch, steps, channels). While training each channel of each sample is dropped at every step at
/// once, with probability rate, and the kept ones are scaled by 1/(1-rate); at inference the layer passes its input through.</para>
/// </summary>
/// <example><code>$model | Add-EmbeddingLayer 1000 32 | Add-SpatialDropout1DLayer -Rate 0.2 | Add-LSTMLayer 16</code></example>
/// <example><code># functional: drop whole feature channels of a sequence while training
/// $x = New-ModelInput -Shape 30,16
/// $y = $x | Add-SpatialDropout1DLayer -Rate 0.1</code></example>
[Cmdlet(VerbsCommon.Add, "SpatialDropout1DLayer")]
[OutputType(typeof(Model))]
public sealed class AddSpatialDropout1DLayerCommand : AddLayerCommandBase
{
    /// <summary>Fraction of channels to drop, in [0, 1).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public double Rate { get; set; }

    protected override Layer CreateLayer() => new SpatialDropout1D(Rate, Name, InputShape);
}
