using System.Collections.Specialized;
using System.Globalization;
using System.Management.Automation;
using Newtonsoft.Json;
using KerasPS.Engine;
using KerasPS.Engine.Training;
using KerasPS.Infrastructure;

namespace KerasPS;

/// <summary>
/// One fold of a cross-validation (Invoke-ModelCrossValidation), written as the fold finishes. On the output stream
/// every history value at the fold's best epoch is a property of its own, spelled as epoch records spell it (Loss,
/// Accuracy, ValLoss, ValAccuracy, ...), so <c>Sort-Object ValAccuracy</c> and <c>Export-Csv</c> work as on trials.
/// </summary>
public sealed class CrossValidationFold
{
    internal CrossValidationFold(int fold, int repeat, int rows, int trainRows, long seed, string monitor)
    {
        Fold = fold; Repeat = repeat; Rows = rows; TrainRows = trainRows; Seed = seed; Monitor = monitor;
    }

    /// <summary>1-based fold number within its repeat.</summary>
    public int Fold { get; }

    /// <summary>1-based repeat (-Repeats): each repeat splits the rows into folds anew.</summary>
    public int Repeat { get; }

    /// <summary>Rows held out (validated on) in this fold.</summary>
    public int Rows { get; }

    /// <summary>Rows the fold's model trained on.</summary>
    public int TrainRows { get; }

    /// <summary>
    /// The 0-based row numbers of the data held out in this fold (the rows of <see cref="Rows"/>); hidden from Export-Csv, where an array
    /// would be one "System.Int32[]" cell.
    /// </summary>
    [Hidden]
    public int[] ValidationRows { get; internal set; } = Array.Empty<int>();

    /// <summary>Completed, or Failed (see Error and ErrorId).</summary>
    public string Status { get; internal set; } = "Failed";

    public string Monitor { get; }

    /// <summary>Best finite value of the monitor over the fold's epochs.</summary>
    public double? Best { get; internal set; }

    /// <summary>1-based epoch of <see cref="Best"/>.</summary>
    public int? BestEpoch { get; internal set; }

    /// <summary>
    /// Every history value at the best epoch, by Keras name (loss, accuracy, val_loss, ...). Each is also a property of its own on the
    /// written fold (ValLoss, ...), so this table is hidden from Export-Csv and ConvertTo-Json.
    /// </summary>
    [Hidden, JsonIgnore]
    public OrderedDictionary Metrics { get; internal set; } = new();

    public int EpochsRun => Records.Count;

    /// <summary>
    /// Wall time of the fold: building the model and training it (hidden from Export-Csv and ConvertTo-Json; see <see cref="Seconds"/>).
    /// </summary>
    [Hidden, JsonIgnore]
    public TimeSpan Duration { get; internal set; }

    /// <summary>Wall-clock seconds of the fold (Duration as one number, for Export-Csv and ConvertTo-Json).</summary>
    public double Seconds => Math.Round(Duration.TotalSeconds, 3);

    public long Seed { get; }
    public string Host { get; internal set; } = "localhost";
    public int Attempts { get; internal set; }
    public string? Error { get; internal set; }
    public string? ErrorId { get; internal set; }

    /// <summary>The fold's epochs as engine records (hidden from Export-Csv and ConvertTo-Json; see <see cref="History"/>).</summary>
    [Hidden, JsonIgnore]
    public IReadOnlyList<EpochRecord> Records { get; internal set; } = Array.Empty<EpochRecord>();

    /// <summary>
    /// One KerasPS.EpochRecord per epoch, as Invoke-ModelFit writes them (hidden from Export-Csv and ConvertTo-Json: export it on its own,
    /// $fold.History | Export-Csv).
    /// </summary>
    [Hidden, JsonIgnore]
    public PSObject[] History => Records.Select(r => EpochRecordView.ToPSObject(r, Label)).ToArray();

    /// <summary>The fold as written: the object with every value of <see cref="Metrics"/> as a property.</summary>
    internal PSObject ToPSObject()
    {
        var o = PSObject.AsPSObject(this);
        var values = Metrics.Cast<System.Collections.DictionaryEntry>();
        ResultView.AddMetrics(o, values.Select(e => new KeyValuePair<string, double>((string)e.Key, (double)e.Value!)));
        return o;
    }

    /// <summary>
    /// The default view's last column in <paramref name="width"/> characters: the values at the best epoch other than
    /// the monitor (shown as Best), validation values first, each whole or not at all; or the error of a failed fold.
    /// </summary>
    public static string MetricsText(CrossValidationFold fold, int width)
    {
        ArgumentNullException.ThrowIfNull(fold);
        if (fold.ErrorId is not null) return $"{fold.ErrorId}: {fold.Error}";
        var entries = fold.Metrics.Cast<System.Collections.DictionaryEntry>()
            .Select(e => (Key: (string)e.Key, Value: Convert.ToDouble(e.Value, CultureInfo.InvariantCulture)))
            .Where(e => e.Key != fold.Monitor).ToList();
        var ordered = entries.Where(e => e.Key.StartsWith("val_", StringComparison.Ordinal))
            .Concat(entries.Where(e => !e.Key.StartsWith("val_", StringComparison.Ordinal)));
        return CellText.Join(ordered.Select(e => $"{e.Key}={CellText.Cell(e.Value, 10)}"), width);
    }

    internal string Label => Repeat > 1 ? $"fold {Fold} (repeat {Repeat})" : $"fold {Fold}";

    public override string ToString() => $"Fold {Fold}" + (Repeat > 1 ? $" repeat {Repeat}" : "") + $" ({Status})" +
        (Best is double b ? $": best {Monitor} {b.ToString("0.0000", CultureInfo.InvariantCulture)} at epoch {BestEpoch}" : "");
}

/// <summary>The mean and standard deviation of one value over the folds (each fold's value at its best epoch).</summary>
public sealed record FoldMetric(string Metric, double Mean, double Std, double[] Values)
{
    public override string ToString() => $"{Metric} {Mean.ToString("0.0000", CultureInfo.InvariantCulture)} ± "
        + $"{Std.ToString("0.0000", CultureInfo.InvariantCulture)}";
}

/// <summary>What Invoke-ModelCrossValidation writes after the folds: mean and spread per metric, and per epoch for plotting.</summary>
public sealed class CrossValidationSummary
{
    internal CrossValidationSummary(string monitor, int folds, int repeats, long seed, bool stratified)
    {
        Monitor = monitor; Folds = folds; Repeats = repeats; Seed = seed; Stratified = stratified;
    }

    public string Monitor { get; }
    public int Folds { get; }
    public int Repeats { get; }

    /// <summary>The seed that gives the same folds and the same training again.</summary>
    public long Seed { get; }
    public bool Stratified { get; }

    /// <summary>Folds that completed (the summary is over these).</summary>
    public int Completed { get; internal set; }

    /// <summary>Mean over the folds of the best monitored value (the cross-validation score).</summary>
    public double? Mean { get; internal set; }

    /// <summary>Standard deviation (population, numpy's default) of the folds' best monitored values.</summary>
    public double? Std { get; internal set; }

    /// <summary>
    /// Mean and standard deviation of every history value, each fold taken at its best epoch. On the written summary each mean is also a
    /// property of its own (ValAccuracy, ...) with its spread beside it (ValAccuracyStd), so this list is hidden from Export-Csv and
    /// ConvertTo-Json.
    /// </summary>
    [Hidden, JsonIgnore]
    public FoldMetric[] Metrics { get; internal set; } = Array.Empty<FoldMetric>();

    /// <summary>Per epoch: the mean of every value over the folds that reached that epoch.</summary>
    [Hidden, JsonIgnore]
    public IReadOnlyList<EpochRecord> Records { get; internal set; } = Array.Empty<EpochRecord>();

    /// <summary>Per epoch: the standard deviation of every value over the folds that reached it.</summary>
    [Hidden, JsonIgnore]
    public IReadOnlyList<EpochRecord> StdRecords { get; internal set; } = Array.Empty<EpochRecord>();

    /// <summary>The per-epoch means as KerasPS.EpochRecord objects (Model = 'mean').</summary>
    [Hidden, JsonIgnore]
    public PSObject[] History => Records.Select(r => EpochRecordView.ToPSObject(r, "mean")).ToArray();

    /// <summary>
    /// With -OutOfFold: one prediction per row of the data, in row order, from the model that did not train on it (averaged over repeats).
    /// Hidden from Export-Csv and ConvertTo-Json: export it on its own.
    /// </summary>
    [Hidden, JsonIgnore]
    public PSObject[]? OutOfFold { get; internal set; }

    /// <summary>Wall time of the whole cross-validation (hidden from Export-Csv and ConvertTo-Json; see <see cref="Seconds"/>).</summary>
    [Hidden, JsonIgnore]
    public TimeSpan Duration { get; internal set; }

    /// <summary>Wall-clock seconds of the whole cross-validation.</summary>
    public double Seconds => Math.Round(Duration.TotalSeconds, 3);

    /// <summary>The summary as written: each metric's mean as a property (ValAccuracy), its spread beside it (ValAccuracyStd).</summary>
    internal PSObject ToPSObject()
    {
        var o = PSObject.AsPSObject(this);
        foreach (var m in Metrics)
        {
            var name = KerasNames.ToPascal(m.Metric);
            if (o.Properties[name] is not null) continue;
            o.Properties.Add(new PSNoteProperty(name, m.Mean));
            o.Properties.Add(new PSNoteProperty(name + "Std", m.Std));
        }
        return o;
    }

    public override string ToString() => $"{Folds}-fold cross-validation" + (Repeats > 1 ? $" x {Repeats}" : "") +
        (Mean is double m
            ? $": {Monitor} {m.ToString("0.0000", CultureInfo.InvariantCulture)} "
                + $"± {Std!.Value.ToString("0.0000", CultureInfo.InvariantCulture)}"
            : " (no fold completed)");
}
