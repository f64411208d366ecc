using KerasPS.Engine.Checkpoints;

namespace KerasPS.Engine;

/// <summary>
/// Writes a file so that readers see the old file or the new one, never half of one: a hidden temporary sibling
/// (same file system, so the rename is atomic), flushed to disk, renamed over the target, then the folder flushed.
/// On failure the temporary file is removed and the target is unchanged; the exception is the caller's to report.
/// A target that another program holds open (Windows) is retried through <see cref="FileReplace"/>, then refused with a
/// <see cref="FileInUseException"/>. On Windows a name it cannot hold (con.kpt, 'model.') is refused first
/// (<see cref="WindowsFileNames.CheckPath(string)"/>), before anything is written.
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
        WindowsFileNames.CheckPath(fullPath);
        var dir = Path.GetDirectoryName(fullPath)!;
        RemoveStaleTemporaries(fullPath);
        // The writer's process id is in the name, so that a later writer can tell a temporary whose writer died
        // (killed mid-write, power loss) from one that is being written now.
        var temp = Path.Combine(dir, $"{TempPrefix(fullPath)}{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                Stream target = FailAfterBytes is long budget ? new FailingStream(file, budget) : file;
                write(target);
                file.Flush(flushToDisk: true);
            }
            // On Windows a reader or a scanner holding the target (or the new file) makes this wait and retry.
            FileReplace.MoveFile(temp, fullPath, overwrite);
            DirectorySync.Flush(dir);
        }
        catch
        {
            try { FileReplace.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    private static string TempPrefix(string fullPath) => $".{Path.GetFileName(fullPath)}.tmp-";

    /// <summary>
    /// Deletes the temporary siblings of <paramref name="fullPath"/> that a writer left behind when it was killed
    /// mid-write: those whose writer process no longer runs and that no one holds open. A temporary of a live writer,
    /// in this process or another, is left alone. Best effort: a file that cannot be inspected or deleted stays.
    /// Called before every write, and by readers of the target (Import-Checkpoint).
    /// </summary>
    public static void RemoveStaleTemporaries(string fullPath)
    {
        string dir = Path.GetDirectoryName(fullPath)!, prefix = TempPrefix(fullPath);
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(dir, prefix + "*").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var temp in candidates)
        {
            var rest = Path.GetFileName(temp)[prefix.Length..];
            int dash = rest.IndexOf('-');
            if (dash > 0 && int.TryParse(rest.AsSpan(0, dash), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out int pid))
            {
                if (pid == Environment.ProcessId || IsRunning(pid)) continue;
            }
            else if (rest.Length != 32 || File.GetLastWriteTimeUtc(temp) > DateTime.UtcNow.AddMinutes(-10))
                continue;   // the older name, without a process id: only when long untouched
            try
            {
                // A writer holds its temporary with FileShare.None; opening it the same way proves no one writes it now.
                using (new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                File.Delete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>Whether a process with this id runs now (a writer's liveness, for temporaries it named after itself).</summary>
    internal static bool IsRunning(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
