using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Native;
using KerasPS.Engine.Sweeps;
using KerasPS.Engine.Sweeps.Studies;

namespace KerasPS.Infrastructure;

/// <summary>
/// What the study cmdlets share: opening a storage from -Storage and -Credential, a sweep space from -Parameters, and
/// running study workers on pooled local runspaces (each on a thread of its own) while the cmdlet's thread writes
/// what they report.
/// </summary>
internal static class StudyWorkers
{
    /// <summary>Result properties a parameter may not shadow (the same rule as Invoke-ModelSweep's).</summary>
    public static readonly HashSet<string> Reserved =
        new(typeof(TrialResult).GetProperties().Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    /// <summary>The storage of -Storage; a relative SQLite path is taken from PowerShell's current folder.</summary>
    public static StudyStorage Open(PSCmdlet cmdlet, string url, PSCredential? credential) =>
        StudyStorage.Open(url, cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath, credential?.UserName,
            credential?.GetNetworkCredential().Password);

    /// <summary>A sweep space from -Parameters: name = values or a range; a plain hashtable's names in ordinal order.</summary>
    public static List<KeyValuePair<string, object?[]>> Space(IDictionary parameters)
    {
        var entries = parameters.Cast<DictionaryEntry>().Select(e =>
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
        if (parameters is not OrderedDictionary) entries.Sort((a, b) => StringComparer.Ordinal.Compare(a.Key, b.Key));
        return entries;
    }

    /// <summary>
    /// Runs <paramref name="count"/> workers of one study in this process and writes each finished trial through
    /// <paramref name="emit"/> on the calling thread. libtorch threads are split between the workers for the run.
    /// </summary>
    public static void Run(PSCmdlet cmdlet, int count, int? threads, StudyStorage storage, StudyInfo study, TrialSettings settings,
        StudyWorkerOptions options, Action<TrialRun> emit, CancellationToken cancel)
    {
        TorchRuntime.EnsureLoaded();
        int perTrial = threads ?? (count > 1 ? Math.Max(1, Environment.ProcessorCount / count) : ModuleSettings.Threads ?? 0);
        int? savedThreads = null;
        if (perTrial > 0)
        {
            savedThreads = TorchRuntime.Threads;
            TorchRuntime.Threads = perTrial;
            settings.Threads = perTrial;
        }
        var module = cmdlet.MyInvocation.MyCommand.Module;
        var manifest = module is null ? null : Path.Combine(module.ModuleBase, "KerasPS.psd1");
        var import = manifest is not null && File.Exists(manifest) ? manifest : module?.Path ?? typeof(StudyWorkers).Assembly.Location;
        var messages = new BlockingCollection<(string Kind, object Value)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var runspaces = LocalWorkerPool.Rent(import, count);
        var workers = runspaces.Select(w => new RunspaceTrialWorker(w, release: r => LocalWorkerPool.Return(import, r))).ToList();
        int alive = workers.Count;
        var workerThreads = new List<Thread>();
        var host = Environment.MachineName;
        try
        {
            for (int i = 0; i < workers.Count; i++)
            {
                var trialWorker = workers[i];
                string name = workers.Count > 1 ? $"{host}#{Environment.ProcessId}.{i + 1}" : $"{host}#{Environment.ProcessId}";
                var thread = new Thread(() =>
                {
                    try
                    {
                        new StudyWorker(storage, study, settings, new NamedWorker(trialWorker, name), options)
                        {
                            Finished = r => messages.Add(("result", r)),
                            Warn = m => messages.Add(("warning", m)),
                            Log = m => messages.Add(("verbose", m)),
                        }.Run(stop.Token);
                    }
                    catch (Exception e)
                    {
                        messages.Add(("error", e));
                        stop.Cancel();
                    }
                    finally
                    {
                        if (Interlocked.Decrement(ref alive) == 0) messages.CompleteAdding();
                    }
                })
                { IsBackground = true, Name = "KerasPS study worker" };
                workerThreads.Add(thread);
                thread.Start();
            }
            Exception? first = null;
            foreach (var (kind, value) in messages.GetConsumingEnumerable())
            {
                switch (kind)
                {
                    case "result": emit((TrialRun)value); break;
                    case "warning": cmdlet.WriteWarning((string)value); break;
                    case "verbose": cmdlet.WriteVerbose((string)value); break;
                    default: first ??= (Exception)value; break;
                }
            }
            if (first is not null)
            {
                if (first is KerasException) throw first;
                throw new KerasException("StudyWorkerFailed", ErrorKind.InvalidOperation,
                    $"A study worker stopped: {first.Message.Split('\n')[0].Trim()}", first);
            }
        }
        finally
        {
            // A stopped pipeline (Ctrl+C, Stop-Job) leaves here while the workers stop their trials and mark them FAIL: wait for
            // that (bounded), so the study is up to date when the cmdlet returns and no runspace is pooled while it still runs.
            stop.Cancel();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            foreach (var t in workerThreads) t.Join(Max(TimeSpan.Zero, deadline - DateTime.UtcNow));
            foreach (var w in workers) w.Dispose();
            if (savedThreads is int st) TorchRuntime.Threads = st;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>A local trial worker that reports the host as machine#process, so a study tells its workers apart.</summary>
    private sealed class NamedWorker : ITrialWorker
    {
        private readonly ITrialWorker inner;

        public NamedWorker(ITrialWorker inner, string host) { this.inner = inner; Host = host; }

        public string Host { get; }
        public WaitHandle Start(TrialRequest request, TrialSettings settings) => inner.Start(request, settings);
        public TrialOutcome Finish(Action<string> warn) => inner.Finish(warn);
        public void Stop() => inner.Stop();
        public void Dispose() { }
    }
}

/// <summary>Completes -Study with the names of the studies in the -Storage already typed (SQLite only: no password prompt).</summary>
public sealed class StudyNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        if (fakeBoundParameters?["Storage"] is not string url || !url.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
            return Array.Empty<CompletionResult>();
        try
        {
            var storage = StudyStorage.Open(url, Environment.CurrentDirectory);
            using var connections = storage.ConnectionScope();
            if (storage is SqliteStudyStorage s && !File.Exists(s.Path)) return Array.Empty<CompletionResult>();
            return StudyStore.Names(storage).Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n.Contains(' ', StringComparison.Ordinal) ? $"'{n}'" : n, n,
                    CompletionResultType.ParameterValue, n)).ToList();
        }
        catch (Exception e) when (e is KerasException or System.Data.Common.DbException or IOException)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}
