using KerasPS.Engine.Data;

namespace KerasPS.Engine.Sweeps;

/// <summary>What a sweep searches and how: the settings Invoke-ModelSweep binds, checked there.</summary>
public sealed class SweepOptions
{
    public required IReadOnlyList<KeyValuePair<string, object?[]>> Space { get; init; }

    /// <summary>Grid, Random or Tpe.</summary>
    public required string Search { get; init; }
    public bool Hyperband { get; init; }
    public int PruneFactor { get; init; } = 3;
    public bool Median { get; init; }
    public required int Epochs { get; init; }

    /// <summary>Trials of a random or TPE search; null for a grid or Hyperband.</summary>
    public int? Trials { get; init; }

    /// <summary>Trials that run at once (the throttle or the number of hosts): how far TPE and median stopping look back.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>The folds every trial is scored on (-Folds), or null.</summary>
    public IReadOnlyList<Fold>? Folds { get; init; }
    public required TrialMonitor Monitor { get; init; }
    public required long Seed { get; init; }
    public SweepJournal? Journal { get; init; }
}

/// <summary>
/// A sweep as a state machine over trial requests: it plans the trials (a grid, random samples, TPE proposals or
/// Hyperband's brackets), skips what its journal already holds, turns the outcomes of requests into trial runs
/// (one per trial, a cross-validated trial once all its folds are in), prunes (Hyperband rungs, median stopping) and
/// records each run in the journal. The caller runs the requests it hands out (<see cref="Start"/>, then
/// <see cref="Done"/>) on a <see cref="TrialScheduler"/> and writes what <see cref="Finished"/> reports.
/// </summary>
public sealed class SweepRun
{
    /// <summary>Trials before the median stopping rule starts to prune (Optuna's MedianPruner n_startup_trials).</summary>
    public const int MedianStartupTrials = 5;

    private readonly SweepOptions o;
    private readonly HyperbandSchedule? schedule;
    private readonly TpeSampler? tpe;
    private readonly IReadOnlyList<TrialSpec>? planned;
    private readonly Dictionary<(int Trial, int Epochs), JournalRecord> memo = new();
    private readonly HashSet<int> journaledResults = new();
    private readonly Dictionary<int, TrialSpec> specs = new();
    private readonly HashSet<int> emitted = new();
    private readonly Dictionary<int, List<(TrialRequest Request, string Host, TrialOutcome Outcome)>> foldOutcomes = new();
    private readonly List<TrialRequest> pending = new();
    private readonly Queue<(TrialSpec Spec, int Epochs, TrialRun Run)> replay = new();
    private readonly Dictionary<int, (TrialRun Run, int Epochs)> lastRun = new();
    private readonly Dictionary<int, TrialRun> finished = new();
    private int nextTrial = 1;

    public SweepRun(SweepOptions options)
    {
        o = options;
        var space = o.Space;
        schedule = o.Hyperband ? new HyperbandSchedule(o.Epochs, o.PruneFactor, o.Monitor.HigherIsBetter) : null;
        tpe = o.Search == "Tpe" ? new TpeSampler(space, o.Seed, o.Monitor.HigherIsBetter) : null;
        planned = schedule is not null ? SweepPlan.Random(space, schedule.TotalTrials, o.Seed)
            : o.Search == "Random" ? SweepPlan.Random(space, o.Trials!.Value, o.Seed)
            : o.Search == "Grid" ? SweepPlan.Grid(space, o.Seed) : null;
        Total = planned?.Count ?? o.Trials!.Value;
        if (tpe is not null && Total < 1) SweepPlan.Random(space, Total, o.Seed);   // the usual InvalidTrials error
        // What the journal already holds: finished runs by (trial, epochs), and the trials whose result is written.
        foreach (var r in o.Journal?.Records ?? Array.Empty<JournalRecord>())
        {
            if (r.Kind == "run") memo[(r.Trial, r.Epochs)] = r;
            else if (r.Kind == "result") { journaledResults.Add(r.Trial); memo.TryAdd((r.Trial, r.Epochs), r); }
        }
    }

    /// <summary>Trials the sweep runs (and reports) in all.</summary>
    public int Total { get; }
    public int BracketCount => schedule?.Brackets.Count ?? 0;

    /// <summary>Folder that keeps each trial's best model (trial-001.kpt, ...), or null.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Gets each trial's final run, in the order trials finish.</summary>
    public Action<TrialRun>? Finished { get; init; }

    /// <summary>Gets what a trial could not do but that does not fail it (a checkpoint that could not be saved).</summary>
    public Action<string>? Warn { get; init; }

    public int Completed { get; private set; }
    public int Pruned { get; private set; }
    public int Failed { get; private set; }
    public int Reported => emitted.Count;

    /// <summary>Runs read back from the journal instead of trained.</summary>
    public int Replayed { get; private set; }

    private bool Sequential => tpe is not null || o.Median;   // trials proposed one by one as what they learn from finishes

    /// <summary>Plans the first trials, reports what the journal already holds, and returns the requests to run.</summary>
    public IReadOnlyList<TrialRequest> Start()
    {
        if (schedule is not null) foreach (var run in schedule.Start()) Submit(planned![run.Trial - 1], run.Epochs);
        else if (Sequential) ProposeReady();
        else foreach (var spec in planned!) Submit(spec, o.Epochs);
        Drain();
        return TakePending();
    }

    /// <summary>Takes a finished request's outcome; returns the requests that it makes ready (promotions, proposals).</summary>
    public IReadOnlyList<TrialRequest> Done(TrialRequest t, string host, TrialOutcome outcome)
    {
        var spec = specs[t.Trial];
        TrialRun? run = null;
        if (o.Folds is null)
        {
            run = Result(spec, t, host, outcome);
            if (CheckpointDirectory is not null) KeepCheckpoint(run, t, outcome);
        }
        else
        {
            if (!foldOutcomes.TryGetValue(t.Trial, out var list)) foldOutcomes[t.Trial] = list = new();
            list.Add((t, host, outcome));
            if (list.Count == o.Folds.Count) { foldOutcomes.Remove(t.Trial); run = FoldedResult(spec, list); }
        }
        if (run is not null && !emitted.Contains(t.Trial))
        {
            Handle(spec, t.Epochs, run, fromJournal: false);
            Drain();
        }
        return TakePending();
    }

    /// <summary>
    /// A request left without a host: one failed result per trial, however many of its folds were left. Not journaled:
    /// the trial did not fail, its hosts did.
    /// </summary>
    public void NoHost(TrialRequest t)
    {
        if (emitted.Contains(t.Trial) || !specs.TryGetValue(t.Trial, out var spec)) return;
        Emit(new TrialRun(t.Trial, spec.Parameters, spec.Seed, o.Monitor.Name)
        {
            Attempts = t.Attempts, Host = string.Join(", ", t.LostHosts), ErrorId = "NoSweepHostLeft", Folds = o.Folds?.Count ?? 0,
            Error = $"Every host of the sweep dropped out before trial {t.Trial} could finish. " +
                "Check the hosts and run the sweep again for the missing trials.",
        });
    }

    public static string CheckpointFile(string dir, int trial) => Path.Combine(dir, $"trial-{trial:000}.kpt");

    private List<TrialRequest> TakePending()
    {
        var list = pending.ToList();
        pending.Clear();
        return list;
    }

    private void Emit(TrialRun r)
    {
        emitted.Add(r.Trial);
        if (r.Status == "Completed") Completed++; else if (r.Status == "Pruned") Pruned++; else Failed++;
        Finished?.Invoke(r);
    }

    private void Final(TrialRun r, int epochs)
    {
        if (o.Journal is not null && journaledResults.Add(r.Trial)) o.Journal.Append(r.ToJournal("result", epochs));
        if (CheckpointDirectory is not null && r.Checkpoint is null && r.Status != "Failed"
            && CheckpointFile(CheckpointDirectory, r.Trial) is var file && File.Exists(file)) r.Checkpoint = file;
        Emit(r);
    }

    private void Submit(TrialSpec spec, int epochs, double[]? thresholds = null)
    {
        specs[spec.Trial] = spec;
        if (memo.TryGetValue((spec.Trial, epochs), out var rec))
        {
            if (!TrialRun.SameParameters(rec, spec))
                throw KerasException.BadData("JournalMismatch", $"Trial {spec.Trial} in the journal has other parameter values than this " +
                    "sweep gives it; the journal belongs to another sweep. Use a new -Journal.", spec.Trial);
            var run = TrialRun.FromRecord(rec);
            // Hyperband journals a run before its rung decides; the run itself completed its epochs.
            if (schedule is not null && run.Status == "Pruned") { run.Status = "Completed"; run.PrunedAtEpoch = null; }
            Replayed++;
            replay.Enqueue((spec, epochs, run));
            return;
        }
        if (o.Folds is null)
            pending.Add(new TrialRequest(spec.Trial, spec.Parameters, spec.Seed, epochs)
            {
                CheckpointPath = CheckpointDirectory is null ? null : CheckpointFile(CheckpointDirectory, spec.Trial),
                PruneThresholds = thresholds,
            });
        else
            foreach (var f in o.Folds)
                pending.Add(new TrialRequest(spec.Trial, spec.Parameters, SweepPlan.TrialSeed(spec.Seed, f.Number), epochs)
                { Fold = f.Number, Repeat = f.Repeat, TrainRows = f.TrainRows, ValidationRows = f.TestRows });
    }

    // Trial k of a search that learns from earlier trials (TPE proposals, median thresholds) learns from trials
    // 1..W(k) and waits for them, so it decides the same whatever the timing: W(k) = max(startup, k - parallelism).
    private int Window(int k)
    {
        int w = 0;
        if (tpe is not null && k > tpe.StartupTrials)
            w = Math.Max(w, Math.Min(k - 1, Math.Max(tpe.StartupTrials, k - o.Parallelism)));
        if (o.Median && k > MedianStartupTrials)
            w = Math.Max(w, Math.Min(k - 1, Math.Max(MedianStartupTrials, k - o.Parallelism)));
        return w;
    }

    private void ProposeReady()
    {
        while (nextTrial <= Total)
        {
            int window = Window(nextTrial);
            if (Enumerable.Range(1, window).Any(t => !finished.ContainsKey(t))) return;
            var spec = tpe is null ? planned![nextTrial - 1]
                : tpe.Propose(nextTrial, Enumerable.Range(1, window)
                    .Select(t => new TrialObservation(specs[t], finished[t].Status == "Completed" ? finished[t].Best : null)).ToList());
            double[]? thresholds = null;
            if (o.Median && window > 0)
                thresholds = MedianStopping.Thresholds(Enumerable.Range(1, window).Where(t => finished[t].Status != "Failed")
                    .Select(t => finished[t].Records), o.Monitor.Name, o.Epochs);
            Submit(spec, o.Epochs, thresholds);
            nextTrial++;
        }
    }

    private void Handle(TrialSpec spec, int epochs, TrialRun run, bool fromJournal)
    {
        if (schedule is null)
        {
            finished[spec.Trial] = run;
            Final(run, epochs);
            if (Sequential) ProposeReady();
            return;
        }
        if (!fromJournal && o.Journal is not null) o.Journal.Append(run.ToJournal("run", epochs));
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

    private void Drain()
    {
        while (replay.TryDequeue(out var x)) Handle(x.Spec, x.Epochs, x.Run, fromJournal: true);
    }

    private TrialRun Result(TrialSpec spec, TrialRequest t, string host, TrialOutcome outcome) => Score(spec, t, host, outcome, o.Monitor);

    /// <summary>A trial's run from one request's outcome: its best monitored value, and Completed, Pruned or Failed.</summary>
    internal static TrialRun Score(TrialSpec spec, TrialRequest t, string host, TrialOutcome outcome, TrialMonitor monitor)
    {
        var r = new TrialRun(spec.Trial, spec.Parameters, spec.Seed, monitor.Name)
        {
            Attempts = t.Attempts, Host = host, Records = outcome.Records, Duration = outcome.Duration,
        };
        if (monitor.Best(r.Records) is var (best, epoch)) { r.Best = best; r.BestEpoch = epoch; }
        if (outcome.Failure(monitor) is var (id, message)) { r.ErrorId = id; r.Error = message; return r; }
        r.Status = outcome.PrunedAtEpoch is int ? "Pruned" : "Completed";
        r.PrunedAtEpoch = outcome.PrunedAtEpoch;
        return r;
    }

    /// <summary>A cross-validated trial: Best is the mean of the folds' best values, Records the per-epoch mean over the folds.</summary>
    private TrialRun FoldedResult(TrialSpec spec, List<(TrialRequest Request, string Host, TrialOutcome Outcome)> folds)
    {
        var ordered = folds.OrderBy(f => f.Request.Fold).ToList();
        var r = new TrialRun(spec.Trial, spec.Parameters, spec.Seed, o.Monitor.Name)
        {
            Attempts = ordered.Max(f => f.Request.Attempts),
            Host = string.Join(", ", ordered.Select(f => f.Host).Distinct()),
            Duration = TimeSpan.FromTicks(ordered.Sum(f => f.Outcome.Duration.Ticks)),
            Records = FoldStatistics.PerEpoch(ordered.Select(f => f.Outcome.Records).ToList()),
            Folds = ordered.Count,
        };
        foreach (var (req, _, outcome) in ordered)
        {
            if (outcome.Failure(o.Monitor) is var (id, message))
            {
                r.ErrorId = id;
                r.Error = $"Fold {req.Fold}: {message}";
                return r;
            }
        }
        var scores = ordered.Select(f => o.Monitor.Best(f.Outcome.Records)!.Value.Value).ToArray();
        var (mean, std) = FoldStatistics.MeanStd(scores);
        r.FoldScores = scores;
        r.Best = mean;
        r.BestStd = std;
        r.BestEpoch = o.Monitor.Best(r.Records)?.Epoch;
        r.Status = "Completed";
        return r;
    }

    /// <summary>Points the run at its checkpoint: written in place by a local trial, or sent back as bytes by a remote one.</summary>
    private void KeepCheckpoint(TrialRun r, TrialRequest t, TrialOutcome outcome)
    {
        var path = CheckpointFile(CheckpointDirectory!, r.Trial);
        if (outcome.Checkpoint is { } bytes)
        {
            try { AtomicFile.Write(path, s => s.Write(bytes), overwrite: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Warn?.Invoke($"Trial {r.Trial}: could not save its checkpoint to '{path}': {e.Message}");
                return;
            }
        }
        // A file left by an earlier sweep in the same folder is not this trial's (it failed before saving one).
        if (File.Exists(path) && File.GetLastWriteTimeUtc(path) >= t.StartedUtc.AddSeconds(-1)) r.Checkpoint = path;
    }
}
