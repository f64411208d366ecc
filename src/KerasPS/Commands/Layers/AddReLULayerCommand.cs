using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Activations;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a ReLU layer (Keras ReLU) with an optional cap, negative slope and threshold.</para>
/// <para type="description">Output: min(x, MaxValue) for x &gt; Threshold; NegativeSlope * (x - Threshold) otherwise. With no parameters it
/// is the plain max(x, 0); -MaxValue 6 gives ReLU6.</para>
/// </summary>
/// <example><code>$model | Add-DenseLayer 64 | Add-ReLULayer -MaxValue 6</code></example>
/// <example><code>$model | Add-ReLULayer -NegativeSlope 0.1 -Threshold 0.5</code></example>
[Cmdlet(VerbsCommon.Add, "ReLULayer")]
[OutputType(typeof(Model))]
public sealed class AddReLULayerCommand : AddLayerCommandBase
{
    /// <summary>Upper bound of the output (none by default).</summary>
    [Parameter]
    public double? MaxValue { get; set; }

    /// <summary>Slope below the threshold (0 by default).</summary>
    [Parameter]
    public double NegativeSlope { get; set; }

    /// <summary>Values at or below this are treated as negative (0 by default).</summary>
    [Parameter]
    public double Threshold { get; set; }

    protected override Layer CreateLayer() =>
        new ReLU(MaxValue, NegativeSlope, Threshold, Name, InputShape);
}
