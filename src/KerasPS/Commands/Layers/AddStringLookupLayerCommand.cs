using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Keras StringLookup layer: one string per row (a category such as a host name) to its vocabulary index or a
/// one-hot, multi-hot, count or tf_idf row.</para>
/// <para type="description">Values not in the vocabulary map to the out-of-vocabulary slot (index 0, token [UNK], by default), so a model
/// trained on some host names still predicts for a new one. -Adapt builds the vocabulary from training values as Keras's adapt (most
/// frequent first, ties in descending order, at most -MaxTokens entries); -Vocabulary gives it directly. The layer is the model's first and
/// runs on the host: a dataset's text column (Import-ModelData -Text) is encoded once per dataset, and the vocabulary is saved with the
/// model.</para>
/// </summary>
/// <example><code>New-Model | Add-StringLookupLayer -Adapt $rows -Column host -OutputMode one_hot | Add-DenseLayer 1</code></example>
/// <example><code># a host column beside numbers (Import-ModelData -Text host -Inputs @{ host = 'host'; numbers = 'a' })
/// $hostName = New-ModelInput -Name host -DType string; $numbers = New-ModelInput -Shape 1 -Name numbers
/// $h = $hostName | Add-StringLookupLayer -Adapt $data -Column host -OutputMode one_hot
/// $model = New-Model -Inputs $hostName, $numbers -Outputs ($h | Add-ConcatenateLayer -With $numbers | Add-DenseLayer 1)</code></example>
/// <example><code>New-Model | Add-StringLookupLayer -Vocabulary a, b, c, d -OutputMode multi_hot</code></example>
[Cmdlet(VerbsCommon.Add, "StringLookupLayer", DefaultParameterSetName = AdaptSet)]
[OutputType(typeof(Model))]
public sealed class AddStringLookupLayerCommand : AddLookupLayerCommandBase
{
    /// <summary>Training values to build the vocabulary from: strings, objects with the value's property (-Column), or a dataset with a
    /// text column.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = AdaptSet)]
    [AllowEmptyString]
    public object Adapt { get; set; } = null!;

    /// <summary>The vocabulary, without the mask and OOV tokens (or with them first, as the layer's vocabulary lists them).</summary>
    [Parameter(Mandatory = true, ParameterSetName = VocabularySet)]
    public string[] Vocabulary { get; set; } = null!;

    /// <summary>With -Vocabulary and -OutputMode tf_idf: the inverse document frequency of each vocabulary term.</summary>
    [Parameter(ParameterSetName = VocabularySet)]
    public double[]? IdfWeights { get; set; }

    /// <summary>The property of -Adapt objects (or the dataset text column) that holds the value.</summary>
    [Parameter(ParameterSetName = AdaptSet)]
    public string? Column { get; set; }

    /// <summary>
    /// Out-of-vocabulary slots (default 1; 0 makes an unseen value an error); with several, an unseen string goes to slot
    /// FarmHash Fingerprint64 modulo the count, as Keras spreads them.
    /// </summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int NumOovIndices { get; set; } = 1;

    /// <summary>A value that means "no value" and maps to index 0 in int mode (Keras's mask_token); by default none.</summary>
    [Parameter]
    public string? MaskToken { get; set; }

    /// <summary>The token of the out-of-vocabulary slot in the vocabulary (default [UNK]).</summary>
    [Parameter]
    public string OovToken { get; set; } = IndexLookup.DefaultStringOov;

    protected override Layer CreateLayer()
    {
        var layer = new StringLookup(MaxTokensOrNull, NumOovIndices, MaskToken, OovToken,
            ParameterSetName == VocabularySet ? Vocabulary : null, IdfWeights, false, OutputMode, PadToMaxTokens.IsPresent, Name);
        if (ParameterSetName == AdaptSet) layer.Adapt(TextValues.From(Adapt, Column));
        return layer;
    }
}
