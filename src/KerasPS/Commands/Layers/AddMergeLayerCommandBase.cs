using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Models;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Shared shape of the merge-layer cmdlets (Keras's Concatenate, Add, ...; functional API only): the tensors come down the
/// pipeline or through -Tensor, and -With adds more after them, so <c>$y | Add-AddLayer -With $x</c> reads as Keras's
/// <c>Add()([y, x])</c>. The layer is applied once, to every tensor, when the pipeline ends; its output tensor is written out.
/// </summary>
public abstract class AddMergeLayerCommandBase : KerasCmdlet
{
    private readonly List<KerasTensor> tensors = new();

    /// <summary>The tensors to merge, in order; usually piped (<c>$a, $b | Add-ConcatenateLayer</c>).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
    public KerasTensor[] Tensor { get; set; } = null!;

    /// <summary>More tensors, merged after the piped ones (<c>$y | Add-AddLayer -With $x</c> for a residual connection).</summary>
    [Parameter]
    public KerasTensor[]? With { get; set; }

    /// <summary>Layer name, unique within the model; by default the Keras name (concatenate, add_1, ...).</summary>
    [Parameter]
    public string? Name { get; set; }

    protected abstract Layer CreateLayer();

    protected override void Process() => tensors.AddRange(Tensor);

    protected override void End()
    {
        if (With is not null) tensors.AddRange(With);
        WriteObject(KerasTensor.Apply(CreateLayer(), tensors));
    }
}
