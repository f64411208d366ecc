using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Activations;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a LeakyReLU layer (Keras LeakyReLU): x for x &gt;= 0, negative_slope * x otherwise.</para>
/// <para type="description">The default slope is Keras 3's 0.3.</para>
/// </summary>
/// <example><code>$model | Add-DenseLayer 64 | Add-LeakyReLULayer -NegativeSlope 0.1</code></example>
/// <example><code>New-Model -InputShape 13 | Add-DenseLayer 32 | Add-LeakyReLULayer | Add-DenseLayer 3 -Activation softmax</code></example>
[Cmdlet(VerbsCommon.Add, "LeakyReLULayer")]
[OutputType(typeof(Model))]
public sealed class AddLeakyReLULayerCommand : AddLayerCommandBase
{
    /// <summary>Slope for negative inputs (0.3 by default, must be &gt;= 0).</summary>
    [Parameter(Position = 0)]
    public double NegativeSlope { get; set; } = LeakyReLU.DefaultNegativeSlope;

    protected override Layer CreateLayer() =>
        new LeakyReLU(NegativeSlope, Name, InputShape);
}
