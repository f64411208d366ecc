using System.Diagnostics;

namespace KerasPS.Engine.Sweeps.Studies;

/// <summary>How a study worker behaves: retries of lost trials, heartbeats and how long it goes on.</summary>
public sealed class StudyWorkerOptions
{
    /// <summary>How often a lost trial (its worker stopped beating) runs again, at most.</summary>
    public int RetryFailed { get; init; }

    /// <summary>How often the worker tells the study it is alive while a trial trains.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a RUNNING trial may go without a heartbeat before another worker fails it (Optuna's grace_period).</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The worker claims no trial after this much time; null for no limit.</summary>
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

    public void Run(CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var d = study.Definition!;
        while (!cancel.IsCancellationRequested)
        {
            if (options.MaxDuration is TimeSpan max && clock.Elapsed >= max)
            {
                Log?.Invoke($"-MaxDuration {max} has passed; the worker takes no more trials.");
                return;
            }
            var (status, claimed) = StudyStore.Claim(storage, study, options.RetryFailed, options.GracePeriod, Warn, cancel);
            if (status == ClaimStatus.Done) return;
            if (status == ClaimStatus.Wait)
            {
                cancel.WaitHandle.WaitOne(options.PollInterval);
                continue;
            }
            RunTrial(claimed!, d, cancel);
        }
    }

    private void RunTrial(ClaimedTrial claimed, StudyDefinition d, CancellationToken cancel)
    {
        var spec = claimed.Spec;
        var request = new TrialRequest(spec.Trial, spec.Parameters, spec.Seed, d.Epochs)
        {
            PruneThresholds = claimed.Thresholds,
        };
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
                if (!StudyStore.Heartbeat(storage, claimed.TrialId))
                    Warn?.Invoke($"Trial {spec.Trial} was failed by another worker (its heartbeats came too late); "
                        + "its result will not count.");
            }
            catch (KerasException e) { Warn?.Invoke($"Trial {spec.Trial}: no heartbeat reached the study: {e.Message}"); }
        }
        TrialOutcome outcome;
        try { outcome = worker.Finish(m => Warn?.Invoke($"Trial {spec.Trial}: {m}")); }
        catch (TrialHostLostException e) { outcome = TrialOutcome.WorkerFailed("TrialWorkerFailed", e.Message); }
        if (stopped) return;   // the trial stays RUNNING without heartbeats: another worker fails and retries it
        var run = SweepRun.Score(spec, request, worker.Host, outcome, d.Monitor);
        Ran++;
        if (StudyStore.Finish(storage, study, claimed, run, CancellationToken.None)) Finished?.Invoke(run);
        else Warn?.Invoke($"Trial {spec.Trial} had been failed as lost before it finished on {worker.Host}; its result was not written.");
    }
}
