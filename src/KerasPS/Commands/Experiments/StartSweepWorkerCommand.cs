using System.Management.Automation;
using KerasPS.Engine.Sweeps;
using KerasPS.Engine.Sweeps.Studies;
using KerasPS.Engine.Training;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Experiments;

/// <summary>
/// <para type="synopsis">Works on a sweep study in a database: takes the study's next trial, trains it, writes its result, and goes on
/// until the study's budget is spent; writes one KerasPS.TrialResult per trial it ran.</para>
/// <para type="description">Start as many workers as you like, anywhere that reaches the database: processes on one machine, PowerShell
/// jobs, SSH hosts, an Azure Automation Hybrid Runbook Worker group, a Kubernetes Indexed Job or a Slurm job array
/// (examples/ and module/RUNBOOKS.md). Each trial is claimed in a database transaction, so no trial runs twice; it trains exactly as
/// Invoke-ModelSweep trains its trial of the same number (the same parameters, seed and fit), while the worker sends a heartbeat every
/// -HeartbeatInterval and writes each epoch's monitored value to the study as the epoch ends (Optuna's intermediate values: Python Optuna
/// and the other workers see a running trial's progress). A worker that is stopped (Ctrl+C, Stop-Job, -MaxDuration) marks its trial FAIL
/// at once and queues its retry, as Optuna fails a trial on KeyboardInterrupt. A worker that dies mid-trial (killed, host lost) leaves a
/// RUNNING trial whose heartbeat gets old: after -GracePeriod another worker marks it FAIL and, up to -RetryFailed times, queues it to
/// run again. TPE proposals decide from every worker's finished trials (Python's too); the pruner decides as each epoch ends from the
/// study as it is then, as Optuna's should_prune does. When the budget is spent the worker waits for the trials still running elsewhere
/// (one of them may need a retry), then stops. A database that goes away (a restart) is retried for 90 s before the worker gives
/// up.</para>
/// </summary>
/// <example><code>$train = Import-ModelData ./train.csv -Target Class
/// Start-SweepWorker -Storage sqlite:///otto.db -Study otto -Data $train -ValidationSplit 0.2 -ModelScript {
///     param($p)
///     New-Model -InputShape 93 | Add-DenseLayer -Units $p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
///         Build-Model -Optimizer (New-Optimizer adam -LearningRate $p.LearningRate) -Loss categorical_crossentropy
/// }</code></example>
/// <example><code># Four workers in four processes of this machine, one libtorch thread each.
/// 1..4 | ForEach-Object { Start-ThreadJob { Start-SweepWorker @using:worker -Threads 1 } } | Receive-Job -Wait</code></example>
/// <example><code># A worker on a cluster node: at most 2 hours, lost trials retried once, the password from PGPASSWORD.
/// Start-SweepWorker -Storage postgresql://ml@db1:5432/sweeps -Study otto -Data $train -ValidationSplit 0.2 -ModelScript $build `
///     -MaxDuration 2h -RetryFailed 1</code></example>
[Cmdlet(VerbsLifecycle.Start, "SweepWorker")]
[OutputType(typeof(TrialResult))]
public sealed class StartSweepWorkerCommand : KerasCmdlet
{
    private CancellationTokenSource? stop;

    /// <summary>Where the study lives: sqlite:///relative.db, sqlite:////absolute/path.db, or
    /// postgresql://user@host:port/database.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Storage { get; set; } = null!;

    /// <summary>The study's name (New-SweepStudy -Name).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(StudyNameCompleter))]
    public string Study { get; set; } = null!;

    /// <summary>Training data (also from the pipeline).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Dataset Data { get; set; } = null!;

    /// <summary>Builds one trial's model: param($p, $train) ... returns a compiled model ($p.Name is the trial's value of Name).</summary>
    [Parameter(Mandatory = true)]
    public ScriptBlock ModelScript { get; set; } = null!;

    /// <summary>Data to compute val_loss and val_* metrics on after each epoch.</summary>
    [Parameter] public Dataset? ValidationData { get; set; }

    /// <summary>Fraction of -Data held out for validation (the last rows), as Invoke-ModelFit -ValidationSplit.</summary>
    [Parameter] public double ValidationSplit { get; set; }

    /// <summary>Returns each trial's callbacks: param($p) New-EarlyStopping ... (called once per trial).</summary>
    [Parameter] public ScriptBlock? Callbacks { get; set; }

    /// <summary>Batch size of each trial.</summary>
    [Parameter] public int BatchSize { get; set; } = FitOptions.DefaultBatchSize;

    /// <summary>Shuffle the training rows each epoch (on by default; -Shuffle:$false turns it off).</summary>
    [Parameter] public SwitchParameter Shuffle { get; set; }

    /// <summary>Stop after this much time: no new trial, and the trial running then is stopped, marked FAIL at once and retried by
    /// another worker (-RetryFailed). Seconds when a number, or a number with a unit (90s, 5m, 2h) or a TimeSpan.</summary>
    [Parameter, DurationTransformation] public TimeSpan? MaxDuration { get; set; }

    /// <summary>How many times a trial whose worker was lost (no heartbeat for -GracePeriod) or stopped (Ctrl+C, Stop-Job,
    /// -MaxDuration) runs again; 1 by default, 0 leaves it FAIL.</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int RetryFailed { get; set; } = 1;

    /// <summary>Seconds between heartbeats while a trial trains (5 by default).</summary>
    [Parameter]
    [ValidateRange(0.1, 3600)]
    public double HeartbeatInterval { get; set; } = 5;

    /// <summary>Seconds a RUNNING trial may go without a heartbeat before a worker fails it as lost (30 by default; keep it well above
    /// -HeartbeatInterval and above how long the database may be away).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public double GracePeriod { get; set; } = 30;

    /// <summary>Workers in this process (each in its own runspace; libtorch threads are split between them).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 1;

    /// <summary>libtorch intra-op threads per trial (default: the cores divided by -ThrottleLimit).</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int? Threads { get; set; }

    /// <summary>PostgreSQL user and password (instead of the URL's; PGPASSWORD is the last resort).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected override void Process()
    {
        FitOptions.CheckSettings(1, BatchSize, ValidationSplit, ValidationData is not null);
        var storage = StudyWorkers.Open(this, Storage, Credential);
        using var connections = storage.ConnectionScope();   // the study file is not held open afterwards
        var study = StudyStore.Load(storage, Study);
        if (study.Definition is { } d && d.Monitor.Name.StartsWith("val_", StringComparison.Ordinal)
            && ValidationData is null && ValidationSplit <= 0)
            Fail("MonitorNeedsValidation", ErrorCategory.InvalidArgument,
                $"Study '{Study}' monitors {d.Monitor.Name}, a validation value; give -ValidationData or -ValidationSplit.",
                d.Monitor.Name);
        var settings = new TrialSettings
        {
            ModelScript = ModelScript.ToString(),
            CallbackScript = Callbacks?.ToString(),
            Data = Data.Engine,
            ValidationData = ValidationData?.Engine,
            ValidationSplit = ValidationSplit,
            BatchSize = BatchSize,
            Shuffle = IsBound(nameof(Shuffle)) ? Shuffle.IsPresent : null,
            Monitor = study.Definition?.Monitor.Name ?? "val_loss",
        };
        var options = new StudyWorkerOptions
        {
            RetryFailed = RetryFailed, MaxDuration = MaxDuration,
            HeartbeatInterval = TimeSpan.FromSeconds(HeartbeatInterval), GracePeriod = TimeSpan.FromSeconds(GracePeriod),
        };
        stop = new CancellationTokenSource();
        try
        {
            StudyWorkers.Run(this, ThrottleLimit, Threads, storage, study, settings, options,
                run => WriteObject(ResultView.Trial(new TrialResult(run))), stop.Token);
        }
        finally
        {
            stop.Dispose();
            stop = null;
        }
    }

    protected override void StopProcessing() => stop?.Cancel();
}
