using System.Collections;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Writes values into one weight of a model (Keras's layer.set_weights), checked against the weight's shape, and
/// writes the model.</para>
/// <para type="description">-Value takes the values in the weight's shape: a flat list of numbers in row-major order (with -Shape, or for a
/// one-axis weight), a nested array (@(@(1,2),@(3,4)) for a 2 x 2 kernel), a multi-dimensional array, or a ModelWeight from
/// Get-ModelWeight. A value whose shape differs from the weight's is a WeightShapeMismatch error naming both shapes, and nothing
/// changes.</para>
/// </summary>
/// <example><code>$model | Set-ModelWeight -Layer dense -Name bias -Value (,0.0 * 16)</code></example>
/// <example><code>$w = $base | Get-ModelWeight -Layer dense -Name kernel
/// $model | Set-ModelWeight -Layer dense -Name kernel -Value $w</code></example>
[Cmdlet(VerbsCommon.Set, "ModelWeight", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Model))]
public sealed class SetModelWeightCommand : KerasCmdlet
{
    /// <summary>The model, usually piped.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>The layer's name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(LayerNameCompleter))]
    public string Layer { get; set; } = null!;

    /// <summary>The weight's name within the layer (kernel, bias, ...).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string Name { get; set; } = null!;

    /// <summary>The values: nested arrays or a multi-dimensional array in the weight's shape, a flat list (with -Shape), or a
    /// ModelWeight.</summary>
    [Parameter(Mandatory = true, Position = 2)]
    public object Value { get; set; } = null!;

    /// <summary>The shape of a flat -Value (row-major); by default the shape the nested arrays have.</summary>
    [Parameter]
    public int[]? Shape { get; set; }

    protected override object? DefaultTarget => Model;

    protected override void Process()
    {
        var layer = Model.Engine.Layers[LayerLookup.Find(Model, Layer, allowWildcards: false)[0]];
        var weight = layer.Weights.FirstOrDefault(w => string.Equals(w.Name, Name, StringComparison.OrdinalIgnoreCase))
            ?? throw new KerasException("WeightNotFound", ErrorKind.ObjectNotFound,
                $"Layer '{layer.Name}' has no weight '{Name}'. Its weights: "
                    + $"{(layer.Weights.Count == 0 ? "(none)" : string.Join(", ", layer.Weights.Select(w => w.Name)))}.") { Target = Name };
        var (values, shape) = Read(PSValue.Unwrap(Value));
        if (Shape is not null)
        {
            if (Shape.Aggregate(1L, (a, d) => a * d) != values.Count)
                throw KerasException.BadArgument("WeightShapeMismatch",
                    $"-Shape ({string.Join(", ", Shape)}) holds {Shape.Aggregate(1L, (a, d) => a * d)} values, "
                    + $"but -Value has {values.Count}.", Shape);
            shape = Shape.Select(d => (long)d).ToArray();
        }
        else if (shape.Length == 1 && weight.Shape.Length > 1)
        {
            // A flat list for a weight with more axes is ambiguous about the order the user meant; say how to be explicit.
            throw KerasException.BadArgument("WeightShapeMismatch",
                $"Weight '{weight.Path}' has shape ({string.Join(", ", weight.Shape)}); -Value is a flat list of {values.Count} numbers. "
                    + "Give nested arrays in that shape, "
                    + $"or add -Shape {string.Join(",", weight.Shape)} to take the list in row-major order.", weight.Path);
        }
        if (!ShouldProcess($"{Model.Name}: {weight.Path}", $"Set {values.Count} values")) return;
        weight.Assign(values.ToArray(), shape);
        WriteObject(Model);
    }

    private static (List<float> Values, long[] Shape) Read(object? value)
    {
        switch (value)
        {
            case ModelWeight w: return (w.Value.ToList(), w.Shape.Select(d => (long)d).ToArray());
            case System.Array { Rank: > 1 } md:
            {
                var list = new List<float>(md.Length);
                foreach (var x in md) list.Add(ToFloat(x));
                return (list, Enumerable.Range(0, md.Rank).Select(r => (long)md.GetLength(r)).ToArray());
            }
            case IEnumerable e and not string:
            {
                var items = e.Cast<object?>().Select(PSValue.Unwrap).ToList();
                if (items.Count > 0 && items.All(i => i is IEnumerable and not string))
                {
                    var parts = items.Select(Read).ToList();
                    var inner = parts[0].Shape;
                    if (parts.Any(p => !p.Shape.SequenceEqual(inner)))
                        throw KerasException.BadArgument("RaggedWeightValue",
                            "-Value is ragged: its nested arrays differ in length. Give a value in the weight's shape.");
                    return (parts.SelectMany(p => p.Values).ToList(), new[] { (long)items.Count }.Concat(inner).ToArray());
                }
                return (items.Select(ToFloat).ToList(), new long[] { items.Count });
            }
            default: return (new List<float> { ToFloat(value) }, Array.Empty<long>());
        }
    }

    private static float ToFloat(object? x)
    {
        try { return Convert.ToSingle(PSValue.Unwrap(x), System.Globalization.CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw KerasException.BadArgument("InvalidWeightValue", $"-Value holds '{x}', which is not a number.", x);
        }
    }
}
