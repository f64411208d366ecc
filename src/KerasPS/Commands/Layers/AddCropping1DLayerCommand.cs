using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Reshaping;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Cropping1D layer (Keras Cropping1D): drops steps at the start and end of a sequence.</para>
/// <para type="description">Input (batch, steps, channels); output (batch, steps - before - after, channels). By default one step
/// from each end.</para>
/// </summary>
/// <example><code>$model | Add-Conv1DLayer 8 3 -Padding same | Add-Cropping1DLayer -Cropping 2,0</code></example>
/// <example><code># functional: drop the first and last 3 steps of a sequence
/// $x = New-ModelInput -Shape 20,4
/// $y = $x | Add-Cropping1DLayer -Cropping 3,3</code></example>
[Cmdlet(VerbsCommon.Add, "Cropping1DLayer")]
[OutputType(typeof(Model))]
public sealed class AddCropping1DLayerCommand : AddLayerCommandBase
{
    /// <summary>Steps to drop: one value for both ends, or two (before, after). Default 1.</summary>
    [Parameter(Position = 0)]
    public int[]? Cropping { get; set; }

    protected override Layer CreateLayer() => new Cropping1D(Cropping, Name, InputShape);
}
