using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KerasPS.Engine.Data.Streaming;

/// <summary>
/// tf.data's <c>cache(filename)</c> for a streamed file (Import-ModelData -Stream -Cache): the first complete pass over the file
/// writes its rows as encoded, row after row in file order (float32 features, then the class index as int32 or the float32
/// target values), to a binary file, and later passes read them back chunk by chunk instead of parsing the file again. Memory
/// stays one chunk; the cached rows are bit for bit the parsed ones, so batches and losses do not change.
/// <para>The file lives as long as the dataset and never outlives the process: on Linux and macOS it is unlinked as soon as it is
/// created (the open handle keeps its blocks until the handle closes, even when the process is killed), on Windows it is opened
/// with <see cref="FileOptions.DeleteOnClose"/>. The handle closes on <see cref="Dispose"/>, or when the dataset is collected.
/// A source file whose length or last-write time differs from the pass that wrote the cache drops the cache, and the next pass
/// parses the file again (a StreamChanged error where its rows no longer fit the encoding). A disk that lacks the room turns the
/// cache off, with <see cref="Skipped"/> saying why; the stream goes on parsing.</para>
/// </summary>
public sealed class StreamCache : IDisposable
{
    /// <summary>Room left on the disk beyond the cache itself, so that a cache does not fill the disk other writers need.</summary>
    public const long Headroom = 64L << 20;

    private readonly object gate = new();
    private readonly int width, targetWidth;
    private readonly bool labels;
    private readonly int rowBytes;
    private SafeFileHandle? handle;
    private (long Length, DateTime Written) stamp;
    private bool complete, writing, disposed;
    private int readers;
    private long written;

    private StreamCache(string path, EncodedData encoding, long rows)
    {
        FilePath = path;
        width = encoding.FeatureCount;
        labels = encoding.Labels is not null;
        targetWidth = labels ? 1 : encoding.Targets is null ? 0 : encoding.TargetWidth;
        rowBytes = (width + targetWidth) * sizeof(float);
        Bytes = rows * rowBytes;
    }

    /// <summary>Where the cache is written (on Linux and macOS unlinked at once, so not listed while it is in use).</summary>
    public string FilePath { get; }

    /// <summary>The cache's size on disk once written: rows x (features + target width) x 4 bytes.</summary>
    public long Bytes { get; }

    /// <summary>True once a complete pass is cached and later passes read it.</summary>
    public bool IsComplete { get { lock (gate) return complete; } }

    /// <summary>Why the cache was turned off (no room on the disk, a write that failed), or null while it is in use.</summary>
    public string? Skipped { get; private set; }

    /// <summary>
    /// A cache for the rows of <paramref name="encoding"/>: in <paramref name="file"/>, or a new file in the temp folder. Returns
    /// the cache, or null with <paramref name="warning"/> saying why not (the disk lacks the room).
    /// </summary>
    /// <param name="file">The cache file (it must not exist, its folder must), or null for one in <see cref="Path.GetTempPath"/>.</param>
    /// <param name="encoding">The stream's encoding.</param>
    /// <param name="rows">The stream's row count.</param>
    /// <param name="source">The streamed file, for messages.</param>
    /// <param name="warning">Why no cache was made, or null.</param>
    public static StreamCache? Create(string? file, EncodedData encoding, long rows, string source, out string? warning)
    {
        string path;
        if (file is null)
            path = Path.Combine(Path.GetTempPath(), $"kerasps-cache-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
        else
        {
            path = Path.GetFullPath(file);
            if (Directory.Exists(path) || File.Exists(path))
                throw KerasException.BadArgument("CacheFileExists",
                    $"-CacheFile '{file}' already exists. Give the path of a new file (the cache is deleted when the dataset is "
                        + "no longer used), or leave -CacheFile out for one in the temp folder.", file);
            if (!Directory.Exists(Path.GetDirectoryName(path)))
                throw KerasException.BadArgument("CacheFolderNotFound",
                    $"The folder of -CacheFile '{file}' does not exist. Create it first, or give a path in an existing folder.", file);
        }
        var cache = new StreamCache(path, encoding, rows);
        long? free = FreeSpace(Path.GetDirectoryName(path)!);
        if (free is { } f && f < cache.Bytes + Headroom)
        {
            warning = $"-Cache is off for '{Path.GetFileName(source)}': its cache takes {Mib(cache.Bytes)} MiB but the disk of "
                + $"'{Path.GetDirectoryName(path)}' has {Mib(f)} MiB free (the cache leaves {Mib(Headroom)} MiB). Each epoch parses "
                + "the file again; give -CacheFile on a disk with more room to cache it.";
            return null;
        }
        warning = null;
        return cache;
    }

    private static long Mib(long bytes) => (bytes + (1L << 20) - 1) >> 20;

    /// <summary>Free bytes on the disk that holds <paramref name="folder"/>, or null where that cannot be told.</summary>
    private static long? FreeSpace(string folder)
    {
        try
        {
            var drive = OperatingSystem.IsWindows() ? new DriveInfo(Path.GetPathRoot(folder)!) : new DriveInfo(folder);
            return drive.AvailableFreeSpace;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The length and last-write time of <paramref name="source"/>: what tells a changed file.</summary>
    public static (long, DateTime) StampOf(string source)
    {
        var info = new FileInfo(source);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc) : (-1, DateTime.MinValue);
    }

    /// <summary>
    /// Reads the cached rows in chunks of <paramref name="chunkRows"/> encoded as <paramref name="encoding"/> and hands them to
    /// <paramref name="sink"/> (until it returns false). False, having read nothing, when no complete cache of the source as it is
    /// now exists: the caller parses the file.
    /// </summary>
    public bool TryRead(string source, EncodedData encoding, int chunkRows, Func<EncodedData, bool> sink)
    {
        SafeFileHandle h;
        lock (gate)
        {
            if (!complete || disposed || handle is null) return false;
            if (StampOf(source) != stamp)
            {
                complete = false;   // the file changed: the next pass parses it and writes the cache again
                return false;
            }
            h = handle;
            readers++;
        }
        try
        {
            long rows = written / rowBytes;
            int chunk = Math.Min(chunkRows, Math.Max(1, int.MaxValue / rowBytes));
            var bytes = new byte[Math.Min(chunk, rows) * rowBytes];
            for (long start = 0; start < rows; start += chunk)
            {
                int n = (int)Math.Min(chunk, rows - start);
                var span = bytes.AsSpan(0, n * rowBytes);
                for (int got = 0; got < span.Length;)
                {
                    int r = RandomAccess.Read(h, span[got..], start * rowBytes + got);
                    if (r <= 0) throw new IOException($"The stream cache '{FilePath}' ended early.");
                    got += r;
                }
                if (!sink(Decode(span, n, encoding))) break;
            }
            return true;
        }
        finally
        {
            lock (gate)
            {
                readers--;
                CloseIfDisposed();
            }
        }
    }

    /// <summary>Rows of the cache's layout as a chunk of the encoding.</summary>
    private EncodedData Decode(ReadOnlySpan<byte> bytes, int n, EncodedData encoding)
    {
        var values = MemoryMarshal.Cast<byte, float>(bytes);
        int stride = width + targetWidth;
        var features = new float[(long)n * width];
        int[]? l = labels ? new int[n] : null;
        float[]? t = !labels && targetWidth > 0 ? new float[(long)n * targetWidth] : null;
        var ints = MemoryMarshal.Cast<byte, int>(bytes);
        for (int r = 0; r < n; r++)
        {
            values.Slice(r * stride, width).CopyTo(features.AsSpan(r * width, width));
            if (l is not null) l[r] = ints[r * stride + width];
            else if (t is not null) values.Slice(r * stride + width, targetWidth).CopyTo(t.AsSpan(r * targetWidth, targetWidth));
        }
        return new EncodedData(features, encoding.FeatureShape, encoding.FeatureNames, encoding.TargetName, l,
            l is null ? null : encoding.Classes, t, encoding.TargetWidth)
        {
            Metadata = encoding.Metadata,
            Categories = encoding.Categories,
            SourceColumns = encoding.SourceColumns,
        };
    }

    /// <summary>
    /// Starts writing a pass over the source into the cache: true when this pass writes it (no complete cache of the source as it
    /// is now, no other pass writing or reading it, the cache on); the caller then hands every chunk to <see cref="Append"/> and
    /// ends with <see cref="EndWrite"/>. The file is created (and on Linux and macOS unlinked) on the first pass.
    /// </summary>
    public bool BeginWrite(string source)
    {
        lock (gate)
        {
            if (disposed || writing || readers > 0 || Skipped is not null || Bytes == 0) return false;
            try
            {
                if (handle is null)
                {
                    handle = File.OpenHandle(FilePath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
                        OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None, preallocationSize: Bytes);
                    if (!OperatingSystem.IsWindows()) File.Delete(FilePath);
                }
            }
            catch (IOException e)
            {
                TurnOff(e);
                return false;
            }
            complete = false;
            written = 0;
            stamp = StampOf(source);
            writing = true;
            return true;
        }
    }

    /// <summary>Appends a chunk of the pass being written (rows in file order, encoded as the stream's encoding).</summary>
    public void Append(EncodedData chunk)
    {
        SafeFileHandle h;
        lock (gate)
        {
            if (!writing || handle is null) return;
            h = handle;
        }
        if (chunk.RowKeys is not null)
        {
            lock (gate) { writing = false; Skipped = "the rows have keys (-IdColumn), which the cache does not hold"; }
            return;
        }
        int n = chunk.Count, stride = width + targetWidth;
        var bytes = new byte[(long)n * rowBytes];
        var values = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
        var ints = MemoryMarshal.Cast<byte, int>(bytes.AsSpan());
        for (int r = 0; r < n; r++)
        {
            chunk.Features.AsSpan(r * width, width).CopyTo(values.Slice(r * stride, width));
            if (labels) ints[r * stride + width] = chunk.Labels![r];
            else if (targetWidth > 0)
                chunk.Targets.AsSpan(r * targetWidth, targetWidth).CopyTo(values.Slice(r * stride + width, targetWidth));
        }
        try
        {
            if (written + bytes.Length > Bytes) throw new IOException("The source gave more rows than when it was opened.");
            RandomAccess.Write(h, bytes, written);
            written += bytes.Length;
        }
        catch (IOException e)
        {
            lock (gate) { writing = false; TurnOff(e); }
        }
    }

    /// <summary>Ends the pass being written: the cache is complete when the pass read every row and the source did not change
    /// meanwhile; otherwise the next pass writes it again.</summary>
    public void EndWrite(string source, bool allRows)
    {
        lock (gate)
        {
            if (!writing) return;
            writing = false;
            complete = allRows && written == Bytes && StampOf(source) == stamp && !disposed;
            CloseIfDisposed();
        }
    }

    private void TurnOff(Exception e)
    {
        Skipped = $"writing the cache failed ({e.Message.TrimEnd('.')})";
        complete = false;
        handle?.Dispose();
        handle = null;
    }

    /// <summary>Closes the cache file, which deletes it; later passes parse the source.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            complete = false;
            CloseIfDisposed();
        }
    }

    private void CloseIfDisposed()
    {
        if (!disposed || readers > 0 || writing) return;
        handle?.Dispose();
        handle = null;
    }
}
