namespace KerasPS.Engine.Data.Streaming;

/// <summary>
/// The windows of a series stored once (<see cref="TimeseriesWindows"/>) as a batch source: a window becomes numbers only
/// when its batch is read (<see cref="TimeseriesWindows.CopyBatch"/>), so a fit on windows holds the series and a few batches,
/// not windows x sequence_length x features floats. Rows are windows in the order <see cref="TimeseriesWindows.Starts"/>
/// gives (time order, or Keras's shuffled order); a shuffled fit shuffles their indexes as the in-memory fit shuffles rows.
/// </summary>
public sealed class WindowSource : IRowSource
{
    /// <summary>Values per chunk read in order (evaluate, predict, a fit without shuffling): about 4 MB.</summary>
    public const int ChunkValues = 1 << 20;

    private readonly TimeseriesWindows windows;
    private readonly IReadOnlyList<string> featureNames;
    private readonly string? targetName;
    private readonly IReadOnlyList<string>? stepKeys;
    private readonly int width;

    /// <summary>Windows over a series, with the names of its features, the target's name (when the windows have targets) and a
    /// key per step (a window is keyed by its last step's), as <see cref="TimeseriesWindows.ToEncodedData"/> takes them.</summary>
    public WindowSource(TimeseriesWindows windows, IReadOnlyList<string> featureNames, string? targetName,
        IReadOnlyList<string>? stepKeys = null, string source = "series")
    {
        if (featureNames.Count != windows.Features)
            throw KerasException.BadArgument("InvalidSeries",
                $"{featureNames.Count} feature names were given for a series of {windows.Features} features per step.");
        this.windows = windows;
        this.featureNames = featureNames.ToArray();
        this.targetName = windows.HasTargets ? targetName ?? "target" : null;
        this.stepKeys = stepKeys;
        width = windows.SequenceLength * windows.Features;
        Source = source;
        Encoding = new EncodedData(Array.Empty<float>(), new[] { windows.SequenceLength, windows.Features }, this.featureNames,
            this.targetName, targets: windows.HasTargets ? Array.Empty<float>() : null)
        {
            Metadata = new Dictionary<string, object?> { ["Source"] = source },
        };
    }

    public int Count => windows.Count;
    public EncodedData Encoding { get; }
    public IReadOnlyList<int> ClassCounts => Array.Empty<int>();

    /// <summary>Every window: only their indexes are shuffled, 4 bytes a window.</summary>
    public int ShuffleBuffer => Math.Max(1, windows.Count);
    public string Source { get; }

    /// <summary>The windows themselves.</summary>
    public TimeseriesWindows Windows => windows;

    /// <summary>Every window as numbers in memory (windows x sequence_length x features floats), for what needs rows by index.</summary>
    public EncodedData ToEncodedData() => windows.ToEncodedData(featureNames, targetName, stepKeys);

    public void Read(int chunkRows, Func<EncodedData, bool> sink)
    {
        int chunk = Math.Max(1, Math.Min(chunkRows, ChunkValues / Math.Max(1, width)));
        var rows = new int[Math.Min(chunk, Math.Max(1, Count))];
        var ring = new BufferRing();
        for (int s = 0; s < Count; s += chunk)
        {
            int len = Math.Min(chunk, Count - s);
            for (int i = 0; i < len; i++) rows[i] = s + i;
            if (!sink(ReadRows(rows.AsSpan(0, len), ring.Next((long)len * Encoding.FeatureCount)))) return;
        }
    }

    public EncodedData ReadRows(ReadOnlySpan<int> rows, float[]? features = null)
    {
        features ??= new float[(long)rows.Length * width];
        float[]? targets = windows.HasTargets ? new float[rows.Length] : null;
        string[]? keys = stepKeys is null ? null : new string[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            int w = rows[i];
            windows.CopyBatch(w, 1, features.AsSpan((int)((long)i * width), width));
            if (targets is not null) targets[i] = windows.Target(w);
            if (keys is not null) keys[i] = stepKeys![windows.LastStep(w)];
        }
        var data = new EncodedData(features, Encoding.FeatureShape, featureNames, targetName, targets: targets);
        return keys is null ? data : data.WithRowKeys(keys, "step");
    }
}
