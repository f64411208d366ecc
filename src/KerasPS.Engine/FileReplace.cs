namespace KerasPS.Engine;

/// <summary>
/// The one place a finished file or folder is moved over or into its target (and a temporary one removed). Windows
/// refuses to replace, move or delete a file that another handle holds open without sharing it: a reader, an editor,
/// an antivirus scanner that opened the new file to scan it. A rename over it is access denied (0x80070005), moving
/// or deleting it a sharing violation (0x80070020). Such holders usually let go within moments, so the move is tried
/// <see cref="Attempts"/> times with a doubling wait (0.75 s in all), then refused with one
/// <see cref="FileInUseException"/> that names the file and the reason. Linux and macOS replace an open file at once.
/// </summary>
public static class FileReplace
{
    /// <summary>Tries in all, the first included.</summary>
    public const int Attempts = 5;

    /// <summary>The wait after the first refused try; each later wait is twice the one before.</summary>
    public static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(50);

    private const int SharingViolation = unchecked((int)0x80070020), LockViolation = unchecked((int)0x80070021);

    /// <summary>
    /// Test seam, not API: while above zero, that many of the next moves on this thread fail as a sharing violation
    /// would, before the real move is tried, so that Linux tests can show the retries and the refusal. Internal and per
    /// thread like <see cref="AtomicFile.FailAfterBytes"/>; Pester sets it by reflection (tests/Export-Checkpoint.Tests.ps1).
    /// </summary>
    [ThreadStatic] private static int simulatedInUse;

    /// <summary>Test seam, not API: while set, the waits between tries on this thread are recorded here, not slept.</summary>
    [ThreadStatic] private static List<TimeSpan>? recordedWaits;

    internal static int SimulatedInUse { get => simulatedInUse; set => simulatedInUse = value; }

    internal static List<TimeSpan>? RecordedWaits { get => recordedWaits; set => recordedWaits = value; }

    /// <summary><see cref="File.Move(string, string, bool)"/>, retried while the target is in use.</summary>
    public static void MoveFile(string source, string target, bool overwrite) =>
        Run(target, () => File.Move(source, target, overwrite));

    /// <summary><see cref="Directory.Move(string, string)"/>, retried while a file in the folder is in use.</summary>
    public static void MoveDirectory(string source, string target) =>
        Run(source, () => Directory.Move(source, target));

    /// <summary>Deletes a file or a folder tree if it is there, retried while something in it is in use.</summary>
    public static void Delete(string path) => Run(path, () =>
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        else File.Delete(path);
    });

    /// <summary>Runs <paramref name="change"/> (a move or delete of <paramref name="path"/>), retried while it is in use.</summary>
    public static void Run(string path, Action change) =>
        Run(path, () =>
        {
            if (simulatedInUse > 0)
            {
                simulatedInUse--;
                throw new IOException($"The process cannot access the file '{path}' because it is being used by another process.",
                    SharingViolation);
            }
            change();
        }, OperatingSystem.IsWindows(), recordedWaits is { } record ? record.Add : Thread.Sleep);

    /// <summary>The retry policy itself, with the platform and the clock given: the tries it took.</summary>
    internal static int Run(string path, Action change, bool windows, Action<TimeSpan> wait)
    {
        var next = FirstWait;
        var waited = TimeSpan.Zero;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                change();
                return attempt;
            }
            catch (Exception e) when (IsInUse(e, windows))
            {
                if (attempt >= Attempts) throw new FileInUseException(path, Reason(e), attempt, waited, e);
                wait(next);
                waited += next;
                next *= 2;
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> says another handle holds the file: a sharing or lock violation on any platform, and
    /// on Windows also access denied, which is how Windows refuses a rename over an open file. (Elsewhere access denied
    /// means permissions, which waiting does not change.)
    /// </summary>
    public static bool IsInUse(Exception e, bool windows) => e switch
    {
        FileInUseException => false,
        UnauthorizedAccessException => windows,
        IOException io => io.HResult is SharingViolation or LockViolation,
        _ => false,
    };

    private static string Reason(Exception e) => e is UnauthorizedAccessException
        ? "Windows denied access to it, which is what it does while another program holds it open (a reader, an editor, "
            + "an antivirus scanner); if nothing does, it is read-only or not yours to change."
        : "another program holds it open (a reader, an editor, an antivirus scanner).";
}

/// <summary>
/// A file or folder stayed in use through every try of <see cref="FileReplace"/>. An IOException, so callers that
/// report write failures under their own error id (CheckpointWriteFailed, OnnxWriteFailed) report this one too.
/// </summary>
public sealed class FileInUseException : IOException
{
    public FileInUseException(string path, string reason, int attempts, TimeSpan waited, Exception inner)
        : base($"'{path}' is in use: {reason} It was tried {attempts} times over "
            + $"{waited.TotalSeconds.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} s; "
            + "close the program that holds it and try again.", inner)
    {
        Path = path;
    }

    /// <summary>The file or folder that was in use.</summary>
    public string Path { get; }
}
