using KerasPS.Engine;
using KerasPS.Engine.Data;

namespace KerasPS;

/// <summary>
/// A KerasPS dataset as PowerShell sees it: features and an encoded target, ready to train on.
/// Not a collection on purpose, so that it travels down the pipeline as one object; <c>$data[0]</c>, <c>$data[-1]</c>,
/// <c>$data.GetRows(0..9)</c> and <c>$data.Slice(10, 10)</c> give new datasets.
/// </summary>
public sealed class Dataset
{
    public Dataset(EncodedData engine) => Engine = engine;

    /// <summary>The engine's encoded data (float32 features, encoded labels).</summary>
    public EncodedData Engine { get; }

    public int Count => Engine.Count;
    public IReadOnlyList<string> FeatureNames => Engine.FeatureNames;
    public int[] FeatureShape => Engine.FeatureShape;
    public string Shape => Shapes.Format(Engine.FeatureShape);
    public string? TargetName => Engine.TargetName;
    public string TargetKind => Engine.TargetKind.ToString();

    /// <summary>The model inputs the features are split into (-Inputs), or null when they are one block.</summary>
    public IReadOnlyList<string>? Inputs => Engine.InputBlocks?.Select(b => b.Name).ToArray();

    /// <summary>The model outputs with a target of their own (-Targets), or null for one target.</summary>
    public IReadOnlyList<string>? Targets => Engine.OutputTargets?.Select(t => t.Name).ToArray();

    /// <summary>Class names in label order: numeric order when every label is a number, otherwise ordinal string order.</summary>
    public IReadOnlyList<string>? Classes => Engine.Classes;

    /// <summary>Rows per class, in class order.</summary>
    public IReadOnlyList<int> ClassCounts => Engine.ClassCounts;

    /// <summary>Rows per class with shares, as "Class_1=1930 (3.1%), Class_2=16122 (26.1%), ...".</summary>
    public string ClassBalance => Engine.Classes is null ? "" :
        string.Join(", ", Engine.Classes.Zip(Engine.ClassCounts, (c, n) => $"{c}={n} ({100.0 * n / Math.Max(1, Count):0.#}%)"));

    /// <summary>Category lists of one-hot encoded columns (column name to categories, in one-hot order).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Categories => Engine.Categories;

    /// <summary>How empty cells were filled, by column (-MissingValue): a number, a category, or null for all zeros; data loaded
    /// with this dataset as -Template, and a model trained on it, fill the same.</summary>
    public IReadOnlyDictionary<string, string?> MissingFills => Engine.MissingFills;

    /// <summary>The columns with a missing indicator feature (-AddIndicator: missingindicator_&lt;column&gt;).</summary>
    public IReadOnlyList<string> MissingIndicators => Engine.MissingIndicators;

    /// <summary>Where the data came from (a file path, DataFrame, objects), when known.</summary>
    public object? Source => Engine.Metadata.TryGetValue("Source", out var s) ? s : null;

    /// <summary>The data as a new Microsoft.Data.Analysis DataFrame (one float column per feature, then the target).</summary>
    public object DataFrame => ToDataFrame();

    /// <summary>The data as a new Microsoft.Data.Analysis DataFrame; changing it does not change the dataset.</summary>
    public object ToDataFrame() => KerasPS.Engine.Data.DataFrameConverter.ToFrame(Engine);

    /// <summary>One row as a new one-row dataset (<c>$data[0]</c>, <c>$data[-1]</c>); negative indices count from the end.</summary>
    /// <remarks>PowerShell calls an indexer once per element of a range, so <c>$data[0..9]</c> is ten one-row datasets; use
    /// <see cref="GetRows"/> for one.</remarks>
    public Dataset this[int index] => new(Engine.Slice(Resolve(index), 1));

    /// <summary>The given rows as one new dataset, in that order: <c>$data.GetRows(0..9)</c>; negative indices count from the
    /// end.</summary>
    public Dataset GetRows(params int[] rows) => new(Engine.Subset(rows.Select(Resolve).ToArray()));

    /// <summary>Rows start..start+count-1 as a new dataset.</summary>
    public Dataset Slice(int start, int count)
    {
        if (start < 0 || count < 0 || (long)start + count > Count)
            throw KerasException.BadArgument("IndexOutOfRange",
                $"Rows {start}..{(long)start + count - 1} are outside the dataset (0..{Count - 1}).", start);
        return new(Engine.Slice(start, count));
    }

    /// <summary>The features of one row as numbers (row-major, FeatureShape values).</summary>
    public float[] GetFeatures(int index)
    {
        int r = Resolve(index), w = Engine.FeatureCount;
        return Engine.Features.AsSpan(r * w, w).ToArray();
    }

    private int Resolve(int index)
    {
        int r = index < 0 ? Count + index : index;
        if ((uint)r >= (uint)Count)
            throw KerasException.BadArgument("IndexOutOfRange",
                $"Row {index} is outside the dataset (0..{Count - 1}, or -{Count}..-1 from the end).", index);
        return r;
    }

    public override string ToString() => Engine.ToString();
}
