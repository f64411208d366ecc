using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Keras IntegerLookup layer: whole numbers (error codes, user ids) to vocabulary indices or one-hot,
/// multi-hot, count or tf_idf rows.</para>
/// <para type="description">Values not in the vocabulary map to the out-of-vocabulary slot (index 0, token -1, by default; with several
/// slots by value modulo their count, Keras's floormod). -Adapt builds the vocabulary from training values as Keras's adapt (most frequent
/// first, ties by descending value, at most -MaxTokens entries); -Vocabulary gives it directly. With -OutputMode multi_hot, count or
/// tf_idf each row's values form one sample, as Keras treats the last axis.</para>
/// <para type="description">As the first layer of a model without an input shape, the layer takes its input shape from the -Adapt
/// data.</para>
/// </summary>
/// <example><code>New-Model | Add-IntegerLookupLayer -Adapt $split.Train -OutputMode multi_hot | Add-DenseLayer 1 -Activation sigmoid
/// </code></example>
/// <example><code>New-Model -InputShape 1 | Add-IntegerLookupLayer -Vocabulary 12, 36, 1138, 42 -OutputMode one_hot</code></example>
[Cmdlet(VerbsCommon.Add, "IntegerLookupLayer", DefaultParameterSetName = AdaptSet)]
[OutputType(typeof(Model))]
public sealed class AddIntegerLookupLayerCommand : AddLookupLayerCommandBase
{
    /// <summary>Training values to build the vocabulary from: numbers, rows of numbers, or a dataset (its features).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = AdaptSet)]
    public object Adapt { get; set; } = null!;

    /// <summary>The vocabulary, without the mask and OOV values (or with them first, as the layer's vocabulary lists them).</summary>
    [Parameter(Mandatory = true, ParameterSetName = VocabularySet)]
    public long[] Vocabulary { get; set; } = null!;

    /// <summary>With -Vocabulary and -OutputMode tf_idf: the inverse document frequency of each vocabulary value.</summary>
    [Parameter(ParameterSetName = VocabularySet)]
    public double[]? IdfWeights { get; set; }

    /// <summary>Out-of-vocabulary slots (default 1); several spread unseen values by value modulo the count; 0 makes an unseen
    /// value an error.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int NumOovIndices { get; set; } = 1;

    /// <summary>A value that means "no value" and maps to index 0 in int mode (Keras's mask_token); by default none.</summary>
    [Parameter]
    public long? MaskToken { get; set; }

    /// <summary>The value of the out-of-vocabulary slot in the vocabulary (default -1).</summary>
    [Parameter]
    public long OovToken { get; set; } = -1;

    /// <summary>Map indices back to values instead (Keras's invert; int output only).</summary>
    [Parameter]
    public SwitchParameter Invert { get; set; }

    protected override Layer CreateLayer()
    {
        int[]? shape = InputShape;
        long[][]? rows = null;
        if (ParameterSetName == AdaptSet)
        {
            var data = PSValue.Unwrap(Adapt)!;
            var engineData = data is Dataset d ? d.Engine : ArrayInput.FromArrays(data, null);
            int w = engineData.FeatureCount;
            rows = Enumerable.Range(0, engineData.Count)
                .Select(r => engineData.Features.AsSpan(r * w, w).ToArray().Select(v => (long)Math.Round(v)).ToArray()).ToArray();
            if (shape is null && Model is not null && Model.Engine.Layers.Count == 0 && Model.Engine.DeclaredInputShape is null)
                shape = engineData.FeatureShape;
        }
        var layer = new IntegerLookup(MaxTokensOrNull, NumOovIndices, MaskToken, OovToken,
            ParameterSetName == VocabularySet ? Vocabulary : null, IdfWeights, Invert.IsPresent, OutputMode, PadToMaxTokens.IsPresent,
            Name, shape);
        if (rows is not null) layer.Adapt(rows);
        return layer;
    }
}
