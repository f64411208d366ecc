using System.Collections;
using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Remoting;
using System.Management.Automation.Runspaces;
using KerasPS.Commands.Experiments;
using KerasPS.Engine.Data;
using KerasPS.Engine.Sweeps;

namespace KerasPS.Infrastructure;

/// <summary>
/// Runs trials in a runspace with the trial command (Invoke-ModelTrial, the same compiled cmdlet locally and on remote
/// hosts): a runspace of this process, which takes the datasets themselves, or the runspace of a remote session, which
/// gets each dataset once in its plain form (<see cref="SweepWire"/>) and then only its Id.
/// </summary>
internal sealed class RunspaceTrialWorker : ITrialWorker
{
    /// <summary>
    /// The trial command is not exported (it is plumbing, not part of the user's surface), so a remote host reaches it
    /// inside the module's scope; local workers have it in their session state directly (<see cref="LocalWorkerPool"/>).
    /// </summary>
    private const string RemoteCall = "param($a) & (Get-Module KerasPS | Select-Object -First 1) { param($a) " + TrialCommand + " @a } $a";
    internal const string TrialCommand = "Invoke-ModelTrial";

    private readonly Action<Runspace>? release;
    private readonly WorkerRunspace? local;
    private PowerShell? shell;
    private IAsyncResult? pending;
    private ManualResetEvent? ran;
    private Collection<PSObject>? ranOutput;
    private Exception? ranError;
    private volatile bool stopRequested;

    public RunspaceTrialWorker(string host, Runspace runspace, bool remote, Action<Runspace>? release = null)
    {
        Host = host; Runspace = runspace; Remote = remote; this.release = release;
    }

    /// <summary>A worker on a pooled local runspace, whose trials run on the runspace's own background thread.</summary>
    public RunspaceTrialWorker(WorkerRunspace local, Action<WorkerRunspace> release)
        : this("localhost", local.Runspace, remote: false, _ => release(local))
    {
        this.local = local;
    }

    public string Host { get; }
    public Runspace Runspace { get; }
    public bool Remote { get; }

    /// <summary>Ids of the datasets this (remote) host has been sent; later trials send only the Id.</summary>
    private HashSet<string> DataSent { get; } = new(StringComparer.Ordinal);

    public WaitHandle Start(TrialRequest t, TrialSettings s)
    {
        var a = new Hashtable
        {
            ["ModelScript"] = s.ModelScript,
            ["Parameters"] = ParameterTable(t.Parameters),
            ["Seed"] = t.Seed,
            ["Data"] = DataFor(s.Data),
            ["Epochs"] = t.Epochs,
            ["BatchSize"] = s.BatchSize,
            ["Monitor"] = s.Monitor,
        };
        if (s.ValidationData is not null) a["ValidationData"] = DataFor(s.ValidationData);
        if (s.ValidationSplit > 0) a["ValidationSplit"] = s.ValidationSplit;
        if (s.Shuffle is bool shuffle) a["Shuffle"] = shuffle;
        if (s.MaxDuration is { } md) a["MaxDuration"] = md;
        if (s.Threads is int th) a["Threads"] = th;
        if (s.CallbackScript is not null) a["CallbackScript"] = s.CallbackScript;
        if (t.TrainRows is not null) a["TrainRows"] = t.TrainRows;
        if (t.ValidationRows is not null) a["ValidationRows"] = t.ValidationRows;
        if (t.CheckpointPath is not null && !Remote) a["CheckpointPath"] = t.CheckpointPath;
        if (t.ReturnCheckpoint || (t.CheckpointPath is not null && Remote)) a["ReturnCheckpoint"] = true;
        if (t.Predict) a["Predict"] = true;
        if (t.PruneThresholds is not null) a["PruneThresholds"] = t.PruneThresholds;
        if (t.EpochEnd is not null && !Remote) a["EpochReport"] = t.EpochEnd;

        var ps = PowerShell.Create();
        ps.Runspace = Runspace;
        if (Remote) ps.AddScript(RemoteCall).AddArgument(a);
        else
        {
            ps.AddCommand(TrialCommand);
            foreach (DictionaryEntry e in a) ps.AddParameter((string)e.Key, e.Value is bool b ? new SwitchParameter(b) : e.Value);
        }
        shell = ps;
        stopRequested = false;
        if (local is null)
        {
            pending = ps.BeginInvoke();
            return pending.AsyncWaitHandle;
        }
        var done = ran = new ManualResetEvent(false);
        ranOutput = null;
        ranError = null;
        local.Post(() =>
        {
            // A stop that came while the trial waited for this thread (a study worker stopped right after its claim) runs nothing.
            try { ranOutput = stopRequested ? throw new PipelineStoppedException() : ps.Invoke(); }
            catch (Exception e) { ranError = e; }
            finally { done.Set(); }
        });
        return done;
    }

    public TrialOutcome Finish(Action<string> warn)
    {
        var ps = shell!;
        IEnumerable<PSObject>? output = null;
        Exception? error = null;
        if (ran is not null)
        {
            ran.WaitOne();
            ran.Dispose();
            ran = null;
            (output, error) = (ranOutput, ranError);
            (ranOutput, ranError) = (null, null);
        }
        else
        {
            try { output = ps.EndInvoke(pending!); }
            catch (Exception e) { error = e; }
        }
        foreach (var w in ps.Streams.Warning) warn(w.Message);
        shell = null;
        pending = null;
        ps.Dispose();
        if (error is not null && Lost(error)) throw new TrialHostLostException(error.Message, error);
        var reply = output?.Select(o => o.BaseObject).OfType<IDictionary>().LastOrDefault();
        if (error is not null || reply is null)
        {
            var id = error is IContainsErrorRecord { ErrorRecord: { } er } ? er.FullyQualifiedErrorId.Split(',')[0] : null;
            return TrialOutcome.WorkerFailed(id, error?.Message);
        }
        return SweepWire.OutcomeFromReply(reply);
    }

    public void Stop()
    {
        stopRequested = true;
        shell?.BeginStop(null, null);
    }

    /// <summary>True when the worker's host is gone (process killed, connection lost), as opposed to a trial that failed.</summary>
    private bool Lost(Exception e) => Remote && (e is PSRemotingTransportException || e is PSRemotingDataStructureException ||
        Runspace.RunspaceStateInfo.State is not RunspaceState.Opened);

    /// <summary>A local runspace shares this process and takes the dataset itself; a remote host gets it once, then its Id.</summary>
    private object DataFor(EncodedData data)
    {
        if (!Remote) return new Dataset(data);
        var h = SweepWire.DatasetToWire(data);
        var id = (string)h["Id"]!;
        return DataSent.Add(id) ? h : SweepWire.Reference(h);
    }

    internal static Hashtable ParameterTable(IEnumerable<KeyValuePair<string, object?>> parameters)
    {
        var p = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in parameters) p[k] = v;
        return p;
    }

    public void Dispose()
    {
        shell?.Dispose();
        shell = null;
        if (!Remote) release?.Invoke(Runspace);   // remote runspaces belong to their PSSession
    }
}

/// <summary>
/// A local runspace that runs its pipelines on one thread of its own, a background thread. PowerShell's own
/// ReuseThread pipeline thread is a foreground thread: kept open in <see cref="LocalWorkerPool"/> after a sweep, it
/// kept a process alive after its Main returned (a custom host or a service that does not end with Environment.Exit,
/// as pwsh does; found in the Windows leg's host). This thread never holds the process, and it stays the same
/// thread for every trial of the runspace, so per-thread native state is set up once, as with ReuseThread.
/// </summary>
internal sealed class WorkerRunspace : IDisposable
{
    /// <summary>The stack PowerShell gives its own pipeline threads (deep scripts recurse deeply).</summary>
    private const int MaxStack = 10_000_000;

    private readonly BlockingCollection<Action> work = new();

    public WorkerRunspace(InitialSessionState iss)
    {
        Runspace = RunspaceFactory.CreateRunspace(iss);
        Runspace.ThreadOptions = PSThreadOptions.UseCurrentThread;
        Runspace.Open();
        Thread = new Thread(() => { foreach (var a in work.GetConsumingEnumerable()) a(); }, MaxStack)
        {
            IsBackground = true, Name = "KerasPS trial worker",
        };
        Thread.Start();
    }

    public Runspace Runspace { get; }

    /// <summary>The thread that runs this runspace's pipelines (background: it never keeps the process alive).</summary>
    public Thread Thread { get; }

    /// <summary>Runs <paramref name="action"/> on <see cref="Thread"/>, after what was posted before it.</summary>
    public void Post(Action action) => work.Add(action);

    public void Dispose()
    {
        work.CompleteAdding();
        Runspace.Dispose();
    }
}

/// <summary>
/// Local runspaces with KerasPS imported, kept open between sweeps and cross-validations of this process. Opening one
/// imports the module and compiles PowerShell's code paths anew (measured 40-100 ms of CPU each, plus about 1 s of
/// background JIT per sweep in the first sweeps); a runspace that is kept also keeps its one pipeline thread
/// (<see cref="WorkerRunspace"/>, a background thread), so libtorch's and glibc's per-thread state (MKL buffers, the
/// malloc arena) is set up once per worker rather than once per trial.
/// </summary>
internal static class LocalWorkerPool
{
    private const int MaxIdle = 16;
    private static readonly ConcurrentDictionary<string, ConcurrentBag<WorkerRunspace>> Idle = new(StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="count"/> open runspaces that have the module <paramref name="import"/>: idle ones first, the rest opened in
    /// parallel.
    /// </summary>
    public static List<WorkerRunspace> Rent(string import, int count)
    {
        var bag = Idle.GetOrAdd(import, _ => new ConcurrentBag<WorkerRunspace>());
        var list = new List<WorkerRunspace>();
        while (list.Count < count && bag.TryTake(out var rs))
        {
            if (Usable(rs)) list.Add(rs);
            else rs.Dispose();
        }
        int missing = count - list.Count;
        if (missing > 0)
        {
            var iss = InitialSessionState.CreateDefault2();
            iss.ImportPSModule(new[] { import });
            // The trial command is not exported; the worker runspaces, which the user never sees, get it directly.
            iss.Commands.Add(new SessionStateCmdletEntry(RunspaceTrialWorker.TrialCommand, typeof(InvokeModelTrialCommand), null));
            var opened = new WorkerRunspace[missing];
            Parallel.For(0, missing, i => opened[i] = new WorkerRunspace(iss));
            list.AddRange(opened);
        }
        return list;
    }

    /// <summary>Gives a runspace back for the next run, or closes it when it is broken or the pool is full.</summary>
    public static void Return(string import, WorkerRunspace rs)
    {
        var bag = Idle.GetOrAdd(import, _ => new ConcurrentBag<WorkerRunspace>());
        if (Usable(rs) && bag.Count < MaxIdle) bag.Add(rs);
        else rs.Dispose();
    }

    private static bool Usable(WorkerRunspace w) =>
        w.Runspace.RunspaceStateInfo.State == RunspaceState.Opened && w.Runspace.RunspaceAvailability == RunspaceAvailability.Available;
}
