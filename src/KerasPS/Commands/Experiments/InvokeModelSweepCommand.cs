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
/// <para type="description">Searches that learn and survive: -Search Tpe proposes each trial after the first 10 from the trials already finished (a Tree-structured Parzen Estimator, as Optuna's default sampler). -Prune Hyperband trains many trials for a few epochs and only the best for more (KerasTuner's Hyperband); -Prune Median stops a trial whose best so far is worse than the earlier trials' median at the same epoch (Optuna's MedianPruner); pruned trials end as Pruned, with the epoch they reached. -Journal records each trial on the disk as it ends, so a sweep killed at any moment and started again with the same -Journal finishes with the same results, each trial trained once.</para>
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
/// <example><code># Bayesian search: after 10 random trials, each proposed from the finished ones (TPE).
/// $space = @{ Units = [KerasPS.IntRange]::new(16, 256); LearningRate = [KerasPS.LogUniform]::new(1e-4, 1e-1); Dropout = [KerasPS.Uniform]::new(0, 0.5) }
/// Invoke-ModelSweep -Search Tpe -Trials 40 -Parameters $space -ModelScript $build -Data $train -ValidationData $val -Epochs 20 -Seed 7</code></example>
/// <example><code># Hyperband: 17 trials on 1, 3 and 9 epochs; the hopeless ones stop early and come back as Pruned.
/// Invoke-ModelSweep -Prune Hyperband -Epochs 9 -Parameters $space -ModelScript $build -Data $train -ValidationData $val -Seed 7 |
///     Where-Object Status -eq Completed | Sort-Object ValLoss</code></example>
/// <example><code># A sweep that survives a restart: run the same line again after a crash and it finishes what is missing.
/// Invoke-ModelSweep -Search Tpe -Trials 40 -Parameters $space -ModelScript $build -Data $train -ValidationData $val -Epochs 20 -Journal ./otto-sweep.jsonl
/// Import-SweepJournal ./otto-sweep.jsonl | Sort-Object ValLoss | Select-Object -First 5</code></example>
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

    /// <summary>Sample the space at random instead of taking the whole grid (with -Trials); the same as -Search Random.</summary>
    [Parameter] public SwitchParameter Random { get; set; }

    /// <summary>Number of trials of a random or TPE search (with -Random or -Search Random or Tpe).</summary>
    [Parameter] public int? Trials { get; set; }

    /// <summary>How trials are chosen: Grid (every combination; the default), Random (-Trials samples), or Tpe (-Trials trials; after 10 random ones, each is proposed from the trials already finished by a Tree-structured Parzen Estimator, Optuna's default sampler). Proposals wait for the trials they learn from, so a TPE sweep is reproducible for a given seed and -ThrottleLimit (or number of hosts).</summary>
    [Parameter]
    [ValidateSet("Grid", "Random", "Tpe")]
    public string? Search { get; set; }

    /// <summary>Stops hopeless trials early. Hyperband (KerasTuner's Hyperband, Li et al. 2018): brackets of successive halving up to -Epochs epochs; each rung keeps the best 1/-PruneFactor of its trials by -Monitor and trains them -PruneFactor times longer (again from the start, with the same seed), the rest end as Pruned; the brackets fix how many trials are sampled at random from the space. Median (the median stopping rule, Optuna's MedianPruner; with any search): after the first 5 trials, a trial stops after the first epoch at which its best value so far is worse than the median of the earlier trials' values at that epoch. None (the default) trains every trial for -Epochs.</summary>
    [Parameter]
    [ValidateSet("None", "Hyperband", "Median")]
    public string Prune { get; set; } = "None";

    /// <summary>With -Prune Hyperband: the reduction factor (KerasTuner's factor, 3 by default).</summary>
    [Parameter]
    [ValidateRange(2, 100)]
    public int PruneFactor { get; set; } = 3;

    /// <summary>A file of JSON lines that records every finished, failed and pruned trial as it ends, each record on the disk before the sweep goes on. Run the same sweep with the same -Journal after a crash or a restart (the seed is taken from the journal when -Seed is left out) and it skips what is recorded, reruns what was cut short and writes the same results as an unbroken sweep. Import-SweepJournal reads it back.</summary>
    [Parameter] public string? Journal { get; set; }

    protected override void Process()
    {
        CheckFitSettings(ValidationSplit, ValidationData is not null);
        bool hyperband = string.Equals(Prune, "Hyperband", StringComparison.OrdinalIgnoreCase);
        bool median = string.Equals(Prune, "Median", StringComparison.OrdinalIgnoreCase);
        string search = (Search ?? (Random || hyperband ? "Random" : "Grid")).ToLowerInvariant() switch { "random" => "Random", "tpe" => "Tpe", _ => "Grid" };
        if (Random && Search is not null && search != "Random")
            Fail("SearchConflict", ErrorCategory.InvalidArgument, $"-Random is the same as -Search Random; leave it out with -Search {search}.", search);
        if (hyperband)
        {
            if (search != "Random")
                Fail("PruneNeedsRandomSearch", ErrorCategory.InvalidArgument, $"-Prune Hyperband samples its trials at random, as KerasTuner's Hyperband does; leave out -Search {search}.", search);
            if (Trials.HasValue)
                Fail("TrialsWithHyperband", ErrorCategory.InvalidArgument, "-Prune Hyperband decides how many trials to sample from -Epochs and -PruneFactor; leave out -Trials.", Trials);
            if (Folds is not null)
                Fail("FoldsWithPrune", ErrorCategory.InvalidArgument, "-Prune compares trials by their validation value at each budget; it does not combine with -Folds.", Folds);
        }
        else if (search == "Grid" && Trials.HasValue)
            Fail("TrialsWithoutRandom", ErrorCategory.InvalidArgument, "-Trials is the number of random or TPE trials; add -Random (or -Search Tpe), or leave -Trials out to run the whole grid.");
        else if (search != "Grid" && !Trials.HasValue)
            Fail("TrialsRequired", ErrorCategory.InvalidArgument, $"-Search {search} needs -Trials N (how many trials to run).");
        if (median && Folds is not null)
            Fail("FoldsWithPrune", ErrorCategory.InvalidArgument, "-Prune compares trials by their validation value at each epoch; it does not combine with -Folds.", Folds);
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

        SweepJournal? journal = null;
        try
        {
            long seed;
            string pruneText = hyperband ? $"Hyperband(factor={PruneFactor})" : median ? "Median" : "None";
            string spaceText = string.Join("; ", space.Select(kv => kv.Key + "=" + string.Join(",", kv.Value.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))));
            if (Journal is not null)
            {
                var path = ResolveFilePath(Journal);
                if (!ShouldProcess(path, "Record the sweep's trials in this journal")) return;
                try { journal = SweepJournal.Open(path); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Fail("JournalUnavailable", ErrorCategory.WriteError, $"Cannot open the sweep journal '{path}': {e.Message}", path);
                }
                if (journal!.HadTornTail) WriteVerbose($"The journal ended in a half-written record (the last run was killed while writing it); it was cut off.");
                var header = journal.Records.FirstOrDefault(r => r.Kind == "sweep");
                if (header is null)
                {
                    seed = Seed ?? MersenneTwister.RandomSeed();
                    journal.Append(new JournalRecord
                    {
                        Kind = "sweep", SweepSeed = seed, Search = search, Prune = pruneText, Space = spaceText, Monitor = monitor.Name, Epochs = Epochs, Folds = Folds ?? 0,
                    });
                }
                else
                {
                    seed = header.SweepSeed ?? 0;
                    var differences = new List<string>();
                    if (Seed is long given && given != seed) differences.Add($"-Seed {given} (the journal's is {seed})");
                    if (header.Search != search) differences.Add($"search {search} (the journal's is {header.Search})");
                    if (header.Prune != pruneText) differences.Add($"pruning {pruneText} (the journal's is {header.Prune})");
                    if (header.Monitor != monitor.Name) differences.Add($"monitor {monitor.Name} (the journal's is {header.Monitor})");
                    if (header.Epochs != Epochs) differences.Add($"-Epochs {Epochs} (the journal's is {header.Epochs})");
                    if (header.Folds != (Folds ?? 0)) differences.Add($"-Folds {Folds ?? 0} (the journal's is {header.Folds})");
                    if (header.Space != spaceText) differences.Add($"parameters {spaceText} (the journal's are {header.Space})");
                    if (differences.Count > 0)
                        Fail("JournalMismatch", ErrorCategory.InvalidArgument, $"The journal '{path}' belongs to another sweep: {string.Join("; ", differences)}. Give the same settings to resume it, or a new -Journal for a new sweep.", path);
                }
            }
            else seed = Seed ?? MersenneTwister.RandomSeed();
            RunSweep(Settings(ModelScript.ToString(), monitor.Name, ValidationData, ValidationSplit), search, hyperband, median, space, seed, monitor, monitorProperty, journal);
        }
        finally
        {
            journal?.Dispose();
        }
    }

    /// <summary>Trials before the median stopping rule starts to prune (Optuna's MedianPruner n_startup_trials).</summary>
    private const int MedianStartupTrials = 5;

    private void RunSweep(TrialSettings settings, string search, bool hyperband, bool median, List<KeyValuePair<string, object?[]>> space, long seed, TrialMonitor monitor, string monitorProperty, SweepJournal? journal)
    {
        var schedule = hyperband ? new HyperbandSchedule(Epochs, PruneFactor, monitor.HigherIsBetter) : null;
        var tpe = search == "Tpe" ? new TpeSampler(space, seed, monitor.HigherIsBetter) : null;
        IReadOnlyList<TrialSpec>? planned = schedule is not null ? SweepPlan.Random(space, schedule.TotalTrials, seed)
            : search == "Random" ? SweepPlan.Random(space, Trials!.Value, seed)
            : search == "Grid" ? SweepPlan.Grid(space, seed) : null;
        int total = planned?.Count ?? Trials!.Value;
        if (tpe is not null && total < 1) SweepPlan.Random(space, total, seed);   // the usual InvalidTrials error
        // Every trial is scored on the same folds, so trials differ only by their parameters.
        var folds = Folds is int k ? FoldSplitter.Split(Data.Engine, k, Stratify, 1, seed) : null;

        string? checkpointDir = null;
        if (CheckpointDirectory is not null)
        {
            checkpointDir = ResolveFilePath(CheckpointDirectory);
            if (!ShouldProcess(checkpointDir, $"Run {total} trials and keep each trial's best model")) return;
            try { Directory.CreateDirectory(checkpointDir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail("CheckpointDirectoryUnavailable", ErrorCategory.WriteError, $"Cannot create the checkpoint folder '{checkpointDir}': {e.Message}", checkpointDir);
            }
        }

        // What the journal already holds: finished runs by (trial, epochs), and the trials whose result is written.
        var memo = new Dictionary<(int Trial, int Epochs), JournalRecord>();
        var journaledResults = new HashSet<int>();
        foreach (var r in journal?.Records ?? Array.Empty<JournalRecord>())
        {
            if (r.Kind == "run") memo[(r.Trial, r.Epochs)] = r;
            else if (r.Kind == "result") { journaledResults.Add(r.Trial); memo.TryAdd((r.Trial, r.Epochs), r); }
        }

        var sweepClock = Stopwatch.StartNew();
        int completed = 0, pruned = 0, failed = 0, replayed = 0;
        bool showProgress = ProgressWanted();
        var specs = new Dictionary<int, TrialSpec>();
        var emitted = new HashSet<int>();
        var foldOutcomes = new Dictionary<int, List<(TrialRequest Request, RunspaceTrialWorker Worker, TrialOutcome Outcome)>>();
        var initial = new List<TrialRequest>();
        var replay = new Queue<(TrialSpec Spec, int Epochs, TrialResult Run)>();
        var lastRun = new Dictionary<int, (TrialResult Run, int Epochs)>();
        var finished = new Dictionary<int, TrialResult>();
        int nextTrial = 1;
        bool sequential = tpe is not null || median;   // trials submitted one by one as what they learn from finishes
        bool running = false;
        WriteVerbose($"Sweep of {total} trials ({search}{(schedule is null ? "" : $", Hyperband with factor {PruneFactor} over {schedule.Brackets.Count} brackets")}, seed {seed}){(folds is null ? "" : $", {Folds} folds each")}, monitoring {monitor.Name} ({monitor.Mode}).");

        void Emit(TrialResult r)
        {
            emitted.Add(r.Trial);
            if (r.Status == "Completed") completed++; else if (r.Status == "Pruned") pruned++; else failed++;
            WriteVerbose(r.ToString() + (r.PrunedAtEpoch is int pe ? $" - pruned at epoch {pe}" : "") + (r.Error is null ? "" : $" - {r.ErrorId}: {r.Error}"));
            WriteObject(ToPSObject(r, monitorProperty));
            if (showProgress)
                WriteProgress(new ProgressRecord(2, "Sweep", $"{emitted.Count} of {total} trials done ({pruned} pruned, {failed} failed)")
                { PercentComplete = (int)(100L * emitted.Count / total) });
        }

        void Final(TrialResult r, int epochs)
        {
            if (journal is not null && journaledResults.Add(r.Trial)) journal.Append(TrialJournal.ToRecord(r, "result", epochs));
            if (checkpointDir is not null && r.Checkpoint is null && CheckpointFile(checkpointDir, r.Trial) is var file && File.Exists(file) && r.Status != "Failed") r.Checkpoint = file;
            Emit(r);
        }

        void Submit(TrialSpec spec, int epochs, double[]? thresholds = null)
        {
            specs[spec.Trial] = spec;
            if (memo.TryGetValue((spec.Trial, epochs), out var rec))
            {
                if (!TrialJournal.SameParameters(rec, spec))
                    Fail("JournalMismatch", ErrorCategory.InvalidData, $"Trial {spec.Trial} in the journal has other parameter values than this sweep gives it; the journal belongs to another sweep. Use a new -Journal.", spec.Trial);
                var run = TrialJournal.ToResult(rec);
                // Hyperband journals a run before its rung decides; the run itself completed its epochs.
                if (hyperband && run.Status == "Pruned") { run.Status = "Completed"; run.PrunedAtEpoch = null; }
                run.FromJournal = true;
                replayed++;
                replay.Enqueue((spec, epochs, run));
                return;
            }
            var requests = new List<TrialRequest>();
            if (folds is null)
                requests.Add(new TrialRequest(spec.Trial, spec.Parameters, spec.Seed, epochs)
                { CheckpointPath = checkpointDir is null ? null : CheckpointFile(checkpointDir, spec.Trial), PruneThresholds = thresholds });
            else
                foreach (var f in folds)
                    requests.Add(new TrialRequest(spec.Trial, spec.Parameters, SweepPlan.TrialSeed(spec.Seed, f.Number), epochs)
                    { Fold = f.Number, Repeat = f.Repeat, TrainRows = f.TrainRows, ValidationRows = f.TestRows });
            foreach (var r in requests)
                if (running) EnqueueTrial(r); else initial.Add(r);
        }

        // Trial k of a search that learns from earlier trials (TPE proposals, median thresholds) learns from trials
        // 1..W(k) and waits for them, so it decides the same whatever the timing: W(k) = max(startup, k - parallelism).
        int Window(int k)
        {
            int w = 0;
            if (tpe is not null && k > tpe.StartupTrials) w = Math.Max(w, Math.Min(k - 1, Math.Max(tpe.StartupTrials, k - Parallelism)));
            if (median && k > MedianStartupTrials) w = Math.Max(w, Math.Min(k - 1, Math.Max(MedianStartupTrials, k - Parallelism)));
            return w;
        }

        void ProposeReady()
        {
            while (nextTrial <= total)
            {
                int window = Window(nextTrial);
                if (Enumerable.Range(1, window).Any(t => !finished.ContainsKey(t))) return;
                var spec = tpe is null ? planned![nextTrial - 1]
                    : tpe.Propose(nextTrial, Enumerable.Range(1, window).Select(t => new TrialObservation(specs[t], finished[t].Status == "Completed" ? finished[t].Best : null)).ToList());
                double[]? thresholds = null;
                if (median && window > 0)
                    thresholds = MedianStopping.Thresholds(Enumerable.Range(1, window).Where(t => finished[t].Status != "Failed").Select(t => finished[t].Records), monitor.Name, Epochs);
                Submit(spec, Epochs, thresholds);
                nextTrial++;
            }
        }

        void Handle(TrialSpec spec, int epochs, TrialResult run, bool fromJournal)
        {
            if (schedule is null)
            {
                finished[spec.Trial] = run;
                Final(run, epochs);
                if (sequential) ProposeReady();
                return;
            }
            if (!fromJournal && journal is not null) journal.Append(TrialJournal.ToRecord(run, "run", epochs));
            lastRun[spec.Trial] = (run, epochs);
            var (runs, verdicts) = schedule.Report(spec.Trial, epochs, run.Status == "Completed" ? run.Best : null);
            foreach (var v in verdicts)
            {
                var (last, lastEpochs) = lastRun[v.Trial];
                if (v.Pruned) { last.Status = "Pruned"; last.PrunedAtEpoch = lastEpochs; }
                Final(last, lastEpochs);
            }
            foreach (var next in runs) Submit(specs[next.Trial], next.Epochs);
        }

        void Drain()
        {
            while (replay.TryDequeue(out var x)) Handle(x.Spec, x.Epochs, x.Run, fromJournal: true);
        }

        if (schedule is not null) foreach (var run in schedule.Start()) Submit(planned![run.Trial - 1], run.Epochs);
        else if (sequential) ProposeReady();
        else foreach (var spec in planned!) Submit(spec, Epochs);
        Drain();
        if (journal is not null && replayed > 0) WriteVerbose($"Resumed from the journal: {replayed} runs recorded there were not run again.");

        try
        {
            if (initial.Count == 0) return;
            running = true;
            RunTrials(settings, initial, folds is null ? "trials" : "trial folds",
                done: (t, w, outcome) =>
                {
                    var spec = specs[t.Trial];
                    TrialResult? run = null;
                    if (folds is null)
                    {
                        run = Result(spec, t, w.Host, outcome, monitor);
                        if (checkpointDir is not null) KeepCheckpoint(run, t, outcome, checkpointDir);
                    }
                    else
                    {
                        if (!foldOutcomes.TryGetValue(t.Trial, out var list)) foldOutcomes[t.Trial] = list = new();
                        list.Add((t, w, outcome));
                        if (list.Count == folds.Count) { foldOutcomes.Remove(t.Trial); run = FoldedResult(spec, list, monitor); }
                    }
                    if (run is null || emitted.Contains(t.Trial)) return;
                    Handle(spec, t.Epochs, run, fromJournal: false);
                    Drain();
                },
                noHost: t =>
                {
                    // One result per trial, however many of its folds were left without a host. Not journaled: the trial did not fail, its hosts did.
                    if (emitted.Contains(t.Trial) || !specs.TryGetValue(t.Trial, out var spec)) return;
                    Emit(new TrialResult(t.Trial, ParameterTable(spec), spec.Seed, monitor.Name)
                    {
                        Attempts = t.Attempts, Host = string.Join(", ", t.LostHosts), ErrorId = "NoSweepHostLeft", Folds = Folds ?? 0,
                        Error = $"Every host of the sweep dropped out before trial {t.Trial} could finish. Check the hosts and run the sweep again for the missing trials.",
                    });
                },
                plannedRequests: Math.Max(initial.Count, total));
        }
        finally
        {
            if (showProgress) WriteProgress(new ProgressRecord(2, "Sweep", "Done") { RecordType = ProgressRecordType.Completed });
            WriteVerbose($"Sweep done in {sweepClock.Elapsed.TotalSeconds:0.0} s: {completed} completed, {pruned} pruned, {failed} failed.");
        }
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
        if (outcome.Failure(monitor) is var (id, message)) { r.ErrorId = id; r.Error = message; return r; }
        r.Status = outcome.PrunedAtEpoch is int pe ? "Pruned" : "Completed";
        r.PrunedAtEpoch = outcome.PrunedAtEpoch;
        return r;
    }

    /// <summary>A cross-validated trial: Best is the mean of the folds' best values, Records the per-epoch mean over the folds.</summary>
    private TrialResult FoldedResult(TrialSpec spec, List<(TrialRequest Request, RunspaceTrialWorker Worker, TrialOutcome Outcome)> folds, TrialMonitor monitor)
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
            if (outcome.Failure(monitor) is var (id, message))
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

    internal static PSObject ToPSObject(TrialResult r, string monitorProperty) => ResultView.Trial(r, monitorProperty);
}

/// <summary>Completes -Monitor with the usual history names.</summary>
public sealed class MonitorCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => new[] { "val_loss", "val_accuracy", "loss", "accuracy" }
        .Concat(MetricFactory.Names.SelectMany(m => new[] { "val_" + m, m })).Distinct();
}
