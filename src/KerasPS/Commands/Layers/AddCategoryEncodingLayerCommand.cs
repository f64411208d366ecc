using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Keras CategoryEncoding layer: integer category ids in 0..NumTokens-1 become one-hot rows, or one
/// multi-hot or count row per sample.</para>
/// <para type="description">Ids arrive as numbers and are rounded to the nearest integer, as Add-EmbeddingLayer does; an id outside
/// 0..NumTokens-1 is an error that names the range. -OutputMode multi_hot (Keras's default) marks the ids a sample holds, count
/// counts them, and one_hot encodes each id (in place of a last axis of size 1). The layer has no weights; it lives in the model, so
/// predictions take the raw ids.</para>
/// </summary>
/// <example><code>New-Model -InputShape 1 | Add-CategoryEncodingLayer 4 -OutputMode one_hot |
/// Add-DenseLayer 3 -Activation softmax</code></example>
/// <example><code>New-Model -InputShape 2 | Add-CategoryEncodingLayer -NumTokens 4 -OutputMode count |
/// Invoke-ModelPredict -X @(, @(3, 3))</code></example>
[Cmdlet(VerbsCommon.Add, "CategoryEncodingLayer")]
[OutputType(typeof(Model))]
public sealed class AddCategoryEncodingLayerCommand : AddLayerCommandBase
{
    /// <summary>The number of categories: ids run from 0 to NumTokens - 1.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int NumTokens { get; set; }

    /// <summary>multi_hot (default), count or one_hot.</summary>
    [Parameter]
    [ValidateSet("one_hot", "multi_hot", "count")]
    public string OutputMode { get; set; } = "multi_hot";

    protected override Layer CreateLayer() => new CategoryEncoding(NumTokens, OutputMode, Name, InputShape);
}
