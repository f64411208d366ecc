using System.Management.Automation;
using KerasPS.Engine.Layers.Core;
using KerasPS.Engine.Sweeps;

namespace KerasPS.Infrastructure;

/// <summary>
/// Runs once when the module is imported: lets the engine turn saved script-block Lambda code back into a function
/// (only when a loader allows unsafe code), and gives the sweep's parameter ranges their short PowerShell names
/// ([KerasPS.LogUniform], [KerasPS.Uniform], [KerasPS.IntRange]) while their classes live with the sweep plan in the engine.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly (string Name, Type Type)[] Accelerators =
    {
        ("KerasPS.LogUniform", typeof(LogUniform)),
        ("KerasPS.Uniform", typeof(Uniform)),
        ("KerasPS.IntRange", typeof(IntRange)),
    };

    public void OnImport()
    {
        Lambda.CodeCompiler = code => ScriptBlockFunction.Wrap(ScriptBlock.Create(code));
        foreach (var (name, type) in Accelerators) TypeAccelerators("Add", name, type);
    }

    public void OnRemove(PSModuleInfo module)
    {
        foreach (var (name, _) in Accelerators) TypeAccelerators("Remove", name);
    }

    // PowerShell keeps its type accelerators in a non-public class; reflection is the documented way modules add to it.
    private static void TypeAccelerators(string method, params object[] args) =>
        typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators")?
            .GetMethod(method, args.Select(a => a.GetType() == typeof(string) ? typeof(string) : typeof(Type)).ToArray())?
            .Invoke(null, args);
}
