using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using KerasPS.Engine.Layers.Core;
using KerasPS.Engine.Native;
using KerasPS.Engine.Sweeps;

namespace KerasPS.Infrastructure;

/// <summary>
/// Runs once when the module is imported, after KerasPS.LoadContext.dll installed the module's load context. It tells the engine where the
/// module's folder is (for the runtime
/// a built clone keeps in bin/runtime), lets the engine turn saved script-block Lambda code back into a function,
/// and gives PowerShell names for the types that live in the module's load context.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly List<string> Registered = new();

    // The engine resolves through the load context that KerasPS.LoadContext.dll (the first nested module) installed.
    public void OnImport() => Initialize();

    public void OnRemove(PSModuleInfo module)
    {
        lock (Registered)
        {
            foreach (var name in Registered) TypeAccelerators("Remove", name);
            Registered.Clear();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Initialize()
    {
        RuntimeLocations.ModuleDirectory ??= Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location);
        Lambda.CodeCompiler = code => ScriptBlockFunction.Wrap(ScriptBlock.Create(code));
        RegisterTypeNames();
    }

    /// <summary>
    /// PowerShell's [type] literals look only in the default load context. So that [KerasPS.LogUniform],
    /// [KerasPS.Engine.Data.SampleData] or a Lambda script's [TorchSharp.Scalar] keep working, the public types of
    /// the engine, TorchSharp and Microsoft.Data.Analysis get type accelerators under their full names (and the
    /// sweep ranges under their short KerasPS.* names). A library another module already loaded into the default
    /// context keeps its own names: its types are the ones that context's scripts mean.
    /// </summary>
    private static void RegisterTypeNames()
    {
        var engine = typeof(LogUniform).Assembly;
        var names = new List<(string, Type)>
        {
            ("KerasPS.LogUniform", typeof(LogUniform)),
            ("KerasPS.Uniform", typeof(Uniform)),
            ("KerasPS.IntRange", typeof(IntRange)),
        };
        var defaultNames = AssemblyLoadContext.Default.Assemblies.Select(a => a.GetName().Name).ToHashSet();
        foreach (var assemblyName in new[] { "KerasPS.Engine", "TorchSharp", "Microsoft.Data.Analysis" })
        {
            if (defaultNames.Contains(assemblyName)) continue;
            Assembly assembly;
            try { assembly = assemblyName == "KerasPS.Engine"
                ? engine : (AssemblyLoadContext.GetLoadContext(engine) ?? AssemblyLoadContext.Default)
                .LoadFromAssemblyName(new AssemblyName(assemblyName)); }
            catch (IOException) { continue; }
            foreach (var type in assembly.GetExportedTypes())
                if (!type.IsGenericTypeDefinition && type.FullName is { } full) names.Add((full, type));
        }
        lock (Registered)
        {
            foreach (var (name, type) in names)
            {
                TypeAccelerators("Add", name, type);
                Registered.Add(name);
            }
        }
    }

    // PowerShell keeps its type accelerators in a non-public class; reflection is how modules add to it.
    private static readonly Type? AcceleratorsType = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");

    private static void TypeAccelerators(string method, params object[] args) =>
        AcceleratorsType?.GetMethod(method, args.Select(a => a is string ? typeof(string) : typeof(Type)).ToArray())?.Invoke(null, args);
}
