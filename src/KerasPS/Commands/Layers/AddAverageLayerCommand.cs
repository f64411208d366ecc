using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Merging;
using KerasPS.Engine.Models;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Averages its inputs element-wise (Keras Average): ensembles of branches.</para>
/// <para type="description">A merge layer of the functional API: give it tensors (piped, -Tensor, -With), not a model. The inputs
/// must have the same shape, or axes of size 1 that Keras broadcasts; the output has that shape (element-wise mean).</para>
/// </summary>
/// <example><code>$mean = $a, $b, $c | Add-AverageLayer</code></example>
/// <example><code>$a = New-ModelInput -Shape 8; $b = New-ModelInput -Shape 8; $mean = $a | Add-AverageLayer -With $b</code></example>
[Cmdlet(VerbsCommon.Add, "AverageLayer")]
[OutputType(typeof(KerasTensor))]
public sealed class AddAverageLayerCommand : AddMergeLayerCommandBase
{
    protected override Layer CreateLayer() => new Average(Name);
}
