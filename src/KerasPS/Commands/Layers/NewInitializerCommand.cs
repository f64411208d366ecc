using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Initializers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Creates a configured weight initializer (keras.initializers.*) for -KernelInitializer, -BiasInitializer and
/// similar parameters.</para>
/// <para type="description">Names: glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal, zeros, ones,
/// random_normal (-Mean, -StdDev), random_uniform (-MinVal, -MaxVal), truncated_normal (-Mean, -StdDev), orthogonal (-Gain), constant
/// (-Value). Unset values take Keras's defaults. Values are drawn from the model's seeded generator, so a seeded model gets the same
/// weights on every machine.</para>
/// </summary>
/// <example><code>$model | Add-DenseLayer 64 -KernelInitializer (New-Initializer random_normal -StdDev 0.01)</code></example>
/// <example><code>New-Initializer constant -Value 0.1</code></example>
[Cmdlet(VerbsCommon.New, "Initializer")]
[OutputType(typeof(Initializer))]
public sealed class NewInitializerCommand : KerasCmdlet
{
    /// <summary>The initializer, by name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public string Name { get; set; } = null!;

    /// <summary>Value of the constant initializer (0 by default).</summary>
    [Parameter] public double? Value { get; set; }
    /// <summary>Mean of random_normal and truncated_normal (0 by default).</summary>
    [Parameter] public double? Mean { get; set; }
    /// <summary>Standard deviation of random_normal and truncated_normal (0.05 by default).</summary>
    [Parameter] public double? StdDev { get; set; }
    /// <summary>Lower bound of random_uniform (-0.05 by default).</summary>
    [Parameter] public double? MinVal { get; set; }
    /// <summary>Upper bound of random_uniform (0.05 by default).</summary>
    [Parameter] public double? MaxVal { get; set; }
    /// <summary>Multiplier of the orthogonal initializer (1 by default).</summary>
    [Parameter] public double? Gain { get; set; }

    /// <summary>Each option parameter with the Keras config key the initializers read.</summary>
    private static readonly (string Parameter, string Key)[] ConfigKeys =
    {
        (nameof(Value), "value"), (nameof(Mean), "mean"), (nameof(StdDev), "stddev"), (nameof(MinVal), "minval"),
        (nameof(MaxVal), "maxval"), (nameof(Gain), "gain"),
    };

    protected override void Process()
    {
        if (MinVal is double lo && MaxVal is double hi && !(lo < hi))
            throw Engine.KerasException.BadArgument("InvalidInitializer",
                $"random_uniform needs MinVal < MaxVal. Received: MinVal={lo}, MaxVal={hi}.");
        if (StdDev is double sd && !(sd > 0))
            throw Engine.KerasException.BadArgument("InvalidInitializer", $"StdDev must be positive. Received: StdDev={sd}.");
        WriteObject(KerasObjects.Initializers.FromConfig(Name, BoundConfig(ConfigKeys)));
    }
}
