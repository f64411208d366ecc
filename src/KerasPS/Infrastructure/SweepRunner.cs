using System.Collections;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Management.Automation.Remoting;
using System.Management.Automation.Runspaces;
using KerasPS.Engine.Sweeps;

namespace KerasPS.Infrastructure;

/// <summary>A place a trial can run: a local runspace, or the runspace of a remote session.</summary>
internal sealed class SweepWorker : IDisposable
{
    public SweepWorker(string host, Runspace runspace, bool remote) { Host = host; Runspace = runspace; Remote = remote; }
    public string Host { get; }
    public Runspace Runspace { get; }
    public bool Remote { get; }
    public bool Alive { get; set; } = true;
    public PowerShell? Shell { get; set; }
    public IAsyncResult? Pending { get; set; }
    public PendingTrial? Trial { get; set; }
    public bool Busy => Pending is not null;

    /// <summary>True when the worker's host is gone (process killed, connection lost), as opposed to a trial that failed.</summary>
    public bool Lost(Exception e) => Remote && (e is PSRemotingTransportException || e is PSRemotingDataStructureException ||
        Runspace.RunspaceStateInfo.State is not RunspaceState.Opened);

    public void Dispose()
    {
        Shell?.Dispose();
        if (Remote && Alive && Runspace.RunspaceStateInfo.State == RunspaceState.Opened && Runspace.RunspaceAvailability == RunspaceAvailability.Available)
        {
            // The session stays the caller's: leave it as it was, without the sweep's data (tens of MB for real data sets).
            try
            {
                using var ps = PowerShell.Create();
                ps.Runspace = Runspace;
                ps.AddScript(SweepScripts.Teardown).Invoke();
            }
            catch (Exception e) when (e is RuntimeException or PSRemotingTransportException or InvalidRunspaceStateException) { /* a session that broke needs no tidying */ }
        }
        if (!Remote) Runspace.Dispose();   // remote runspaces belong to their PSSession
    }
}

internal sealed class PendingTrial
{
    public PendingTrial(TrialSpec spec) => Spec = spec;
    public TrialSpec Spec { get; }
    public int Attempts { get; set; }
    /// <summary>When the current attempt started (UTC), to tell this trial's files from older ones.</summary>
    public DateTime StartedUtc { get; set; }
    public List<string> LostHosts { get; } = new();
}

/// <summary>
/// Runs trials on workers: hands the next trial to each idle worker, waits for any to finish, reports each result as it
/// comes (on the caller's thread, so the cmdlet can write it), and moves the trial of a host that dropped out to
/// another host.
/// </summary>
internal sealed class SweepRunner
{
    private readonly List<SweepWorker> workers;
    private readonly Func<TrialSpec, PowerShell, PowerShell> addTrialCommand;
    private readonly ManualResetEvent stopped = new(false);

    public SweepRunner(List<SweepWorker> workers, Func<TrialSpec, PowerShell, PowerShell> addTrialCommand)
    {
        this.workers = workers;
        this.addTrialCommand = addTrialCommand;
    }

    public void Stop()
    {
        stopped.Set();
        foreach (var w in workers.ToArray())
        {
            try { w.Shell?.BeginStop(null, null); } catch (Exception) { /* the worker is going away anyway */ }
        }
    }

    /// <summary>
    /// Runs every trial. <paramref name="done"/> gets each finished run's output (or the exception that ended it);
    /// <paramref name="lost"/> is told when a host drops out and its trial goes back in the queue.
    /// <paramref name="noHost"/> gets the trials left when no worker is left.
    /// </summary>
    public void Run(IEnumerable<TrialSpec> trials, Action<PendingTrial, SweepWorker, PSDataCollection<PSObject>?, Exception?> done,
        Action<PendingTrial, SweepWorker, Exception> lost, Action<PendingTrial> noHost, Action<PendingTrial, SweepWorker, string> warn)
    {
        var queue = new LinkedList<PendingTrial>(trials.Select(t => new PendingTrial(t)));
        while (!stopped.WaitOne(0))
        {
            foreach (var w in workers.Where(w => w.Alive && !w.Busy))
            {
                if (queue.First is not { } next) break;
                queue.RemoveFirst();
                Start(w, next.Value);
            }
            var busy = workers.Where(w => w.Busy).ToList();
            if (busy.Count == 0)
            {
                foreach (var t in queue) noHost(t);
                return;
            }
            var handles = busy.Select(w => w.Pending!.AsyncWaitHandle).Append(stopped).ToArray();
            WaitHandle.WaitAny(handles);
            foreach (var w in busy.Where(w => w.Pending!.IsCompleted))
            {
                var trial = w.Trial!;
                var shell = w.Shell!;
                PSDataCollection<PSObject>? output = null;
                Exception? error = null;
                try { output = shell.EndInvoke(w.Pending!); }
                catch (Exception e) { error = e; }
                foreach (var warning in shell.Streams.Warning) warn(trial, w, warning.Message);
                w.Pending = null; w.Trial = null; w.Shell = null;
                shell.Dispose();
                if (stopped.WaitOne(0)) return;
                if (error is not null && w.Lost(error))
                {
                    w.Alive = false;
                    trial.LostHosts.Add(w.Host);
                    lost(trial, w, error);
                    queue.AddFirst(trial);
                    continue;
                }
                done(trial, w, output, error);
            }
        }
    }

    private void Start(SweepWorker w, PendingTrial t)
    {
        t.Attempts++;
        t.StartedUtc = DateTime.UtcNow;
        var ps = PowerShell.Create();
        ps.Runspace = w.Runspace;
        addTrialCommand(t.Spec, ps);
        w.Shell = ps;
        w.Trial = t;
        w.Pending = ps.BeginInvoke();
    }

    /// <summary>Runs the set-up script on a worker and waits for it.</summary>
    public static void SetUp(SweepWorker w, string? modulePath, object? data, object? validationData)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = w.Runspace;
        ps.AddScript(SweepScripts.Setup).AddParameter("ModulePath", modulePath).AddParameter("Data", data)
            .AddParameter("ValidationData", validationData).AddParameter("Trial", SweepScripts.Trial);
        ps.Invoke();
    }

    public static OrderedDictionary ParameterTable(TrialSpec spec)
    {
        var d = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in spec.Parameters) d[k] = v;
        return d;
    }

    public static Hashtable ToHashtable(IDictionary d)
    {
        var h = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in d) h[e.Key] = e.Value;
        return h;
    }
}
