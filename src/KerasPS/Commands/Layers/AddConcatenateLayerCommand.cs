using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Merging;
using KerasPS.Engine.Models;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Joins tensors along an axis (Keras Concatenate): wide-and-deep models, several inputs into one
/// trunk.</para>
/// <para type="description">A merge layer of the functional API: give it tensors (piped, -Tensor, -With), not a model. All axes but
/// -Axis must match; along -Axis the sizes add up.</para>
/// </summary>
/// <example><code>$both = $wide, $deep | Add-ConcatenateLayer</code></example>
/// <example><code>Add-ConcatenateLayer -Tensor $numbers, $text -Axis -1 -Name joined</code></example>
[Cmdlet(VerbsCommon.Add, "ConcatenateLayer")]
[OutputType(typeof(KerasTensor))]
public sealed class AddConcatenateLayerCommand : AddMergeLayerCommandBase
{
    /// <summary>The axis to join along, counted as Keras counts it (with the batch axis as 0): -1, the last, by default.</summary>
    [Parameter]
    public int Axis { get; set; } = Concatenate.DefaultAxis;

    protected override Layer CreateLayer() => new Concatenate(Axis, Name);
}
