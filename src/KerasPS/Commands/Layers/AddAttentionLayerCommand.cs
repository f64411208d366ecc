using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.AttentionLayers;
using KerasPS.Engine.Models;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Dot-product attention (Keras Attention, Luong style): each query step takes a softmax-weighted sum of
/// the value steps.</para>
/// <para type="description">A layer of the functional API for a query (Tq, dim), a value (Tv, dv) and optionally a key (Tv, dim;
/// the value by default). Scores are query . key (times a learned scale with -UseScale), or with -ScoreMode concat
/// sum(tanh(query + key)); the output is (Tq, dv). -UseCausalMask stops step i from attending to later steps.</para>
/// </summary>
/// <example><code>$context = $decoder | Add-AttentionLayer -Value $encoder</code></example>
/// <example><code>$x = New-ModelInput -Shape 10, 8
/// $y = $x | Add-AttentionLayer -UseScale -UseCausalMask
/// $model = New-Model -Inputs $x -Outputs ($y | Add-GlobalAveragePooling1DLayer | Add-DenseLayer 1)</code></example>
[Cmdlet(VerbsCommon.Add, "AttentionLayer")]
[OutputType(typeof(KerasTensor))]
public sealed class AddAttentionLayerCommand : AddAttentionLayerCommandBase
{
    /// <summary>Multiply the scores by a learned scalar (Keras's use_scale; initialised to 1).</summary>
    [Parameter]
    public SwitchParameter UseScale { get; set; }

    /// <summary>How scores are computed: dot (query . key, the default) or concat (sum of tanh(query + key)).</summary>
    [Parameter]
    [ValidateSet("dot", "concat")]
    public string ScoreMode { get; set; } = "dot";

    /// <summary>Fraction of the attention weights dropped while training (0 by default).</summary>
    [Parameter]
    public double Dropout { get; set; }

    /// <summary>Step i of the query attends to steps up to i only (Keras's use_causal_mask), for decoders.</summary>
    [Parameter]
    public SwitchParameter UseCausalMask { get; set; }

    protected override Layer CreateLayer() => new Attention(UseScale, ScoreMode, Dropout, UseCausalMask, Name);
}
