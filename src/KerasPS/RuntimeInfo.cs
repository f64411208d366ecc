using KerasPS.Engine.Native;

namespace KerasPS;

/// <summary>
/// A native runtime (libtorch and TorchSharp's bridge) found on disk, as Get-KerasRuntime and Install-KerasRuntime
/// write it: where it is, for which platform, what it holds and whether this process uses it.
/// </summary>
public sealed class RuntimeInfo
{
    internal RuntimeInfo(string origin, RuntimeFolder runtime, bool inUse)
    {
        Origin = origin;
        Path = runtime.Folder;
        Rid = runtime.Rid;
        LibTorchVersion = runtime.Manifest?.LibTorchVersion;
        TorchSharpVersion = runtime.Manifest?.TorchSharpVersion;
        SizeMB = Math.Round(runtime.SizeBytes / (1024.0 * 1024.0), 1);
        Files = runtime.Files.ToArray();
        InstalledAt = runtime.Manifest?.InstalledAt;
        Source = runtime.Manifest?.Source;
        IsComplete = runtime.IsComplete;
        InUse = inUse;
    }

    /// <summary>Where it was found, in search order: Session, Environment, Module, CurrentUser or AllUsers.</summary>
    public string Origin { get; }

    /// <summary>The folder that holds the native files.</summary>
    public string Path { get; }

    /// <summary>The platform the files are for (linux-x64, win-x64, osx-arm64).</summary>
    public string Rid { get; }

    /// <summary>libtorch's version, from runtime.json (empty for a folder not made by Install-KerasRuntime).</summary>
    public string? LibTorchVersion { get; }

    /// <summary>The TorchSharp version whose native bridge the folder holds, from runtime.json.</summary>
    public string? TorchSharpVersion { get; }

    /// <summary>Total size of the files, in MiB.</summary>
    public double SizeMB { get; }

    /// <summary>The file names in the folder, runtime.json aside.</summary>
    public string[] Files { get; }

    /// <summary>When Install-KerasRuntime finished (UTC), from runtime.json.</summary>
    public DateTime? InstalledAt { get; }

    /// <summary>The folder or feed the packages came from, from runtime.json.</summary>
    public string? Source { get; }

    /// <summary>True when every file runtime.json lists is present with its recorded size.</summary>
    public bool IsComplete { get; }

    /// <summary>True for the runtime the module loads in this process (the first match in search order).</summary>
    public bool InUse { get; }

    internal static bool SameFolder(string a, string b) =>
        string.Equals(System.IO.Path.GetFullPath(a).TrimEnd(System.IO.Path.DirectorySeparatorChar),
            System.IO.Path.GetFullPath(b).TrimEnd(System.IO.Path.DirectorySeparatorChar),
            OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>Every runtime under the search roots, the one in use marked.</summary>
    internal static IEnumerable<RuntimeInfo> FindAll()
    {
        var inUse = RuntimeLocations.Find();
        foreach (var found in RuntimeInstaller.FindInstalled())
            yield return new RuntimeInfo(found.Origin, found.Runtime, inUse is { } u && SameFolder(u.Folder, found.Runtime.Folder));
    }
}
