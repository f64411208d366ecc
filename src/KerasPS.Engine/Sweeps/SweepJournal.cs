using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using KerasPS.Engine.Training;

namespace KerasPS.Engine.Sweeps;

/// <summary>A parameter value as the journal keeps it: its name, its .NET type and its invariant text.</summary>
public sealed class JournalParameter
{
    public string Name { get; set; } = "";
    public string Type { get; set; } = "string";
    public string? Value { get; set; }

    public static JournalParameter From(string name, object? value) => new()
    {
        Name = name,
        Type = value switch
        {
            null => "null", int => "int", long => "long", double => "double", float => "double", bool => "bool", _ => "string"
        },
        Value = value switch
        {
            null => null, double d => d.ToString("R", CultureInfo.InvariantCulture),
            float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
            IFormattable x => x.ToString(null, CultureInfo.InvariantCulture), _ => value.ToString()
        },
    };

    public object? ToValue() => Type switch
    {
        "null" => null,
        "int" => int.Parse(Value!, CultureInfo.InvariantCulture),
        "long" => long.Parse(Value!, CultureInfo.InvariantCulture),
        "double" => double.Parse(Value!, CultureInfo.InvariantCulture),
        "bool" => bool.Parse(Value!),
        _ => Value,
    };
}

/// <summary>One epoch of a journaled run.</summary>
public sealed class JournalEpoch
{
    public int Epoch { get; set; }
    public Dictionary<string, double> Values { get; set; } = new();
    public double LearningRate { get; set; }
    public long DurationTicks { get; set; }
    public long Samples { get; set; }

    public static JournalEpoch From(EpochRecord r) => new()
    {
        Epoch = r.Epoch, Values = r.Values.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
        LearningRate = r.LearningRate, DurationTicks = r.Duration.Ticks, Samples = r.Samples,
    };

    public EpochRecord ToRecord() => new(Epoch, new Dictionary<string, double>(Values, StringComparer.Ordinal), LearningRate,
        TimeSpan.FromTicks(DurationTicks), Samples);
}

/// <summary>
/// One line of a sweep journal. Kind "sweep" opens the journal and names the sweep (seed, search, monitor) so that a
/// run with other settings is refused rather than mixed in. Kind "run" is one finished training run of a trial for
/// <see cref="Epochs"/> epochs (a schedule may run a trial several times for growing budgets). Kind "result" is a
/// trial's final result, as the sweep wrote it: Completed, Failed, or Pruned at <see cref="PrunedAtEpoch"/>.
/// </summary>
public sealed class JournalRecord
{
    public string Kind { get; set; } = "run";

    // The sweep ("sweep" records).
    public long? SweepSeed { get; set; }
    public string? Search { get; set; }
    public string? Prune { get; set; }
    public string? Space { get; set; }

    // A run or a result.
    public int Trial { get; set; }
    public int Epochs { get; set; }
    public long Seed { get; set; }
    public string? Monitor { get; set; }
    public List<JournalParameter> Parameters { get; set; } = new();
    public string Status { get; set; } = "Failed";
    public string? ErrorId { get; set; }
    public string? Error { get; set; }
    public string Host { get; set; } = "localhost";
    public int Attempts { get; set; }
    public long DurationTicks { get; set; }
    public double? Best { get; set; }
    public int? BestEpoch { get; set; }
    public double? BestStd { get; set; }
    public int Folds { get; set; }
    public double[]? FoldScores { get; set; }
    public int? PrunedAtEpoch { get; set; }
    public List<JournalEpoch> History { get; set; } = new();
    public DateTime WrittenUtc { get; set; }
}

/// <summary>
/// An append-only file of JSON lines that a sweep writes as trials finish, and reads back to resume after its process
/// died. Each record is one line written in one call and flushed to the disk (fsync) before the sweep goes on, so a
/// kill at any moment leaves whole records and at most a torn last line: one that lacks its newline. Reading drops
/// that line only (and cuts it off before appending, so the next record starts on a line of its own); every line
/// that ends in a newline must be one whole, valid record, or the journal is reported as JournalCorrupt naming the
/// line. A sweep holds the journal for its lifetime through an OS lock on a lock file beside it
/// (<c>journal.lock</c>, released when the process ends, however it ends), so a second sweep is refused
/// (JournalLocked) rather than interleaving records with the first.
/// </summary>
public sealed class SweepJournal : IDisposable
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>
    /// The longest line read or written (4 MiB, about 20,000 epochs of history with several metrics). A longer line is
    /// corruption, reported without reading more of it than this.
    /// </summary>
    public const int MaxLineBytes = 4 << 20;

    /// <summary>The highest trial id a journal may hold; no sweep runs more trials.</summary>
    public const int MaxTrial = 10_000_000;

    private static readonly string[] Statuses = { "Completed", "Failed", "Pruned" };
    private static readonly string[] ParameterTypes = { "null", "int", "long", "double", "bool", "string" };


    private readonly FileStream stream;
    private readonly JournalLock holder;
    private readonly object gate = new();
    private bool broken;

    private SweepJournal(string path, FileStream stream, JournalLock holder, List<JournalRecord> records, bool tornTail)
    {
        Path = path; this.stream = stream; this.holder = holder; Records = records; HadTornTail = tornTail;
    }

    public string Path { get; }

    /// <summary>
    /// The whole records the file held when it was opened, in file order; of two records for the same run (trial and
    /// epochs) or the same trial's result, only the first (<see cref="Deduplicate"/>).
    /// </summary>
    public IReadOnlyList<JournalRecord> Records { get; }

    /// <summary>True when the file ended in a half-written record (the process died while writing it); it was cut off.</summary>
    public bool HadTornTail { get; }

    /// <summary>
    /// Opens (or creates) a journal for appending, after reading what it already holds. A journal another sweep holds
    /// is refused with JournalLocked, naming that sweep's process id. Another program holding it (a scanner, an
    /// editor; on Windows) is waited for as <see cref="FileReplace"/> waits, then refused with a
    /// <see cref="FileInUseException"/>. On Windows a name it cannot hold is refused as InvalidFileName.
    /// </summary>
    public static SweepJournal Open(string path)
    {
        WindowsFileNames.CheckPath(path);
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var holder = JournalLock.Take(path);
        try
        {
            SweepJournal? journal = null;
            FileReplace.Run(path, () => journal = OpenOnce(path, holder));
            return journal!;
        }
        catch
        {
            holder.Dispose();
            throw;
        }
    }

    private static SweepJournal OpenOnce(string path, JournalLock holder)
    {
        // Unbuffered, so that a write refused by another handle's lock leaves nothing pending to be written twice.
        var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            var (records, validLength) = Parse(fs, path);
            bool torn = validLength < fs.Length;
            if (torn) { fs.SetLength(validLength); fs.Flush(true); }
            fs.Seek(0, SeekOrigin.End);
            return new SweepJournal(path, fs, holder, records, torn);
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    /// <summary>Reads a journal without changing it (a torn last line is left in the file and ignored).</summary>
    public static IReadOnlyList<JournalRecord> Read(string path)
    {
        if (!File.Exists(path))
            throw KerasException.BadArgument("JournalNotFound",
                $"No sweep journal at '{path}'. Give the path passed to Invoke-ModelSweep -Journal.", path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        return Parse(fs, path).Records;
    }

    /// <summary>
    /// Writes one record as one line and waits until it is on the disk. A write that fails (a full disk) is undone:
    /// the file is cut back to its last whole record, so it stays resumable, and the sweep stops with JournalWriteFailed.
    /// </summary>
    public void Append(JournalRecord record)
    {
        record.WrittenUtc = DateTime.UtcNow;
        var line = JsonSerializer.SerializeToUtf8Bytes(record, Json);
        if (line.Length > MaxLineBytes)
            throw new KerasException("JournalWriteFailed", ErrorKind.InvalidOperation,
                $"The journal record of trial {record.Trial} would be {line.Length:N0} bytes, more than a journal line may hold "
                    + $"({MaxLineBytes:N0}); train fewer epochs per trial or record fewer metrics.") { Target = Path };
        var buffer = new byte[line.Length + 1];
        line.CopyTo(buffer, 0);
        buffer[^1] = (byte)'\n';
        lock (gate)
        {
            if (broken)
                throw new KerasException("JournalWriteFailed", ErrorKind.ResourceUnavailable,
                    $"The sweep journal '{Path}' could not be cut back after a failed write; nothing more is written to it. "
                        + "Free disk space and run the sweep again with the same -Journal to resume it.") { Target = Path };
            long end = stream.Length;
            // A range locked by another handle (Windows) is waited for, then the sweep stops with JournalUnavailable.
            try
            {
                FileReplace.Run(Path, () =>
                {
                    stream.Seek(end, SeekOrigin.Begin);
                    stream.Write(buffer);
                    stream.Flush(flushToDisk: true);
                });
            }
            catch (FileInUseException e)
            {
                throw new KerasException("JournalUnavailable", ErrorKind.ResourceUnavailable,
                    $"Cannot write to the sweep journal: {e.Message} The records already in it are unchanged.", e) { Target = Path };
            }
            catch (IOException e)
            {
                // Part of the line may be on the disk: cut it off, so the next run neither splices onto it nor reads it.
                try { stream.SetLength(end); stream.Flush(flushToDisk: true); }
                catch (IOException) { broken = true; }
                throw new KerasException("JournalWriteFailed", ErrorKind.ResourceUnavailable,
                    $"Writing to the sweep journal '{Path}' failed: {e.Message} The records already in it are kept; free disk "
                        + "space and run the sweep again with the same -Journal to resume it.", e) { Target = Path };
            }
        }
    }

    public void Dispose()
    {
        stream.Dispose();
        holder.Dispose();
    }

    /// <summary>
    /// Keeps the first record of each run (trial, epochs) and of each trial's result, dropping later ones. A journal
    /// written by one sweep at a time holds one of each; a second record can only come from a second writer (which
    /// the lock now refuses) or an edit. The first is kept because it is the one the sweep acted on: later proposals
    /// (TPE), promotions (Hyperband) and the trial's checkpoint were made from it. Import-SweepJournal and a resumed
    /// sweep both read through here, so they agree.
    /// </summary>
    internal static List<JournalRecord> Deduplicate(IEnumerable<JournalRecord> records)
    {
        var runs = new HashSet<(int, int)>();
        var results = new HashSet<int>();
        var kept = new List<JournalRecord>();
        foreach (var r in records)
        {
            bool first = r.Kind switch
            {
                "run" => runs.Add((r.Trial, r.Epochs)),
                "result" => results.Add(r.Trial),
                _ => true,
            };
            if (first) kept.Add(r);
        }
        return kept;
    }

    /// <summary>
    /// Reads the journal line by line, never holding more than <see cref="MaxLineBytes"/> of one line. Returns the
    /// records and the length of the whole lines (where a torn last line starts).
    /// </summary>
    private static (List<JournalRecord> Records, long ValidLength) Parse(Stream input, string path)
    {
        var records = new List<JournalRecord>();
        var current = new MemoryStream();
        var buffer = new byte[1 << 16];
        long valid = 0;
        int lineNumber = 0, n;
        while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            int i = 0;
            while (i < n)
            {
                int newline = Array.IndexOf(buffer, (byte)'\n', i, n - i);
                int take = (newline < 0 ? n : newline) - i;
                if (current.Length + take > MaxLineBytes)
                    throw Corrupt(path, lineNumber + 1, $"it is longer than {MaxLineBytes:N0} bytes, more than any record KerasPS writes");
                current.Write(buffer, i, take);
                if (newline < 0) break;
                lineNumber++;
                var span = new ReadOnlySpan<byte>(current.GetBuffer(), 0, (int)current.Length);
                if (!span.IsWhiteSpace()) records.Add(ParseLine(span, path, lineNumber));
                valid += current.Length + 1;
                current.SetLength(0);
                i = newline + 1;
            }
        }
        // What follows the last newline was being written when the process died: the torn line, dropped.
        return (Deduplicate(records), valid);
    }

    private static JournalRecord ParseLine(ReadOnlySpan<byte> line, string path, int number)
    {
        JournalRecord? record;
        try { record = JsonSerializer.Deserialize<JournalRecord>(line, Json); }
        catch (JsonException e)
        {
            // A line that ends in a newline was written whole; only a missing newline marks a line cut short by a crash.
            throw Corrupt(path, number, $"it is not one whole journal record ({e.Message})");
        }
        if (record is null) throw Corrupt(path, number, "it is null, not a journal record");
        if (Check(record) is { } problem) throw Corrupt(path, number, problem);
        return record;
    }

    /// <summary>What is wrong with a record that parsed as JSON, or null when it is a valid record.</summary>
    private static string? Check(JournalRecord r)
    {
        if (r.Kind == "sweep") return r.Epochs < 0 || r.Folds < 0 ? "its epochs or folds are negative" : null;
        if (r.Kind is not ("run" or "result")) return $"its kind '{r.Kind}' is none of sweep, run, result";
        if (r.Trial < 1 || r.Trial > MaxTrial) return $"its trial id {r.Trial} is not between 1 and {MaxTrial:N0}";
        if (r.Epochs < 0) return $"its epochs {r.Epochs} are negative";
        if (r.Status is null || Array.IndexOf(Statuses, r.Status) < 0)
            return $"its status '{r.Status}' is none of {string.Join(", ", Statuses)}";
        if (r.Host is null) return "its host is null";
        if (r.Attempts < 0 || r.DurationTicks < 0 || r.Folds < 0) return "its attempts, duration or folds are negative";
        if (r.Best is double best && !double.IsFinite(best)) return $"its best value {best} is not a finite number";
        if (r.BestStd is double sd && (double.IsInfinity(sd) || sd < 0)) return $"its best standard deviation {sd} is not valid";
        if (r.BestEpoch is < 1 || r.PrunedAtEpoch is < 1) return "its best or pruned epoch is below 1";
        if (r.FoldScores is { } scores && scores.Any(v => !double.IsFinite(v))) return "a fold score is not a finite number";
        if (r.Parameters is null) return "its parameters are null";
        foreach (var p in r.Parameters)
            if (CheckParameter(p) is { } problem) return problem;
        if (r.History is null) return "its history is null";
        foreach (var e in r.History)
            if (e is null || e.Values is null || e.Epoch < 1 || e.Samples < 0 || e.DurationTicks < 0)
                return "an epoch of its history is null, has no values, or has an epoch below 1 or a negative count";
        return null;
    }

    private static string? CheckParameter(JournalParameter? p)
    {
        if (p is null) return "a parameter is null";
        if (string.IsNullOrEmpty(p.Name)) return "a parameter has no name";
        if (p.Type is null || Array.IndexOf(ParameterTypes, p.Type) < 0)
            return $"parameter '{p.Name}' has type '{p.Type}', none of {string.Join(", ", ParameterTypes)}";
        if (p.Type == "null") return p.Value is null ? null : $"parameter '{p.Name}' has type null but a value";
        if (p.Value is null) return $"parameter '{p.Name}' has no value";
        var c = CultureInfo.InvariantCulture;
        bool ok = p.Type switch
        {
            "int" => int.TryParse(p.Value, NumberStyles.AllowLeadingSign, c, out _),
            "long" => long.TryParse(p.Value, NumberStyles.AllowLeadingSign, c, out _),
            "double" => double.TryParse(p.Value, NumberStyles.Float, c, out var d) && double.IsFinite(d),
            "bool" => bool.TryParse(p.Value, out _),
            _ => true,
        };
        return ok ? null : $"parameter '{p.Name}' has the value '{Shorten(p.Value)}', which is not a valid {p.Type}";
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static KerasException Corrupt(string path, int line, string why) =>
        new("JournalCorrupt", ErrorKind.InvalidData,
            $"Line {line} of the sweep journal '{path}' is not a valid record: {why}. Repair or remove that line "
                + "(a journal is JSON, one record per line), or start a new -Journal.") { Target = path };
}

/// <summary>
/// The OS lock a sweep holds on its journal: an exclusive handle on <c>journal.lock</c> beside it (flock on Linux and
/// macOS, a share mode on Windows), released by the OS when the process ends, and the holder's process id in
/// <c>journal.lock.pid</c> for the error a second sweep gets. The lock file stays (deleting it would let a waiting
/// process lock a file no longer in the folder while a third locks a new one); the pid file goes with the lock.
/// </summary>
internal sealed class JournalLock : IDisposable
{
    private readonly FileStream handle;
    private readonly string pidFile;

    private JournalLock(FileStream handle, string pidFile) { this.handle = handle; this.pidFile = pidFile; }

    public static JournalLock Take(string journal)
    {
        var lockFile = journal + ".lock";
        var pidFile = lockFile + ".pid";
        FileStream handle;
        try { handle = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1); }
        catch (IOException e) when (File.Exists(lockFile))
        {
            string holder;
            try { holder = File.ReadAllText(pidFile).Trim(); }
            catch (Exception r) when (r is IOException or UnauthorizedAccessException) { holder = ""; }
            throw new KerasException("JournalLocked", ErrorKind.ResourceUnavailable,
                $"The sweep journal '{journal}' is in use by another sweep"
                    + (int.TryParse(holder, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? $" (process id {pid})" : "")
                    + ". Wait for it to finish or stop it, then run again to resume; two sweeps on one journal would run the same "
                    + "trials twice.", e) { Target = journal };
        }
        try { File.WriteAllText(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // the lock holds without it
        return new JournalLock(handle, pidFile);
    }

    public void Dispose()
    {
        try { File.Delete(pidFile); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        handle.Dispose();
    }
}

internal static class SpanExtensions
{
    public static bool IsWhiteSpace(this ReadOnlySpan<byte> s)
    {
        foreach (var b in s) if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }
}
