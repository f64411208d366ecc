using System.Collections;
using System.Collections.Specialized;
using System.Diagnostics;
using KerasPS.Engine.Data;
using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Sweeps;
using KerasPS.Engine.Training;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Experiments;

/// <summary>
/// <para type="synopsis">Trains one model per combination of hyperparameters (a grid, or random samples) and writes one KerasPS.TrialResult per trial as each trial finishes.</para>
/// <para type="description">-ModelScript is called with a hashtable of one trial's values and returns a compiled model; the trial then trains it with Invoke-ModelFit semantics on -Data. Trials run in parallel in separate runspaces of this process (-ThrottleLimit), which share the cores: libtorch's intra-op threads are split between them for the sweep and restored afterwards. With -Session, -HostName or -ComputerName the trials run on remote PowerShell hosts that have KerasPS: the data crosses as plain arrays, the model is rebuilt there from the same script text, and a host that drops out has its trial retried on another one. Every trial, local or remote, runs through Invoke-ModelTrial. With -Folds k each trial trains k times, once per fold of a (stratified) k-fold split of -Data that every trial shares, and is scored by the mean of its folds' best values (Best, with BestStd and FoldScores), so the winner is not picked by the luck of one split. -ModelScript gets the trial's training part as its second argument (param($p, $train)), for Add-NormalizationLayer -Adapt. Each trial's seed is derived from the sweep seed and the trial number, so trial k gives the same result whatever the throttle or the host. A trial that fails (bad parameter combination, a loss that becomes NaN) is written as a Failed result with its error, and the sweep goes on. The script runs in its own runspace: pass values in through -Parameters, not through variables of the caller.</para>
/// </summary>
/// <example><code>Invoke-ModelSweep -Parameters @{ Units = 32, 64; LearningRate = 0.1, 0.01 } -ModelScript {
///     param($p)
///     New-Model | Add-DenseLayer -Units $p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
///         Build-Model -Optimizer (New-Optimizer sgd -LearningRate $p.LearningRate) -Loss categorical_crossentropy
/// } -Data $train -ValidationData $val -Epochs 10 -Seed 42 -ThrottleLimit 2 | Sort-Object ValLoss | Select-Object -First 3</code></example>
/// <example><code>Invoke-ModelSweep -Random -Trials 20 -Parameters @{ LearningRate = [KerasPS.LogUniform]::new(1e-4, 1e-1); Units = [KerasPS.IntRange]::new(16, 256) } -ModelScript $build -Data $train -ValidationSplit 0.2 -Epochs 10 | Export-Csv sweep.csv</code></example>
/// <example><code>$results = Invoke-ModelSweep @sweep -CheckpointDirectory ./sweep-models
/// $best = $results | Sort-Object ValLoss | Select-Object -First 1
/// $model = Import-Checkpoint -Path $best.Checkpoint</code></example>
/// <example><code>$s = New-PSSession -HostName gpu1, gpu2 -UserName ml
/// Invoke-ModelSweep -Session $s -ModulePath /opt/KerasPS/KerasPS.psd1 -Parameters @{ Units = 64, 128, 256 } -ModelScript $build -Data $train -ValidationData $val -Epochs 20</code></example>
/// <example><code># Each trial scored by its 5-fold cross-validated mean val_loss (BestStd is the spread over the folds).
/// Invoke-ModelSweep -Parameters @{ Units = 32, 64, 128 } -ModelScript $build -Data $train -Folds 5 -Stratify -Epochs 20 -Seed 1 -ThrottleLimit 2 | Sort-Object Best</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "ModelSweep", DefaultParameterSetName = LocalSet, SupportsShouldProcess = true)]
[OutputType(typeof(TrialResult))]
public sealed class InvokeModelSweepCommand : TrialCommandBase
{
    private static readonly HashSet<string> Reserved = new(typeof(TrialResult).GetProperties().Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    /// <summary>The search space: name = list of values (a grid takes every combination), or a range ([KerasPS.Uniform], [KerasPS.LogUniform], [KerasPS.IntRange]) for -Random. Use [ordered]@{} to fix the grid order; otherwise names are taken in alphabetical order.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public IDictionary Parameters { get; set; } = null!;

    /// <summary>Builds one trial's model: param($p, $train) ... returns a compiled model ($p.Name is the trial's value of Name; $train is the data the trial trains on).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public ScriptBlock ModelScript { get; set; } = null!;

    /// <summary>Data to compute val_loss and val_* metrics on after each epoch.</summary>
    [Parameter] public Dataset? ValidationData { get; set; }

    /// <summary>Fraction of -Data held out for validation (the last rows), as Invoke-ModelFit -ValidationSplit.</summary>
    [Parameter] public double ValidationSplit { get; set; }

    /// <summary>Score each trial by k-fold cross-validation on -Data: the mean of the folds' best monitored values (at least 2; no -ValidationData or -ValidationSplit).</summary>
    [Parameter]
    [ValidateRange(2, 100)]
    public int? Folds { get; set; }

    /// <summary>With -Folds: keep each class's share in every fold (stratified k-fold).</summary>
    [Parameter] public SwitchParameter Stratify { get; set; }

    /// <summary>Folder that keeps each trial's best model by -Monitor, as trial-001.kpt, trial-002.kpt, ... (created if missing; files from remote hosts are copied back). Each result's Checkpoint names its file.</summary>
    [Parameter] public string? CheckpointDirectory { get; set; }

    /// <summary>Sample the space at random instead of taking the whole grid (with -Trials).</summary>
    [Parameter] public SwitchParameter Random { get; set; }

    /// <summary>Number of random trials (with -Random).</summary>
    [Parameter] public int? Trials { get; set; }

    protected override void Process()
    {
        CheckFitSettings();
        if (Random.IsPresent != Trials.HasValue)
            Fail(Random ? "TrialsRequired" : "TrialsWithoutRandom", ErrorCategory.InvalidArgument,
                Random ? "-Random needs -Trials N (how many trials to sample)." : "-Trials is the number of random trials; add -Random, or leave -Trials out to run the whole grid.");
        if (Folds is not null && (ValidationData is not null || ValidationSplit > 0))
            Fail("FoldsWithValidation", ErrorCategory.InvalidArgument, "-Folds validates each trial on its held-out folds; leave out -ValidationData and -ValidationSplit.");
        if (Folds is not null && CheckpointDirectory is not null)
            Fail("FoldsWithCheckpoints", ErrorCategory.InvalidArgument, "-Folds trains each trial once per fold, so there is no one best model to keep; leave out -CheckpointDirectory and train the winner on all the data.");
        if (Stratify && Folds is null)
            Fail("StratifyWithoutFolds", ErrorCategory.InvalidArgument, "-Stratify applies to the folds of -Folds; add -Folds k.");
        bool hasValidation = ValidationData is not null || ValidationSplit > 0 || Folds is not null;
        var monitor = new TrialMonitor(Monitor ?? (hasValidation ? "val_loss" : "loss"));
        if (monitor.Name.StartsWith("val_", StringComparison.Ordinal) && !hasValidation)
            Fail("MonitorNeedsValidation", ErrorCategory.InvalidArgument, $"-Monitor {monitor.Name} is a validation value; give -ValidationData, -ValidationSplit or -Folds, or monitor a training value such as loss.", monitor.Name);
        var monitorProperty = KerasNames.ToPascal(monitor.Name);

        var space = Space();
        foreach (var (name, _) in space)
            if (Reserved.Contains(name) || name.Equals(monitorProperty, StringComparison.OrdinalIgnoreCase))
                Fail("ReservedParameterName", ErrorCategory.InvalidArgument, $"A sweep parameter cannot be named '{name}': every result already has a property of that name. Rename it (e.g. '{name}Value').", name);
        long seed = Seed ?? MersenneTwister.RandomSeed();
        var trials = Random ? SweepPlan.Random(space, Trials!.Value, seed) : SweepPlan.Grid(space, seed);
        // Every trial is scored on the same folds, so trials differ only by their parameters.
        var folds = Folds is int k ? FoldSplitter.Split(Data.Engine, k, Stratify, 1, seed) : null;

        string? checkpointDir = null;
        if (CheckpointDirectory is not null)
        {
            checkpointDir = ResolveFilePath(CheckpointDirectory);
            if (!ShouldProcess(checkpointDir, $"Run {trials.Count} trials and keep each trial's best model")) return;
            try { Directory.CreateDirectory(checkpointDir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail("CheckpointDirectoryUnavailable", ErrorCategory.WriteError, $"Cannot create the checkpoint folder '{checkpointDir}': {e.Message}", checkpointDir);
            }
        }

        var requests = new List<TrialRequest>();
        foreach (var spec in trials)
        {
            var parameters = ParameterTable(spec);
            if (folds is null)
                requests.Add(new TrialRequest(spec.Trial, parameters, spec.Seed, Epochs) { CheckpointPath = checkpointDir is null ? null : CheckpointFile(checkpointDir, spec.Trial) });
            else
                foreach (var f in folds)
                    requests.Add(new TrialRequest(spec.Trial, parameters, SweepPlan.TrialSeed(spec.Seed, f.Number), Epochs)
                    { Fold = f.Number, Repeat = f.Repeat, TrainRows = f.TrainRows, ValidationRows = f.TestRows });
        }

        var sweepClock = Stopwatch.StartNew();
        int completed = 0, failed = 0, total = trials.Count;
        bool showProgress = ProgressWanted();
        var specs = trials.ToDictionary(t => t.Trial);
        var foldOutcomes = new Dictionary<int, List<(TrialRequest Request, SweepWorker Worker, TrialOutcome Outcome)>>();
        WriteVerbose($"Sweep of {total} trials (seed {seed}){(folds is null ? "" : $", {Folds} folds each")}, monitoring {monitor.Name} ({monitor.Mode}).");

        void Emit(TrialResult r)
        {
            if (r.Status == "Completed") completed++; else failed++;
            WriteVerbose(r.ToString() + (r.Error is null ? "" : $" - {r.ErrorId}: {r.Error}"));
            WriteObject(ToPSObject(r, monitorProperty));
            if (showProgress)
                WriteProgress(new ProgressRecord(2, "Sweep", $"{completed + failed} of {total} trials done ({failed} failed)")
                { PercentComplete = (int)(100L * (completed + failed) / total) });
        }

        try
        {
            RunTrials(Settings(ModelScript.ToString(), monitor.Name, ValidationData, ValidationSplit), requests, folds is null ? "trials" : "trial folds",
                done: (t, w, outcome) =>
                {
                    if (folds is null)
                    {
                        specs.Remove(t.Trial, out var spec);
                        var result = Result(spec!, t, w.Host, outcome, monitor);
                        if (checkpointDir is not null) KeepCheckpoint(result, t, outcome, checkpointDir);
                        Emit(result);
                        return;
                    }
                    if (!foldOutcomes.TryGetValue(t.Trial, out var list)) foldOutcomes[t.Trial] = list = new();
                    list.Add((t, w, outcome));
                    if (list.Count == folds.Count && specs.Remove(t.Trial, out var folded)) { foldOutcomes.Remove(t.Trial); Emit(FoldedResult(folded, list, monitor)); }
                },
                noHost: t =>
                {
                    // One result per trial, however many of its folds were left without a host.
                    if (!specs.Remove(t.Trial, out var spec)) return;
                    Emit(new TrialResult(t.Trial, ParameterTable(spec), spec.Seed, monitor.Name)
                    {
                        Attempts = t.Attempts, Host = string.Join(", ", t.LostHosts), ErrorId = "NoSweepHostLeft", Folds = Folds ?? 0,
                        Error = $"Every host of the sweep dropped out before trial {t.Trial} could finish. Check the hosts and run the sweep again for the missing trials.",
                    });
                });
        }
        finally
        {
            if (showProgress) WriteProgress(new ProgressRecord(2, "Sweep", "Done") { RecordType = ProgressRecordType.Completed });
        }
        WriteVerbose($"Sweep done in {sweepClock.Elapsed.TotalSeconds:0.0} s: {completed} completed, {failed} failed.");
    }

    private static OrderedDictionary ParameterTable(TrialSpec spec)
    {
        var d = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in spec.Parameters) d[k] = v;
        return d;
    }

    private List<KeyValuePair<string, object?[]>> Space()
    {
        var entries = Parameters.Cast<DictionaryEntry>().Select(e =>
        {
            var name = Convert.ToString(PSValue.Unwrap(e.Key), CultureInfo.InvariantCulture) ?? "";
            object?[] values = PSValue.Unwrap(e.Value) switch
            {
                string s => new object?[] { s },
                IEnumerable list => list.Cast<object?>().Select(PSValue.Unwrap).ToArray(),
                var one => new[] { one },
            };
            return new KeyValuePair<string, object?[]>(name, values);
        }).ToList();
        // A plain hashtable has no stable order (string hashes differ per process); the grid order must not.
        if (Parameters is not OrderedDictionary) entries.Sort((a, b) => StringComparer.Ordinal.Compare(a.Key, b.Key));
        return entries;
    }

    private static TrialResult Result(TrialSpec spec, TrialRequest t, string host, TrialOutcome outcome, TrialMonitor monitor)
    {
        var r = new TrialResult(spec.Trial, ParameterTable(spec), spec.Seed, monitor.Name)
        {
            Attempts = t.Attempts, Host = host, Records = outcome.Records, Duration = outcome.Duration,
        };
        if (monitor.Best(r.Records) is var (best, epoch)) { r.Best = best; r.BestEpoch = epoch; }
        if (TrialFailure(outcome, monitor) is var (id, message)) { r.ErrorId = id; r.Error = message; return r; }
        r.Status = "Completed";
        return r;
    }

    /// <summary>Why an outcome does not count: the trial failed, its loss became NaN, or it never recorded the monitor.</summary>
    internal static (string Id, string Message)? TrialFailure(TrialOutcome outcome, TrialMonitor monitor)
    {
        if (outcome.ErrorId is string id) return (id, outcome.Error ?? "");
        var last = outcome.Records.Count > 0 ? outcome.Records[^1] : null;
        if (last is not null && !double.IsFinite(last.Loss))
            return ("LossNotFinite", $"The loss became {last.Loss.ToString(CultureInfo.InvariantCulture)} at epoch {last.Epoch}, so training stopped. Lower the learning rate or scale the features for these parameters.");
        if (monitor.Best(outcome.Records) is null)
            return ("MonitorNotRecorded", $"The trial's history has no finite '{monitor.Name}' (it has: {string.Join(", ", last?.Values.Keys ?? Array.Empty<string>())}). Choose one of those with -Monitor.");
        return null;
    }

    /// <summary>A cross-validated trial: Best is the mean of the folds' best values, Records the per-epoch mean over the folds.</summary>
    private TrialResult FoldedResult(TrialSpec spec, List<(TrialRequest Request, SweepWorker Worker, TrialOutcome Outcome)> folds, TrialMonitor monitor)
    {
        var ordered = folds.OrderBy(f => f.Request.Fold).ToList();
        var r = new TrialResult(spec.Trial, ParameterTable(spec), spec.Seed, monitor.Name)
        {
            Attempts = ordered.Max(f => f.Request.Attempts),
            Host = string.Join(", ", ordered.Select(f => f.Worker.Host).Distinct()),
            Duration = TimeSpan.FromTicks(ordered.Sum(f => f.Outcome.Duration.Ticks)),
            Records = FoldStatistics.PerEpoch(ordered.Select(f => (IReadOnlyList<Engine.Training.EpochRecord>)f.Outcome.Records).ToList()),
            Folds = ordered.Count,
        };
        foreach (var (req, _, outcome) in ordered)
        {
            if (TrialFailure(outcome, monitor) is var (id, message))
            {
                r.ErrorId = id;
                r.Error = $"Fold {req.Fold}: {message}";
                return r;
            }
        }
        var scores = ordered.Select(f => monitor.Best(f.Outcome.Records)!.Value.Value).ToArray();
        var (mean, std) = FoldStatistics.MeanStd(scores);
        r.FoldScores = scores;
        r.Best = mean;
        r.BestStd = std;
        r.BestEpoch = monitor.Best(r.Records)?.Epoch;
        r.Status = "Completed";
        return r;
    }

    private static string CheckpointFile(string dir, int trial) => Path.Combine(dir, $"trial-{trial:000}.kpt");

    /// <summary>Points the result at its checkpoint: written in place by a local trial, or sent back as bytes by a remote one.</summary>
    private void KeepCheckpoint(TrialResult r, TrialRequest t, TrialOutcome outcome, string dir)
    {
        var path = CheckpointFile(dir, r.Trial);
        if (outcome.Checkpoint is { } bytes)
        {
            try { AtomicFile.Write(path, s => s.Write(bytes), overwrite: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteWarning($"Trial {r.Trial}: could not save its checkpoint to '{path}': {e.Message}");
                return;
            }
        }
        // A file left by an earlier sweep in the same folder is not this trial's (it failed before saving one).
        if (File.Exists(path) && File.GetLastWriteTimeUtc(path) >= t.StartedUtc.AddSeconds(-1)) r.Checkpoint = path;
    }

    private static PSObject ToPSObject(TrialResult r, string monitorProperty)
    {
        var o = PSObject.AsPSObject(r);
        foreach (DictionaryEntry e in r.Parameters) o.Properties.Add(new PSNoteProperty((string)e.Key, e.Value));
        o.Properties.Add(new PSNoteProperty(monitorProperty, r.Best));
        return o;
    }
}

/// <summary>Completes -Monitor with the usual history names.</summary>
public sealed class MonitorCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => new[] { "val_loss", "val_accuracy", "loss", "accuracy" }
        .Concat(MetricFactory.Names.SelectMany(m => new[] { "val_" + m, m })).Distinct();
}
