using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using KerasPS.Engine.Native;
using KerasPS.Engine.Sweeps;
using KerasPS.Engine.Training;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Experiments;

/// <summary>
/// What Invoke-ModelSweep and Invoke-ModelCrossValidation share: the fit settings of every trial, and where trials run
/// (parallel local runspaces, or remote hosts through sessions they are given or open). The cmdlets bind parameters and
/// write results; the engine's <see cref="TrialScheduler"/> runs the trials on <see cref="RunspaceTrialWorker"/>s.
/// </summary>
public abstract class TrialCommandBase : KerasCmdlet
{
    protected const string LocalSet = "Local";
    protected const string SessionSet = "Session";
    protected const string HostNameSet = "HostName";
    protected const string ComputerNameSet = "ComputerName";
    private TrialScheduler? scheduler;

    /// <summary>Training data (also from the pipeline).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Dataset Data { get; set; } = null!;

    /// <summary>Total epochs of each trial (or fold).</summary>
    [Parameter] public int Epochs { get; set; } = 10;

    /// <summary>Batch size of each trial.</summary>
    [Parameter] public int BatchSize { get; set; } = FitOptions.DefaultBatchSize;

    /// <summary>Shuffle the training rows each epoch (on by default; -Shuffle:$false turns it off).</summary>
    [Parameter] public SwitchParameter Shuffle { get; set; }

    /// <summary>Stop each trial cleanly before this much time has passed. Seconds when a number (60, 0.5), or a number with a unit
    /// (90s, 5m, 2h) or a TimeSpan (00:05:00).</summary>
    [Parameter, DurationTransformation] public TimeSpan? MaxDuration { get; set; }

    /// <summary>Returns each trial's callbacks: param($p) New-EarlyStopping ... . It is called once per trial (and fold), so stateful
    /// callbacks start fresh every time.</summary>
    [Parameter] public ScriptBlock? Callbacks { get; set; }

    /// <summary>History value to rank by (default val_loss with validation data, else loss); the mode (min or max) follows from the name,
    /// as Keras's "auto".</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MonitorCompleter))]
    public string? Monitor { get; set; }

    /// <summary>Seed: fixes every trial's folds, sampled values and training seed. Drawn at random when omitted (it is in each
    /// result).</summary>
    [Parameter] public long? Seed { get; set; }

    /// <summary>Trials run at the same time in this process (local runs). libtorch threads are split between them.</summary>
    [Parameter(ParameterSetName = LocalSet)]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 1;

    /// <summary>libtorch intra-op threads per trial (default: the cores divided by -ThrottleLimit; on remote hosts, the host's
    /// default).</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int? Threads { get; set; }

    /// <summary>Open PowerShell sessions (New-PSSession) to run trials on; each runs one trial at a time.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SessionSet)]
    public PSSession[] Session { get; set; } = null!;

    /// <summary>SSH hosts to run trials on (sessions are opened and closed by the command).</summary>
    [Parameter(Mandatory = true, ParameterSetName = HostNameSet)]
    public string[] HostName { get; set; } = null!;

    /// <summary>SSH user name for -HostName.</summary>
    [Parameter(ParameterSetName = HostNameSet)]
    public string? UserName { get; set; }

    /// <summary>SSH private key file for -HostName.</summary>
    [Parameter(ParameterSetName = HostNameSet)]
    public string? KeyFilePath { get; set; }

    /// <summary>SSH options for -HostName, as New-PSSession -Options (e.g. @{ StrictHostKeyChecking = 'no' }).</summary>
    [Parameter(ParameterSetName = HostNameSet)]
    public Hashtable? Options { get; set; }

    /// <summary>WinRM computers to run trials on (sessions are opened and closed by the command).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ComputerNameSet)]
    public string[] ComputerName { get; set; } = null!;

    /// <summary>Credential for -ComputerName.</summary>
    [Parameter(ParameterSetName = ComputerNameSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Use HTTPS for -ComputerName.</summary>
    [Parameter(ParameterSetName = ComputerNameSet)]
    public SwitchParameter UseSSL { get; set; }

    /// <summary>Remote port (SSH for -HostName, WinRM for -ComputerName).</summary>
    [Parameter(ParameterSetName = HostNameSet)]
    [Parameter(ParameterSetName = ComputerNameSet)]
    public int? Port { get; set; }

    /// <summary>KerasPS on the remote hosts: a module name or the path of KerasPS.psd1 there (default: KerasPS).</summary>
    [Parameter(ParameterSetName = SessionSet)]
    [Parameter(ParameterSetName = HostNameSet)]
    [Parameter(ParameterSetName = ComputerNameSet)]
    public string ModulePath { get; set; } = "KerasPS";

    protected bool IsRemote => ParameterSetName != LocalSet;

    /// <summary>Checks the fit settings once, before any trial starts, with the fit's own rule (the same ids and messages).</summary>
    protected void CheckFitSettings(double validationSplit = 0, bool hasValidationData = false) =>
        FitOptions.CheckSettings(Epochs, BatchSize, validationSplit, hasValidationData);

    /// <summary>The settings every trial shares, from this command's parameters.</summary>
    private protected TrialSettings Settings(string modelScript, string monitor, Dataset? validationData = null, double validationSplit = 0)
    {
        return new TrialSettings
        {
            ModelScript = modelScript,
            CallbackScript = Callbacks?.ToString(),
            Data = Data.Engine,
            ValidationData = validationData?.Engine,
            ValidationSplit = validationSplit,
            BatchSize = BatchSize,
            Shuffle = IsBound(nameof(Shuffle)) ? Shuffle.IsPresent : null,
            MaxDuration = MaxDuration,
            Monitor = monitor,
        };
    }

    /// <summary>
    /// Opens the workers (local runspaces, or remote hosts with KerasPS imported), runs the queued requests on them and
    /// tidies up: local libtorch threads restored, local runspaces kept for the next run, sessions the command opened closed.
    /// </summary>
    private protected void RunTrials(TrialSettings settings, IReadOnlyCollection<TrialRequest> requests, string noun,
        Action<TrialRequest, ITrialWorker, TrialOutcome> done, Action<TrialRequest> noHost, int? plannedRequests = null)
    {
        var workers = new List<RunspaceTrialWorker>();
        var ownedSessions = new List<PSSession>();
        int? savedThreads = null;
        try
        {
            if (IsRemote)
            {
                var sessions = ParameterSetName == SessionSet ? Session : OpenSessions(ownedSessions);
                if (Threads is int rt) settings.Threads = rt;
                workers.AddRange(RemoteWorkers(sessions));
            }
            else
            {
                TorchRuntime.EnsureLoaded();
                // Parallel trials share the cores: one libtorch thread pool sized for its share, set once for the run.
                int perTrial = Threads
                    ?? (ThrottleLimit > 1 ? Math.Max(1, Environment.ProcessorCount / ThrottleLimit) : ModuleSettings.Threads ?? 0);
                if (perTrial > 0)
                {
                    savedThreads = TorchRuntime.Threads;
                    TorchRuntime.Threads = perTrial;
                    settings.Threads = perTrial;
                }
                workers.AddRange(LocalWorkers(Math.Max(1, Math.Min(ThrottleLimit, plannedRequests ?? requests.Count))));
            }
            if (workers.Count == 0)
                Fail("NoSweepHost", ErrorCategory.ResourceUnavailable,
                    "None of the remote hosts could be prepared (see the warnings). "
                    + "Check that KerasPS is installed there and that -ModulePath names it.");
            WriteVerbose($"{requests.Count} {noun} on {workers.Count} worker(s).");
            scheduler = new TrialScheduler(workers, settings);
            foreach (var r in requests) scheduler.Enqueue(r);
            scheduler.Run(done,
                lost: (t, w, e) => WriteWarning($"Host {w.Host} dropped out during {t.Describe()} ({FirstLine(e.Message)}); "
                    + "it will run again on another host."),
                noHost: noHost,
                warn: (t, w, message) =>
                    WriteWarning($"{char.ToUpperInvariant(t.Describe()[0])}{t.Describe()[1..]} on {w.Host}: {message}"));
        }
        finally
        {
            scheduler = null;
            foreach (var w in workers) w.Dispose();
            if (ownedSessions.Count > 0) CloseSessions(ownedSessions);
            if (savedThreads is int st) TorchRuntime.Threads = st;
        }
    }

    /// <summary>Queues more work while <see cref="RunTrials"/> runs (from its done callback: a scheduler promoting a trial, a search
    /// proposing one).</summary>
    private protected void EnqueueTrial(TrialRequest request) =>
        (scheduler ?? throw new InvalidOperationException("Trials can be queued only while RunTrials runs.")).Enqueue(request);

    /// <summary>How many trials run at once: the throttle here, or one per remote session or host.</summary>
    protected int Parallelism => ParameterSetName switch
    {
        SessionSet => Math.Max(1, Session.Length),
        HostNameSet => Math.Max(1, HostName.Length),
        ComputerNameSet => Math.Max(1, ComputerName.Length),
        _ => ThrottleLimit,
    };

    protected override void StopProcessing() => scheduler?.Stop();

    private IEnumerable<RunspaceTrialWorker> LocalWorkers(int count)
    {
        var module = MyInvocation.MyCommand.Module;
        var manifest = module is null ? null : Path.Combine(module.ModuleBase, "KerasPS.psd1");
        var import = manifest is not null && File.Exists(manifest) ? manifest : module?.Path ?? typeof(TrialCommandBase).Assembly.Location;
        return LocalWorkerPool.Rent(import, count)
            .Select(w => new RunspaceTrialWorker(w, release: r => LocalWorkerPool.Return(import, r)));
    }

    private IEnumerable<RunspaceTrialWorker> RemoteWorkers(PSSession[] sessions)
    {
        var names = sessions.Select(s => s.ComputerName).ToList();
        foreach (var s in sessions)
        {
            var host = names.Count(n => n == s.ComputerName) > 1 ? $"{s.ComputerName}#{s.Id}" : s.ComputerName;
            if (s.Runspace.RunspaceStateInfo.State != RunspaceState.Opened)
            {
                WriteWarning($"Session {host} is {s.Runspace.RunspaceStateInfo.State}, not open; no trials will run there.");
                continue;
            }
            try
            {
                using var ps = PowerShell.Create();
                ps.Runspace = s.Runspace;
                ps.AddCommand("Import-Module").AddParameter("Name", ModulePath).AddParameter("PassThru")
                    .AddParameter("ErrorAction", ActionPreference.Stop);
                ps.Invoke();
                ps.Commands.Clear();
                // The trial command is not exported: look for it in the module's own scope, where the workers call it.
                ps.AddScript("& (Get-Module KerasPS | Select-Object -First 1) { Get-Command -Name " + RunspaceTrialWorker.TrialCommand +
                    " -CommandType Cmdlet -ErrorAction Ignore }");
                bool hasRunner = ps.Invoke().Count > 0;
                if (!hasRunner)
                {
                    WriteWarning($"Host {host} has a KerasPS without its trial command; no trials will run there. "
                        + "Update KerasPS on that host.");
                    continue;
                }
            }
            catch (Exception e) when (e is RuntimeException or System.Management.Automation.Remoting.PSRemotingTransportException)
            {
                WriteWarning($"Host {host} cannot run trials: {FirstLine(e.Message)} "
                    + "Install KerasPS there or pass its path with -ModulePath.");
                continue;
            }
            yield return new RunspaceTrialWorker(host, s.Runspace, remote: true);
        }
    }

    private PSSession[] OpenSessions(List<PSSession> owned)
    {
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddCommand("New-PSSession");
        if (ParameterSetName == HostNameSet)
        {
            ps.AddParameter("HostName", HostName);
            if (UserName is not null) ps.AddParameter("UserName", UserName);
            if (KeyFilePath is not null) ps.AddParameter("KeyFilePath", ResolveFilePath(KeyFilePath));
            if (Options is not null) ps.AddParameter("Options", Options);
        }
        else
        {
            ps.AddParameter("ComputerName", ComputerName);
            if (Credential is not null) ps.AddParameter("Credential", Credential);
            if (UseSSL) ps.AddParameter("UseSSL");
        }
        if (Port is int port) ps.AddParameter("Port", port);
        var sessions = ps.Invoke().Select(o => o.BaseObject).OfType<PSSession>().ToArray();
        foreach (var e in ps.Streams.Error) WriteWarning($"Could not connect: {FirstLine(e.Exception.Message)}");
        owned.AddRange(sessions);
        return sessions;
    }

    private static void CloseSessions(List<PSSession> sessions)
    {
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddCommand("Remove-PSSession").AddParameter("Session", sessions.ToArray());
        try { ps.Invoke(); } catch (RuntimeException) { /* a session that is already gone needs no closing */ }
    }

    protected static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
