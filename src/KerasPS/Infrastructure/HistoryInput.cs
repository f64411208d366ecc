using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Plotting;
using KerasPS.Engine.Training;

namespace KerasPS.Infrastructure;

/// <summary>One training run to draw: a label and its epochs.</summary>
internal sealed record HistoryRun(string Label, List<EpochRecord> Records, string? DefaultMetric);

/// <summary>
/// Collects what Export-HistoryPlot and Show-History take from the pipeline: EpochRecords (Invoke-ModelFit output, one
/// run, or several runs told apart by their Model property) and TrialResults (Invoke-ModelSweep output, one run each).
/// </summary>
internal sealed class HistoryInput
{
    private readonly List<HistoryRun> runs = new();
    private readonly Dictionary<string, HistoryRun> byModel = new(StringComparer.Ordinal);

    public IReadOnlyList<HistoryRun> Runs => runs;

    public void Add(object? item)
    {
        var o = item as PSObject;
        switch (o?.BaseObject ?? item)
        {
            case null: return;
            case TrialResult t:
                runs.Add(new HistoryRun(TrialLabel(t), t.Records.ToList(), t.Monitor));
                return;
            case CrossValidationFold f:
                runs.Add(new HistoryRun(f.Label, f.Records.ToList(), f.Monitor));
                return;
            case CrossValidationSummary cv:
                runs.Add(new HistoryRun("mean", cv.Records.ToList(), cv.Monitor));
                return;
            case EpochRecord r:
                Run("").Records.Add(r);
                return;
        }
        if (o is not null && (o.TypeNames.Contains(EpochRecordView.TypeName)
            || o.TypeNames.Contains("Deserialized." + EpochRecordView.TypeName)
            || o.Properties["Epoch"] is not null && o.Properties["Loss"] is not null))
        {
            var model = o.Properties["Model"]?.Value?.ToString() ?? "";
            Run(model).Records.Add(FromView(o));
            return;
        }
        throw KerasException.BadArgument("UnsupportedHistoryInput",
            "Pipe epoch records (Invoke-ModelFit output) or trial results (Invoke-ModelSweep output). Received: "
                + $"{(o?.BaseObject ?? item)!.GetType().Name}.", item);
    }

    private HistoryRun Run(string model)
    {
        if (!byModel.TryGetValue(model, out var run))
        {
            run = new HistoryRun(model, new List<EpochRecord>(), null);
            byModel[model] = run;
            runs.Add(run);
        }
        return run;
    }

    private static EpochRecord FromView(PSObject o)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in o.Properties)
        {
            if (p.Name is "Epoch" or "LearningRate" or "Seconds" or "Duration" or "Samples" or "Model") continue;
            switch (PSValue.Unwrap(p.Value))
            {
                case double d: values[KerasNames.ToSnake(p.Name)] = d; break;
                case float f: values[KerasNames.ToSnake(p.Name)] = f; break;
                // Import-Csv of an exported history gives strings.
                case string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v):
                    values[KerasNames.ToSnake(p.Name)] = v; break;
            }
        }
        if (!values.ContainsKey("loss"))
            throw KerasException.BadArgument("UnsupportedHistoryInput",
                "An epoch record has no Loss property. Pipe Invoke-ModelFit's output (or Import-Csv of an exported history).", o);
        double lr = o.Properties["LearningRate"]?.Value is { } l ? Convert.ToDouble(PSValue.Unwrap(l), CultureInfo.InvariantCulture)
            : double.NaN;
        return new EpochRecord(Convert.ToInt32(PSValue.Unwrap(o.Properties["Epoch"]!.Value), CultureInfo.InvariantCulture), values, lr,
            TimeSpan.Zero, 0);
    }

    /// <summary>The metric's name as stored in records, accepting val_loss, ValLoss or valloss.</summary>
    public static string Normalize(string metric) => KerasNames.ToHistoryName(metric);

    private static string TrialLabel(TrialResult t)
    {
        var ps = string.Join(", ", t.Parameters.Cast<System.Collections.DictionaryEntry>()
            .Select(e => $"{e.Key}=" + (e.Value is double d
                ? d.ToString("G3", CultureInfo.InvariantCulture)
                : Convert.ToString(e.Value, CultureInfo.InvariantCulture))));
        return $"trial {t.Trial}" + (ps.Length > 0 ? $" ({ps})" : "");
    }

    /// <summary>The series to draw: every run times every metric; with several runs, one colour per run and training metrics
    /// dashed.</summary>
    public List<ChartSeries> Series(string[]? metrics, out string[] used)
    {
        if (runs.Count == 0 || runs.All(r => r.Records.Count == 0))
            throw KerasException.BadArgument("NoHistoryToPlot",
                "No history came down the pipeline. Pipe Invoke-ModelFit or Invoke-ModelSweep output (or a TrialResult's History).");
        var available = runs.SelectMany(r => r.Records).SelectMany(r => r.Values.Keys).Distinct().ToList();
        string[] wanted = metrics is { Length: > 0 }
            ? metrics.Select(Normalize).Distinct().ToArray()
            : runs.Count > 1 && runs.All(r => r.DefaultMetric is not null) ? runs.Select(r => r.DefaultMetric!).Distinct().ToArray()
            : new[] { "loss", "val_loss" }.Where(available.Contains).ToArray();
        var missing = wanted.Where(m => !available.Contains(m)).ToArray();
        if (missing.Length > 0)
            throw KerasException.BadArgument("MetricNotInHistory",
                $"The history has no '{string.Join("', '", missing)}'. It has: {string.Join(", ", available)}.", missing[0]);
        used = wanted;
        var series = new List<ChartSeries>();
        bool many = runs.Count > 1;
        for (int i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            foreach (var m in wanted)
            {
                var points = run.Records.Where(r => r.Values.ContainsKey(m)).Select(r => ((double)r.Epoch, r.Values[m])).ToList();
                if (points.Count == 0) continue;
                string name = many || run.Label.Length > 0 ? (wanted.Length > 1 ? $"{run.Label} {m}" : run.Label) : m;
                series.Add(new ChartSeries(name, points,
                    Dashed: many && wanted.Length > 1 && !m.StartsWith("val_", StringComparison.Ordinal), ColorIndex: many ? i : -1));
            }
        }
        return series;
    }

    public static string AxisLabel(string[] metrics) =>
        metrics.All(m => m.EndsWith("loss", StringComparison.Ordinal)) ? "loss" : metrics.Length == 1 ? metrics[0] : "value";
}
