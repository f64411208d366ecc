using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace KerasPS.LoadContext;

/// <summary>
/// The module's own load context, after PowerShell's guidance on module dependency conflicts ("Resolving PowerShell
/// module assembly dependency conflicts"): this cmdlet assembly sits in PowerShell's shared (default) context and
/// names only the engine; the engine and every managed dependency it brings (TorchSharp, CsvHelper,
/// Microsoft.Data.Analysis and its System.Collections.Immutable 9, SkiaSharp, Google.Protobuf, ...) load from
/// <c>bin/dependencies</c> into this context. Other modules' versions of the same libraries then live beside
/// ours in the default context, whichever loads first, and on .NET 8 the runtime's own System.Collections.Immutable
/// 8 no longer shadows the 9 that Microsoft.ML.DataView needs.
/// <para>
/// This assembly is the module's first nested module and names nothing of the engine: PowerShell reflects over the
/// cmdlet assembly's types when it imports it, and those name engine types, so the hook must be in place before.
/// How the engine gets here: the default context cannot find <c>KerasPS.Engine</c> (it is not next to this assembly,
/// on purpose), so it raises <see cref="AssemblyLoadContext.Resolving"/>, and <see cref="Register"/>'s handler loads
/// the engine into this context. Nothing else is handed to the default context, so a request of another module's
/// never gets our copies. Native libraries of the dependencies (SkiaSharp's) come from
/// <c>bin/dependencies/runtimes/{rid}/native</c>; libtorch is the engine's business (TorchRuntime).
/// </para>
/// </summary>
public sealed class EngineLoadContext : AssemblyLoadContext
{
    private const string EngineAssemblyName = "KerasPS.Engine";
    private static readonly object Gate = new();
    private static EngineLoadContext? instance;
    private static bool registered;

    private readonly string dependencyDirectory;
    private readonly string[] nativeDirectories;

    private EngineLoadContext(string dependencyDirectory) : base("KerasPS")
    {
        this.dependencyDirectory = dependencyDirectory;
        // NuGet packages put natives under runtimes/{rid}/native, some under the OS alone (SkiaSharp: runtimes/osx).
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        nativeDirectories = new[] { RuntimeInformation.RuntimeIdentifier, os }
            .Select(rid => Path.Combine(dependencyDirectory, "runtimes", rid, "native")).ToArray();
    }

    /// <summary>The folder of this assembly: the module's bin folder.</summary>
    public static string ModuleDirectory => Path.GetDirectoryName(typeof(EngineLoadContext).Assembly.Location)!;

    /// <summary>Where the engine and its managed dependencies are: bin/dependencies.</summary>
    public static string DependencyDirectory => Path.Combine(ModuleDirectory, "dependencies");

    /// <summary>The one instance for this process.</summary>
    public static EngineLoadContext Instance
    {
        get
        {
            lock (Gate) return instance ??= new EngineLoadContext(DependencyDirectory);
        }
    }

    /// <summary>Hooks the default context's resolving event once per process, before any code that names the engine runs.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (registered) return;
            Default.Resolving += ResolveEngine;
            registered = true;
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == EngineAssemblyName ? Instance.LoadFromAssemblyName(name) : null;

    /// <summary>Our copy when bin/dependencies has one; otherwise null, and the default context answers (.NET, PowerShell).</summary>
    protected override Assembly? Load(AssemblyName name)
    {
        var path = Path.Combine(dependencyDirectory, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var dir in nativeDirectories)
            foreach (var file in NativeFileNames(unmanagedDllName))
            {
                var path = Path.Combine(dir, file);
                if (File.Exists(path)) return LoadUnmanagedDllFromPath(path);
            }
        return IntPtr.Zero;   // not ours: the engine's resolver (libtorch) or the system's search
    }

    private static IEnumerable<string> NativeFileNames(string name)
    {
        yield return name;
        if (OperatingSystem.IsWindows()) { yield return name + ".dll"; yield break; }
        var ext = OperatingSystem.IsMacOS() ? ".dylib" : ".so";
        yield return name + ext;
        if (!name.StartsWith("lib", StringComparison.Ordinal)) yield return "lib" + name + ext;
    }
}

/// <summary>Installs <see cref="EngineLoadContext"/> when PowerShell imports this (first) nested module.</summary>
public sealed class LoadContextInitializer : IModuleAssemblyInitializer
{
    public void OnImport() => EngineLoadContext.Register();
}
