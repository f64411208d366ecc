using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using System.Management.Automation;
using Newtonsoft.Json;
using KerasPS.Engine;
using KerasPS.Engine.Sweeps;
using KerasPS.Engine.Training;
using KerasPS.Infrastructure;

namespace KerasPS;

/// <summary>
/// One trial of a sweep (Invoke-ModelSweep). On the output stream each parameter is also a property of its own, the
/// best monitored value is a property named after the monitor (ValLoss for val_loss), and every other history value at
/// the best epoch is a property too (Loss, Accuracy, ValAccuracy, ... as epoch records spell them), so that
/// <c>Sort-Object ValLoss</c> and <c>Export-Csv</c> work directly, as on folds and epoch records.
/// </summary>
public sealed class TrialResult
{
    private readonly TrialRun run;

    internal TrialResult(TrialRun run)
    {
        this.run = run;
        Parameters = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in run.Parameters) Parameters[k] = v;
    }

    /// <summary>1-based trial number; with the sweep seed it fixes the parameters (random sweeps) and the training seed.</summary>
    public int Trial => run.Trial;

    /// <summary>
    /// The trial's parameter values, in the sweep's parameter order. Each is also a property of its own on the written result, so it is
    /// hidden from Export-Csv, ConvertTo-Json and Get-Member (read it as $result.Parameters).
    /// </summary>
    [Hidden, JsonIgnore]
    public OrderedDictionary Parameters { get; }

    /// <summary>
    /// The names of the parameters that differ between the sweep's trials (a list of several values or a range), which the
    /// default view shows; null when not known (a trial read from a journal), and then the view shows every parameter.
    /// </summary>
    [Hidden, JsonIgnore]
    public string[]? Varying { get; internal set; }

    /// <summary>
    /// The parameters the default view shows in <paramref name="width"/> characters: those in <see cref="Varying"/>, as
    /// Name=value (4 significant digits), whole or not at all; then the error of a failed trial.
    /// </summary>
    public static string ParametersText(TrialResult trial, int width)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var shown = trial.Parameters.Cast<DictionaryEntry>()
            .Where(e => trial.Varying is not { } v || v.Contains((string)e.Key, StringComparer.OrdinalIgnoreCase))
            .Select(e => $"{e.Key}={(PSValue.Unwrap(e.Value) is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : e.Value)}");
        var text = CellText.Join(shown, width);
        return trial.ErrorId is null ? text : $"{text}  {trial.ErrorId}: {trial.Error}";
    }

    /// <summary>
    /// Completed, Pruned (stopped early by Invoke-ModelSweep -Prune; see PrunedAtEpoch), or Failed (see Error and ErrorId).
    /// </summary>
    public string Status => run.Status;

    /// <summary>True when -Prune stopped the trial before its full epochs because others did better at the same budget.</summary>
    public bool Pruned => Status == "Pruned";

    /// <summary>For a pruned trial, the epoch it reached before it was stopped (the budget of its last rung); otherwise null.</summary>
    public int? PrunedAtEpoch => run.PrunedAtEpoch;

    /// <summary>History value the trial is ranked by (val_loss by default).</summary>
    public string Monitor => run.Monitor;

    /// <summary>
    /// Best finite value of the monitor over the trial's epochs (lowest loss, highest accuracy); with -Folds, the mean of the folds' best
    /// values.
    /// </summary>
    public double? Best => run.Best;

    /// <summary>With -Folds: the standard deviation of the folds' best values around <see cref="Best"/> (their mean).</summary>
    public double? BestStd => run.BestStd;

    /// <summary>With -Folds: the number of folds the trial was scored on (0 without).</summary>
    public int Folds => run.Folds;

    /// <summary>
    /// With -Folds: each fold's best monitored value, in fold order. Hidden from Export-Csv, where an array would be one "System.Double[]"
    /// cell (Best and BestStd summarise it; ConvertTo-Json still writes the numbers).
    /// </summary>
    [Hidden]
    public double[]? FoldScores => run.FoldScores;

    /// <summary>1-based epoch at which <see cref="Best"/> was recorded (with -Folds: the best epoch of the folds' mean curve).</summary>
    public int? BestEpoch => run.BestEpoch;

    /// <summary>Epochs the trial trained (early stopping and -MaxDuration may cut it short).</summary>
    public int EpochsRun => Records.Count;

    /// <summary>
    /// Wall time of the trial: building the model and training it (hidden from Export-Csv and ConvertTo-Json; see <see cref="Seconds"/>).
    /// </summary>
    [Hidden, JsonIgnore]
    public TimeSpan Duration => run.Duration;

    /// <summary>Wall-clock seconds of the trial (Duration as one number, for Export-Csv and ConvertTo-Json).</summary>
    public double Seconds => Math.Round(Duration.TotalSeconds, 3);

    /// <summary>Training seed of the trial (derived from the sweep seed and the trial number).</summary>
    public long Seed => run.Seed;

    /// <summary>Where the trial ran: localhost or the remote computer's name.</summary>
    public string Host => run.Host;

    /// <summary>Runs started for this trial: more than 1 when a remote host dropped out and the trial was retried elsewhere.</summary>
    public int Attempts => run.Attempts;

    /// <summary>File with the trial's best model (Invoke-ModelSweep -CheckpointDirectory); Import-Checkpoint reads it.</summary>
    public string? Checkpoint => run.Checkpoint;

    /// <summary>
    /// True when the result was read back from a sweep journal (Invoke-ModelSweep -Journal resuming a sweep, or Import-SweepJournal)
    /// rather than trained in this run.
    /// </summary>
    public bool FromJournal => run.FromJournal;

    public string? Error => run.Error;
    public string? ErrorId => run.ErrorId;

    /// <summary>
    /// The trial's epochs as engine records (see <see cref="History"/> for the PowerShell view); hidden from Export-Csv and ConvertTo-Json,
    /// which give one flat row per trial.
    /// </summary>
    [Hidden, JsonIgnore]
    public IReadOnlyList<EpochRecord> Records => run.Records;

    /// <summary>
    /// One KerasPS.EpochRecord per epoch, as Invoke-ModelFit writes them (hidden from Export-Csv and ConvertTo-Json: export it on its own,
    /// $result.History | Export-Csv).
    /// </summary>
    [Hidden, JsonIgnore]
    public PSObject[] History => Records.Select(r => EpochRecordView.ToPSObject(r, $"trial {Trial}")).ToArray();

    public override string ToString() => run.ToString();
}

/// <summary>
/// The one shape of result objects a user sorts or exports (epoch records, trials, folds, fold summaries): each history
/// value is a property spelled as <see cref="KerasNames.ToPascal"/> spells it (val_accuracy is ValAccuracy), time is
/// Seconds, and nested detail (per-epoch records) is hidden from Export-Csv and ConvertTo-Json.
/// </summary>
internal static class ResultView
{
    /// <summary>Adds each value of <paramref name="values"/> as a property, unless the object already has one of that name.</summary>
    public static void AddMetrics(PSObject o, IEnumerable<KeyValuePair<string, double>> values)
    {
        foreach (var (name, value) in values)
        {
            var property = KerasNames.ToPascal(name);
            if (o.Properties[property] is null) o.Properties.Add(new PSNoteProperty(property, value));
        }
    }

    /// <summary>A trial on the output stream: its parameters, the monitor's best value, then the other values at the best epoch.</summary>
    public static PSObject Trial(TrialResult r)
    {
        var monitorProperty = KerasNames.ToPascal(r.Monitor);
        var o = PSObject.AsPSObject(r);
        foreach (DictionaryEntry e in r.Parameters) o.Properties.Add(new PSNoteProperty((string)e.Key, e.Value));
        o.Properties.Add(new PSNoteProperty(monitorProperty, r.Best));
        if (r.BestEpoch is int epoch && r.Records.FirstOrDefault(x => x.Epoch == epoch) is { } at) AddMetrics(o, at.Values);
        return o;
    }
}
