using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Activations;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a ThresholdedReLU layer (Keras 2 ThresholdedReLU): x where x is above theta, 0 elsewhere.</para>
/// <para type="description">Keeps the shape. Keras 3 dropped this layer (Add-ReLULayer -Threshold computes the same); KerasPS keeps
/// it so that Keras 2 files that use it import.</para>
/// </summary>
/// <example><code>$model | Add-DenseLayer 16 | Add-ThresholdedReLULayer -Theta 0.5</code></example>
/// <example><code># functional: keep values above 1, zero the rest
/// $x = New-ModelInput -Shape 4
/// $y = $x | Add-ThresholdedReLULayer -Theta 1</code></example>
[Cmdlet(VerbsCommon.Add, "ThresholdedReLULayer")]
[OutputType(typeof(Model))]
public sealed class AddThresholdedReLULayerCommand : AddLayerCommandBase
{
    /// <summary>The threshold: values at or below it become 0 (default 1, at least 0).</summary>
    [Parameter(Position = 0)]
    public double Theta { get; set; } = ThresholdedReLU.DefaultTheta;

    protected override Layer CreateLayer() => new ThresholdedReLU(Theta, Name, InputShape);
}
