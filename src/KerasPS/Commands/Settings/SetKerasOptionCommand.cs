using System.Management.Automation;
using KerasPS.Engine.Native;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Settings;

/// <summary>
/// <para type="synopsis">Sets module-wide KerasPS options.</para>
/// <para type="description">-Threads sets libtorch's intra-op thread count for every later fit that does not give -Threads itself
/// (libtorch's default is one thread per physical core). Threads are process-wide in libtorch. A fit of a small Dense network (batch x sum
/// of inputs x units below 16.7 M multiply-adds) runs on one thread, which is faster there, and says so on the verbose stream.</para>
/// </summary>
/// <para type="description">-Seed is Keras's set_random_seed: after it, everything that draws a seed of its own (New-Model without -Seed,
/// Invoke-ModelFit without -Seed, Split-TrainTest, Invoke-ModelSweep) takes it from one sequence that starts at this seed, so running the
/// same script again gives the same weights, shuffles, splits and trials. Give -Seed again to restart the sequence; -ClearSeed goes back to
/// random seeds. Seeds given to a cmdlet always win.</para>
/// <example><code>Set-KerasOption -Threads 2</code></example>
/// <example><code>Set-KerasOption -Seed 42; $model = New-Model -InputShape 4 | Add-DenseLayer 3 -Activation softmax</code></example>
[Cmdlet(VerbsCommon.Set, "KerasOption", SupportsShouldProcess = false)]
[OutputType(typeof(void))]
public sealed class SetKerasOptionCommand : KerasCmdlet
{
    /// <summary>libtorch intra-op threads (1 or more).</summary>
    [Parameter] public int? Threads { get; set; }

    /// <summary>Global seed (Keras set_random_seed) for every seed the module draws itself.</summary>
    [Parameter] public long? Seed { get; set; }

    /// <summary>Forget the global seed: unseeded cmdlets draw random seeds again.</summary>
    [Parameter] public SwitchParameter ClearSeed { get; set; }

    protected override void Process()
    {
        if (Threads is int t)
        {
            TorchRuntime.Threads = t;   // validates and applies now
            ModuleSettings.Threads = t;
        }
        if (Seed is long s && ClearSeed)
            throw KerasPS.Engine.KerasException.BadArgument("SeedAndClearSeed",
                "-Seed sets the global seed and -ClearSeed removes it; give one of them.");
        if (Seed is long seed)
        {
            if (seed < 0)
                throw KerasPS.Engine.KerasException.BadArgument("InvalidSeed", $"-Seed must be 0 or more. Received: {seed}.", seed);
            KerasPS.Engine.MersenneTwister.SetGlobalSeed(seed);
        }
        if (ClearSeed) KerasPS.Engine.MersenneTwister.SetGlobalSeed(null);
    }
}

/// <summary>
/// <para type="synopsis">Shows module-wide KerasPS options and the libtorch runtime in use.</para>
/// </summary>
/// <example><code>Get-KerasOption</code></example>
/// <example><code>(Get-KerasOption).Threads</code></example>
[Cmdlet(VerbsCommon.Get, "KerasOption")]
[OutputType(typeof(PSObject))]
public sealed class GetKerasOptionCommand : KerasCmdlet
{
    protected override void Process()
    {
        var o = new PSObject();
        o.Properties.Add(new PSNoteProperty("Threads", TorchRuntime.Threads));
        o.Properties.Add(new PSNoteProperty("ThreadsSetByUser", ModuleSettings.Threads is not null));
        o.Properties.Add(new PSNoteProperty("Seed", KerasPS.Engine.MersenneTwister.GlobalSeed));
        o.Properties.Add(new PSNoteProperty("TorchSharpVersion", TorchRuntime.TorchSharpVersion));
        o.Properties.Add(new PSNoteProperty("LibTorchDirectory", TorchRuntime.NativeDirectory));
        WriteObject(o);
    }
}
