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
/// kill at any moment leaves whole records and at most a torn last line. Reading ignores a torn last line (and cuts it
/// off before appending, so the next record starts on a line of its own); a bad line anywhere else is corruption and
/// is reported, not skipped.
/// </summary>
public sealed class SweepJournal : IDisposable
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    private readonly FileStream stream;
    private readonly object gate = new();

    private SweepJournal(string path, FileStream stream, List<JournalRecord> records, bool tornTail)
    {
        Path = path; this.stream = stream; Records = records; HadTornTail = tornTail;
    }

    public string Path { get; }

    /// <summary>The whole records the file held when it was opened, in file order.</summary>
    public IReadOnlyList<JournalRecord> Records { get; }

    /// <summary>True when the file ended in a half-written record (the process died while writing it); it was cut off.</summary>
    public bool HadTornTail { get; }

    /// <summary>
    /// Opens (or creates) a journal for appending, after reading what it already holds. Another program holding it
    /// (a scanner, an editor, a second sweep; on Windows) is waited for as <see cref="FileReplace"/> waits, then refused
    /// with a <see cref="FileInUseException"/>. On Windows a name it cannot hold is refused as InvalidFileName.
    /// </summary>
    public static SweepJournal Open(string path)
    {
        WindowsFileNames.CheckPath(path);
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        SweepJournal? journal = null;
        FileReplace.Run(path, () => journal = OpenOnce(path));
        return journal!;
    }

    private static SweepJournal OpenOnce(string path)
    {
        // Unbuffered, so that a write refused by another handle's lock leaves nothing pending to be written twice.
        var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            var bytes = new byte[fs.Length];
            fs.ReadExactly(bytes);
            var (records, validLength) = Parse(bytes, path);
            bool torn = validLength < bytes.Length;
            if (torn) { fs.SetLength(validLength); fs.Flush(true); }
            fs.Seek(0, SeekOrigin.End);
            return new SweepJournal(path, fs, records, torn);
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
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[fs.Length];
        fs.ReadExactly(bytes);
        return Parse(bytes, path).Records;
    }

    /// <summary>Writes one record as one line and waits until it is on the disk.</summary>
    public void Append(JournalRecord record)
    {
        record.WrittenUtc = DateTime.UtcNow;
        var line = JsonSerializer.SerializeToUtf8Bytes(record, Json);
        var buffer = new byte[line.Length + 1];
        line.CopyTo(buffer, 0);
        buffer[^1] = (byte)'\n';
        lock (gate)
        {
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
        }
    }

    public void Dispose() => stream.Dispose();

    private static (List<JournalRecord> Records, long ValidLength) Parse(byte[] bytes, string path)
    {
        var records = new List<JournalRecord>();
        int start = 0, line = 0;
        while (start < bytes.Length)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            line++;
            bool complete = end >= 0;
            var span = new ReadOnlySpan<byte>(bytes, start, (complete ? end : bytes.Length) - start);
            JournalRecord? record = null;
            if (!span.IsEmpty && !span.IsWhiteSpace())
            {
                try { record = JsonSerializer.Deserialize<JournalRecord>(span, Json); }
                catch (JsonException) { record = null; }
                if (record is null)
                {
                    // Only the very last line can be torn by a kill; any other bad line means the file was damaged.
                    if (!complete || end == bytes.Length - 1) return (records, start);
                    throw KerasException.BadData("JournalCorrupt",
                        $"Line {line} of the sweep journal '{path}' is not a journal record, and it is not the last line, "
                        + "so it was not cut short by a crash. Repair or remove the file.", path);
                }
                if (!complete) return (records, start);   // whole JSON but no newline: the write did not finish
                records.Add(record);
            }
            if (!complete) return (records, start);
            start = end + 1;
        }
        return (records, bytes.Length);
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
