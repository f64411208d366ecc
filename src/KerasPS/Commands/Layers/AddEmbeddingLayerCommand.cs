using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;
using KerasPS.Engine.Layers.Core;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds an Embedding layer (Keras Embedding): integer token ids become dense vectors.</para>
/// <para type="description">Inputs are token ids in 0..InputDim-1 (numbers in the data are rounded to the nearest integer); the output adds
/// an axis of OutputDim. The table is the weight "embeddings" (InputDim x OutputDim), initialized uniformly in [-0.05, 0.05] like
/// Keras.</para>
/// </summary>
/// <example><code>New-Model -InputShape 20 | Add-EmbeddingLayer -InputDim 1000 -OutputDim 16 | Add-GlobalAveragePooling1DLayer |
/// Add-DenseLayer 1 -Activation sigmoid</code></example>
/// <example><code>New-Model -InputShape 50 | Add-EmbeddingLayer 5000 32 | Add-LSTMLayer 16 |
///     Add-DenseLayer 1 -Activation sigmoid</code></example>
/// <example><code>New-Model -InputShape 50 | Add-EmbeddingLayer 5000 32 -MaskZero | Add-GRULayer 16 |
///     Add-DenseLayer 1 -Activation sigmoid</code></example>
[Cmdlet(VerbsCommon.Add, "EmbeddingLayer")]
[OutputType(typeof(Model))]
public sealed class AddEmbeddingLayerCommand : AddLayerCommandBase
{
    /// <summary>Vocabulary size: the largest token id plus one.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int InputDim { get; set; }

    /// <summary>Length of each embedding vector.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public int OutputDim { get; set; }

    /// <summary>Initializer of the table: a name (random_uniform in [-0.05, 0.05] by default) or a New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? EmbeddingsInitializer { get; set; }

    /// <summary>Regularizer of the table: a name (factor 0.01) or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? EmbeddingsRegularizer { get; set; }

    /// <summary>Constraint on the table: a name or a New-Constraint object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? EmbeddingsConstraint { get; set; }

    /// <summary>Token id 0 is padding (Keras's mask_zero): the output carries a mask that recurrent layers, GlobalAveragePooling1D,
    /// attention and the loss read, so padded steps are skipped. The vocabulary still counts id 0 (InputDim is the largest id plus
    /// one).</summary>
    [Parameter]
    public SwitchParameter MaskZero { get; set; }

    protected override Layer CreateLayer() =>
        new Embedding(InputDim, OutputDim, EngineArguments.ToInitializer(EmbeddingsInitializer),
            EngineArguments.ToRegularizer(EmbeddingsRegularizer), EngineArguments.ToConstraint(EmbeddingsConstraint), Name, InputShape,
            MaskZero.IsPresent);
}
