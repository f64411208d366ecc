using System.Management.Automation;
using KerasPS.Engine.Native;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Settings;

/// <summary>
/// <para type="synopsis">Sets module-wide KerasPS options.</para>
/// <para type="description">-Threads sets libtorch's intra-op thread count for every later fit that does not give -Threads itself (libtorch's default is one thread per physical core). Threads are process-wide in libtorch. A fit of a small Dense network (batch x sum of inputs x units below 16.7 M multiply-adds) runs on one thread, which is faster there, and says so on the verbose stream.</para>
/// </summary>
/// <example><code>Set-KerasOption -Threads 2</code></example>
[Cmdlet(VerbsCommon.Set, "KerasOption", SupportsShouldProcess = false)]
[OutputType(typeof(void))]
public sealed class SetKerasOptionCommand : KerasCmdlet
{
    /// <summary>libtorch intra-op threads (1 or more).</summary>
    [Parameter] public int? Threads { get; set; }

    protected override void Process()
    {
        if (Threads is int t)
        {
            TorchRuntime.Threads = t;   // validates and applies now
            ModuleSettings.Threads = t;
        }
    }
}

/// <summary>
/// <para type="synopsis">Shows module-wide KerasPS options and the libtorch runtime in use.</para>
/// </summary>
/// <example><code>Get-KerasOption</code></example>
[Cmdlet(VerbsCommon.Get, "KerasOption")]
[OutputType(typeof(PSObject))]
public sealed class GetKerasOptionCommand : KerasCmdlet
{
    protected override void Process()
    {
        var o = new PSObject();
        o.Properties.Add(new PSNoteProperty("Threads", TorchRuntime.Threads));
        o.Properties.Add(new PSNoteProperty("ThreadsSetByUser", ModuleSettings.Threads is not null));
        o.Properties.Add(new PSNoteProperty("TorchSharpVersion", TorchRuntime.TorchSharpVersion));
        o.Properties.Add(new PSNoteProperty("LibTorchDirectory", TorchRuntime.NativeDirectory));
        WriteObject(o);
    }
}
