using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Remoting;
using System.Management.Automation.Runspaces;
using System.Runtime.InteropServices;
using KerasPS.Engine.Training;

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
    public TrialRequest? Trial { get; set; }
    public bool Busy => Pending is not null;

    /// <summary>Ids of the datasets this (remote) host has been sent; later trials send only the Id.</summary>
    public HashSet<string> DataSent { get; } = new(StringComparer.Ordinal);

    /// <summary>True when the worker's host is gone (process killed, connection lost), as opposed to a trial that failed.</summary>
    public bool Lost(Exception e) => Remote && (e is PSRemotingTransportException || e is PSRemotingDataStructureException ||
        Runspace.RunspaceStateInfo.State is not RunspaceState.Opened);

    public void Dispose()
    {
        Shell?.Dispose();
        if (!Remote) Runspace.Dispose();   // remote runspaces belong to their PSSession
    }
}

/// <summary>What every trial of one run shares: the scripts, the data and the fit settings (Invoke-ModelTrial's parameters).</summary>
internal sealed class TrialSettings
{
    public required string ModelScript { get; init; }
    public string? CallbackScript { get; init; }
    public required Dataset Data { get; init; }
    public Dataset? ValidationData { get; init; }
    public double ValidationSplit { get; init; }
    public int BatchSize { get; init; } = 32;
    public bool? Shuffle { get; init; }
    public TimeSpan? MaxDuration { get; init; }
    public int? Threads { get; set; }
    public required string Monitor { get; init; }

    // The plain forms sent to remote hosts, made once per run.
    private Hashtable? dataWire, validationWire;
    public Hashtable DataWire => dataWire ??= SweepWire.DatasetToWire(Data);
    public Hashtable? ValidationWire => ValidationData is null ? null : validationWire ??= SweepWire.DatasetToWire(ValidationData);
}

/// <summary>
/// One unit of work for a worker: a trial of a sweep, or one fold of a trial, with its own seed, rows and epoch budget.
/// The caller (a grid, a cross-validation, or a scheduler that promotes trials) decides which requests to queue and
/// for how many epochs; the runner only runs them.
/// </summary>
internal sealed class TrialRequest
{
    public TrialRequest(int trial, IDictionary parameters, long seed, int epochs)
    {
        Trial = trial; Parameters = parameters; Seed = seed; Epochs = epochs;
    }
    public int Trial { get; }
    public IDictionary Parameters { get; }
    public long Seed { get; }
    public int Epochs { get; }
    /// <summary>1-based fold and repeat of a cross-validated trial, or 0.</summary>
    public int Fold { get; init; }
    public int Repeat { get; init; }
    public int[]? TrainRows { get; init; }
    public int[]? ValidationRows { get; init; }
    public string? CheckpointPath { get; init; }
    public bool ReturnCheckpoint { get; init; }
    public bool Predict { get; init; }
    /// <summary>Per-epoch pruning thresholds of the monitor (median stopping), or null.</summary>
    public double[]? PruneThresholds { get; init; }

    public int Attempts { get; set; }
    /// <summary>When the current attempt started (UTC), to tell this trial's files from older ones.</summary>
    public DateTime StartedUtc { get; set; }
    public List<string> LostHosts { get; } = new();
}

/// <summary>What a worker reported for one request, decoded from Invoke-ModelTrial's reply.</summary>
internal sealed class TrialOutcome
{
    public List<EpochRecord> Records { get; init; } = new();
    public TimeSpan Duration { get; init; }
    public string? ErrorId { get; init; }
    public string? Error { get; init; }
    public float[]? Predictions { get; init; }
    public int PredictionWidth { get; init; }
    public byte[]? Checkpoint { get; init; }
    /// <summary>The epoch after which the trial's pruning thresholds stopped it, or null.</summary>
    public int? PrunedAtEpoch { get; init; }
    public bool Failed => ErrorId is not null;

    public static TrialOutcome From(PSDataCollection<PSObject>? output, Exception? error)
    {
        var reply = output?.Select(o => o.BaseObject).OfType<IDictionary>().LastOrDefault();
        if (error is not null || reply is null)
            return new TrialOutcome
            {
                ErrorId = error is IContainsErrorRecord { ErrorRecord: { } er } ? er.FullyQualifiedErrorId.Split(',')[0] : "TrialWorkerFailed",
                Error = error is null ? "The trial worker returned no result." : error.Message.Split('\n')[0].Trim(),
            };
        object? Get(string k) => reply.Contains(k) ? PSValue.Unwrap(reply[k]) : null;
        return new TrialOutcome
        {
            Records = SweepWire.HistoryFromWire(Get("History")),
            Duration = TimeSpan.FromTicks(Convert.ToInt64(Get("DurationTicks") ?? 0L, CultureInfo.InvariantCulture)),
            ErrorId = Get("ErrorId") as string,
            Error = Convert.ToString(Get("Error"), CultureInfo.InvariantCulture),
            Predictions = Get("Predictions") is string p ? MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(p)).ToArray() : null,
            PredictionWidth = Convert.ToInt32(Get("PredictionWidth") ?? 0, CultureInfo.InvariantCulture),
            Checkpoint = Get("Checkpoint") is string c ? Convert.FromBase64String(c) : null,
            PrunedAtEpoch = Get("PrunedAtEpoch") is { } pe ? Convert.ToInt32(pe, CultureInfo.InvariantCulture) : null,
        };
    }
}

/// <summary>
/// Runs trial requests on workers with Invoke-ModelTrial (the same compiled cmdlet locally and remotely): hands the
/// next request to each idle worker, waits for any to finish, reports each outcome as it comes (on the caller's
/// thread, so the cmdlet can write it), and moves the request of a host that dropped out to another host. A done
/// callback may <see cref="Enqueue"/> more work (a scheduler promoting a trial to more epochs).
/// </summary>
internal sealed class SweepRunner
{
    private readonly List<SweepWorker> workers;
    private readonly TrialSettings settings;
    private readonly ManualResetEvent stopped = new(false);
    private readonly LinkedList<TrialRequest> queue = new();

    public SweepRunner(List<SweepWorker> workers, TrialSettings settings)
    {
        this.workers = workers;
        this.settings = settings;
    }

    public void Enqueue(TrialRequest request) => queue.AddLast(request);

    public void Stop()
    {
        stopped.Set();
        foreach (var w in workers.ToArray())
        {
            try { w.Shell?.BeginStop(null, null); } catch (Exception) { /* the worker is going away anyway */ }
        }
    }

    /// <summary>
    /// Runs every queued request. <paramref name="done"/> gets each finished request's outcome; <paramref name="lost"/>
    /// is told when a host drops out and its request goes back in the queue; <paramref name="noHost"/> gets the requests
    /// left when no worker is left.
    /// </summary>
    public void Run(Action<TrialRequest, SweepWorker, TrialOutcome> done, Action<TrialRequest, SweepWorker, Exception> lost,
        Action<TrialRequest> noHost, Action<TrialRequest, SweepWorker, string> warn)
    {
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
                queue.Clear();
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
                done(trial, w, TrialOutcome.From(output, error));
            }
        }
    }

    private void Start(SweepWorker w, TrialRequest t)
    {
        t.Attempts++;
        t.StartedUtc = DateTime.UtcNow;
        var ps = PowerShell.Create();
        ps.Runspace = w.Runspace;
        var s = settings;
        ps.AddCommand("Invoke-ModelTrial")
            .AddParameter("ModelScript", s.ModelScript)
            .AddParameter("Parameters", t.Parameters)
            .AddParameter("Seed", t.Seed)
            .AddParameter("Data", DataFor(w, s.Data, () => s.DataWire))
            .AddParameter("Epochs", t.Epochs)
            .AddParameter("BatchSize", s.BatchSize)
            .AddParameter("Monitor", s.Monitor);
        if (s.ValidationData is not null) ps.AddParameter("ValidationData", DataFor(w, s.ValidationData, () => s.ValidationWire!));
        if (s.ValidationSplit > 0) ps.AddParameter("ValidationSplit", s.ValidationSplit);
        if (s.Shuffle is bool shuffle) ps.AddParameter("Shuffle", new SwitchParameter(shuffle));
        if (s.MaxDuration is { } md) ps.AddParameter("MaxDuration", md);
        if (s.Threads is int th) ps.AddParameter("Threads", th);
        if (s.CallbackScript is not null) ps.AddParameter("CallbackScript", s.CallbackScript);
        if (t.TrainRows is not null) ps.AddParameter("TrainRows", t.TrainRows);
        if (t.ValidationRows is not null) ps.AddParameter("ValidationRows", t.ValidationRows);
        if (t.CheckpointPath is not null && !w.Remote) ps.AddParameter("CheckpointPath", t.CheckpointPath);
        if (t.ReturnCheckpoint || (t.CheckpointPath is not null && w.Remote)) ps.AddParameter("ReturnCheckpoint");
        if (t.Predict) ps.AddParameter("Predict");
        if (t.PruneThresholds is not null) ps.AddParameter("PruneThresholds", t.PruneThresholds);
        w.Shell = ps;
        w.Trial = t;
        w.Pending = ps.BeginInvoke();
    }

    /// <summary>A local runspace shares this process and takes the dataset itself; a remote host gets it once, then its Id.</summary>
    private static object DataFor(SweepWorker w, Dataset data, Func<Hashtable> wire)
    {
        if (!w.Remote) return data;
        var h = wire();
        var id = (string)h["Id"]!;
        return w.DataSent.Add(id) ? h : SweepWire.Reference(h);
    }
}
