using System.Runtime.CompilerServices;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Core;
using KerasPS.Engine.Layers.Preprocessing;
using KerasPS.Engine.Models;

namespace KerasPS.Engine.Data;

/// <summary>
/// String inputs of a functional model (Keras's <c>keras.Input(shape=(1,), dtype="string")</c>), beside numeric ones.
/// Tensors cannot hold strings, so the layer a string input feeds (TextVectorization, StringLookup, Hashing) runs on the
/// host: a dataset's strings are encoded by that layer once per dataset and layer state, the encoding is the input's
/// tensor, and the graph passes it through that layer's call (<see cref="KerasModel.ForwardAll"/>). Each string input
/// feeds one such layer; its data is one text column (<c>-Text</c>) named by the input's block (<c>-Inputs</c>).
/// </summary>
public static class StringInputs
{
    /// <summary>The dtype of a string input.</summary>
    public const string DType = "string";

    /// <summary>The metadata key that marks data whose string inputs are encoded already (and its subsets).</summary>
    internal const string EncodedMark = "StringInputsEncoded";

    /// <summary>How a layer encodes the strings of one input on the host: the shape of one encoded row, a version that
    /// changes with the layer's state (a new vocabulary), and the encoding of one string per row.</summary>
    public sealed record Encoder(Layer Layer, int[] Shape, int Version, Func<IReadOnlyList<string>, float[]> Encode);

    /// <summary>The host encoder of <paramref name="layer"/> applied to strings, or null when the layer takes numbers only.</summary>
    public static Encoder? Of(Layer layer) => layer switch
    {
        HostEncodedLayer h => new(h, h.EncodedShape, h.EncodingVersion, h.EncodeStrings),
        Hashing x => new(x, CategoricalOutput.Shape(new[] { 1 }, x.OutputMode, x.NumBins, x.Name), 0, rows => HashRows(x, rows)),
        _ => null,
    };

    /// <summary>Keras's Hashing on one string per row, encoded by the layer's output mode.</summary>
    private static float[] HashRows(Hashing layer, IReadOnlyList<string> rows)
    {
        bool ids = layer.OutputMode == CategoricalOutput.Int;
        int width = ids ? 1 : layer.NumBins;
        var values = new float[(long)rows.Count * width];
        for (int r = 0; r < rows.Count; r++)
        {
            long bin = layer.HashString(rows[r] ?? "");
            if (ids) values[r] = bin;
            else values[(long)r * width + bin] = 1f;
        }
        return values;
    }

    /// <summary>
    /// The output shape of <paramref name="layer"/> applied to string tensors (the functional API): its host encoding's,
    /// or an error naming the layer when it takes numbers.
    /// </summary>
    public static int[] OutputShape(Layer layer, IReadOnlyList<KerasTensor> inputs)
    {
        var source = inputs.First(t => t.DType == DType);
        if (inputs.Count != 1 || Of(layer) is not { } encoder)
            throw KerasException.BadArgument("StringInputNotEncoded",
                $"{(string.IsNullOrEmpty(layer.Name) ? $"A {layer.ClassName} layer" : $"Layer '{layer.Name}' ({layer.ClassName})")} "
                    + $"takes numbers, but input '{source.Layer.Name}' holds strings. Apply "
                    + "Add-TextVectorizationLayer, Add-StringLookupLayer or Add-HashingLayer to the string input first, and use "
                    + "that layer's output.", source.Layer.Name);
        return encoder.Shape;
    }

    /// <summary>The shape <paramref name="layer"/> is built for when it encodes strings: the encoding of a host layer
    /// (its call passes it through), one value per row for Hashing.</summary>
    internal static int[] BuildShape(Layer layer) => layer is HostEncodedLayer h ? h.EncodedShape : new[] { 1 };

    /// <summary>True when <paramref name="node"/> is a layer applied to a string input: its value is the host encoding.</summary>
    internal static bool ReadsStrings(Node node) => node.Inputs is [{ DType: DType }];

    /// <summary>True when the model has a string input.</summary>
    public static bool Any(KerasModel model) => model.Inputs.Any(t => t.DType == DType);

    /// <summary>The layer that encodes string input <paramref name="input"/>: the one layer the graph applies to it.</summary>
    public static Layer EncoderLayer(KerasModel model, KerasTensor input)
    {
        var layers = model.Nodes.Where(n => n.Inputs.Contains(input)).Select(n => n.Layer).Distinct().ToList();
        if (layers.Count != 1)
            throw KerasException.BadArgument("StringInputConsumers",
                $"String input '{input.Layer.Name}' feeds {layers.Count} layers; a string input feeds exactly one "
                    + "TextVectorization, StringLookup or Hashing layer. Make one input per layer (New-ModelInput -DType string).",
                input.Layer.Name);
        return layers[0];
    }

    /// <summary>The shape of each model input's tensor as data gives it: a string input's is its encoding.</summary>
    public static int[]?[] DataShapes(KerasModel model) => model.Inputs
        .Select(t => t.DType == DType ? Of(EncoderLayer(model, t))!.Shape : t.Shape).ToArray();

    private sealed class Cache
    {
        public (Layer Layer, int Version, string Column)[]? Key;
        public EncodedData? Encoded;
    }

    private static readonly ConditionalWeakTable<EncodedData, Cache> Encoded = new();

    /// <summary>
    /// The data a functional model with string inputs takes: each string input's text column replaced by its layer's
    /// encoding (columns appended to the features, the input's block pointing at them), the numeric blocks unchanged.
    /// Made once per dataset and layer state. <paramref name="data"/> itself for a model without string inputs.
    /// </summary>
    public static EncodedData ForModel(KerasModel model, EncodedData data)
    {
        if (!model.IsFunctional || !Any(model) || data.Metadata.ContainsKey(EncodedMark)) return data;
        var texts = data.TextColumns ?? new Dictionary<string, IReadOnlyList<string>>();
        var work = new List<(KerasTensor Input, Encoder Encoder, string Column)>();
        foreach (var input in model.Inputs.Where(t => t.DType == DType))
        {
            var encoder = Of(EncoderLayer(model, input))!;
            work.Add((input, encoder, TextColumnOf(model, data, input.Layer.Name, texts)));
        }
        var key = work.Select(w => (w.Encoder.Layer, w.Encoder.Version, w.Column)).ToArray();
        var cache = Encoded.GetOrCreateValue(data);
        lock (cache)
        {
            if (cache.Encoded is not null && cache.Key is { } k && k.SequenceEqual(key)) return cache.Encoded;
            cache.Encoded = Encode(model, data, work, texts);
            cache.Key = key;
            return cache.Encoded;
        }
    }

    /// <summary>The text column that feeds string input <paramref name="name"/>: its block's one column, which must be text.</summary>
    private static string TextColumnOf(KerasModel model, EncodedData data, string name,
        IReadOnlyDictionary<string, IReadOnlyList<string>> texts)
    {
        string[] columns;
        if (data.InputBlocks?.FirstOrDefault(b => b.Name == name) is { } block)
            columns = block.Columns.Select(c => data.FeatureNames[c]).ToArray();
        else if (data.InputBlocks is null && model.Inputs.Count == 1)
            columns = texts.Count == 1 ? texts.Keys.ToArray() : data.FeatureNames.ToArray();
        else
            throw KerasException.BadArgument("InputDataMissing",
                $"The data has nothing for string input '{name}'. Import its text column with -Text and name it in -Inputs: "
                    + $"-Text title -Inputs @{{ {name} = 'title'; ... }}.", name);
        if (columns.Length == 1 && texts.ContainsKey(columns[0])) return columns[0];
        throw KerasException.BadArgument("StringInputGivenNumbers",
            $"String input '{name}' takes one text column, but the data gives it numeric column(s) "
                + $"{string.Join(", ", columns.Take(5).Select(c => $"'{c}'"))}{(columns.Length > 5 ? ", ..." : "")}. "
                + "Import the column as text (Import-ModelData -Text <column>) and name only it for this input in -Inputs.", name);
    }

    private static EncodedData Encode(KerasModel model, EncodedData data,
        List<(KerasTensor Input, Encoder Encoder, string Column)> work, IReadOnlyDictionary<string, IReadOnlyList<string>> texts)
    {
        int n = data.Count, w = data.FeatureCount;
        var encoded = work.Select(x => x.Encoder.Encode(texts[x.Column])).ToArray();
        var widths = work.Select(x => (int)Shapes.Product(x.Encoder.Shape)).ToArray();
        int total = w + widths.Sum();
        var features = new float[(long)n * total];
        for (int r = 0; r < n; r++)
        {
            Array.Copy(data.Features, (long)r * w, features, (long)r * total, w);
            long at = (long)r * total + w;
            for (int i = 0; i < work.Count; i++)
            {
                Array.Copy(encoded[i], (long)r * widths[i], features, at, widths[i]);
                at += widths[i];
            }
        }
        var names = data.FeatureNames.ToList();
        var blocks = (data.InputBlocks ?? Array.Empty<InputBlock>())
            .Where(b => work.All(x => x.Input.Layer.Name != b.Name)).ToList();
        int start = w;
        for (int i = 0; i < work.Count; i++)
        {
            names.AddRange(Enumerable.Repeat(work[i].Column, widths[i]));   // one source column, as a one-hot column's features
            blocks.Add(new InputBlock(work[i].Input.Layer.Name, Enumerable.Range(start, widths[i]).ToArray()));
            start += widths[i];
        }
        return data.WithEncodedInputs(features, total, names, blocks);
    }

    /// <summary>
    /// The columns of each named input of <paramref name="data"/> (before encoding), by input name: what a model keeps to
    /// read the same inputs from objects at prediction time. Null when the data has no named inputs.
    /// </summary>
    public static Dictionary<string, IReadOnlyList<string>>? InputColumns(EncodedData data) =>
        data.InputBlocks?.ToDictionary(b => b.Name, b => (IReadOnlyList<string>)b.Columns
            .Select(c => SourceOf(data, data.FeatureNames[c])).Distinct().ToArray());

    /// <summary>The source column of a feature: the column a one-hot feature (<c>d=x</c>) came from, else the feature.</summary>
    private static string SourceOf(EncodedData data, string feature) =>
        data.Categories.Keys.FirstOrDefault(k => feature.StartsWith(k + "=", StringComparison.Ordinal)) ?? feature;

    /// <summary>Whether <paramref name="layer"/> is an input layer of dtype string.</summary>
    public static bool IsStringInput(Layer layer) => layer is InputLayer { DType: DType };
}
