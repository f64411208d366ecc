using System.Management.Automation;
using KerasPS.Engine.Plotting;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Experiments;

/// <summary>
/// <para type="synopsis">Draws training histories in the console: a small plot of loss and val_loss for one run, a sparkline per trial for
/// a sweep.</para>
/// <para type="description">Takes epoch records (Invoke-ModelFit output) or trial results (Invoke-ModelSweep output) from the pipeline.
/// For one run it draws each metric as a character plot (● the first metric, ○ the second, ◉ where they meet) followed by one
/// sparkline line per metric with its first, last and best value. For several runs it prints one sparkline per run. The chart goes to
/// the host (the information stream, like Write-Host), so it never mixes with objects on the output stream; use Export-HistoryPlot for a
/// file.</para>
/// </summary>
/// <example><code>$model | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 20 | Show-History</code></example>
/// <example><code>$results = Invoke-ModelSweep @sweep; $results | Show-History -Metric val_accuracy</code></example>
[Cmdlet(VerbsCommon.Show, "History")]
[OutputType(typeof(void))]
public sealed class ShowHistoryCommand : KerasCmdlet
{
    private static readonly char[] Marks = { '●', '○', '▲', '△', '■', '□' };
    private readonly HistoryInput input = new();

    /// <summary>Epoch records or trial results.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public object InputObject { get; set; } = null!;

    /// <summary>History values to draw (default loss and val_loss for one run, the monitored value for trials).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MonitorCompleter))]
    public string[]? Metric { get; set; }

    /// <summary>Columns of the plot (at most one per epoch; longer runs are resampled). Default 60.</summary>
    [Parameter] [ValidateRange(8, 1000)] public int Width { get; set; } = 60;

    /// <summary>Rows of the plot. Default 10.</summary>
    [Parameter] [ValidateRange(3, 100)] public int Height { get; set; } = 10;

    protected override void Process() => input.Add(InputObject);

    protected override void End()
    {
        input.Series(Metric, out var metrics);   // checks the input and the metric names
        var runs = input.Runs.Where(r => r.Records.Count > 0).ToList();
        if (runs.Count == 1)
        {
            var records = runs[0].Records;
            var present = metrics.Where(m => records.Any(r => r.Values.ContainsKey(m))).ToList();
            var series = present.Select((m, i) => (m, Marks[i % Marks.Length],
                (IReadOnlyList<double>)records.Select(r => r.Get(m) ?? double.NaN).ToList())).ToList();
            if (runs[0].Label.Length > 0) Say(runs[0].Label);
            foreach (var line in TextChart.Plot(series, records.Select(r => r.Epoch).ToList(), Width, Height)) Say(line);
            Say("");
            int nameWidth = present.Max(m => m.Length);
            var epochs = records.Select(r => r.Epoch).ToList();
            foreach (var (name, _, values) in series) Say(SparkLine(name.PadRight(nameWidth), values, epochs, name));
            return;
        }
        int labelWidth = Math.Min(40, runs.Max(r => r.Label.Length));
        foreach (var m in metrics)
        {
            Say(m);
            foreach (var run in runs)
            {
                var values = run.Records.Select(r => r.Get(m) ?? double.NaN).ToList();
                var label = run.Label.Length > labelWidth ? run.Label[..(labelWidth - 1)] + "…" : run.Label.PadRight(labelWidth);
                Say("  " + SparkLine(label, values, run.Records.Select(r => r.Epoch).ToList(), m));
            }
        }
    }

    private string SparkLine(string label, IReadOnlyList<double> values, IReadOnlyList<int> epochs, string metric)
    {
        var finite = values.Select((v, i) => (v, i)).Where(p => double.IsFinite(p.v)).ToList();
        static string F(double v) => CellText.Cell(v, 10);
        if (finite.Count == 0) return $"{label}  (no finite values)";
        bool higher = new Engine.Sweeps.TrialMonitor(metric).HigherIsBetter;
        var best = higher ? finite.MaxBy(p => p.v) : finite.MinBy(p => p.v);
        var numbers = $"{F(finite[0].v)} → {F(finite[^1].v)}  best {F(best.v)} @ epoch {epochs[best.i]}";
        // The line fits an 80-column console: the sparkline takes what the label and the numbers leave (at least 8).
        var sparkWidth = Math.Min(Width, Math.Max(8, SummaryLineWidth - label.Length - numbers.Length - 4));
        return $"{label}  {TextChart.Sparkline(TextChart.Resample(values, sparkWidth))}  {numbers}";
    }

    /// <summary>The width a summary line stays within, so it does not wrap in an 80-column console.</summary>
    private const int SummaryLineWidth = 79;

    private void Say(string line) =>
        WriteInformation(new HostInformationMessage { Message = line, NoNewLine = false }, new[] { "PSHOST" });
}
