using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Data;

/// <summary>What a dataset's target is.</summary>
public enum TargetKind { None, Classification, Regression }

/// <summary>
/// Features (float32, row-major, <c>Count x FeatureShape</c>) and an optional target, encoded once:
/// class labels become indices into <see cref="Classes"/> (the Keras Otto tutorial's <c>preprocess_labels</c>), numeric targets
/// stay values. Immutable; slicing makes new datasets that share the class list.
/// The engine's half of a dataset: users hold <c>KerasPS.Dataset</c>, which wraps one of these; the name says what this
/// half is, data already encoded into numbers, and keeps one <c>Dataset</c> type name in the module.
/// </summary>
public sealed class EncodedData
{
    private Tensor? featureTensor;

    public EncodedData(float[] features, int[] featureShape, IReadOnlyList<string> featureNames,
        string? targetName = null, int[]? labels = null, IReadOnlyList<string>? classes = null,
        float[]? targets = null, int targetWidth = 1)
        : this(features, null, featureShape, featureNames, targetName, labels, classes, targets, targetWidth) { }

    private EncodedData(float[] features, SparseRows? sparse, int[] featureShape, IReadOnlyList<string> featureNames,
        string? targetName, int[]? labels, IReadOnlyList<string>? classes, float[]? targets, int targetWidth)
    {
        FeatureShape = Shapes.Validate(featureShape, "FeatureShape");
        long width = Shapes.Product(FeatureShape);
        if (sparse is not null && (FeatureShape.Length != 1 || sparse.Width != width))
            throw KerasException.BadData("InvalidFeatureData",
                $"Sparse rows of width {sparse.Width} do not have the shape {Shapes.Format(FeatureShape)}.");
        if (sparse is null && features.LongLength % width != 0)
            throw KerasException.BadData("InvalidFeatureData", $"{features.LongLength} feature values do not split into rows of {width}.");
        Features = features;
        Sparse = sparse;
        Count = sparse?.Count ?? (int)(features.LongLength / width);
        FeatureNames = featureNames.ToArray();
        TargetName = targetName;
        if (labels is not null)
        {
            if (classes is null || classes.Count == 0) throw new ArgumentException("Class labels need a class list.", nameof(classes));
            if (labels.Length != Count) throw KerasException.BadData("InvalidTargetData", $"{labels.Length} labels for {Count} rows.");
            Labels = labels;
            Classes = classes.ToArray();
            TargetKind = TargetKind.Classification;
        }
        else if (targets is not null)
        {
            if (targets.LongLength != (long)Count * targetWidth)
                throw KerasException.BadData("InvalidTargetData",
                    $"{targets.LongLength} target values for {Count} rows of width {targetWidth}.");
            Targets = targets;
            TargetWidth = targetWidth;
            TargetKind = TargetKind.Regression;
        }
    }

    /// <summary>
    /// A dataset over other arrays that keeps <paramref name="source"/>'s description: metadata (copied), categories,
    /// source columns, missing-value fills, row keys, text columns, input blocks and named targets. An object initializer
    /// replaces what differs (the backing fields are set directly, so a subset's initializer can give its own row keys
    /// and targets before the row counts are checked).
    /// </summary>
    private EncodedData(EncodedData source, float[] features, int[]? labels, IReadOnlyList<string>? classes, float[]? targets,
        int targetWidth, int[]? featureShape = null, IReadOnlyList<string>? featureNames = null, SparseRows? sparse = null)
        : this(features, sparse ?? (ReferenceEquals(features, source.Features) ? source.Sparse : null),
            featureShape ?? source.FeatureShape, featureNames ?? source.FeatureNames, source.TargetName, labels, classes, targets,
            targetWidth)
    {
        Metadata = new Dictionary<string, object?>(source.Metadata);
        Categories = source.Categories;
        SourceColumns = source.SourceColumns;
        MissingFills = source.MissingFills;
        MissingIndicators = source.MissingIndicators;
        rowKeys = source.rowKeys;
        RowKeyName = source.RowKeyName;
        textColumns = source.textColumns;
        InputBlocks = source.InputBlocks;
        outputTargets = source.outputTargets;
    }

    /// <summary>
    /// The same description and targets with the text column <paramref name="column"/> replaced by its host encoding
    /// (<see cref="TextInputs"/>): no text columns or input blocks remain.
    /// </summary>
    internal EncodedData WithEncodedText(float[] features, int[] featureShape, string column) =>
        new(this, features, Labels, Classes, Targets, TargetWidth, featureShape, new[] { column })
        {
            TextColumns = null,
            InputBlocks = null,
        };

    /// <summary>
    /// The same description and targets with other features: a functional model's string inputs encoded on the host
    /// (<see cref="StringInputs"/>), each input's block given by <paramref name="blocks"/>; no text columns remain.
    /// </summary>
    internal EncodedData WithEncodedInputs(float[] features, int width, IReadOnlyList<string> names, IReadOnlyList<InputBlock> blocks)
    {
        var encoded = new EncodedData(this, features, Labels, Classes, Targets, TargetWidth, new[] { width }, names)
        {
            TextColumns = null,
            InputBlocks = blocks,
        };
        encoded.Metadata[StringInputs.EncodedMark] = true;
        return encoded;
    }

    /// <summary>
    /// The same description and targets with the text column <paramref name="column"/> replaced by its host encoding as
    /// sparse rows (<see cref="TextInputs"/>): <see cref="Features"/> is empty and <see cref="Sparse"/> holds the rows.
    /// </summary>
    internal EncodedData WithSparseText(SparseRows rows, string column) =>
        new(this, Array.Empty<float>(), Labels, Classes, Targets, TargetWidth, new[] { rows.Width }, new[] { column }, rows)
        {
            TextColumns = null,
            InputBlocks = null,
        };

    /// <summary>
    /// The features as sparse rows, when a text layer's encoding is mostly zeros (multi_hot, count, tf_idf): then
    /// <see cref="Features"/> is empty, and <see cref="FeatureTensor"/> holds row handles that the layer turns into dense
    /// rows one batch at a time. Null for dense features.
    /// </summary>
    public SparseRows? Sparse { get; }

    public int Count { get; }
    public int[] FeatureShape { get; }
    public int FeatureCount => (int)Shapes.Product(FeatureShape);
    public IReadOnlyList<string> FeatureNames { get; }
    public string? TargetName { get; }
    public TargetKind TargetKind { get; }

    /// <summary>Row-major float32 features.</summary>
    public float[] Features { get; }

    /// <summary>Class index of each row (classification), in <see cref="Classes"/> order.</summary>
    public int[]? Labels { get; }

    /// <summary>Class names: sorted numerically when every label is a number, otherwise ordinally (as scikit-learn's
    /// LabelEncoder).</summary>
    public IReadOnlyList<string>? Classes { get; }

    /// <summary>Regression targets, row-major, <see cref="TargetWidth"/> per row.</summary>
    public float[]? Targets { get; }
    public int TargetWidth { get; } = 1;

    /// <summary>Free-form extras other parts attach (category lists of one-hot columns, the source path).</summary>
    public IDictionary<string, object?> Metadata { get; init; } = new Dictionary<string, object?>();

    /// <summary>
    /// Category lists of the one-hot encoded source columns (column name to categories, in one-hot order); empty
    /// when every column was numeric. Pass this dataset as a template to encode other data the same way.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Categories { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The source columns before one-hot expansion (the same as <see cref="FeatureNames"/> without categorical columns).</summary>
    public IReadOnlyList<string>? SourceColumns { get; init; }

    /// <summary>
    /// How empty cells were filled, by source column: a number (as invariant text) for a numeric column, a category for a text
    /// column, null for all zeros. Learnt on this data (-MissingValue: a constant, or the column's mean, median or most frequent
    /// value) or taken from the template; data encoded with this dataset as template, and a model trained on it, fill the same.
    /// </summary>
    public IReadOnlyDictionary<string, string?> MissingFills { get; init; } = new Dictionary<string, string?>();

    /// <summary>The source columns that have a 0/1 missing indicator feature (-AddIndicator), in feature order.</summary>
    public IReadOnlyList<string> MissingIndicators { get; init; } = Array.Empty<string>();

    /// <summary>Each row's key (an id column kept out of the features, as pandas's index_col), or null.</summary>
    public IReadOnlyList<string>? RowKeys
    {
        get => rowKeys;
        init
        {
            if (value is not null && value.Count != Count)
                throw KerasException.BadData("InvalidRowKeys", $"{value.Count} row keys for {Count} rows.");
            rowKeys = value;
        }
    }
    private readonly IReadOnlyList<string>? rowKeys;

    /// <summary>The name of the key column (the header of the id column).</summary>
    public string? RowKeyName { get; init; }

    /// <summary>
    /// Columns kept as raw strings for a model that takes text (<c>-Text</c>): column name to one string per row. Each such
    /// column also has one placeholder feature (0) under its name, so the features keep one value per column; a model whose
    /// first layer takes strings replaces them with the layer's encoding (<see cref="TextInputs"/>), once per dataset.
    /// Null when the dataset has no text column.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? TextColumns
    {
        get => textColumns;
        init
        {
            if (value is not null && value.Values.Any(v => v.Count != Count))
                throw KerasException.BadData("InvalidTextColumn", $"A text column does not have {Count} rows.");
            textColumns = value;
        }
    }
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>>? textColumns;

    /// <summary>The feature columns of each named model input (<c>-Inputs</c>); null when the features are one block.</summary>
    public IReadOnlyList<InputBlock>? InputBlocks { get; init; }

    /// <summary>The targets of named model outputs (<c>-Targets</c>); null for a dataset with one target (or none).</summary>
    public IReadOnlyList<OutputTarget>? OutputTargets
    {
        get => outputTargets;
        init
        {
            if (value is not null && value.Any(t => t.Count != Count))
                throw KerasException.BadData("InvalidTargetData", $"A named target does not have {Count} rows.");
            outputTargets = value;
        }
    }
    private readonly IReadOnlyList<OutputTarget>? outputTargets;

    /// <summary>True when the dataset has a target: one, or named ones for several outputs.</summary>
    public bool HasTarget => TargetKind != TargetKind.None || OutputTargets is { Count: > 0 };

    /// <summary>The same data (arrays shared) with other input blocks and named targets.</summary>
    public EncodedData With(IReadOnlyList<InputBlock>? inputs, IReadOnlyList<OutputTarget>? targets) =>
        new(this, Features, Labels, Classes, Targets, TargetWidth) { InputBlocks = inputs, OutputTargets = targets };

    /// <summary>Rows per class, in class order (classification only).</summary>
    public IReadOnlyList<int> ClassCounts
    {
        get
        {
            if (Labels is null || Classes is null) return Array.Empty<int>();
            var c = new int[Classes.Count];
            foreach (var l in Labels) c[l]++;
            return c;
        }
    }

    /// <summary>Whether <see cref="FeatureTensor"/> has already made (and holds) the features' tensor.</summary>
    public bool HasFeatureTensor => featureTensor is { IsInvalid: false };

    /// <summary>
    /// The features as one tensor [Count, ...FeatureShape], created once and kept; for sparse features (<see cref="Sparse"/>)
    /// the row handles [Count, 1] that the model's text layer turns into dense rows batch by batch.
    /// </summary>
    public Tensor FeatureTensor()
    {
        // Parallel fits (sweep trials in runspaces) may share one dataset: create the tensor once, under a lock.
        lock ((object?)Sparse ?? Features)
        {
            if (featureTensor is null || featureTensor.IsInvalid)
            {
                Native.TorchRuntime.EnsureLoaded();
                var t = Sparse is not null ? Sparse.HandleTensor()
                    : torch.tensor(Features, Shapes.WithBatch(Count, FeatureShape), dtype: ScalarType.Float32);
                t.DetachFromDisposeScope();
                featureTensor = t;
            }
            return featureTensor;
        }
    }

    /// <summary>A new dataset with the given rows, in that order; the class list is shared.</summary>
    public EncodedData Subset(IReadOnlyList<int> rows)
    {
        int w = Sparse is null ? FeatureCount : 0;
        var f = new float[(long)rows.Count * w];
        for (int i = 0; i < rows.Count && w > 0; i++)
        {
            int r = rows[i];
            if ((uint)r >= (uint)Count)
                throw KerasException.BadArgument("IndexOutOfRange", $"Row {r} is outside the dataset (0..{Count - 1}).", r);
            Array.Copy(Features, (long)r * w, f, (long)i * w, w);
        }
        int[]? labels = Labels is null ? null : rows.Select(r => Labels[r]).ToArray();
        float[]? targets = null;
        if (Targets is not null)
        {
            targets = new float[(long)rows.Count * TargetWidth];
            for (int i = 0; i < rows.Count; i++)
                Array.Copy(Targets, (long)rows[i] * TargetWidth, targets, (long)i * TargetWidth, TargetWidth);
        }
        return new EncodedData(this, f, labels, Classes, targets, TargetWidth, sparse: Sparse?.Subset(rows))
        {
            RowKeys = RowKeys is null ? null : rows.Select(r => RowKeys[r]).ToArray(),
            TextColumns = TextColumns?.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)rows.Select(r => kv.Value[r]).ToArray()),
            OutputTargets = OutputTargets?.Select(t => t.Subset(rows)).ToArray(),
        };
    }

    /// <summary>
    /// The same data (arrays shared) with each row keyed by <paramref name="keys"/>, from the column <paramref name="name"/>.
    /// </summary>
    public EncodedData WithRowKeys(IReadOnlyList<string> keys, string name) =>
        new(this, Features, Labels, Classes, Targets, TargetWidth) { RowKeys = keys, RowKeyName = name };

    /// <summary>
    /// The same data (arrays shared) with its numeric target read as class labels, as Keras reads integer labels when the loss
    /// is a classification loss: with <paramref name="classCount"/> the classes are "0".."classCount-1" (the values are class
    /// ids); without, the distinct values sorted numerically. Null when the target is not one column of whole numbers (or a
    /// value is outside 0..classCount-1, or there are more than <paramref name="maxClasses"/> distinct values).
    /// </summary>
    public EncodedData? AsClassification(int? classCount = null, int maxClasses = int.MaxValue)
    {
        if (TargetKind != TargetKind.Regression || TargetWidth != 1 || Targets is null) return null;
        var raw = new string[Count];
        var names = new Dictionary<float, string>();
        for (int i = 0; i < Count; i++)
        {
            float v = Targets[i];
            if (!float.IsFinite(v) || v != MathF.Floor(v) || (classCount is int k && (v < 0 || v >= k))) return null;
            if (!names.TryGetValue(v, out var name))
            {
                if (names.Count == maxClasses) return null;
                names[v] = name = ((long)v).ToString(CultureInfo.InvariantCulture);
            }
            raw[i] = name;
        }
        int[] labels; string[] classes;
        if (classCount is int n)
        {
            classes = Enumerable.Range(0, n).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
            labels = Targets.Select(v => (int)v).ToArray();
        }
        else (labels, classes) = EncodeLabels(raw);
        return new EncodedData(this, Features, labels, classes, null, 1);
    }

    /// <summary>The most distinct whole numbers a numeric target may have to be read as labels for stratifying.</summary>
    public const int MaxLabelValues = 100;

    /// <summary>A numeric target of a few whole numbers (0/1 labels: at most <see cref="MaxLabelValues"/>, each on two rows
    /// on average) read as class labels, for stratifying; null for any other target.</summary>
    public EncodedData? AsFewValueClasses() =>
        AsClassification(maxClasses: MaxLabelValues) is { } c && c.Classes!.Count * 2 <= Count ? c : null;

    /// <summary>Rows start..start+count-1.</summary>
    public EncodedData Slice(int start, int count) => Subset(Enumerable.Range(start, count).ToArray());

    /// <summary>Encodes label strings once into indices and a stable class order.</summary>
    public static (int[] Labels, string[] Classes) EncodeLabels(IReadOnlyList<string> raw)
    {
        var distinct = raw.Distinct(StringComparer.Ordinal).ToList();
        bool numeric = distinct.All(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        var classes = numeric
            ? distinct.OrderBy(s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture))
                .ThenBy(s => s, StringComparer.Ordinal).ToArray()
            : distinct.OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < classes.Length; i++) index[classes[i]] = i;
        var labels = new int[raw.Count];
        for (int i = 0; i < raw.Count; i++) labels[i] = index[raw[i]];
        return (labels, classes);
    }

    /// <summary>Labels re-expressed against another class list (e.g. the model's); unknown classes are an error.</summary>
    public int[] LabelsFor(IReadOnlyList<string> classes)
    {
        if (Labels is null || Classes is null) throw KerasException.BadData("NoTarget", "This dataset has no class labels.");
        if (ReferenceEquals(classes, Classes) || classes.SequenceEqual(Classes)) return Labels;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < classes.Count; i++) index[classes[i]] = i;
        var map = new int[Classes.Count];
        for (int i = 0; i < Classes.Count; i++)
        {
            if (!index.TryGetValue(Classes[i], out map[i]))
                throw KerasException.BadData("UnknownClass",
                    $"Class '{Classes[i]}' is not one the model was trained on ({string.Join(", ", classes)}).", Classes[i]);
        }
        return Labels.Select(l => map[l]).ToArray();
    }

    public override string ToString() =>
        $"EncodedData: {Count} rows x {string.Join("x", FeatureShape)} features" +
        (TargetKind == TargetKind.Classification ? $", {Classes!.Count} classes"
            : TargetKind == TargetKind.Regression ? ", regression target" : "");
}
