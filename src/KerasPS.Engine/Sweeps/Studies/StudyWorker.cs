namespace KerasPS.Engine.Sweeps.Studies;

/// <summary>How a study worker behaves: retries of lost trials, heartbeats and how long it goes on.</summary>
public sealed class StudyWorkerOptions
{
    /// <summary>How often a lost or stopped trial (its worker stopped beating, or was stopped) runs again, at most.</summary>
    public int RetryFailed { get; init; }

    /// <summary>How often the worker tells the study it is alive while a trial trains.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a RUNNING trial may go without a heartbeat before another worker fails it (Optuna's grace_period).</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The worker stops after this much time: it claims no more trials, and the trial that runs then is stopped, marked FAIL
    /// at once and retried by another worker (per <see cref="RetryFailed"/>); null for no limit.
    /// </summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>How long to wait before asking again while other workers' trials still run and the budget is spent.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// One worker of a study in a database: claims a trial (in a transaction, so no trial runs twice), runs it on an
/// <see cref="ITrialWorker"/> exactly as Invoke-ModelSweep runs its trials (the same request, seed and settings, so the
/// same result), heartbeats while it trains, writes its result, and goes on until the budget is spent, the study's last
/// trials are done, <see cref="StudyWorkerOptions.MaxDuration"/> has passed or it is cancelled. Pruning thresholds and
/// TPE proposals come from every worker's history in the study.
/// </summary>
public sealed class StudyWorker
{
    private readonly StudyStorage storage;
    private readonly StudyInfo study;
    private readonly TrialSettings settings;
    private readonly ITrialWorker worker;
    private readonly StudyWorkerOptions options;

    public StudyWorker(StudyStorage storage, StudyInfo study, TrialSettings settings, ITrialWorker worker, StudyWorkerOptions options)
    {
        this.storage = storage; this.study = study; this.settings = settings; this.worker = worker; this.options = options;
        if (study.Definition is null) StudyStore.Claim(storage, study, 0, TimeSpan.Zero);   // the StudyNotKerasPS error
    }

    /// <summary>Gets each trial this worker finished, as written to the study.</summary>
    public Action<TrialRun>? Finished { get; init; }

    /// <summary>Gets what did not stop the worker but that a user should see (a lost heartbeat, a retry).</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>Gets progress notes (verbose).</summary>
    public Action<string>? Log { get; init; }

    public int Ran { get; private set; }

    /// <summary>How long a stopped worker tries to mark its trial FAIL before it leaves that to the heartbeat grace period.</summary>
    private static readonly TimeSpan StopWriteLimit = TimeSpan.FromSeconds(15);

    public void Run(CancellationToken cancel)
    {
        var d = study.Definition!;
        // -MaxDuration stops the trial that runs when it passes, as a stop from the user does (the job that started the
        // worker may end right after): the trial is failed at once and retried by another worker.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (options.MaxDuration is TimeSpan max) limit.CancelAfter(max);
        while (!limit.IsCancellationRequested)
        {
            var (status, claimed) = StudyStore.Claim(storage, study, options.RetryFailed, options.GracePeriod, Warn, limit.Token);
            if (status == ClaimStatus.Done) return;
            if (status == ClaimStatus.Wait)
            {
                limit.Token.WaitHandle.WaitOne(options.PollInterval);
                continue;
            }
            RunTrial(claimed!, d, limit.Token, () => !cancel.IsCancellationRequested);
        }
        if (!cancel.IsCancellationRequested && options.MaxDuration is TimeSpan passed)
            Log?.Invoke($"-MaxDuration {passed} has passed; the worker takes no more trials.");
    }

    private void RunTrial(ClaimedTrial claimed, StudyDefinition d, CancellationToken cancel, Func<bool> byMaxDuration)
    {
        var spec = claimed.Spec;
        double? best = null;
        bool warnedLost = false, warnedReport = false;
        // Each epoch's value goes to the study as the epoch ends (Optuna's trial.report), so other workers, Python Optuna and
        // the dashboard see a RUNNING trial's progress, and the pruner decides from the study as it is then (should_prune).
        bool EpochEnd(int epoch, double value)
        {
            if (double.IsFinite(value) && (best is not double b || (d.Monitor.HigherIsBetter ? value > b : value < b))) best = value;
            try
            {
                if (!StudyStore.ReportEpoch(storage, claimed.TrialId, epoch, value, cancel))
                {
                    if (!warnedLost)
                        Warn?.Invoke($"Trial {spec.Trial} was failed by another worker (its heartbeats came too late); "
                            + "its result will not count.");
                    warnedLost = true;
                    return false;
                }
                if (d.Prune == "None" || !StudyStore.ShouldPrune(storage, study, claimed.TrialId, epoch, best, cancel)) return false;
                Log?.Invoke($"Trial {spec.Trial} is pruned after epoch {epoch} ({d.Prune}).");
                return true;
            }
            catch (Exception e) when (e is KerasException or System.Data.Common.DbException || storage.IsTransient(e))
            {
                // The value is not lost: Finish writes every epoch's value again when the trial ends.
                if (!warnedReport)
                    Warn?.Invoke($"Trial {spec.Trial}: epoch {epoch}'s {d.Monitor.Name} did not reach the study "
                        + $"({e.Message.Split('\n')[0]}); it is written when the trial ends, and the trial is not pruned meanwhile.");
                warnedReport = true;
                return false;
            }
        }
        var request = new TrialRequest(spec.Trial, spec.Parameters, spec.Seed, d.Epochs) { EpochEnd = EpochEnd };
        request.Attempts = claimed.Attempt;
        request.StartedUtc = DateTime.UtcNow;
        Log?.Invoke($"Trial {spec.Trial} (Optuna number {claimed.Number}, attempt {claimed.Attempt}) starts on {worker.Host}.");
        var handle = worker.Start(request, settings);
        bool stopped = false;
        while (true)
        {
            int which = WaitHandle.WaitAny(new[] { handle, cancel.WaitHandle }, options.HeartbeatInterval);
            if (which == 0) break;
            if (which == 1 && !stopped)
            {
                stopped = true;
                worker.Stop();
                continue;
            }
            try
            {
                if (!StudyStore.Heartbeat(storage, claimed.TrialId) && !warnedLost)
                {
                    warnedLost = true;
                    Warn?.Invoke($"Trial {spec.Trial} was failed by another worker (its heartbeats came too late); "
                        + "its result will not count.");
                }
            }
            catch (KerasException e) { Warn?.Invoke($"Trial {spec.Trial}: no heartbeat reached the study: {e.Message}"); }
        }
        TrialOutcome outcome;
        try { outcome = worker.Finish(m => Warn?.Invoke($"Trial {spec.Trial}: {m}")); }
        catch (TrialHostLostException e) { outcome = TrialOutcome.WorkerFailed("TrialWorkerFailed", e.Message); }
        if (stopped)
        {
            Abandon(claimed, outcome, byMaxDuration());
            return;
        }
        var run = SweepRun.Score(spec, request, worker.Host, outcome, d.Monitor);
        Ran++;
        if (StudyStore.Finish(storage, study, claimed, run, CancellationToken.None)) Finished?.Invoke(run);
        else Warn?.Invoke($"Trial {spec.Trial} had been failed as lost before it finished on {worker.Host}; its result was not written.");
    }

    /// <summary>Marks a trial this worker was stopped in FAIL at once (with a retry queued per RetryFailed).</summary>
    private void Abandon(ClaimedTrial claimed, TrialOutcome outcome, bool byMaxDuration)
    {
        var spec = claimed.Spec;
        var (id, message) = byMaxDuration
            ? ("TrialWorkerMaxDuration", $"The worker's -MaxDuration {options.MaxDuration} passed while the trial trained, so the worker "
                + "stopped it.")
            : ("TrialWorkerStopped", "The worker was stopped (Ctrl+C, Stop-Job or a stopped pipeline) while the trial trained.");
        using var bound = new CancellationTokenSource(StopWriteLimit);
        try
        {
            if (StudyStore.Abandon(storage, study, claimed, outcome.Records, worker.Host, id, message, options.RetryFailed, Log,
                bound.Token))
                Log?.Invoke($"Trial {spec.Trial} is FAIL: {message}");
        }
        catch (Exception e) when (e is KerasException or System.Data.Common.DbException || storage.IsTransient(e))
        {
            Warn?.Invoke($"Trial {spec.Trial} was stopped but could not be marked FAIL ({e.Message.Split('\n')[0]}); another worker "
                + $"fails it after the heartbeat grace period ({options.GracePeriod.TotalSeconds:0} s).");
        }
    }
}
