using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.AttentionLayers;
using KerasPS.Engine.Models;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Additive attention (Keras AdditiveAttention, Bahdanau style): each query step takes a softmax-weighted
/// sum of the value steps, scored by sum(scale * tanh(query + key)).</para>
/// <para type="description">A layer of the functional API for a query (Tq, dim), a value (Tv, dv) and optionally a key (Tv, dim;
/// the value by default). Scores are the sum over the features of tanh(query + key), each feature times a learned scale
/// (Keras's use_scale, on by default; -UseScale $false leaves a plain sum); the output is (Tq, dv). -UseCausalMask stops step i
/// from attending to later steps.</para>
/// </summary>
/// <example><code>$context = $decoder | Add-AdditiveAttentionLayer -Value $encoder</code></example>
/// <example><code>$x = New-ModelInput -Shape 10, 8
/// $y = $x | Add-AdditiveAttentionLayer -UseCausalMask -Dropout 0.1
/// $model = New-Model -Inputs $x -Outputs ($y | Add-GlobalAveragePooling1DLayer | Add-DenseLayer 1)</code></example>
[Cmdlet(VerbsCommon.Add, "AdditiveAttentionLayer")]
[OutputType(typeof(KerasTensor))]
public sealed class AddAdditiveAttentionLayerCommand : AddAttentionLayerCommandBase
{
    /// <summary>Weigh each feature's tanh(query + key) by a learned scale (Keras's use_scale; $true by default, glorot_uniform
    /// initialised); $false sums them plainly.</summary>
    [Parameter]
    public bool UseScale { get; set; } = true;

    /// <summary>Fraction of the attention weights dropped while training (0 by default).</summary>
    [Parameter]
    public double Dropout { get; set; }

    /// <summary>Step i of the query attends to steps up to i only (Keras's use_causal_mask), for decoders.</summary>
    [Parameter]
    public SwitchParameter UseCausalMask { get; set; }

    protected override Layer CreateLayer() => new AdditiveAttention(UseScale, Dropout, UseCausalMask, Name);
}
