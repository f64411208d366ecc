using System.Buffers.Binary;
using Google.Protobuf;
using KerasPS.Engine.Training.Callbacks.Proto;

namespace KerasPS.Engine.Training.Callbacks;

/// <summary>
/// Keras's TensorBoard callback, scalars only: after each epoch, the training values (epoch_loss, epoch_accuracy, ...,
/// epoch_learning_rate) go to an event file under LogDir/train and the validation values (val_loss as epoch_loss, ...)
/// under LogDir/validation, as Keras lays them out, so `tensorboard --logdir LogDir` shows the two runs on one chart.
/// Files are TensorFlow event files: TFRecord framing with masked CRC32C checksums around Event protocol buffers
/// (<see cref="EventFileWriter"/>).
/// </summary>
public sealed class TensorBoard : Callback
{
    private EventFileWriter? train, validation;

    public TensorBoard(string logDir)
    {
        if (string.IsNullOrWhiteSpace(logDir))
            throw KerasException.BadArgument("InvalidLogDir", "TensorBoard needs a log folder, e.g. ./logs/run1.");
        WindowsFileNames.CheckPath(logDir);
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
            throw new KerasException("LogDirUnavailable", ErrorKind.ResourceUnavailable,
                $"Cannot write TensorBoard logs to '{Path.Combine(LogDir, run)}': {e.Message}", e) { Target = LogDir };
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
/// CRC32C of the data. The first event carries the file version ("brain.Event:2"); each later one carries one step's
/// scalars in one summary. Events are TensorBoard's Event and Summary messages, as classes generated from
/// <c>Proto/tensorboard_event.proto</c> and serialized by Google.Protobuf; only the record framing is written here.
/// Each record is flushed as written, so TensorBoard shows a run while it trains.
/// </summary>
/// <remarks>
/// TorchSharp's <c>torch.utils.tensorboard.SummaryWriter</c> is not used: its <c>add_scalar</c> writes one event per
/// value (Keras writes one per epoch with all values), its <c>add_scalars</c> makes a folder per tag instead of
/// train/ and validation/, its first event's wall_time is <c>DateTime.Now.Ticks</c> rather than seconds, its wall
/// times are whole seconds and its steps 32-bit, and it reopens the file for each event. Its generated Event class
/// (proto3, step without presence) leaves step 0 out of the first epoch's event; ours declares step optional, so
/// every scalar event carries its step as the files always did.
/// </remarks>
public sealed class EventFileWriter : IDisposable
{
    private readonly FileStream stream;

    public EventFileWriter(string folder)
    {
        WindowsFileNames.CreateDirectory(folder);
        var now = DateTimeOffset.UtcNow;
        var name = $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}.{Guid.NewGuid():n}.v2";
        Path = System.IO.Path.Combine(folder, name);
        stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        WriteRecord(new Event { WallTime = WallTime(), Step = 0, FileVersion = "brain.Event:2" });
    }

    public string Path { get; }

    public void WriteScalars(long step, IEnumerable<(string Tag, double Value)> values)
    {
        var summary = new Summary();
        foreach (var (tag, value) in values) summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });
        WriteRecord(new Event { WallTime = WallTime(), Step = step, Summary = summary });
    }

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private void WriteRecord(Event e)
    {
        var data = e.ToByteArray();
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
