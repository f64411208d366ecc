using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Merging;
using KerasPS.Engine.Models;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Subtracts its second input from its first (Keras Subtract).</para>
/// <para type="description">A merge layer of the functional API: give it tensors (piped, -Tensor, -With), not a model. The inputs
/// must have the same shape, or axes of size 1 that Keras broadcasts; the output has that shape (difference of exactly two tensors).</para>
/// </summary>
/// <example><code>$diff = $a | Add-SubtractLayer -With $b</code></example>
/// <example><code>$a = New-ModelInput -Shape 8
/// $b = New-ModelInput -Shape 8
/// $diff = $a | Add-SubtractLayer -With $b -Name diff</code></example>
[Cmdlet(VerbsCommon.Add, "SubtractLayer")]
[OutputType(typeof(KerasTensor))]
public sealed class AddSubtractLayerCommand : AddMergeLayerCommandBase
{
    protected override Layer CreateLayer() => new Subtract(Name);
}
