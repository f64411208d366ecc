using System.Buffers.Binary;
using System.Text;

namespace KerasPS.Engine.Training.Callbacks;

/// <summary>
/// Keras's TensorBoard callback, scalars only: after each epoch, the training values (epoch_loss, epoch_accuracy, ...,
/// epoch_learning_rate) go to an event file under LogDir/train and the validation values (val_loss as epoch_loss, ...)
/// under LogDir/validation, as Keras lays them out, so `tensorboard --logdir LogDir` shows the two runs on one chart.
/// Files are TensorFlow event files: TFRecord framing with masked CRC32C checksums around Event protocol buffers.
/// </summary>
public sealed class TensorBoard : Callback
{
    private EventFileWriter? train, validation;

    public TensorBoard(string logDir)
    {
        if (string.IsNullOrWhiteSpace(logDir)) throw KerasException.BadArgument("InvalidLogDir", "TensorBoard needs a log folder, e.g. ./logs/run1.");
        LogDir = logDir;
    }

    public string LogDir { get; }

    /// <summary>The event files written by the last fit (train, then validation when there was validation data).</summary>
    public IReadOnlyList<string> Files => new[] { train?.Path, validation?.Path }.OfType<string>().ToArray();

    public override void OnTrainBegin(TrainingContext context)
    {
        Close();
        train = null;
        validation = null;
    }

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        var trainValues = record.Values.Where(kv => !kv.Key.StartsWith("val_", StringComparison.Ordinal))
            .Select(kv => ("epoch_" + kv.Key, kv.Value)).Append(("epoch_learning_rate", record.LearningRate)).ToList();
        var valValues = record.Values.Where(kv => kv.Key.StartsWith("val_", StringComparison.Ordinal))
            .Select(kv => ("epoch_" + kv.Key[4..], kv.Value)).ToList();
        // Keras logs epoch e (1-based in our records) at step e-1.
        long step = record.Epoch - 1;
        (train ??= Open("train")).WriteScalars(step, trainValues);
        if (valValues.Count > 0) (validation ??= Open("validation")).WriteScalars(step, valValues);
    }

    public override void OnTrainEnd(TrainingContext context) => Close();

    private EventFileWriter Open(string run)
    {
        try { return new EventFileWriter(Path.Combine(LogDir, run)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasException("LogDirUnavailable", ErrorKind.ResourceUnavailable, $"Cannot write TensorBoard logs to '{Path.Combine(LogDir, run)}': {e.Message}", e) { Target = LogDir };
        }
    }

    private void Close()
    {
        train?.Dispose();
        validation?.Dispose();
    }
}

/// <summary>
/// Writes one TensorFlow event file: each record is length (uint64 LE), masked CRC32C of the length, the data, masked
/// CRC32C of the data. The first event carries the file version ("brain.Event:2"); the rest carry scalar summaries.
/// Each record is flushed as written, so TensorBoard shows a run while it trains.
/// </summary>
public sealed class EventFileWriter : IDisposable
{
    private readonly FileStream stream;

    public EventFileWriter(string folder)
    {
        Directory.CreateDirectory(folder);
        var now = DateTimeOffset.UtcNow;
        Path = System.IO.Path.Combine(folder, $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}.{Guid.NewGuid():n}.v2");
        stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        WriteRecord(Event(WallTime(), 0, fileVersion: "brain.Event:2", summary: null));
    }

    public string Path { get; }

    public void WriteScalars(long step, IEnumerable<(string Tag, double Value)> values)
    {
        var summary = new MemoryStream();
        foreach (var (tag, value) in values)
        {
            var v = new MemoryStream();
            Bytes(v, 1, Encoding.UTF8.GetBytes(tag));
            v.WriteByte((2 << 3) | 5);   // simple_value: float, fixed32
            var f = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(f, (float)value);
            v.Write(f);
            Bytes(summary, 1, v.ToArray());
        }
        WriteRecord(Event(WallTime(), step, fileVersion: null, summary: summary.ToArray()));
    }

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private static byte[] Event(double wallTime, long step, string? fileVersion, byte[]? summary)
    {
        var e = new MemoryStream();
        e.WriteByte((1 << 3) | 1);   // wall_time: double, fixed64
        Span<byte> d = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(d, wallTime);
        e.Write(d);
        e.WriteByte(2 << 3);         // step: int64, varint
        Varint(e, (ulong)step);
        if (fileVersion is not null) Bytes(e, 3, Encoding.UTF8.GetBytes(fileVersion));
        if (summary is not null) Bytes(e, 5, summary);
        return e.ToArray();
    }

    private void WriteRecord(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        stream.Write(header);
        stream.Write(data);
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        stream.Write(footer);
        stream.Flush();
    }

    private static void Bytes(Stream s, int field, byte[] value)
    {
        Varint(s, (ulong)((field << 3) | 2));
        Varint(s, (ulong)value.Length);
        s.Write(value);
    }

    private static void Varint(Stream s, ulong v)
    {
        while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        s.WriteByte((byte)v);
    }

    public void Dispose() => stream.Dispose();
}

/// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), and TensorFlow's masked form of it for TFRecord files.</summary>
public static class Crc32C
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(i =>
    {
        uint c = (uint)i;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>TensorFlow's mask: rotate right by 15 bits and add a constant, so a CRC of data containing CRCs stays strong.</summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Compute(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
    }
}
