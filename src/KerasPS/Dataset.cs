using KerasPS.Engine;
using KerasPS.Engine.Data;
using KerasPS.Engine.Data.Streaming;

namespace KerasPS;

/// <summary>
/// A KerasPS dataset as PowerShell sees it: features and an encoded target, ready to train on.
/// Not a collection on purpose, so that it travels down the pipeline as one object; <c>$data[0]</c>, <c>$data[-1]</c>,
/// <c>$data.GetRows(0..9)</c> and <c>$data.Slice(10, 10)</c> give new datasets.
/// A streamed dataset (Import-ModelData -Stream, Import-ImageData -Stream) holds no rows, only its source and encoding: fit,
/// evaluate and predict read it batch by batch; what needs the rows in memory (rows by index, splits) refuses it with a
/// StreamedDataset error. Windows of a series (New-TimeseriesData) are read batch by batch the same way, but the series is in
/// memory, so what needs rows by index gets them: the windows are then made into numbers once, on first use.
/// </summary>
public sealed class Dataset
{
    private readonly EncodedData encoding;
    private EncodedData? materialized;

    public Dataset(EncodedData engine) => encoding = engine;

    /// <summary>A streamed dataset: rows stay in <paramref name="stream"/> and are read batch by batch.</summary>
    public Dataset(IBatchSource stream)
    {
        Stream = stream;
        encoding = stream.Encoding;
    }

    /// <summary>The engine's encoded data (float32 features, encoded labels); a StreamedDataset error for a streamed dataset, whose
    /// rows are not in memory.</summary>
    public EncodedData Engine => Stream is null ? encoding
        : Stream is WindowSource windows ? materialized ??= windows.ToEncodedData()
        : throw KerasException.BadOperation("StreamedDataset",
            $"This needs the rows in memory, but the dataset is streamed from '{Stream.Source}' (Import-ModelData -Stream). "
                + "Import the file without -Stream for it; Invoke-ModelFit, -Evaluate and -Predict take the stream as it is.");

    /// <summary>The rows' source when the dataset is streamed (Import-ModelData -Stream), else null.</summary>
    public IBatchSource? Stream { get; }

    /// <summary>True for a streamed dataset, which holds no rows in memory.</summary>
    public bool IsStreamed => Stream is not null;

    /// <summary>True when the rows are read batch by batch but can also be had in memory on demand (windows of a series, whose
    /// series is in memory): what needs rows by index or a split takes <see cref="Engine"/>, made once.</summary>
    public bool InMemoryOnDemand => Stream is WindowSource;

    /// <summary>Rows a fit's shuffle buffer holds for a streamed dataset (Import-ModelData -ShuffleBuffer); null in memory.</summary>
    public int? ShuffleBuffer => Stream?.ShuffleBuffer;

    /// <summary>How the data is encoded (features, categories, classes): the data itself in memory, or a streamed dataset's encoding
    /// with no rows; what -Template reads.</summary>
    public EncodedData Encoding => encoding;

    public int Count => Stream?.Count ?? encoding.Count;
    public IReadOnlyList<string> FeatureNames => encoding.FeatureNames;
    public int[] FeatureShape => encoding.FeatureShape;
    public string Shape => Shapes.Format(encoding.FeatureShape);
    public string? TargetName => encoding.TargetName;
    public string TargetKind => encoding.TargetKind.ToString();

    /// <summary>The model inputs the features are split into (-Inputs), or null when they are one block.</summary>
    public IReadOnlyList<string>? Inputs => encoding.InputBlocks?.Select(b => b.Name).ToArray();

    /// <summary>The model outputs with a target of their own (-Targets), or null for one target.</summary>
    public IReadOnlyList<string>? Targets => encoding.OutputTargets?.Select(t => t.Name).ToArray();

    /// <summary>Class names in label order: numeric order when every label is a number, otherwise ordinal string order.</summary>
    public IReadOnlyList<string>? Classes => encoding.Classes;

    /// <summary>Rows per class, in class order.</summary>
    public IReadOnlyList<int> ClassCounts => Stream?.ClassCounts ?? encoding.ClassCounts;

    /// <summary>Rows per class with shares, as "Class_1=1930 (3.1%), Class_2=16122 (26.1%), ...".</summary>
    public string ClassBalance => encoding.Classes is null ? "" :
        string.Join(", ", encoding.Classes.Zip(ClassCounts, (c, n) => $"{c}={n} ({100.0 * n / Math.Max(1, Count):0.#}%)"));

    /// <summary>Category lists of one-hot encoded columns (column name to categories, in one-hot order).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Categories => encoding.Categories;

    /// <summary>How empty cells were filled, by column (-MissingValue): a number, a category, or null for all zeros; data loaded
    /// with this dataset as -Template, and a model trained on it, fill the same.</summary>
    public IReadOnlyDictionary<string, string?> MissingFills => Engine.MissingFills;

    /// <summary>The columns with a missing indicator feature (-AddIndicator: missingindicator_&lt;column&gt;).</summary>
    public IReadOnlyList<string> MissingIndicators => Engine.MissingIndicators;

    /// <summary>Where the data came from (a file path, DataFrame, objects), when known.</summary>
    public object? Source => encoding.Metadata.TryGetValue("Source", out var s) ? s : null;

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

    public override string ToString() => Stream is null ? encoding.ToString()
        : Stream is WindowSource w ? $"{Count} windows of {Shapes.Format(FeatureShape)} over a series of {w.Windows.Steps} steps"
            + (encoding.TargetName is null ? "" : $", target '{encoding.TargetName}'")
        : $"Streamed dataset: {Count} rows x {string.Join("x", FeatureShape)} features from '{Stream.Source}'" +
            (encoding.TargetKind == KerasPS.Engine.Data.TargetKind.Classification ? $", {encoding.Classes!.Count} classes"
                : encoding.TargetKind == KerasPS.Engine.Data.TargetKind.Regression ? ", regression target" : "");
}
