using System.Collections;
using System.Collections.Specialized;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using KerasPS.Engine;
using KerasPS.Engine.Native;
using KerasPS.Engine.Sweeps;
using KerasPS.Engine.Training;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Experiments;

/// <summary>
/// <para type="synopsis">Trains one model per combination of hyperparameters (a grid, or random samples) and writes one KerasPS.TrialResult per trial as each trial finishes.</para>
/// <para type="description">-ModelScript is called with a hashtable of one trial's values and returns a compiled model; the trial then trains it with Invoke-ModelFit semantics on -Data. Trials run in parallel in separate runspaces of this process (-ThrottleLimit), which share the cores: libtorch's intra-op threads are split between them for the sweep and restored afterwards. With -Session, -HostName or -ComputerName the trials run on remote PowerShell hosts that have KerasPS: the data crosses as plain arrays, the model is rebuilt there from the same script text, and a host that drops out has its trial retried on another one. Each trial's seed is derived from the sweep seed and the trial number, so trial k gives the same result whatever the throttle or the host. A trial that fails (bad parameter combination, a loss that becomes NaN) is written as a Failed result with its error, and the sweep goes on. The script runs in its own runspace: pass values in through -Parameters, not through variables of the caller.</para>
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
[Cmdlet(VerbsLifecycle.Invoke, "ModelSweep", DefaultParameterSetName = LocalSet, SupportsShouldProcess = true)]
[OutputType(typeof(TrialResult))]
public sealed class InvokeModelSweepCommand : KerasCmdlet
{
    private const string LocalSet = "Local";
    private const string SessionSet = "Session";
    private const string HostNameSet = "HostName";
    private const string ComputerNameSet = "ComputerName";
    private static readonly HashSet<string> Reserved = new(typeof(TrialResult).GetProperties().Select(p => p.Name), StringComparer.OrdinalIgnoreCase);
    private SweepRunner? runner;

    /// <summary>The search space: name = list of values (a grid takes every combination), or a range ([KerasPS.Uniform], [KerasPS.LogUniform], [KerasPS.IntRange]) for -Random. Use [ordered]@{} to fix the grid order; otherwise names are taken in alphabetical order.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public IDictionary Parameters { get; set; } = null!;

    /// <summary>Builds one trial's model: param($p) ... returns a compiled model ($p.Name is the trial's value of Name).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public ScriptBlock ModelScript { get; set; } = null!;

    /// <summary>Training data, the same for every trial (also from the pipeline).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Dataset Data { get; set; } = null!;

    /// <summary>Data to compute val_loss and val_* metrics on after each epoch.</summary>
    [Parameter] public Dataset? ValidationData { get; set; }

    /// <summary>Fraction of -Data held out for validation (the last rows), as Invoke-ModelFit -ValidationSplit.</summary>
    [Parameter] public double ValidationSplit { get; set; }

    /// <summary>Total epochs of each trial.</summary>
    [Parameter] public int Epochs { get; set; } = 10;

    /// <summary>Batch size of each trial (a swept parameter named BatchSize is not used for this; pass it here).</summary>
    [Parameter] public int BatchSize { get; set; } = 32;

    /// <summary>Shuffle the training rows each epoch (on by default; -Shuffle:$false turns it off).</summary>
    [Parameter] public SwitchParameter Shuffle { get; set; }

    /// <summary>Stop each trial cleanly before this much time has passed.</summary>
    [Parameter] public TimeSpan? MaxDuration { get; set; }

    /// <summary>Returns each trial's callbacks: param($p) New-EarlyStopping ... . It is called once per trial, so stateful callbacks start fresh in every trial.</summary>
    [Parameter] public ScriptBlock? Callbacks { get; set; }

    /// <summary>History value to rank trials by (default val_loss with validation data, else loss); the mode (min or max) follows from the name, as Keras's "auto".</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MonitorCompleter))]
    public string? Monitor { get; set; }

    /// <summary>Folder that keeps each trial's best model by -Monitor, as trial-001.kpt, trial-002.kpt, ... (created if missing; files from remote hosts are copied back). Each result's Checkpoint names its file.</summary>
    [Parameter] public string? CheckpointDirectory { get; set; }

    /// <summary>Sample the space at random instead of taking the whole grid (with -Trials).</summary>
    [Parameter] public SwitchParameter Random { get; set; }

    /// <summary>Number of random trials (with -Random).</summary>
    [Parameter] public int? Trials { get; set; }

    /// <summary>Sweep seed: fixes every trial's sampled values and training seed. Drawn at random when omitted (it is in each result).</summary>
    [Parameter] public long? Seed { get; set; }

    /// <summary>Trials run at the same time in this process (local sweeps). libtorch threads are split between them.</summary>
    [Parameter(ParameterSetName = LocalSet)]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 1;

    /// <summary>libtorch intra-op threads per trial (default: the cores divided by -ThrottleLimit; on remote hosts, the host's default).</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int? Threads { get; set; }

    /// <summary>Open PowerShell sessions (New-PSSession) to run trials on; each runs one trial at a time.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SessionSet)]
    public PSSession[] Session { get; set; } = null!;

    /// <summary>SSH hosts to run trials on (sessions are opened and closed by the sweep).</summary>
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

    /// <summary>WinRM computers to run trials on (sessions are opened and closed by the sweep).</summary>
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

    protected override void Process()
    {
        if (Epochs < 1) Fail("InvalidEpochs", ErrorCategory.InvalidArgument, $"Epochs must be 1 or more. Received: {Epochs}.", Epochs);
        if (BatchSize < 1) Fail("InvalidBatchSize", ErrorCategory.InvalidArgument, $"BatchSize must be 1 or more. Received: {BatchSize}.", BatchSize);
        if (Random.IsPresent != Trials.HasValue)
            Fail(Random ? "TrialsRequired" : "TrialsWithoutRandom", ErrorCategory.InvalidArgument,
                Random ? "-Random needs -Trials N (how many trials to sample)." : "-Trials is the number of random trials; add -Random, or leave -Trials out to run the whole grid.");
        bool hasValidation = ValidationData is not null || ValidationSplit > 0;
        var monitor = new TrialMonitor(Monitor ?? (hasValidation ? "val_loss" : "loss"));
        if (monitor.Name.StartsWith("val_", StringComparison.Ordinal) && !hasValidation)
            Fail("MonitorNeedsValidation", ErrorCategory.InvalidArgument, $"-Monitor {monitor.Name} is a validation value; give -ValidationData or -ValidationSplit, or monitor a training value such as loss.", monitor.Name);
        var monitorProperty = KerasNames.ToPascal(monitor.Name);

        var space = Space();
        foreach (var (name, _) in space)
            if (Reserved.Contains(name) || name.Equals(monitorProperty, StringComparison.OrdinalIgnoreCase))
                Fail("ReservedParameterName", ErrorCategory.InvalidArgument, $"A sweep parameter cannot be named '{name}': every result already has a property of that name. Rename it (e.g. '{name}Value').", name);
        long seed = Seed ?? MersenneTwister.RandomSeed();
        var trials = Random ? SweepPlan.Random(space, Trials!.Value, seed) : SweepPlan.Grid(space, seed);

        var fit = new Hashtable(StringComparer.OrdinalIgnoreCase) { ["Epochs"] = Epochs, ["BatchSize"] = BatchSize };
        if (IsBound(nameof(Shuffle))) fit["Shuffle"] = new SwitchParameter(Shuffle.IsPresent);
        if (ValidationSplit > 0) fit["ValidationSplit"] = ValidationSplit;
        if (MaxDuration is { } md) fit["MaxDuration"] = md;

        bool remote = ParameterSetName != LocalSet;
        string? checkpointDir = null;
        if (CheckpointDirectory is not null)
        {
            if (!remote && InvokeCommand.GetCommand("New-ModelCheckpoint", CommandTypes.Cmdlet) is null)
                Fail("CheckpointsUnavailable", ErrorCategory.NotInstalled, "-CheckpointDirectory needs New-ModelCheckpoint, which this KerasPS does not have. Update KerasPS, or leave -CheckpointDirectory out.");
            checkpointDir = ResolveFilePath(CheckpointDirectory);
            if (!ShouldProcess(checkpointDir, $"Run {trials.Count} trials and keep each trial's best model")) return;
            try { Directory.CreateDirectory(checkpointDir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail("CheckpointDirectoryUnavailable", ErrorCategory.WriteError, $"Cannot create the checkpoint folder '{checkpointDir}': {e.Message}", checkpointDir);
            }
        }
        var workers = new List<SweepWorker>();
        var ownedSessions = new List<PSSession>();
        int? savedThreads = null;
        var sweepClock = Stopwatch.StartNew();
        int completed = 0, failed = 0, total = trials.Count;
        bool showProgress = ProgressWanted();
        try
        {
            if (remote)
            {
                var sessions = ParameterSetName == SessionSet ? Session : OpenSessions(ownedSessions);
                if (Threads is int rt) fit["Threads"] = rt;
                workers.AddRange(RemoteWorkers(sessions));
            }
            else
            {
                TorchRuntime.EnsureLoaded();
                // Parallel trials share the cores: one libtorch thread pool sized for its share, set once for the sweep.
                int perTrial = Threads ?? (ThrottleLimit > 1 ? Math.Max(1, Environment.ProcessorCount / ThrottleLimit) : ModuleSettings.Threads ?? 0);
                if (perTrial > 0)
                {
                    savedThreads = TorchRuntime.Threads;
                    TorchRuntime.Threads = perTrial;
                    fit["Threads"] = perTrial;
                }
                workers.AddRange(LocalWorkers(Math.Min(ThrottleLimit, total)));
            }
            if (workers.Count == 0)
                Fail("NoSweepHost", ErrorCategory.ResourceUnavailable, "None of the remote hosts could be prepared for the sweep (see the warnings). Check that KerasPS is installed there and that -ModulePath names it.");
            WriteVerbose($"Sweep of {total} trials (seed {seed}) on {workers.Count} worker(s), monitoring {monitor.Name} ({monitor.Mode}).");

            var modelScript = ModelScript.ToString();
            var callbackScript = Callbacks?.ToString();
            runner = new SweepRunner(workers, (spec, ps) => ps.AddCommand(SweepScripts.TrialFunction)
                .AddParameter("ModelScript", modelScript)
                .AddParameter("Parameters", SweepRunner.ToHashtable(SweepRunner.ParameterTable(spec)))
                .AddParameter("Seed", spec.Seed)
                .AddParameter("Fit", fit)
                .AddParameter("CallbackScript", callbackScript)
                .AddParameter("Monitor", monitor.Name)
                .AddParameter("CheckpointPath", checkpointDir is null || remote ? null : CheckpointFile(checkpointDir, spec.Trial))
                .AddParameter("ReturnCheckpoint", checkpointDir is not null && remote));

            void Emit(TrialResult r)
            {
                if (r.Status == "Completed") completed++; else failed++;
                WriteVerbose(r.ToString() + (r.Error is null ? "" : $" - {r.ErrorId}: {r.Error}"));
                WriteObject(ToPSObject(r, monitorProperty));
                if (showProgress)
                    WriteProgress(new ProgressRecord(2, "Sweep", $"{completed + failed} of {total} trials done ({failed} failed)")
                    { PercentComplete = (int)(100L * (completed + failed) / total) });
            }

            runner.Run(trials,
                done: (t, w, output, error) =>
                {
                    var result = Result(t, w, output, error, monitor);
                    if (checkpointDir is not null) KeepCheckpoint(result, t, output, checkpointDir);
                    Emit(result);
                },
                lost: (t, w, e) => WriteWarning($"Host {w.Host} dropped out during trial {t.Spec.Trial} ({FirstLine(e.Message)}); the trial will run again on another host."),
                noHost: t => Emit(new TrialResult(t.Spec.Trial, SweepRunner.ParameterTable(t.Spec), t.Spec.Seed, monitor.Name)
                {
                    Attempts = t.Attempts, Host = string.Join(", ", t.LostHosts), ErrorId = "NoSweepHostLeft",
                    Error = $"Every host of the sweep dropped out before trial {t.Spec.Trial} could finish. Check the hosts and run the sweep again for the missing trials.",
                }),
                warn: (t, w, message) => WriteWarning($"Trial {t.Spec.Trial} on {w.Host}: {message}"));
        }
        finally
        {
            runner = null;
            foreach (var w in workers) w.Dispose();
            if (ownedSessions.Count > 0) CloseSessions(ownedSessions);
            if (savedThreads is int st) TorchRuntime.Threads = st;
            if (showProgress) WriteProgress(new ProgressRecord(2, "Sweep", "Done") { RecordType = ProgressRecordType.Completed });
        }
        WriteVerbose($"Sweep done in {sweepClock.Elapsed.TotalSeconds:0.0} s: {completed} completed, {failed} failed.");
    }

    protected override void StopProcessing() => runner?.Stop();

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

    private IEnumerable<SweepWorker> LocalWorkers(int count)
    {
        var module = MyInvocation.MyCommand.Module;
        var manifest = module is null ? null : Path.Combine(module.ModuleBase, "KerasPS.psd1");
        var import = manifest is not null && File.Exists(manifest) ? manifest : module?.Path ?? typeof(InvokeModelSweepCommand).Assembly.Location;
        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(new[] { import });
        for (int i = 0; i < count; i++)
        {
            var rs = RunspaceFactory.CreateRunspace(iss);
            rs.Open();
            var w = new SweepWorker("localhost", rs, remote: false);
            SweepRunner.SetUp(w, null, Data, ValidationData);
            yield return w;
        }
    }

    private IEnumerable<SweepWorker> RemoteWorkers(PSSession[] sessions)
    {
        var train = SweepWire.DatasetToWire(Data);
        var val = ValidationData is null ? null : SweepWire.DatasetToWire(ValidationData);
        var names = sessions.Select(s => s.ComputerName).ToList();
        foreach (var s in sessions)
        {
            var host = names.Count(n => n == s.ComputerName) > 1 ? $"{s.ComputerName}#{s.Id}" : s.ComputerName;
            if (s.Runspace.RunspaceStateInfo.State != RunspaceState.Opened)
            {
                WriteWarning($"Session {host} is {s.Runspace.RunspaceStateInfo.State}, not open; no trials will run there.");
                continue;
            }
            var w = new SweepWorker(host, s.Runspace, remote: true);
            try
            {
                SweepRunner.SetUp(w, ModulePath, train, val);
            }
            catch (Exception e) when (e is RuntimeException or System.Management.Automation.Remoting.PSRemotingTransportException)
            {
                WriteWarning($"Host {host} cannot run trials: {FirstLine(e.Message)} Install KerasPS there or pass its path with -ModulePath.");
                continue;
            }
            yield return w;
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

    private static TrialResult Result(PendingTrial t, SweepWorker w, PSDataCollection<PSObject>? output, Exception? error, TrialMonitor monitor)
    {
        var r = new TrialResult(t.Spec.Trial, SweepRunner.ParameterTable(t.Spec), t.Spec.Seed, monitor.Name) { Attempts = t.Attempts, Host = w.Host };
        var reply = output?.Select(o => o.BaseObject).OfType<IDictionary>().LastOrDefault();
        if (error is not null || reply is null)
        {
            r.ErrorId = error is IContainsErrorRecord { ErrorRecord: { } er } ? er.FullyQualifiedErrorId.Split(',')[0] : "TrialWorkerFailed";
            r.Error = error is null ? "The sweep worker returned no result." : FirstLine(error.Message);
            return r;
        }
        r.Records = SweepWire.HistoryFromWire(reply["History"]);
        r.Duration = TimeSpan.FromTicks(Convert.ToInt64(PSValue.Unwrap(reply["DurationTicks"]) ?? 0L, CultureInfo.InvariantCulture));
        if (monitor.Best(r.Records) is var (best, epoch)) { r.Best = best; r.BestEpoch = epoch; }
        if (PSValue.Unwrap(reply["ErrorId"]) is string id)
        {
            r.ErrorId = id;
            r.Error = Convert.ToString(PSValue.Unwrap(reply["Error"]), CultureInfo.InvariantCulture);
            return r;
        }
        var last = r.Records.Count > 0 ? r.Records[^1] : null;
        if (last is not null && !double.IsFinite(last.Loss))
        {
            r.ErrorId = "LossNotFinite";
            r.Error = $"The loss became {last.Loss.ToString(CultureInfo.InvariantCulture)} at epoch {last.Epoch}, so training stopped. Lower the learning rate or scale the features for these parameters.";
            return r;
        }
        if (r.Best is null)
        {
            r.ErrorId = "MonitorNotRecorded";
            r.Error = $"The trial's history has no finite '{monitor.Name}' (it has: {string.Join(", ", last?.Values.Keys ?? Array.Empty<string>())}). Choose one of those with -Monitor.";
            return r;
        }
        r.Status = "Completed";
        return r;
    }

    private static string CheckpointFile(string dir, int trial) => Path.Combine(dir, $"trial-{trial:000}.kpt");

    /// <summary>Points the result at its checkpoint: written in place by a local trial, or sent back as bytes by a remote one.</summary>
    private void KeepCheckpoint(TrialResult r, PendingTrial t, PSDataCollection<PSObject>? output, string dir)
    {
        var path = CheckpointFile(dir, r.Trial);
        var reply = output?.Select(o => o.BaseObject).OfType<IDictionary>().LastOrDefault();
        if (reply is not null && PSValue.Unwrap(reply["Checkpoint"]) is string b64)
        {
            try
            {
                var bytes = Convert.FromBase64String(b64);
                AtomicFile.Write(path, s => s.Write(bytes), overwrite: true);
            }
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

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}

/// <summary>Completes -Monitor with the usual history names.</summary>
public sealed class MonitorCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => new[] { "val_loss", "val_accuracy", "loss", "accuracy" }
        .Concat(MetricFactory.Names.SelectMany(m => new[] { "val_" + m, m })).Distinct();
}
