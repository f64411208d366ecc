using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Merging;
using KerasPS.Engine.Models;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds its inputs element-wise (Keras Add): the usual residual connection.</para>
/// <para type="description">A merge layer of the functional API: give it tensors (piped, -Tensor, -With), not a model. The inputs
/// must have the same shape, or axes of size 1 that Keras broadcasts; the output has that shape (sum).</para>
/// </summary>
/// <example><code>$y = $h | Add-AddLayer -With $x</code></example>
/// <example><code>$x = New-ModelInput -Shape 16
/// $h = $x | Add-DenseLayer 16 -Activation relu
/// $y = $h | Add-AddLayer -With $x</code></example>
[Cmdlet(VerbsCommon.Add, "AddLayer")]
[OutputType(typeof(KerasTensor))]
public sealed class AddAddLayerCommand : AddMergeLayerCommandBase
{
    protected override Layer CreateLayer() => new Add(Name);
}
