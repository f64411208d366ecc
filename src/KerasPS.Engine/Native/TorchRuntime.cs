using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace KerasPS.Engine.Native;

/// <summary>
/// Loads libtorch once per process and turns a failure into one clear <see cref="KerasException"/>
/// (id <c>NativeLibraryLoadFailed</c>) instead of a type-initializer stack and TorchSharp's console trace.
/// Every engine entry point that touches tensors calls <see cref="EnsureLoaded"/> first.
/// </summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static volatile bool loaded;
    private static KerasException? failure;

    /// <summary>Default intra-op threads: libtorch's own default (one per physical core) unless set.</summary>
    public static int Threads
    {
        get { EnsureLoaded(); return torch.get_num_threads(); }
        set
        {
            if (value < 1) throw KerasException.BadArgument("InvalidThreadCount", $"Threads must be 1 or more. Received: {value}.", value);
            EnsureLoaded();
            torch.set_num_threads(value);
        }
    }

    /// <summary>Folder holding TorchSharp and the libtorch native libraries.</summary>
    public static string NativeDirectory => Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory;

    /// <summary>TorchSharp's assembly version.</summary>
    public static string? TorchSharpVersion => typeof(torch).Assembly.GetName().Version?.ToString();

    public static void EnsureLoaded()
    {
        if (loaded) return;
        lock (Gate)
        {
            if (loaded) return;
            if (failure is not null) throw failure;
            try
            {
                Load();
                loaded = true;
            }
            catch (KerasException e)
            {
                failure = e;
                throw;
            }
        }
    }

    private static string NativeFileName =>
        OperatingSystem.IsWindows() ? "LibTorchSharp.dll" :
        OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";

    private static void Load()
    {
        var dir = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory;
        var rid = RuntimeInformation.RuntimeIdentifier;
        var candidates = new[] { Path.Combine(dir, NativeFileName), Path.Combine(dir, "runtimes", rid, "native", NativeFileName) };
        var path = candidates.FirstOrDefault(File.Exists);
        var fix = "Build the module for this platform with './build.ps1 -Task Build' (it publishes libtorch into module/bin), or reinstall KerasPS.";
        if (path is null)
        {
            throw new KerasException("NativeLibraryLoadFailed", ErrorKind.NotInstalled,
                $"libtorch is not installed next to KerasPS: {NativeFileName} was not found in '{dir}' (platform {rid}). {fix}");
        }
        try
        {
            NativeLibrary.Load(path);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            var reason = e.Message.Split('\n')[0].Trim();
            var hint = reason.Contains("GLIBCXX", StringComparison.Ordinal)
                ? "This host's libstdc++ is older than the one libtorch was built for; the module build marks that requirement optional, so rebuild with './build.ps1 -Task Build' rather than copying module files from another machine."
                : fix;
            throw new KerasException("NativeLibraryLoadFailed", ErrorKind.NotInstalled,
                $"libtorch could not be loaded from '{path}': {reason} {hint}", e);
        }

        // TorchSharp prints a long trace to the console when its own loader fails; keep the console clean
        // and report one line instead.
        var stdout = Console.Out;
        var stderr = Console.Error;
        try
        {
            Console.SetOut(TextWriter.Null);
            Console.SetError(TextWriter.Null);
            if (!torch.TryInitializeDeviceType(DeviceType.CPU))
                throw new InvalidOperationException("TorchSharp could not initialise the CPU backend.");
        }
        catch (Exception e) when (e is not KerasException)
        {
            var inner = e is TypeInitializationException { InnerException: { } ie } ? ie : e;
            throw new KerasException("NativeLibraryLoadFailed", ErrorKind.NotInstalled,
                $"libtorch could not be initialised from '{dir}': {inner.Message.Split('\n')[0].Trim()} {fix}", e);
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
        DisableNnpack();
    }

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    /// <summary>
    /// NNPACK does not support most server CPUs; libtorch then writes "Could not initialize NNPACK! Reason:
    /// Unsupported hardware." to stderr at the first convolution, which users read as an error. libtorch falls back
    /// to its own kernels either way, so switch NNPACK off up front (at::globalContext().setUserEnabledNNPACK(false),
    /// Itanium C++ ABI: Linux and macOS). Where the symbols differ (Windows), nothing changes.
    /// </summary>
    private static void DisableNnpack()
    {
        if (OperatingSystem.IsWindows()) return;
        try { SetUserEnabledNnpack(GlobalContext(), false); }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { }
    }
}
