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

    /// <summary>The folder the native runtime was loaded from (after the first tensor operation), or the one that would be.</summary>
    public static string? NativeDirectory => loadedFrom ?? RuntimeLocations.Find()?.Folder;

    /// <summary>TorchSharp's assembly version.</summary>
    public static string? TorchSharpVersion => typeof(torch).Assembly.GetName().Version?.ToString();

    private static string? loadedFrom;

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
                // A missing runtime can be installed in this session (Install-KerasRuntime), so the next call looks
                // again; so can the Visual C++ runtime, which is checked before anything of libtorch loads. A runtime
                // that is there but does not load stays failed, as libtorch cannot be unloaded.
                if (e.ErrorId is not ("NativeRuntimeMissing" or "VCRuntimeMissing")) failure = e;
                throw;
            }
        }
    }

    private static void Load()
    {
        var rid = RuntimeLocations.Rid;
        var found = RuntimeLocations.Find();
        if (found is null)
        {
            var looked = string.Join(", ", RuntimeLocations.SearchRoots()
                .Select(r => $"{r.Origin} ({RuntimeLocations.FolderUnder(r.Root)})"));
            throw new KerasException("NativeRuntimeMissing", ErrorKind.NotInstalled,
                $"The libtorch runtime for {rid} is not installed, so KerasPS cannot compute. Run 'Install-KerasRuntime' once " +
                $"(offline: 'Install-KerasRuntime -Source <folder with the .nupkg files>'); looked in: {looked}.");
        }
        var (origin, dir) = found.Value;
        var bridge = Path.Combine(dir, RuntimeLocations.BridgeFileName);
        VCRuntime.EnsurePresent();   // Windows: name the missing Visual C++ runtime, not "module not found"
        try
        {
            // On Linux the bridge's dependencies (libtorch, c10, the OpenMP runtime) sit beside it and are found
            // through their RUNPATH ($ORIGIN). Windows does not search a library's own folder for its imports, and
            // macOS's libtorch names its OpenMP runtime by an absolute install path: there the runtime's libraries
            // are loaded first, in dependency order, so that the bridge's imports find them already loaded.
            foreach (var file in DependencyLoadOrder)
            {
                var path = Path.Combine(dir, file);
                if (File.Exists(path)) NativeLibrary.Load(path);
            }
            NativeLibrary.Load(bridge);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // .NET's message is generic advice on its first line and the loader's own words (what is missing) after it.
            var reason = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
            var hint = reason.Contains("GLIBCXX", StringComparison.Ordinal)
                ? "This host's libstdc++ is older than the one libtorch was built for; "
                    + "reinstall the runtime with 'Install-KerasRuntime -Force', which marks that requirement optional in its own copy."
                : "Reinstall it with 'Install-KerasRuntime -Force'.";
            throw new KerasException("NativeLibraryLoadFailed", ErrorKind.NotInstalled,
                $"The libtorch runtime in '{dir}' ({origin}) could not be loaded: {reason} {hint}", e);
        }
        // TorchSharp and the engine ask for "LibTorchSharp" and "torch_cpu"/"libtorch_cpu" by name: answer from the
        // runtime folder, whichever load context they are in (TorchSharp sets no resolver of its own).
        ResolveNativeFrom(dir, typeof(torch).Assembly);
        ResolveNativeFrom(dir, typeof(TorchRuntime).Assembly);
        loadedFrom = dir;
        var fix = "Reinstall the runtime with 'Install-KerasRuntime -Force'.";

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
        HeapTuning.Apply();
    }

    private static string[] DependencyLoadOrder =>
        OperatingSystem.IsWindows() ? new[] { "libiomp5md.dll", "c10.dll", "torch_cpu.dll", "torch.dll" } :
        OperatingSystem.IsMacOS() ? new[] { "libomp.dylib", "libc10.dylib", "libtorch_cpu.dylib", "libtorch.dylib" } :
        Array.Empty<string>();

    private static readonly HashSet<Assembly> Resolved = new();

    private static void ResolveNativeFrom(string dir, Assembly assembly)
    {
        if (!Resolved.Add(assembly)) return;
        try
        {
            NativeLibrary.SetDllImportResolver(assembly, (name, _, _) =>
            {
                foreach (var file in NativeFileNames(name))
                {
                    var path = Path.Combine(dir, file);
                    if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle)) return handle;
                }
                return IntPtr.Zero;
            });
        }
        catch (InvalidOperationException)
        {
            // A resolver was set already (by a host that loads TorchSharp itself); its choice stands.
        }
    }

    private static IEnumerable<string> NativeFileNames(string name)
    {
        yield return name;
        if (OperatingSystem.IsWindows()) { yield return name + ".dll"; yield break; }
        var ext = OperatingSystem.IsMacOS() ? ".dylib" : ".so";
        yield return name + ext;
        if (!name.StartsWith("lib", StringComparison.Ordinal)) yield return "lib" + name + ext;
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
