using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Models;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Shared shape of the attention-layer cmdlets (functional API only): the query comes down the pipeline or through -Query,
/// -Value and -Key name the other inputs, so <c>$q | Add-AttentionLayer -Value $v</c> reads as Keras's
/// <c>Attention()([q, v])</c>; without -Value the layer attends over the query itself (self-attention). Each query gets its
/// own layer; its output tensor is written out.
/// </summary>
public abstract class AddAttentionLayerCommandBase : KerasCmdlet
{
    /// <summary>The query tensor (steps, features), usually piped.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public KerasTensor Query { get; set; } = null!;

    /// <summary>The value tensor the output is a weighted sum of; by default the query (self-attention).</summary>
    [Parameter]
    public KerasTensor? Value { get; set; }

    /// <summary>The key tensor the query is scored against; by default the value (Keras's default).</summary>
    [Parameter]
    public KerasTensor? Key { get; set; }

    /// <summary>Layer name, unique within the model; by default the Keras name (attention, multi_head_attention_1, ...).</summary>
    [Parameter]
    public string? Name { get; set; }

    protected abstract Layer CreateLayer();

    protected override void Process()
    {
        var inputs = new List<KerasTensor> { Query, Value ?? Query };
        if (Key is not null) inputs.Add(Key);
        WriteObject(KerasTensor.Apply(CreateLayer(), inputs));
    }
}
