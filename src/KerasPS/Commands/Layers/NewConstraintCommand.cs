using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Constraints;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Creates a weight constraint (keras.constraints.*) applied after each optimizer step.</para>
/// <para type="description">max_norm caps the norm of each weight vector at -MaxValue (2 by default); unit_norm scales it to norm 1;
/// min_max_norm keeps the norm between -MinValue and -MaxValue (0 and 1 by default), moving it by -Rate; non_neg sets negative weights to
/// 0. Norms are taken along -Axis (0 by default: for a Dense kernel (inputs, units) the weights into each unit; for a Conv2D kernel use
/// -Axis 0,1,2).</para>
/// </summary>
/// <example><code>$model | Add-DenseLayer 64 -KernelConstraint (New-Constraint max_norm -MaxValue 3)</code></example>
/// <example><code>$model | Add-DenseLayer 8 -KernelConstraint non_neg</code></example>
[Cmdlet(VerbsCommon.New, "Constraint")]
[OutputType(typeof(Constraint))]
public sealed class NewConstraintCommand : KerasCmdlet
{
    /// <summary>The constraint, by name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public string Name { get; set; } = null!;

    /// <summary>Largest allowed norm (max_norm: 2, min_max_norm: 1 by default).</summary>
    [Parameter] public double? MaxValue { get; set; }

    /// <summary>Smallest allowed norm (min_max_norm; 0 by default).</summary>
    [Parameter] public double? MinValue { get; set; }

    /// <summary>How far min_max_norm moves a norm toward the allowed range per step, in [0, 1] (1 by default).</summary>
    [Parameter] public double? Rate { get; set; }

    /// <summary>Axes along which norms are taken (0 by default).</summary>
    [Parameter] public int[]? Axis { get; set; }

    /// <summary>Each option parameter with the Keras config key the constraints read.</summary>
    private static readonly (string Parameter, string Key)[] ConfigKeys =
    {
        (nameof(MaxValue), "max_value"), (nameof(MinValue), "min_value"), (nameof(Rate), "rate"), (nameof(Axis), "axis"),
    };

    protected override void Process()
    {
        WriteObject(KerasObjects.Constraints.FromConfig(Name, BoundConfig(ConfigKeys)));
    }
}
