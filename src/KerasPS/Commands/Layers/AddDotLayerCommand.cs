using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Merging;
using KerasPS.Engine.Models;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">The dot product of two tensors along an axis each (Keras Dot); with -Normalize, their cosine
/// similarity.</para>
/// <para type="description">A merge layer of the functional API for exactly two tensors. Two vectors of n values give one value per
/// sample, shape (1); (m, k) and (n, k) with -Axes 2 give (m, n).</para>
/// </summary>
/// <example><code>$score = $user | Add-DotLayer -With $item -Axes 1 -Normalize</code></example>
/// <example><code>$u = New-ModelInput -Shape 16
/// $v = New-ModelInput -Shape 16
/// $cos = $u | Add-DotLayer -With $v -Axes 1 -Normalize</code></example>
[Cmdlet(VerbsCommon.Add, "DotLayer")]
[OutputType(typeof(KerasTensor))]
public sealed class AddDotLayerCommand : AddMergeLayerCommandBase
{
    /// <summary>The axis of each input to multiply along, counted with the batch axis as 0: one value for both, or one per input.</summary>
    [Parameter(Mandatory = true)]
    public int[] Axes { get; set; } = null!;

    /// <summary>L2-normalise both inputs along their axes first, so the result is the cosine similarity.</summary>
    [Parameter]
    public SwitchParameter Normalize { get; set; }

    protected override Layer CreateLayer() => new Dot(Axes, Normalize, Name);
}
