using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Reshaping;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Permute layer (Keras Permute): reorders the axes of each sample.</para>
/// <para type="description">Dims are 1-based and exclude the batch axis, as in Keras: -Dims 2,1 swaps the first two axes.</para>
/// </summary>
/// <example><code>New-Model | Add-PermuteLayer -Dims 2,1 -InputShape 10,64   # output shape (None, 64, 10)</code></example>
/// <example><code>New-Model -InputShape 10,4,3 | Add-PermuteLayer 3,1,2 | Get-ModelSummary</code></example>
[Cmdlet(VerbsCommon.Add, "PermuteLayer")]
[OutputType(typeof(Model))]
public sealed class AddPermuteLayerCommand : AddLayerCommandBase
{
    /// <summary>The new order of the axes, 1-based, a permutation of 1..n.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int[] Dims { get; set; } = null!;

    protected override Layer CreateLayer() =>
        new Permute(Dims, Name, InputShape);
}
