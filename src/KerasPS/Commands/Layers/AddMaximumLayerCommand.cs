using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Merging;
using KerasPS.Engine.Models;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Takes the element-wise maximum of its inputs (Keras Maximum).</para>
/// <para type="description">A merge layer of the functional API: give it tensors (piped, -Tensor, -With), not a model. The inputs
/// must have the same shape, or axes of size 1 that Keras broadcasts; the output has that shape (element-wise maximum).</para>
/// </summary>
/// <example><code>$m = $a | Add-MaximumLayer -With $b</code></example>
/// <example><code>$a = New-ModelInput -Shape 8; $b = New-ModelInput -Shape 8; $m = $a, $b | Add-MaximumLayer</code></example>
[Cmdlet(VerbsCommon.Add, "MaximumLayer")]
[OutputType(typeof(KerasTensor))]
public sealed class AddMaximumLayerCommand : AddMergeLayerCommandBase
{
    protected override Layer CreateLayer() => new Maximum(Name);
}
