namespace KerasPS.Engine.Data;

/// <summary>How to cut a series into windows: Keras's <c>timeseries_dataset_from_array</c> arguments.</summary>
public sealed record TimeseriesOptions
{
    /// <summary>Steps per window.</summary>
    public required int SequenceLength { get; init; }

    /// <summary>Steps between the starts of successive windows.</summary>
    public int SequenceStride { get; init; } = 1;

    /// <summary>Steps between successive steps inside a window.</summary>
    public int SamplingRate { get; init; } = 1;

    /// <summary>The first step windows may use (null: 0).</summary>
    public int? StartIndex { get; init; }

    /// <summary>The step windows stop before (exclusive; null: the end of the series).</summary>
    public int? EndIndex { get; init; }

    /// <summary>Windows in a seeded random order instead of in time order.</summary>
    public bool Shuffle { get; init; }
    public int? Seed { get; init; }
}

/// <summary>
/// A series stored once (steps x features, row-major) and the windows over it, as Keras's
/// <c>timeseries_dataset_from_array</c> defines them: window k starts at <c>start_index + p_k</c> with
/// <c>p_k = k * sequence_stride</c> and takes <c>sequence_length</c> steps <c>sampling_rate</c> apart; its target is
/// <c>targets[start_index + p_k]</c> (Keras's <c>targets</c>: the target of the window that <em>starts</em> at i is
/// <c>targets[i]</c>); there are <c>end - start - (sequence_length - 1) * sampling_rate</c> start positions, fewer when
/// the targets run out. A window is a list of step indices; <see cref="CopyBatch"/> gathers the steps of a few windows
/// into a caller's buffer, so only a batch at a time needs to exist as windows.
/// </summary>
public sealed class TimeseriesWindows
{
    private readonly float[] series;
    private readonly float[]? targets;
    private readonly int[] starts;   // absolute step index of each window's first step

    public TimeseriesWindows(float[] series, int features, float[]? targets, TimeseriesOptions options)
    {
        if (features <= 0 || series.Length % features != 0)
            throw KerasException.BadData("InvalidSeries", $"{series.Length} values do not split into steps of {features} features.");
        this.series = series;
        this.targets = targets;
        Features = features;
        Steps = series.Length / features;
        Options = options;
        starts = StartPositions(Steps, targets?.Length, options);
    }

    public int Features { get; }
    public int Steps { get; }
    public TimeseriesOptions Options { get; }
    public int Count => starts.Length;
    public int SequenceLength => Options.SequenceLength;

    /// <summary>Whether each window has a target.</summary>
    public bool HasTargets => targets is not null;

    /// <summary>The first step of each window, in the order the windows come (time order, or shuffled).</summary>
    public IReadOnlyList<int> Starts => starts;

    /// <summary>The last step of window <paramref name="window"/>.</summary>
    public int LastStep(int window) => starts[window] + (SequenceLength - 1) * Options.SamplingRate;

    /// <summary>The target of window <paramref name="window"/> (Keras: <c>targets[start_index + p]</c>).</summary>
    public float Target(int window) => targets is null
        ? throw new InvalidOperationException("The windows have no targets.")
        : targets[starts[window]];

    /// <summary>Copies windows <paramref name="first"/>..first+count-1 (steps x features each) into <paramref name="into"/>.</summary>
    public void CopyBatch(int first, int count, Span<float> into)
    {
        int rowWidth = SequenceLength * Features, rate = Options.SamplingRate;
        for (int w = 0; w < count; w++)
        {
            int s = starts[first + w];
            for (int j = 0; j < SequenceLength; j++)
                series.AsSpan((s + j * rate) * Features, Features).CopyTo(into.Slice(w * rowWidth + j * Features, Features));
        }
    }

    /// <summary>
    /// Keras's start positions (relative to start_index, then made absolute), with its argument checks; shuffled as Keras
    /// shuffles them (NumPy's RandomState(seed).shuffle), so the same seed gives Keras's window order.
    /// </summary>
    public static int[] StartPositions(int steps, int? targetCount, TimeseriesOptions o)
    {
        if (o.SequenceLength <= 0)
            throw Bad("InvalidSequenceLength", $"-SequenceLength must be a positive integer. Received: {o.SequenceLength}.");
        if (o.StartIndex is int si && (si < 0 || si >= steps))
            throw Bad("InvalidStartIndex",
                $"-StartIndex must be 0 or more and lower than the {steps} steps of the series. Received: {si}.");
        if (o.EndIndex is int ei)
        {
            if (o.StartIndex is int s0 && ei <= s0)
                throw Bad("InvalidEndIndex", $"-EndIndex must be higher than -StartIndex. Received: StartIndex={s0}, EndIndex={ei}.");
            if (ei <= 0 || ei > steps)
                throw Bad("InvalidEndIndex", $"-EndIndex must be between 1 and the {steps} steps of the series. Received: {ei}.");
        }
        if (o.SamplingRate <= 0 || o.SamplingRate >= steps)
            throw Bad("InvalidSamplingRate",
                $"-SamplingRate must be at least 1 and lower than the {steps} steps of the series. Received: {o.SamplingRate}.");
        if (o.SequenceStride <= 0 || o.SequenceStride >= steps)
            throw Bad("InvalidSequenceStride",
                $"-SequenceStride must be at least 1 and lower than the {steps} steps of the series. Received: {o.SequenceStride}.");
        int start = o.StartIndex ?? 0, end = o.EndIndex ?? steps;
        long count = (long)end - start - (long)(o.SequenceLength - 1) * o.SamplingRate;
        if (targetCount is int t) count = Math.Min(count, (long)t - start);
        if (count <= 0)
            throw Bad("SeriesTooShort",
                $"Steps {start}..{end - 1} of the series hold no whole window of {o.SequenceLength} steps {o.SamplingRate} apart"
                    + (targetCount is null ? "" : " with a target") + ". Give a longer series or a shorter -SequenceLength.");
        var positions = new List<int>();
        for (long p = 0; p < count; p += o.SequenceStride) positions.Add(start + (int)p);
        var result = positions.ToArray();
        if (o.Shuffle)
        {
            // Keras: rng = np.random.RandomState(seed); rng.shuffle(start_positions), seed drawn below 1e6 when not given.
            long seed = o.Seed ?? MersenneTwister.RandomSeed() % 1_000_000;
            MersenneTwister.NumPyRandomState((uint)(seed & 0xffffffff)).NumPyShuffle(result);
        }
        return result;
    }

    private static KerasException Bad(string id, string message) => KerasException.BadArgument(id, message);

    /// <summary>
    /// The windows as a dataset of <c>(sequence_length, features)</c> rows (and their targets), for the fit loop, which
    /// takes whole arrays; each row's key is the label of its last step when <paramref name="stepKeys"/> are given.
    /// </summary>
    public EncodedData ToEncodedData(IReadOnlyList<string> featureNames, string? targetName, IReadOnlyList<string>? stepKeys = null)
    {
        var rows = new float[(long)Count * SequenceLength * Features];
        CopyBatch(0, Count, rows);
        float[]? y = targets is null ? null : Enumerable.Range(0, Count).Select(Target).ToArray();
        var data = new EncodedData(rows, new[] { SequenceLength, Features }, featureNames, y is null ? null : targetName ?? "target",
            targets: y);
        if (stepKeys is null) return data;
        return data.WithRowKeys(Enumerable.Range(0, Count).Select(w => stepKeys[LastStep(w)]).ToArray(), "step");
    }
}
