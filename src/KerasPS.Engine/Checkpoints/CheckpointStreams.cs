using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace KerasPS.Engine.Checkpoints;

/// <summary>A pass-through stream that hashes (SHA-256) every byte written or read through it.</summary>
internal sealed class HashingStream : Stream
{
    private readonly Stream inner;
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public HashingStream(Stream inner) => this.inner = inner;

    public long BytesSeen { get; private set; }

    /// <summary>Lower-case hex SHA-256 of the bytes seen so far.</summary>
    public string Sha256() => Convert.ToHexString(hash.GetCurrentHash()).ToLowerInvariant();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        hash.AppendData(buffer);
        BytesSeen += buffer.Length;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        hash.AppendData(buffer[..n]);
        BytesSeen += n;
        return n;
    }

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesSeen; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) hash.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// Wraps the temporary checkpoint file and fails with an IOException once a byte budget is spent: the way tests
/// stand in for a full disk or a killed process (see <see cref="AtomicFile.FailAfterBytes"/>).
/// </summary>
internal sealed class FailingStream : Stream
{
    private readonly Stream inner;
    private long budget;

    public FailingStream(Stream inner, long budget) { this.inner = inner; this.budget = budget; }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length > budget)
        {
            inner.Write(buffer[..(int)Math.Max(budget, 0)]);
            budget = 0;
            throw new IOException("Simulated write failure (AtomicFile.FailAfterBytes).");
        }
        inner.Write(buffer);
        budget -= buffer.Length;
    }

    public override bool CanRead => false;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => true;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => inner.SetLength(value);
}

/// <summary>
/// fsync of a folder on Linux and macOS, so that the rename that publishes a checkpoint survives a power loss, not
/// only a killed process. Best effort: a file system that refuses it still has the atomic rename.
/// </summary>
internal static class DirectorySync
{
    [DllImport("libc", EntryPoint = "open", SetLastError = true)] private static extern int Open(string path, int flags);
    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)] private static extern int Fsync(int fd);
    [DllImport("libc", EntryPoint = "close", SetLastError = true)] private static extern int Close(int fd);

    public static void Flush(string directory)
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return;   // NTFS commits the rename in its journal
        try
        {
            int fd = Open(directory, 0);   // O_RDONLY
            if (fd < 0) return;
            Fsync(fd);
            Close(fd);
        }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }
}
