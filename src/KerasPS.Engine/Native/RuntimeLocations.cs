using System.Runtime.InteropServices;

namespace KerasPS.Engine.Native;

/// <summary>
/// Where the native runtime (libtorch and TorchSharp's native bridge) lives. The module package holds managed code
/// only; <c>Install-KerasRuntime</c> places the runtime for this OS and architecture in one of these folders, and
/// <see cref="TorchRuntime"/> looks in them, first match wins:
/// <list type="number">
/// <item>the folder set for this process (<see cref="SessionPath"/>: <c>Install-KerasRuntime -Path</c> sets it);</item>
/// <item>the folder named by the <c>KERASPS_RUNTIME_PATH</c> environment variable (a runbook's or a container's);</item>
/// <item>the module's own <c>bin/runtime</c> folder (a clone built with build.ps1 keeps its runtime there);</item>
/// <item>the current user's folder (<c>-Scope CurrentUser</c>, the default);</item>
/// <item>the machine's folder (<c>-Scope AllUsers</c>).</item>
/// </list>
/// Each root holds <c>libtorch-{LibTorchVersion}/{rid}/</c> with the native files and a <c>runtime.json</c> that
/// lists them.
/// </summary>
public static class RuntimeLocations
{
    /// <summary>The libtorch version TorchSharp 0.107 binds to (NuGet packages libtorch-cpu-{rid}).</summary>
    public const string LibTorchVersion = "2.10.0";

    /// <summary>The TorchSharp version whose native bridge (LibTorchSharp) the runtime carries.</summary>
    public const string TorchSharpVersion = "0.107.0";

    /// <summary>The environment variable that names a runtime root for processes that did not install it themselves.</summary>
    public const string EnvironmentVariable = "KERASPS_RUNTIME_PATH";

    /// <summary>The file in a runtime folder that lists what was installed (versions, files and their SHA-256).</summary>
    public const string ManifestFileName = "runtime.json";

    /// <summary>A runtime root set for this process; checked first.</summary>
    public static string? SessionPath { get; set; }

    /// <summary>The module's own folder (module/bin); set by the module when it loads.</summary>
    public static string? ModuleDirectory { get; set; }

    /// <summary>linux-x64, win-x64, osx-arm64, ...: the runtime identifier of this process.</summary>
    public static string Rid
    {
        get
        {
            var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            return $"{os}-{arch}";
        }
    }

    /// <summary>The runtime identifiers Install-KerasRuntime knows packages for.</summary>
    public static IReadOnlyList<string> SupportedRids { get; } = new[] { "linux-x64", "win-x64", "osx-arm64" };

    /// <summary>The current user's runtime root: ~/.local/share/KerasPS/runtime, %LOCALAPPDATA%\KerasPS\runtime.</summary>
    public static string CurrentUserRoot =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
            "KerasPS", "runtime");

    /// <summary>The machine's runtime root: /usr/local/share/KerasPS/runtime, %ProgramData%\KerasPS\runtime.</summary>
    public static string AllUsersRoot =>
        OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData,
                Environment.SpecialFolderOption.DoNotVerify), "KerasPS", "runtime")
            : "/usr/local/share/KerasPS/runtime";

    /// <summary>The module's own runtime root (module/bin/runtime), or null before the module set its folder.</summary>
    public static string? ModuleRoot => ModuleDirectory is null ? null : Path.Combine(ModuleDirectory, "runtime");

    /// <summary>The folder that holds the native files under a runtime root, for this libtorch version and platform.</summary>
    public static string FolderUnder(string root, string? rid = null) => Path.Combine(root, $"libtorch-{LibTorchVersion}", rid ?? Rid);

    /// <summary>The roots in the order they are searched, each with the name of where it came from.</summary>
    public static IEnumerable<(string Origin, string Root)> SearchRoots()
    {
        if (!string.IsNullOrEmpty(SessionPath)) yield return ("Session", SessionPath!);
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env)) yield return ("Environment", env);
        if (ModuleRoot is { } module) yield return ("Module", module);
        yield return ("CurrentUser", CurrentUserRoot);
        yield return ("AllUsers", AllUsersRoot);
    }

    /// <summary>TorchSharp's native bridge's file name on this OS.</summary>
    public static string BridgeFileName =>
        OperatingSystem.IsWindows() ? "LibTorchSharp.dll" :
        OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";

    /// <summary>The first folder that holds a runtime for this platform (its bridge library present), or null.</summary>
    public static (string Origin, string Folder)? Find()
    {
        foreach (var (origin, root) in SearchRoots())
        {
            var folder = FolderUnder(root);
            if (File.Exists(Path.Combine(folder, BridgeFileName))) return (origin, folder);
        }
        return null;
    }
}
