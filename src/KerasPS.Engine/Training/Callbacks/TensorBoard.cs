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
        Write(train ??= Open("train"), step, trainValues);
        if (valValues.Count > 0) Write(validation ??= Open("validation"), step, valValues);
    }

    private void Write(EventFileWriter writer, long step, List<(string Tag, double Value)> values)
    {
        try { writer.WriteScalars(step, values); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The event file keeps its whole records (the failed one is cut off); TensorBoard still reads it.
            Close();
            throw new KerasException("LogWriteFailed", ErrorKind.ResourceUnavailable,
                $"Writing TensorBoard logs to '{writer.Path}' failed at epoch {step + 1}: {e.Message} The epochs logged so far "
                    + "are kept; free disk space or give New-TensorBoardLogger another -LogDir, then fit again.", e) { Target = LogDir };
        }
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
        // Unbuffered, and each record written in one call: a failed write (a full disk) leaves nothing pending that
        // Dispose would try, and fail, to write again, and is cut off so that the file ends in a whole record.
        stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        try { WriteRecord(new Event { WallTime = WallTime(), Step = 0, FileVersion = "brain.Event:2" }); }
        catch
        {
            stream.Dispose();
            throw;
        }
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
        var record = new byte[12 + data.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(record, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), Crc32C.Masked(record.AsSpan(0, 8)));
        data.CopyTo(record, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12 + data.Length), Crc32C.Masked(data));
        long end = stream.Length;
        try
        {
            stream.Write(record);
        }
        catch (IOException)
        {
            try { stream.SetLength(end); }
            catch (IOException) { }   // the reader stops at a torn last record anyway
            throw;
        }
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
