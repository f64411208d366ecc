using System.Management.Automation;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Parameters shared by Add-StringLookupLayer and Add-IntegerLookupLayer (Keras's IndexLookup arguments max_tokens,
/// output_mode and pad_to_max_tokens), and their two parameter sets: a vocabulary adapted from data, or given.
/// </summary>
public abstract class AddLookupLayerCommandBase : AddLayerCommandBase
{
    protected const string AdaptSet = "Adapt";
    protected const string VocabularySet = "Vocabulary";

    /// <summary>The largest vocabulary, the mask and OOV slots included (Keras's max_tokens); by default no limit.</summary>
    [Parameter]
    [ValidateRange(2, int.MaxValue)]
    public int MaxTokens { get; set; }

    /// <summary>int (the index, default), one_hot, multi_hot, count or tf_idf.</summary>
    [Parameter]
    [ValidateSet("int", "one_hot", "multi_hot", "count", "tf_idf")]
    public string OutputMode { get; set; } = "int";

    /// <summary>With a one_hot or bag output mode: make every row -MaxTokens wide, even when the vocabulary is smaller.</summary>
    [Parameter]
    public SwitchParameter PadToMaxTokens { get; set; }

    /// <summary>-MaxTokens as the layer takes it: null for no limit.</summary>
    protected int? MaxTokensOrNull => MaxTokens == 0 ? null : MaxTokens;
}
