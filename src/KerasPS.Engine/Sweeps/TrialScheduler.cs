namespace KerasPS.Engine.Sweeps;

/// <summary>
/// A place a trial can run: a runspace of this process, or a remote host. The engine cannot run a PowerShell script,
/// so the front end implements this; the <see cref="TrialScheduler"/> decides what runs where and when.
/// </summary>
public interface ITrialWorker : IDisposable
{
    /// <summary>Where the trial runs: localhost, or the remote computer's name.</summary>
    string Host { get; }

    /// <summary>Starts a request; the handle is signalled when the worker is done with it.</summary>
    WaitHandle Start(TrialRequest request, TrialSettings settings);

    /// <summary>
    /// The outcome of the request the worker finished (a failed trial is an outcome, not an exception). Throws
    /// <see cref="TrialHostLostException"/> when the host itself went away, so the request can run elsewhere.
    /// </summary>
    TrialOutcome Finish(Action<string> warn);

    /// <summary>Asks the running request to stop (the caller is being stopped).</summary>
    void Stop();
}

/// <summary>The worker's host is gone (process killed, connection lost), as opposed to a trial that failed.</summary>
public sealed class TrialHostLostException : Exception
{
    public TrialHostLostException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// Runs trial requests on workers: hands the next request to each idle worker, waits for any to finish, reports each
/// outcome as it comes (on the caller's thread, so a cmdlet can write it), and moves the request of a host that
/// dropped out to another host. A done callback may <see cref="Enqueue"/> more work (a schedule promoting a trial,
/// a search proposing one).
/// </summary>
public sealed class TrialScheduler
{
    private sealed class Slot
    {
        public Slot(ITrialWorker worker) => Worker = worker;
        public ITrialWorker Worker { get; }
        public bool Alive { get; set; } = true;
        public TrialRequest? Request { get; set; }
        public WaitHandle? Pending { get; set; }
    }

    private readonly List<Slot> slots;
    private readonly TrialSettings settings;
    private readonly ManualResetEvent stopped = new(false);
    private readonly LinkedList<TrialRequest> queue = new();

    public TrialScheduler(IEnumerable<ITrialWorker> workers, TrialSettings settings)
    {
        slots = workers.Select(w => new Slot(w)).ToList();
        this.settings = settings;
    }

    public void Enqueue(TrialRequest request) => queue.AddLast(request);

    /// <summary>Stops the run: the running requests are asked to stop and no outcome is reported after this.</summary>
    public void Stop()
    {
        stopped.Set();
        foreach (var s in slots.ToArray())
        {
            try { if (s.Request is not null) s.Worker.Stop(); }
            catch (Exception) { /* the worker is going away anyway */ }
        }
    }

    /// <summary>
    /// Runs every queued request. <paramref name="done"/> gets each finished request's outcome; <paramref name="lost"/>
    /// is told when a host drops out and its request goes back in the queue; <paramref name="noHost"/> gets the
    /// requests left when no worker is left; <paramref name="warn"/> gets the warnings a request wrote.
    /// </summary>
    public void Run(Action<TrialRequest, ITrialWorker, TrialOutcome> done, Action<TrialRequest, ITrialWorker, Exception> lost,
        Action<TrialRequest> noHost, Action<TrialRequest, ITrialWorker, string> warn)
    {
        while (!stopped.WaitOne(0))
        {
            foreach (var s in slots.Where(s => s.Alive && s.Request is null))
            {
                if (queue.First is not { } next) break;
                queue.RemoveFirst();
                var request = next.Value;
                request.Attempts++;
                request.StartedUtc = DateTime.UtcNow;
                s.Request = request;
                s.Pending = s.Worker.Start(request, settings);
            }
            var busy = slots.Where(s => s.Request is not null).ToList();
            if (busy.Count == 0)
            {
                foreach (var t in queue) noHost(t);
                queue.Clear();
                return;
            }
            WaitHandle.WaitAny(busy.Select(s => s.Pending!).Append(stopped).ToArray());
            foreach (var s in busy.Where(s => s.Pending!.WaitOne(0)))
            {
                var request = s.Request!;
                TrialOutcome? outcome = null;
                Exception? gone = null;
                try { outcome = s.Worker.Finish(message => warn(request, s.Worker, message)); }
                catch (TrialHostLostException e) { gone = e; }
                s.Request = null;
                s.Pending = null;
                if (stopped.WaitOne(0)) return;
                if (gone is not null)
                {
                    s.Alive = false;
                    request.LostHosts.Add(s.Worker.Host);
                    lost(request, s.Worker, gone.InnerException ?? gone);
                    queue.AddFirst(request);
                    continue;
                }
                done(request, s.Worker, outcome!);
            }
        }
    }
}
