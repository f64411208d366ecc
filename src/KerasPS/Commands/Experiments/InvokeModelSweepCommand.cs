using System.Collections;
using System.Diagnostics;
using KerasPS.Engine.Data;
using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Sweeps;
using KerasPS.Engine.Sweeps.Studies;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Experiments;

/// <summary>
/// <para type="synopsis">Trains one model per combination of hyperparameters (a grid, or random samples) and writes one KerasPS.TrialResult
/// per trial as each trial finishes.</para>
/// <para type="description">-ModelScript is called with a hashtable of one trial's values and returns a compiled model; the trial then
/// trains it with Invoke-ModelFit semantics on -Data. Trials run in parallel in separate runspaces of this process (-ThrottleLimit), which
/// share the cores: libtorch's intra-op threads are split between them for the sweep and restored afterwards. With -Session, -HostName or
/// -ComputerName the trials run on remote PowerShell hosts that have KerasPS: the data crosses as plain arrays, the model is rebuilt there
/// from the same script text, and a host that drops out has its trial retried on another one. Every trial, local or remote, runs through
/// Invoke-ModelTrial. With -Folds k each trial trains k times, once per fold of a (stratified) k-fold split of -Data that every trial
/// shares, and is scored by the mean of its folds' best values (Best, with BestStd and FoldScores), so the winner is not picked by the luck
/// of one split. -ModelScript gets the trial's training part as its second argument (param($p, $train)), for Add-NormalizationLayer -Adapt.
/// Each trial's seed is derived from the sweep seed and the trial number, so trial k gives the same result whatever the throttle or the
/// host. A trial that fails (bad parameter combination, a loss that becomes NaN) is written as a Failed result with its error, and the
/// sweep goes on. The script runs in its own runspace: pass values in through -Parameters, not through variables of the caller.</para>
/// <para type="description">Searches that learn and survive: -Search Tpe proposes each trial after the first 10 from the trials already
/// finished (a Tree-structured Parzen Estimator, as Optuna's default sampler). -Prune Hyperband trains many trials for a few epochs and
/// only the best for more (KerasTuner's Hyperband); -Prune Median stops a trial whose best so far is worse than the earlier trials' median
/// at the same epoch (Optuna's MedianPruner); pruned trials end as Pruned, with the epoch they reached. -Journal records each trial on the
/// disk as it ends, so a sweep killed at any moment and started again with the same -Journal finishes with the same results, each trial
/// trained once.</para>
/// </summary>
/// <example><code>Invoke-ModelSweep -Parameters @{ Units = 32, 64; LearningRate = 0.1, 0.01 } -ModelScript {
///     param($p)
///     New-Model | Add-DenseLayer -Units $p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
///         Build-Model -Optimizer (New-Optimizer sgd -LearningRate $p.LearningRate) -Loss categorical_crossentropy
/// } -Data $train -ValidationData $val -Epochs 10 -Seed 42 -ThrottleLimit 2 | Sort-Object ValLoss | Select-Object -First 3</code></example>
/// <example><code>$space = @{ LearningRate = [KerasPS.LogUniform]::new(1e-4, 1e-1); Units = [KerasPS.IntRange]::new(16, 256) }
/// Invoke-ModelSweep -Random -Trials 20 -Parameters $space -ModelScript $build -Data $train -ValidationSplit 0.2 -Epochs 10 |
///     Export-Csv sweep.csv</code></example>
/// <example><code>$results = Invoke-ModelSweep @sweep -CheckpointDirectory ./sweep-models
/// $best = $results | Sort-Object ValLoss | Select-Object -First 1
/// $model = Import-Checkpoint -Path $best.Checkpoint</code></example>
/// <example><code>$s = New-PSSession -HostName gpu1, gpu2 -UserName ml
/// $remote = @{ Session = $s; ModulePath = '/opt/KerasPS/KerasPS.psd1' }
/// $space = @{ Units = 64, 128, 256 }
/// Invoke-ModelSweep @remote -Parameters $space -ModelScript $build -Data $train -ValidationData $val -Epochs 20</code></example>
/// <example><code># Each trial scored by its 5-fold cross-validated mean val_loss (BestStd is the spread over the folds).
/// $space = @{ Units = 32, 64, 128 }
/// Invoke-ModelSweep -Parameters $space -ModelScript $build -Data $train -Folds 5 -Stratify -Epochs 20 -Seed 1 -ThrottleLimit 2 |
///     Sort-Object Best</code></example>
/// <example><code># Bayesian search: after 10 random trials, each proposed from the finished ones (TPE).
/// $space = @{
///     Units = [KerasPS.IntRange]::new(16, 256)
///     LearningRate = [KerasPS.LogUniform]::new(1e-4, 1e-1)
///     Dropout = [KerasPS.Uniform]::new(0, 0.5)
/// }
/// $fit = @{ Data = $train; ValidationData = $val; Epochs = 20 }
/// Invoke-ModelSweep -Search Tpe -Trials 40 -Parameters $space -ModelScript $build @fit -Seed 7</code></example>
/// <example><code># Hyperband: 17 trials on 1, 3 and 9 epochs; the hopeless ones stop early and come back as Pruned.
/// Invoke-ModelSweep -Prune Hyperband -Epochs 9 -Parameters $space -ModelScript $build -Data $train -ValidationData $val -Seed 7 |
///     Where-Object Status -eq Completed | Sort-Object ValLoss</code></example>
/// <example><code># A sweep that survives a restart: run the same line again after a crash and it finishes what is missing.
/// $fit = @{ Data = $train; ValidationData = $val; Epochs = 20 }
/// Invoke-ModelSweep -Search Tpe -Trials 40 -Parameters $space -ModelScript $build @fit -Journal ./otto-sweep.jsonl
/// Import-SweepJournal ./otto-sweep.jsonl | Sort-Object ValLoss | Select-Object -First 5</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "ModelSweep", DefaultParameterSetName = LocalSet, SupportsShouldProcess = true)]
[OutputType(typeof(TrialResult))]
public sealed class InvokeModelSweepCommand : TrialCommandBase
{
    private static readonly HashSet<string> Reserved =
        new(typeof(TrialResult).GetProperties().Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    /// <summary>The search space: name = list of values (a grid takes every combination), or a range ([KerasPS.Uniform],
    /// [KerasPS.LogUniform], [KerasPS.IntRange]) for -Random. Use [ordered]@{} to fix the grid order; otherwise names are taken in
    /// alphabetical order.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public IDictionary Parameters { get; set; } = null!;

    /// <summary>Builds one trial's model: param($p, $train) ... returns a compiled model ($p.Name is the trial's value of Name; $train is
    /// the data the trial trains on).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public ScriptBlock ModelScript { get; set; } = null!;

    /// <summary>Data to compute val_loss and val_* metrics on after each epoch.</summary>
    [Parameter] public Dataset? ValidationData { get; set; }

    /// <summary>Fraction of -Data held out for validation (the last rows), as Invoke-ModelFit -ValidationSplit.</summary>
    [Parameter] public double ValidationSplit { get; set; }

    /// <summary>Score each trial by k-fold cross-validation on -Data: the mean of the folds' best monitored values (at least 2; no
    /// -ValidationData or -ValidationSplit).</summary>
    [Parameter]
    [ValidateRange(2, 100)]
    public int? Folds { get; set; }

    /// <summary>With -Folds: keep each class's share in every fold (stratified k-fold).</summary>
    [Parameter] public SwitchParameter Stratify { get; set; }

    /// <summary>Folder that keeps each trial's best model by -Monitor, as trial-001.kpt, trial-002.kpt, ... (created if missing; files from
    /// remote hosts are copied back). Each result's Checkpoint names its file.</summary>
    [Parameter] public string? CheckpointDirectory { get; set; }

    /// <summary>Sample the space at random instead of taking the whole grid (with -Trials); the same as -Search Random.</summary>
    [Parameter] public SwitchParameter Random { get; set; }

    /// <summary>Number of trials of a random or TPE search (with -Random or -Search Random or Tpe).</summary>
    [Parameter] public int? Trials { get; set; }

    /// <summary>How trials are chosen: Grid (every combination; the default), Random (-Trials samples), or Tpe (-Trials trials; after 10
    /// random ones, each is proposed from the trials already finished by a Tree-structured Parzen Estimator, Optuna's default sampler).
    /// Proposals wait for the trials they learn from, so a TPE sweep is reproducible for a given seed and -ThrottleLimit (or number of
    /// hosts).</summary>
    [Parameter]
    [ValidateSet("Grid", "Random", "Tpe")]
    public string? Search { get; set; }

    /// <summary>Stops hopeless trials early. Hyperband (KerasTuner's Hyperband, Li et al. 2018): brackets of successive halving up to
    /// -Epochs epochs; each rung keeps the best 1/-PruneFactor of its trials by -Monitor and trains them -PruneFactor times longer (again
    /// from the start, with the same seed), the rest end as Pruned; the brackets fix how many trials are sampled at random from the space.
    /// Median (the median stopping rule, Optuna's MedianPruner; with any search): after the first 5 trials, a trial stops after the first
    /// epoch at which its best value so far is worse than the median of the earlier trials' values at that epoch. None (the default) trains
    /// every trial for -Epochs.</summary>
    [Parameter]
    [ValidateSet("None", "Hyperband", "Median")]
    public string Prune { get; set; } = "None";

    /// <summary>With -Prune Hyperband: the reduction factor (KerasTuner's factor, 3 by default).</summary>
    [Parameter]
    [ValidateRange(2, 100)]
    public int PruneFactor { get; set; } = 3;

    /// <summary>A file of JSON lines that records every finished, failed and pruned trial as it ends, each record on the disk before the
    /// sweep goes on. Run the same sweep with the same -Journal after a crash or a restart (the seed is taken from the journal when -Seed
    /// is left out) and it skips what is recorded, reruns what was cut short and writes the same results as an unbroken sweep.
    /// Import-SweepJournal reads it back. While the sweep runs it holds an OS lock on the file's .lock beside it: a second sweep
    /// on the same journal is refused (JournalLocked) with the holder's process id.</summary>
    [Parameter] public string? Journal { get; set; }

    /// <summary>Run the sweep as a study in a database (sqlite:///sweep.db, or postgresql://user@host:port/db) in Optuna's format:
    /// -ThrottleLimit local workers take its trials as Start-SweepWorker does (the same trial k, parameters and seed as without
    /// -Storage), and workers started elsewhere with Start-SweepWorker can join. The study (-Study) is created when missing and
    /// resumed when it exists with the same settings. Not with -Journal, -Folds or -CheckpointDirectory.</summary>
    [Parameter(ParameterSetName = LocalSet)] public string? Storage { get; set; }

    /// <summary>With -Storage: the study's name (kerasps-sweep by default).</summary>
    [Parameter(ParameterSetName = LocalSet)]
    [ArgumentCompleter(typeof(StudyNameCompleter))]
    public string Study { get; set; } = "kerasps-sweep";

    /// <summary>With -Storage: the PostgreSQL user and password (instead of the URL's; PGPASSWORD is the last resort).</summary>
    [Parameter(ParameterSetName = LocalSet)]
    [Credential]
    public PSCredential? StorageCredential { get; set; }

    private CancellationTokenSource? studyStop;

    protected override void Process()
    {
        CheckFitSettings(ValidationSplit, ValidationData is not null);
        bool hyperband = string.Equals(Prune, "Hyperband", StringComparison.OrdinalIgnoreCase);
        bool median = string.Equals(Prune, "Median", StringComparison.OrdinalIgnoreCase);
        string search = (Search ?? (Random || hyperband ? "Random" : "Grid")).ToLowerInvariant() switch
        {
            "random" => "Random", "tpe" => "Tpe", _ => "Grid"
        };
        if (Random && Search is not null && search != "Random")
            Fail("SearchConflict", ErrorCategory.InvalidArgument,
                $"-Random is the same as -Search Random; leave it out with -Search {search}.", search);
        if (hyperband)
        {
            if (search != "Random")
                Fail("PruneNeedsRandomSearch", ErrorCategory.InvalidArgument,
                    $"-Prune Hyperband samples its trials at random, as KerasTuner's Hyperband does; leave out -Search {search}.", search);
            if (Trials.HasValue)
                Fail("TrialsWithHyperband", ErrorCategory.InvalidArgument,
                    "-Prune Hyperband decides how many trials to sample from -Epochs and -PruneFactor; leave out -Trials.", Trials);
            if (Folds is not null)
                Fail("FoldsWithPrune", ErrorCategory.InvalidArgument,
                    "-Prune compares trials by their validation value at each budget; it does not combine with -Folds.", Folds);
        }
        else if (search == "Grid" && Trials.HasValue)
            Fail("TrialsWithoutRandom", ErrorCategory.InvalidArgument,
                "-Trials is the number of random or TPE trials; add -Random (or -Search Tpe), or leave -Trials out to run the whole grid.");
        else if (search != "Grid" && !Trials.HasValue)
            Fail("TrialsRequired", ErrorCategory.InvalidArgument, $"-Search {search} needs -Trials N (how many trials to run).");
        if (median && Folds is not null)
            Fail("FoldsWithPrune", ErrorCategory.InvalidArgument,
                "-Prune compares trials by their validation value at each epoch; it does not combine with -Folds.", Folds);
        if (Folds is not null && (ValidationData is not null || ValidationSplit > 0))
            Fail("FoldsWithValidation", ErrorCategory.InvalidArgument,
                "-Folds validates each trial on its held-out folds; leave out -ValidationData and -ValidationSplit.");
        if (Folds is not null && CheckpointDirectory is not null)
            Fail("FoldsWithCheckpoints", ErrorCategory.InvalidArgument,
                "-Folds trains each trial once per fold, so there is no one best model to keep; "
                + "leave out -CheckpointDirectory and train the winner on all the data.");
        if (Stratify && Folds is null)
            Fail("StratifyWithoutFolds", ErrorCategory.InvalidArgument, "-Stratify applies to the folds of -Folds; add -Folds k.");
        bool hasValidation = ValidationData is not null || ValidationSplit > 0 || Folds is not null;
        var monitor = new TrialMonitor(Monitor ?? (hasValidation ? "val_loss" : "loss"));
        if (monitor.Name.StartsWith("val_", StringComparison.Ordinal) && !hasValidation)
            Fail("MonitorNeedsValidation", ErrorCategory.InvalidArgument,
                $"-Monitor {monitor.Name} is a validation value; give -ValidationData, -ValidationSplit or -Folds, "
                + "or monitor a training value such as loss.", monitor.Name);
        var monitorProperty = KerasNames.ToPascal(monitor.Name);

        var space = Space();
        foreach (var (name, _) in space)
            if (Reserved.Contains(name) || name.Equals(monitorProperty, StringComparison.OrdinalIgnoreCase))
                Fail("ReservedParameterName", ErrorCategory.InvalidArgument,
                    $"A sweep parameter cannot be named '{name}': every result already has a property of that name. "
                    + $"Rename it (e.g. '{name}Value').", name);

        if (Storage is not null)
        {
            RunStudy(search, hyperband, median, space, monitor);
            return;
        }

        SweepJournal? journal = null;
        try
        {
            long seed;
            string pruneText = hyperband ? $"Hyperband(factor={PruneFactor})" : median ? "Median" : "None";
            string spaceText = string.Join("; ", space.Select(kv =>
                kv.Key + "=" + string.Join(",", kv.Value.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))));
            if (Journal is not null)
            {
                var path = ResolveOutputPath(Journal);
                if (!ShouldProcess(path, "Record the sweep's trials in this journal")) return;
                try { journal = SweepJournal.Open(path); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Fail("JournalUnavailable", ErrorCategory.WriteError, $"Cannot open the sweep journal '{path}': {e.Message}", path);
                }
                if (journal!.HadTornTail)
                    WriteVerbose($"The journal ended in a half-written record (the last run was killed while writing it); it was cut off.");
                var header = journal.Records.FirstOrDefault(r => r.Kind == "sweep");
                if (header is null)
                {
                    seed = Seed ?? MersenneTwister.RandomSeed();
                    journal.Append(new JournalRecord
                    {
                        Kind = "sweep", SweepSeed = seed, Search = search, Prune = pruneText, Space = spaceText, Monitor = monitor.Name,
                        Epochs = Epochs, Folds = Folds ?? 0,
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
                        Fail("JournalMismatch", ErrorCategory.InvalidArgument,
                            $"The journal '{path}' belongs to another sweep: {string.Join("; ", differences)}. "
                            + "Give the same settings to resume it, or a new -Journal for a new sweep.", path);
                }
            }
            else seed = Seed ?? MersenneTwister.RandomSeed();
            RunSweep(Settings(ModelScript.ToString(), monitor.Name, ValidationData, ValidationSplit), search, hyperband, median, space,
                seed, monitor, journal);
        }
        finally
        {
            journal?.Dispose();
        }
    }

    /// <summary>
    /// Runs the sweep: the engine's <see cref="SweepRun"/> plans, prunes, journals and scores the trials; this cmdlet runs its
    /// requests on the workers and writes each trial as it finishes.
    /// </summary>
    private void RunSweep(TrialSettings settings, string search, bool hyperband, bool median, List<KeyValuePair<string, object?[]>> space,
        long seed, TrialMonitor monitor, SweepJournal? journal)
    {
        // Every trial is scored on the same folds, so trials differ only by their parameters.
        var options = new SweepOptions
        {
            Space = space, Search = search, Hyperband = hyperband, PruneFactor = PruneFactor, Median = median, Epochs = Epochs,
            Trials = Trials, Parallelism = Parallelism, Monitor = monitor, Seed = seed, Journal = journal,
            Folds = Folds is int k ? FoldSplitter.Split(Data.Engine, k, Stratify, 1, seed) : null,
        };
        var sweepClock = Stopwatch.StartNew();
        // The view shows only what tells trials apart: a parameter with one fixed value is the same in every trial.
        var varying = space.Where(kv => kv.Value.Length > 1 || kv.Value.Any(v => PSValue.Unwrap(v) is ParameterRange))
            .Select(kv => kv.Key).ToArray();
        if (varying.Length == 0) varying = space.Select(kv => kv.Key).ToArray();
        bool showProgress = ProgressWanted();
        SweepRun? sweep = null;
        void Emit(TrialRun run)
        {
            var r = new TrialResult(run) { Varying = varying };
            WriteVerbose(r.ToString() + (r.PrunedAtEpoch is int pe ? $" - pruned at epoch {pe}" : "")
                + (r.Error is null ? "" : $" - {r.ErrorId}: {r.Error}"));
            WriteObject(ResultView.Trial(r));
            if (showProgress)
                WriteProgress(new ProgressRecord(2, "Sweep",
                    $"{sweep!.Reported} of {sweep.Total} trials done ({sweep.Pruned} pruned, {sweep.Failed} failed)")
                { PercentComplete = (int)(100L * sweep.Reported / sweep.Total) });
        }
        string? checkpointDir = CheckpointDirectory is null ? null : ResolveOutputPath(CheckpointDirectory);
        sweep = new SweepRun(options) { CheckpointDirectory = checkpointDir, Finished = Emit, Warn = WriteWarning };
        if (checkpointDir is not null)
        {
            if (!ShouldProcess(checkpointDir, $"Run {sweep.Total} trials and keep each trial's best model")) return;
            try { WindowsFileNames.CreateDirectory(checkpointDir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail("CheckpointDirectoryUnavailable", ErrorCategory.WriteError,
                    $"Cannot create the checkpoint folder '{checkpointDir}': {e.Message}", checkpointDir);
            }
        }
        WriteVerbose($"Sweep of {sweep.Total} trials "
            + $"({search}{(hyperband ? $", Hyperband with factor {PruneFactor} over {sweep.BracketCount} brackets" : "")}, "
            + $"seed {seed}){(options.Folds is null ? "" : $", {Folds} folds each")}, monitoring {monitor.Name} ({monitor.Mode}).");

        var initial = sweep.Start();
        if (journal is not null && sweep.Replayed > 0)
            WriteVerbose($"Resumed from the journal: {sweep.Replayed} runs recorded there were not run again.");
        try
        {
            if (initial.Count == 0) return;
            RunTrials(settings, initial, options.Folds is null ? "trials" : "trial folds",
                done: (t, w, outcome) => { foreach (var next in sweep.Done(t, w.Host, outcome)) EnqueueTrial(next); },
                noHost: sweep.NoHost,
                plannedRequests: Math.Max(initial.Count, sweep.Total));
        }
        finally
        {
            if (showProgress) WriteProgress(new ProgressRecord(2, "Sweep", "Done") { RecordType = ProgressRecordType.Completed });
            WriteVerbose($"Sweep done in {sweepClock.Elapsed.TotalSeconds:0.0} s: {sweep.Completed} completed, {sweep.Pruned} pruned, "
                + $"{sweep.Failed} failed.");
        }
    }

    /// <summary>The sweep as a database study: created or resumed, then run by -ThrottleLimit local study workers.</summary>
    private void RunStudy(string search, bool hyperband, bool median, List<KeyValuePair<string, object?[]>> space, TrialMonitor monitor)
    {
        if (Journal is not null || Folds is not null || CheckpointDirectory is not null)
            Fail("StorageConflict", ErrorCategory.InvalidArgument,
                "-Storage keeps the sweep in a database; leave out -Journal, -Folds and -CheckpointDirectory.");
        if (hyperband && Trials is null)
            Fail("TrialsRequired", ErrorCategory.InvalidArgument,
                "-Prune Hyperband with -Storage prunes by asynchronous successive halving over a budget; give -Trials N.");
        var storage = StudyWorkers.Open(this, Storage!, StorageCredential);
        using var connections = storage.ConnectionScope();   // the study file is not held open afterwards
        if (!ShouldProcess($"{storage.Display} study '{Study}'", "Run the sweep's trials in this study")) return;
        StudyInfo info;
        if (StudyStore.Names(storage).Contains(Study, StringComparer.Ordinal))
        {
            info = StudyStore.Load(storage, Study);
            var d = info.Definition;
            var differences = new List<string>();
            if (d is null) differences.Add("it was not created by KerasPS");
            else
            {
                if (Seed is long given && given != d.Seed) differences.Add($"-Seed {given} (the study's is {d.Seed})");
                if (d.Search != search) differences.Add($"search {search} (the study's is {d.Search})");
                if (d.Monitor.Name != monitor.Name) differences.Add($"monitor {monitor.Name} (the study's is {d.Monitor.Name})");
                if (d.Epochs != Epochs) differences.Add($"-Epochs {Epochs} (the study's is {d.Epochs})");
                if (Trials is int t && t != d.Trials) differences.Add($"-Trials {t} (the study's is {d.Trials})");
                var mine = string.Join(";", space.Select(kv => OptunaDistribution.From(kv.Key, kv.Value).Json));
                if (mine != string.Join(";", info.Distributions.Select(x => x.Json))) differences.Add("other parameters");
            }
            if (differences.Count > 0)
                Fail("StudyMismatch", ErrorCategory.InvalidArgument,
                    $"Study '{Study}' in {storage.Display} belongs to another sweep: {string.Join("; ", differences)}. "
                    + "Give the same settings to resume it, or another -Study.", Study);
            WriteVerbose($"Resuming study '{Study}' in {storage.Display}.");
        }
        else
        {
            long seed = Seed ?? MersenneTwister.RandomSeed();
            info = StudyStore.Create(storage, new StudyDefinition
            {
                Name = Study, Space = space, Search = search, Prune = hyperband ? "Hyperband" : median ? "Median" : "None",
                PruneFactor = PruneFactor, Monitor = monitor, Trials = Trials ?? SweepPlan.Grid(space, seed).Count, Epochs = Epochs,
                Seed = seed,
            });
        }
        var varying = space.Where(kv => kv.Value.Length > 1 || kv.Value.Any(v => PSValue.Unwrap(v) is ParameterRange))
            .Select(kv => kv.Key).ToArray();
        if (varying.Length == 0) varying = space.Select(kv => kv.Key).ToArray();
        var settings = Settings(ModelScript.ToString(), monitor.Name, ValidationData, ValidationSplit);
        studyStop = new CancellationTokenSource();
        try
        {
            StudyWorkers.Run(this, ThrottleLimit, Threads, storage, info, settings, new StudyWorkerOptions(),
                run => WriteObject(ResultView.Trial(new TrialResult(run) { Varying = varying })), studyStop.Token);
        }
        finally
        {
            studyStop.Dispose();
            studyStop = null;
        }
    }

    protected override void StopProcessing()
    {
        studyStop?.Cancel();
        base.StopProcessing();
    }

    private List<KeyValuePair<string, object?[]>> Space() => StudyWorkers.Space(Parameters);
}

/// <summary>Completes -Monitor with the usual history names.</summary>
public sealed class MonitorCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => new[] { "val_loss", "val_accuracy", "loss", "accuracy" }
        .Concat(KerasObjects.Metrics.Names.SelectMany(m => new[] { "val_" + m, m })).Distinct();
}
