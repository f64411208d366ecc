using System.Runtime.CompilerServices;
using KerasPS.Engine.Layers.Preprocessing;
using KerasPS.Engine.Models;

namespace KerasPS.Engine.Data;

/// <summary>
/// Where raw strings meet a model. A dataset keeps its text columns as strings (<see cref="EncodedData.TextColumns"/>);
/// a model whose first layer takes strings (<see cref="HostEncodedLayer"/>: TextVectorization, StringLookup) gets the
/// layer's encoding of them as its tensor input. The encoding is made once per dataset and layer vocabulary and kept
/// beside the dataset, so every epoch of a fit reuses it (Keras's advice: vectorize once, outside the training loop).
/// </summary>
public static class TextInputs
{
    private sealed class Cache
    {
        public HostEncodedLayer? Layer;
        public int Version;
        public string? Column;
        public bool? Sparse;
        public EncodedData? Encoded;
    }

    /// <summary>
    /// Whether bag encodings (multi_hot, count, tf_idf, one_hot) are kept as sparse rows: null (the default) when that is
    /// smaller than the dense rows, true always, false never (the dense rows, as before; for comparing the two in tests).
    /// </summary>
    public static bool? SparseEncoding { get; set; }

    /// <summary>
    /// Sparse rows are kept when they hold at most this share of the dense values: each stored value costs a column index
    /// besides the value, and each batch is made dense on the host, so a half-full encoding stays dense.
    /// </summary>
    private const double SparseDensity = 0.125;

    private static readonly ConditionalWeakTable<EncodedData, Cache> Encoded = new();

    /// <summary>The layer that takes the strings of a model's input, or null when the model takes numbers.</summary>
    public static HostEncodedLayer? StringLayer(KerasModel model) =>
        !model.IsFunctional && model.Layers.Count > 0 ? model.Layers[0] as HostEncodedLayer : null;

    /// <summary>
    /// The data the model's tensors take: <paramref name="data"/> itself for a model that takes numbers (or data without
    /// text), else the string layer's encoding of the text column, with the same targets, classes and row keys.
    /// </summary>
    public static EncodedData ForModel(KerasModel model, EncodedData data)
    {
        if (model.IsFunctional) return StringInputs.ForModel(model, data);   // string inputs beside numeric ones
        if (data.TextColumns is not { Count: > 0 } columns) return data;
        if (StringLayer(model) is not { } layer)
        {
            if (model.IsFunctional || model.Layers.Count == 0) return data;
            throw KerasException.BadArgument("TextColumnNotUsed",
                $"The data holds text column(s) {string.Join(", ", columns.Keys.Select(k => $"'{k}'"))}, but model '{model.Name}' "
                    + "starts with a layer that takes numbers. Start the model with Add-TextVectorizationLayer or "
                    + "Add-StringLookupLayer (or hash it in a functional model: New-ModelInput -DType string | Add-HashingLayer), "
                    + "or import the column without -Text.");
        }
        if (columns.Count > 1)
            throw KerasException.BadArgument("SeveralTextColumns",
                $"The data holds {columns.Count} text columns ({string.Join(", ", columns.Keys)}), but a Sequential model takes one. "
                    + "Keep one with -Text, or join the texts into one column first.");
        if (data.FeatureCount != columns.Count)
            throw KerasException.BadArgument("TextWithNumbers",
                $"The data holds numeric features besides text column '{columns.Keys.First()}'; a Sequential text model takes the text "
                    + "only. Import just the text and the target (-Columns), or combine them in a functional model.");
        var column = columns.Keys.First();
        var cache = Encoded.GetOrCreateValue(data);
        lock (cache)
        {
            var mode = SparseEncoding;
            if (cache.Encoded is not null && ReferenceEquals(cache.Layer, layer) && cache.Version == layer.EncodingVersion
                && cache.Column == column && cache.Sparse == mode)
                return cache.Encoded;
            var sparse = mode == false ? null : layer.EncodeSparse(columns[column]);
            var encoded = sparse is not null && (mode == true || sparse.NonZeros <= SparseDensity * sparse.Count * sparse.Width)
                ? data.WithSparseText(sparse, column)
                : data.WithEncodedText(sparse is null ? layer.EncodeStrings(columns[column]) : sparse.ToDense(0, sparse.Count),
                    layer.EncodedShape, column);
            cache.Layer = layer;
            cache.Version = layer.EncodingVersion;
            cache.Column = column;
            cache.Sparse = mode;
            cache.Encoded = encoded;
            return encoded;
        }
    }

    /// <summary>
    /// A dataset of strings only, one text column (<paramref name="column"/>), for prediction from plain strings: the
    /// features are one placeholder per row, the strings are the text column.
    /// </summary>
    public static EncodedData FromStrings(IReadOnlyList<string> texts, string column) =>
        new(new float[texts.Count], new[] { 1 }, new[] { column })
        {
            TextColumns = new Dictionary<string, IReadOnlyList<string>> { [column] = texts.ToArray() },
        };
}
