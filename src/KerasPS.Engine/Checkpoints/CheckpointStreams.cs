using System.IO.Compression;
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

/// <summary>
/// Reads a zip entry and checks it against its central-directory record: the CRC-32 (IEEE, as zip writes it) and the
/// decompressed length. The check runs the moment the declared length has been read (and again at the end of the
/// stream), so a reader that stops at the declared length is covered too; a mismatch is <c>InvalidCheckpoint</c>
/// naming the entry. ZipArchive cannot be relied on for this (here a changed byte in a stored entry was read without
/// complaint), so a damaged byte would otherwise load as a changed weight or config.
/// </summary>
internal sealed class CrcCheckedStream : Stream
{
    private static readonly uint[] Table = BuildTable();
    private readonly Stream inner;
    private readonly uint expectedCrc;
    private readonly long expectedLength;
    private readonly string what;
    private uint crc = 0xFFFFFFFFu;
    private long seen;
    private bool verified;

    private CrcCheckedStream(Stream inner, ZipArchiveEntry entry, string what)
    {
        this.inner = inner;
        expectedCrc = entry.Crc32;
        expectedLength = entry.Length;
        this.what = what;
    }

    /// <summary>Opens <paramref name="entry"/> for reading through the check; <paramref name="file"/> names the archive.</summary>
    public static Stream Open(ZipArchiveEntry entry, string file) =>
        new CrcCheckedStream(entry.Open(), entry, $"'{file}': {entry.FullName}");

    /// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of <paramref name="data"/>.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data);

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        if (n == 0)
        {
            if (seen != expectedLength)
                throw Checkpoint.Invalid($"{what} is damaged: it holds {seen} bytes but the zip directory records {expectedLength}.");
            Verify();
            return 0;
        }
        if (seen + n > expectedLength)
            throw Checkpoint.Invalid($"{what} is damaged: it holds more than the {expectedLength} bytes the zip directory records.");
        crc = Update(crc, buffer[..n]);
        seen += n;
        if (seen == expectedLength) Verify();
        return n;
    }

    private void Verify()
    {
        if (verified) return;
        verified = true;
        uint actual = ~crc;
        if (actual != expectedCrc)
            throw Checkpoint.Invalid($"{what} is damaged: its CRC-32 is {actual:x8} but the zip directory records "
                + $"{expectedCrc:x8}. The file was changed or damaged after it was written; nothing was loaded from it.");
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => expectedLength;
    public override long Position { get => seen; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
