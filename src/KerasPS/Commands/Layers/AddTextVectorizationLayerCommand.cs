using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Keras TextVectorization layer: raw text in, token ids or bag-of-words rows out, with the vocabulary kept in
/// the model.</para>
/// <para type="description">Each text is standardized (-Standardize: lower case and punctuation removed by default), split (-Split: on
/// whitespace by default), optionally turned into n-grams, and looked up in the vocabulary: -OutputMode int gives token ids padded with 0
/// or truncated to -OutputSequenceLength (0 is the padding, 1 the out-of-vocabulary token [UNK]); multi_hot, count and tf_idf give one row
/// as wide as the vocabulary. -Adapt builds the vocabulary from training texts as Keras's adapt: most frequent first, ties in descending
/// token order, at most -MaxTokens entries with the special tokens; -Vocabulary gives it directly.</para>
/// <para type="description">Tensors cannot hold strings, so the layer is the model's first and runs on the host: a dataset's text column
/// (Import-ModelData -Text) is encoded once per dataset, and Invoke-ModelPredict takes raw strings or objects. The vocabulary is saved
/// with the model (Export-Checkpoint, .keras).</para>
/// </summary>
/// <example><code>$model = New-Model | Add-TextVectorizationLayer -Adapt $train -MaxTokens 2000 -OutputSequenceLength 12 |
/// Add-EmbeddingLayer 2000 16 | Add-GlobalAveragePooling1DLayer | Add-DenseLayer 4 -Activation softmax</code></example>
/// <example><code>New-Model | Add-TextVectorizationLayer -Adapt 'disk full', 'cpu high' -OutputMode multi_hot |
/// Add-DenseLayer 1 -Activation sigmoid</code></example>
/// <example><code>New-Model | Add-TextVectorizationLayer -Vocabulary earth, wind, and, fire -OutputSequenceLength 4</code></example>
[Cmdlet(VerbsCommon.Add, "TextVectorizationLayer", DefaultParameterSetName = AdaptSet)]
[OutputType(typeof(Model))]
public sealed class AddTextVectorizationLayerCommand : AddLayerCommandBase
{
    private const string AdaptSet = "Adapt";
    private const string VocabularySet = "Vocabulary";

    /// <summary>Training texts to build the vocabulary from: strings, objects with a text property (-Column), or a dataset with a text
    /// column.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = AdaptSet)]
    [AllowEmptyString]
    public object Adapt { get; set; } = null!;

    /// <summary>The vocabulary, most useful term first, without the padding and [UNK] tokens (or with them first, as the layer's
    /// vocabulary lists them).</summary>
    [Parameter(Mandatory = true, ParameterSetName = VocabularySet)]
    public string[] Vocabulary { get; set; } = null!;

    /// <summary>With -Vocabulary and -OutputMode tf_idf: the inverse document frequency of each vocabulary term.</summary>
    [Parameter(ParameterSetName = VocabularySet)]
    public double[]? IdfWeights { get; set; }

    /// <summary>The property of -Adapt objects (or the dataset text column) that holds the text.</summary>
    [Parameter(ParameterSetName = AdaptSet)]
    public string? Column { get; set; }

    /// <summary>The largest vocabulary, padding and [UNK] included (Keras's max_tokens); by default no limit.</summary>
    [Parameter]
    [ValidateRange(2, int.MaxValue)]
    public int MaxTokens { get; set; }

    /// <summary>How each text is standardized: lower_and_strip_punctuation (default), lower, strip_punctuation or none.</summary>
    [Parameter]
    [ValidateSet("lower_and_strip_punctuation", "lower", "strip_punctuation", "none")]
    public string Standardize { get; set; } = "lower_and_strip_punctuation";

    /// <summary>How each text is split into tokens: whitespace (default), character or none (the whole text is one token).</summary>
    [Parameter]
    [ValidateSet("whitespace", "character", "none")]
    public string Split { get; set; } = "whitespace";

    /// <summary>N-grams to make: one number n for all widths 1..n, or several widths (Keras's ngrams).</summary>
    [Parameter]
    public int[]? Ngrams { get; set; }

    /// <summary>int (token ids, default), multi_hot (1 where a term occurs), count (occurrences) or tf_idf (counts times IDF).</summary>
    [Parameter]
    [ValidateSet("int", "multi_hot", "count", "tf_idf")]
    public string OutputMode { get; set; } = "int";

    /// <summary>With -OutputMode int: the number of token ids per text; shorter texts are padded with 0, longer ones truncated.
    /// A model needs it, as its tensors have a fixed width.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int OutputSequenceLength { get; set; }

    /// <summary>With a bag output mode: make every row -MaxTokens wide, even when the vocabulary is smaller.</summary>
    [Parameter]
    public SwitchParameter PadToMaxTokens { get; set; }

    protected override Layer CreateLayer()
    {
        var layer = new TextVectorization(MaxTokens == 0 ? null : MaxTokens, Standardize, Split, Ngrams, OutputMode,
            OutputSequenceLength == 0 ? null : OutputSequenceLength, PadToMaxTokens.IsPresent,
            ParameterSetName == VocabularySet ? Vocabulary : null, IdfWeights, Name);
        if (ParameterSetName == AdaptSet) layer.Adapt(TextValues.From(Adapt, Column));
        _ = layer.EncodedShape;   // a model's tensors have a fixed width: int output needs -OutputSequenceLength
        return layer;
    }
}
