using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Merging;
using KerasPS.Engine.Models;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Multiplies its inputs element-wise (Keras Multiply): gates and attention weights.</para>
/// <para type="description">A merge layer of the functional API: give it tensors (piped, -Tensor, -With), not a model. The inputs
/// must have the same shape, or axes of size 1 that Keras broadcasts; the output has that shape (element-wise product).</para>
/// </summary>
/// <example><code>$gated = $h | Add-MultiplyLayer -With $gate</code></example>
/// <example><code>$a = New-ModelInput -Shape 8; $b = New-ModelInput -Shape 8; $product = $a, $b | Add-MultiplyLayer</code></example>
[Cmdlet(VerbsCommon.Add, "MultiplyLayer")]
[OutputType(typeof(KerasTensor))]
public sealed class AddMultiplyLayerCommand : AddMergeLayerCommandBase
{
    protected override Layer CreateLayer() => new Multiply(Name);
}
