using System.Collections;
using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Data;
using KerasPS.Engine.Data.Streaming;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Data;

/// <summary>
/// <para type="synopsis">Cuts a time series into sliding windows to train on (Keras's timeseries_dataset_from_array).</para>
/// <para type="description">Each piped item is one time step: a number, an array of numbers, or an object (a CSV row, a counter
/// sample) whose -Feature properties are the step's values (by default every property but -Timestamp). A dataset (-Data) gives one
/// step per row. Window k starts at step StartIndex + k * SequenceStride and takes SequenceLength steps SamplingRate apart; each
/// window is one row of shape (SequenceLength, features), ready for LSTM, GRU or Conv1D layers.</para>
/// <para type="description">-Target names the column to predict: a window's target is that column TargetOffset steps after the
/// window's last step (1, the next step, by default). -Targets instead gives Keras's targets array as is: the window that starts at
/// step i gets Targets[i] (Keras's docstring: inputs data[:-10], targets data[10:], 10 steps). Windows that have no target are
/// left out. -Timestamp orders the steps by that property and keys each window by its last step's time.</para>
/// <para type="description">The series is stored once and each window is a start index into it (Keras does the same): Invoke-ModelFit,
/// -Evaluate and -Predict copy each batch's windows from the series when the batch is due, so a long series with a long
/// -SequenceLength costs the series and a few batches, not windows x SequenceLength x features numbers. What needs the windows as
/// rows ($data[0], Split-TrainTest, -ValidationSplit, cross-validation) makes them once, on first use.</para>
/// <para type="description">-Shuffle orders the windows as Keras's timeseries_dataset_from_array does for the same -Seed
/// (NumPy's RandomState(seed).shuffle of the start positions); Keras then also shuffles batches through a tf.data buffer, which
/// KerasPS leaves to Invoke-ModelFit's own per-epoch shuffle.</para>
/// </summary>
/// <example><code>$series = 1..500 | ForEach-Object { [math]::Sin($_ / 10) }
/// $windows = $series | New-TimeseriesData -SequenceLength 24 -Target value</code></example>
/// <example><code>Import-Csv ./counters.csv |
/// New-TimeseriesData -Feature cpu, queue -Target cpu -Timestamp time -SequenceLength 48 -SequenceStride 2</code></example>
/// <example><code>Get-Counter '\Processor(_Total)\% Processor Time' -SampleInterval 1 -MaxSamples 600 |
/// ForEach-Object CounterSamples |
/// New-TimeseriesData -Feature CookedValue -Target CookedValue -Timestamp Timestamp -SequenceLength 30</code></example>
/// <example><code>$windows = Import-Csv ./queue.csv |
/// New-TimeseriesData -Feature length -Target length -SequenceLength 720 -Shuffle -Seed 42
/// $model | Invoke-ModelFit -Data $windows -Epochs 5 -BatchSize 256 -Seed 1</code></example>
[Cmdlet(VerbsCommon.New, "TimeseriesData", DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(Dataset))]
public sealed class NewTimeseriesDataCommand : KerasCmdlet
{
    private const string ObjectSet = "InputObject";
    private const string DataSet = "Data";
    private readonly List<object?> steps = new();

    /// <summary>One time step, usually piped: a number, an array of numbers, or an object with the -Feature properties.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [AllowNull]
    public PSObject? InputObject { get; set; }

    /// <summary>A dataset whose rows are the time steps (from Import-ModelData or ConvertTo-ModelData); its features are the step's
    /// values.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = DataSet)]
    public Dataset Data { get; set; } = null!;

    /// <summary>Steps per window.</summary>
    [Parameter(Mandatory = true)]
    [ValidateRange(1, int.MaxValue)]
    public int SequenceLength { get; set; }

    /// <summary>Steps between the starts of successive windows (1: a window starts at every step).</summary>
    [Parameter]
    public int SequenceStride { get; set; } = 1;

    /// <summary>Steps between successive steps inside a window (2: every other step).</summary>
    [Parameter]
    public int SamplingRate { get; set; } = 1;

    /// <summary>The properties (or dataset features) that are the step's values, in this order.</summary>
    [Parameter]
    public string[]? Feature { get; set; }

    /// <summary>The column to predict: a feature, a property of the objects, the dataset's target, or value for a series of
    /// numbers.</summary>
    [Parameter]
    public string? Target { get; set; }

    /// <summary>With -Target: how many steps after a window's last step its target is (1, the next step, by default; 0 the last
    /// step itself).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TargetOffset { get; set; } = 1;

    /// <summary>Keras's targets array: the window that starts at step i gets Targets[i].</summary>
    [Parameter]
    public double[]? Targets { get; set; }

    /// <summary>A property holding each step's time: the steps are ordered by it, and each window is keyed by its last step's
    /// time.</summary>
    [Parameter]
    public string? Timestamp { get; set; }

    /// <summary>The first step windows may use (earlier steps are left for validation or testing).</summary>
    [Parameter]
    public int? StartIndex { get; set; }

    /// <summary>The step windows stop before (exclusive; later steps are left for validation or testing).</summary>
    [Parameter]
    public int? EndIndex { get; set; }

    /// <summary>Writes the windows in a random order (seeded by -Seed) instead of in time order.</summary>
    [Parameter]
    public SwitchParameter Shuffle { get; set; }

    /// <summary>Seed of the -Shuffle order (NumPy's RandomState seed, as Keras: the same seed gives Keras's window order).</summary>
    [Parameter]
    public int? Seed { get; set; }

    protected override void Process()
    {
        if (ParameterSetName == ObjectSet) steps.Add(InputObject);
    }

    protected override void End()
    {
        if (Target is not null && Targets is not null)
            throw KerasException.BadArgument("TargetOrTargets", "Give -Target (a column) or -Targets (Keras's targets array), not both.");
        var (values, names, columnOf, keys) = ParameterSetName == DataSet ? FromDataset() : FromObjects();
        int width = names.Count;
        float[]? targets = Targets?.Select(v => (float)v).ToArray();
        if (Target is not null)
        {
            var column = columnOf(Target);
            int shift = (SequenceLength - 1) * SamplingRate + TargetOffset;
            targets = column.Length > shift ? column[shift..] : Array.Empty<float>();
        }
        var options = new TimeseriesOptions
        {
            SequenceLength = SequenceLength, SequenceStride = SequenceStride, SamplingRate = SamplingRate,
            StartIndex = StartIndex, EndIndex = EndIndex, Shuffle = Shuffle.IsPresent, Seed = Seed,
        };
        var windows = new TimeseriesWindows(values, width, targets, options);
        WriteObject(new Dataset(new WindowSource(windows, names, targets is null ? null : Target ?? "target", keys)));
    }

    private (float[], IReadOnlyList<string>, Func<string, float[]>, IReadOnlyList<string>?) FromDataset()
    {
        var d = Data.Engine;
        if (d.FeatureShape.Length != 1)
            throw KerasException.BadArgument("InvalidSeries",
                $"The dataset's rows have shape {Shapes.Format(d.FeatureShape)}; a time step is a row of numbers. Use a tabular dataset.");
        var names = Feature ?? d.FeatureNames.ToArray();
        var index = names.Select(n => FeatureIndex(d, n)).ToArray();
        var values = new float[(long)d.Count * index.Length];
        for (int r = 0; r < d.Count; r++)
            for (int j = 0; j < index.Length; j++) values[(long)r * index.Length + j] = d.Features[(long)r * d.FeatureCount + index[j]];
        float[] Column(string name)
        {
            if (name == d.TargetName && d.Targets is not null && d.TargetWidth == 1) return d.Targets;
            int c = FeatureIndex(d, name);
            return Enumerable.Range(0, d.Count).Select(r => d.Features[(long)r * d.FeatureCount + c]).ToArray();
        }
        return (values, names, Column, d.RowKeys);
    }

    private static int FeatureIndex(EncodedData d, string name)
    {
        int i = d.FeatureNames.ToList().FindIndex(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        return i >= 0 ? i : throw KerasException.BadArgument("UnknownColumn",
            $"The dataset has no feature '{name}'. Its features: {string.Join(", ", d.FeatureNames)}.", name);
    }

    private (float[], IReadOnlyList<string>, Func<string, float[]>, IReadOnlyList<string>?) FromObjects()
    {
        // Kept wrapped: a PSCustomObject's properties live on its PSObject.
        var items = steps.Cast<object?>().ToList();
        if (items.Count == 0)
            throw KerasException.BadArgument("InvalidSeries", "No time steps came in. Pipe numbers, arrays of numbers or objects.");
        string[] names;
        Func<object?, string, object?> read;
        var first = PSValue.Unwrap(items[0]);
        if (first is null || IsNumber(first) || first is string)
        {
            names = new[] { "value" };
            read = (o, _) => PSValue.Unwrap(o);
        }
        else if (first is IList list)
        {
            names = Enumerable.Range(0, list.Count).Select(i => "value" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
            read = (o, n) => PSValue.Unwrap(o) is IList l
                && int.TryParse(n.AsSpan(5), CultureInfo.InvariantCulture, out int i) && i < l.Count ? PSValue.Unwrap(l[i]) : null;
        }
        else
        {
            names = Feature ?? PropertyNames(items[0]).Where(n => !string.Equals(n, Timestamp, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(n, Target, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (Feature is null && Target is not null && PropertyNames(items[0]).Contains(Target, StringComparer.OrdinalIgnoreCase))
                names = names.Append(Target).ToArray();
            read = Property;
        }
        string[]? keys = null;
        if (Timestamp is not null)
        {
            var stamps = items.Select((o, i) => (Time: Property(o, Timestamp), Index: i)).ToList();
            if (stamps.Any(s => s.Time is null))
                throw KerasException.BadArgument("MissingTimestamp",
                    $"Step {stamps.First(s => s.Time is null).Index} has no '{Timestamp}' property. Give every step a time.", Timestamp);
            var order = stamps.OrderBy(s => s.Time, Comparer<object?>.Create(CompareTimes)).Select(s => s.Index).ToArray();
            items = order.Select(i => items[i]).ToList();
            keys = order.Select(i => Format(stamps[i].Time)).ToArray();
        }
        var values = new float[(long)items.Count * names.Length];
        for (int r = 0; r < items.Count; r++)
            for (int j = 0; j < names.Length; j++) values[(long)r * names.Length + j] = ToFloat(read(items[r], names[j]), r, names[j]);
        float[] Column(string name)
        {
            int j = Array.FindIndex(names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            if (j >= 0) return Enumerable.Range(0, items.Count).Select(r => values[(long)r * names.Length + j]).ToArray();
            return items.Select((o, r) => ToFloat(read(o, name), r, name)).ToArray();
        }
        return (values, names, Column, keys);
    }

    private static bool IsNumber(object o) =>
        o is double or float or int or long or short or byte or decimal or uint or ulong or sbyte or ushort;

    private static IEnumerable<string> PropertyNames(object? o) => PSValue.Unwrap(o) is IDictionary d
        ? d.Keys.Cast<object>().Select(k => Convert.ToString(k, CultureInfo.InvariantCulture)!)
        : o is null ? Array.Empty<string>() : PSObject.AsPSObject(o).Properties.Select(p => p.Name);

    private static object? Property(object? o, string name)
    {
        if (PSValue.Unwrap(o) is IDictionary d)
        {
            foreach (DictionaryEntry e in d)
                if (string.Equals(Convert.ToString(e.Key, CultureInfo.InvariantCulture), name, StringComparison.OrdinalIgnoreCase))
                    return PSValue.Unwrap(e.Value);
            return null;
        }
        return o is null ? null : PSValue.Unwrap(PSObject.AsPSObject(o).Properties[name]?.Value);
    }

    private static float ToFloat(object? v, int step, string column)
    {
        switch (v)
        {
            case null:
                break;
            case string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed):
                return (float)parsed;
            case bool b:
                return b ? 1 : 0;
            case IConvertible c when v is not string:
                return (float)c.ToDouble(CultureInfo.InvariantCulture);
        }
        throw KerasException.BadData("InvalidSeries",
            $"Step {step} has no number in '{column}' (it holds {(v is null ? "nothing" : $"'{v}'")}). Fill or drop that step first.",
            column);
    }

    private static int CompareTimes(object? a, object? b)
    {
        if (a is IComparable ca && b is not null && a.GetType() == b.GetType()) return ca.CompareTo(b);
        if (TryTime(a, out var ta) && TryTime(b, out var tb)) return ta.CompareTo(tb);
        return string.CompareOrdinal(Format(a), Format(b));
    }

    private static bool TryTime(object? v, out DateTime t)
    {
        if (v is DateTime d) { t = d; return true; }
        if (v is DateTimeOffset o) { t = o.UtcDateTime; return true; }
        return DateTime.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture,
            DateTimeStyles.RoundtripKind, out t);
    }

    private static string Format(object? v) => v switch
    {
        DateTime d => d.ToString("o", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.ToString("o", CultureInfo.InvariantCulture),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };
}
