using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.AttentionLayers;
using KerasPS.Engine.Models;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Multi-head attention (Keras MultiHeadAttention): the heart of a Transformer block; self-attention
/// without -Value.</para>
/// <para type="description">A layer of the functional API for a query (Tq, dim), a value (Tv, dv) and optionally a key (Tv, dk;
/// the value by default). Each of -NumHeads heads projects them to -KeyDim (value: -ValueDim) features, attends with scaled dot
/// products, and the heads are projected back to the query's features (or -OutputShape). Weights are stored as Keras stores
/// them (query, key, value and attention_output kernels and biases), so .keras and .h5 files load.</para>
/// </summary>
/// <example><code>$x = New-ModelInput -Shape 10, 16
/// $h = $x | Add-MultiHeadAttentionLayer -NumHeads 2 -KeyDim 8
/// $y = $x | Add-AddLayer -With $h | Add-LayerNormalizationLayer</code></example>
/// <example><code>$context = $decoder | Add-MultiHeadAttentionLayer 4 16 -Value $encoder -Dropout 0.1</code></example>
[Cmdlet(VerbsCommon.Add, "MultiHeadAttentionLayer")]
[OutputType(typeof(KerasTensor))]
public sealed class AddMultiHeadAttentionLayerCommand : AddAttentionLayerCommandBase
{
    /// <summary>The number of attention heads.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int NumHeads { get; set; }

    /// <summary>The size of each head's query and key projections.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public int KeyDim { get; set; }

    /// <summary>The size of each head's value projection; -KeyDim by default.</summary>
    [Parameter]
    public int? ValueDim { get; set; }

    /// <summary>Fraction of the attention weights dropped while training (0 by default).</summary>
    [Parameter]
    public double Dropout { get; set; }

    /// <summary>Whether the projections have biases (true by default, as Keras).</summary>
    [Parameter]
    public bool UseBias { get; set; } = true;

    /// <summary>The size of the output's last axis; the query's features by default.</summary>
    [Parameter]
    public int? OutputShape { get; set; }

    /// <summary>Step i of the query attends to steps up to i only (Keras's use_causal_mask), for decoders.</summary>
    [Parameter]
    public SwitchParameter UseCausalMask { get; set; }

    /// <summary>Initializer of the projection kernels (glorot_uniform by default): a name or New-Initializer.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? KernelInitializer { get; set; }

    /// <summary>Initializer of the projection biases (zeros by default).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? BiasInitializer { get; set; }

    protected override Layer CreateLayer() => new MultiHeadAttention(NumHeads, KeyDim, ValueDim, Dropout, UseBias, OutputShape,
        UseCausalMask, EngineArguments.ToInitializer(KernelInitializer), EngineArguments.ToInitializer(BiasInitializer), Name);
}
