using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Regularization;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a dropout layer (Keras Dropout): while training, zeroes a fraction of inputs and scales the rest by
/// 1/(1-rate).</para>
/// </summary>
/// <example><code>$model | Add-DenseLayer 512 -Activation relu | Add-DropoutLayer -Rate 0.5</code></example>
/// <example><code>New-Model -InputShape 93 | Add-DropoutLayer 0.2 | Add-DenseLayer 9 -Activation softmax</code></example>
[Cmdlet(VerbsCommon.Add, "DropoutLayer")]
[OutputType(typeof(Model))]
public sealed class AddDropoutLayerCommand : AddLayerCommandBase
{
    /// <summary>Fraction of inputs to drop, in [0, 1).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public double Rate { get; set; }

    protected override Layer CreateLayer() => new Dropout(Rate, Name, InputShape);
}
