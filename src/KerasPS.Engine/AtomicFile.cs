using KerasPS.Engine.Checkpoints;

namespace KerasPS.Engine;

/// <summary>
/// Writes a file so that readers see the old file or the new one, never half of one: a hidden temporary sibling
/// (same file system, so the rename is atomic), flushed to disk, renamed over the target, then the folder flushed.
/// On failure the temporary file is removed and the target is unchanged; the exception is the caller's to report.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Test seam, not API: while set, writes on this thread fail with an IOException after this many bytes, as a full
    /// disk or a killed process would, so tests can show that the file already at the target survives. Internal and
    /// per thread, so that nothing a user can reach turns it on and a test cannot break writes on other threads;
    /// Pester sets it by reflection (tests/Export-Checkpoint.Tests.ps1).
    /// </summary>
    [ThreadStatic] private static long? failAfterBytes;

    internal static long? FailAfterBytes { get => failAfterBytes; set => failAfterBytes = value; }

    /// <param name="fullPath">Absolute target path; its folder must exist.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="overwrite">Replace an existing file; otherwise an existing target makes the rename fail with an IOException.</param>
    public static void Write(string fullPath, Action<Stream> write, bool overwrite)
    {
        var dir = Path.GetDirectoryName(fullPath)!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(fullPath)}.tmp-{Guid.NewGuid():N}");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                Stream target = FailAfterBytes is long budget ? new FailingStream(file, budget) : file;
                write(target);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite);
            DirectorySync.Flush(dir);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
