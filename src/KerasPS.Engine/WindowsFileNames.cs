namespace KerasPS.Engine;

/// <summary>
/// File names Windows cannot hold. A name whose part before the first dot is a device (CON, PRN, AUX, NUL, COM1-9,
/// LPT1-9: con.txt, nul.kpt) opens the device, so a "saved" model goes nowhere; a name ending in a dot or a space is
/// silently trimmed by Windows, so another file than the one named is written. Linux and macOS allow both.
/// </summary>
public static class WindowsFileNames
{
    private static readonly HashSet<string> Devices = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM\u00b9", "COM\u00b2", "COM\u00b3",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT\u00b9", "LPT\u00b2", "LPT\u00b3",
    };

    /// <summary>Why Windows cannot hold a file of this name (the last part of a path), or null when it can.</summary>
    public static string? Problem(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (fileName.Length == 0 || fileName is "." or "..") return null;
        if (fileName.EndsWith('.') || fileName.EndsWith(' '))
            return $"it ends in {(fileName.EndsWith('.') ? "a dot" : "a space")}, which Windows removes, so another file "
                + $"('{fileName.TrimEnd('.', ' ')}') would be written";
        int dot = fileName.IndexOf('.');
        var stem = (dot < 0 ? fileName : fileName[..dot]).TrimEnd(' ');
        return Devices.Contains(stem)
            ? $"'{stem.ToUpperInvariant()}' is a reserved device name on Windows (with any extension), so nothing would be saved"
            : null;
    }

    /// <summary>
    /// The check every write step of KerasPS makes (<see cref="AtomicFile"/>, checkpoint and journal paths, TensorBoard
    /// and runtime folders), on Windows only: throws InvalidFileName when any part of <paramref name="path"/> (each
    /// name between / or \) is one Windows cannot hold. Called on the path as given, before anything resolves it, since
    /// Windows would trim a trailing dot or space on resolution and write another file than the one named.
    /// </summary>
    public static void CheckPath(string path) => CheckPath(path, OperatingSystem.IsWindows());

    /// <summary>
    /// <see cref="CheckPath(string)"/> with the platform given (tests). With <paramref name="template"/>, a part holding a
    /// placeholder such as {epoch} is left for the check of the filled-in path (ModelCheckpoint checks it at each save).
    /// </summary>
    public static void CheckPath(string path, bool windows, bool template = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!windows) return;
        foreach (var part in path.Split('/', '\\'))
        {
            if (template && part.Contains('{')) continue;
            if (Problem(part) is { } why)
                throw KerasException.BadArgument("InvalidFileName",
                    $"'{path}' cannot be written on Windows: {why}. Choose another name.", path);
        }
    }

    /// <summary>
    /// <see cref="Directory.CreateDirectory(string)"/> after <see cref="CheckPath(string)"/>: on Windows a folder named
    /// 'logs.' would be created as 'logs', and one named 'con' not at all.
    /// </summary>
    public static DirectoryInfo CreateDirectory(string path)
    {
        CheckPath(path);
        return Directory.CreateDirectory(path);
    }

    /// <summary>
    /// Throws InvalidFileName (InvalidArgument) when <paramref name="windows"/> and the last part of
    /// <paramref name="path"/> (after its last / or \, on any platform) is a name Windows cannot hold.
    /// </summary>
    public static void Check(string path, bool windows)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!windows) return;
        var name = path[(path.LastIndexOfAny(['/', '\\']) + 1)..];
        if (Problem(name) is { } why)
            throw KerasException.BadArgument("InvalidFileName",
                $"'{path}' cannot be written on Windows: {why}. Choose another file name.", path);
    }
}
