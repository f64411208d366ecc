using System.Runtime.InteropServices;

namespace KerasPS.Engine.Native;

/// <summary>
/// libtorch for Windows is built with Visual C++ and imports its runtime, which the libtorch package does not carry.
/// Without it Windows' loader reports only "The specified module could not be found" for torch_cpu.dll, naming neither
/// the missing DLL nor the fix; so the runtime is looked for first and its absence reported as VCRuntimeMissing.
/// </summary>
public static class VCRuntime
{
    /// <summary>The Visual C++ 2015-2022 runtime DLLs libtorch's Windows build imports.</summary>
    public static IReadOnlyList<string> Files { get; } = new[] { "msvcp140.dll", "vcruntime140.dll", "vcruntime140_1.dll" };

    /// <summary>Microsoft's permanent link to the latest x64 Visual C++ 2015-2022 Redistributable.</summary>
    public const string RedistributableUrl = "https://aka.ms/vs/17/release/vc_redist.x64.exe";

    /// <summary>
    /// Throws VCRuntimeMissing (NotInstalled) when <paramref name="tryLoad"/> cannot load one of <see cref="Files"/>
    /// (asked by bare name, so that the system's search order applies). The loader is a parameter so tests can stand in
    /// for a machine without the runtime; <see cref="EnsurePresent()"/> uses the real one.
    /// </summary>
    public static void EnsurePresent(Func<string, bool> tryLoad)
    {
        ArgumentNullException.ThrowIfNull(tryLoad);
        var missing = Files.Where(f => !tryLoad(f)).ToList();
        if (missing.Count == 0) return;
        throw new KerasException("VCRuntimeMissing", ErrorKind.NotInstalled,
            $"libtorch needs the Microsoft Visual C++ 2015-2022 runtime, and this machine lacks {string.Join(", ", missing)}. "
            + "Install the Microsoft Visual C++ Redistributable for Visual Studio 2015-2022 (x64) from "
            + $"{RedistributableUrl} (or 'winget install Microsoft.VCRedist.2015+.x64'), then run the command again.")
        { Target = string.Join(", ", missing) };
    }

    /// <summary><see cref="EnsurePresent(Func{string, bool})"/> with the process's own loader; Windows only.</summary>
    public static void EnsurePresent()
    {
        if (!OperatingSystem.IsWindows()) return;
        EnsurePresent(name => NativeLibrary.TryLoad(name, out _));
    }
}
