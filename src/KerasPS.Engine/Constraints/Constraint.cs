using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Constraints;

/// <summary>
/// keras.constraints: a projection applied to a weight after each optimizer step. <c>max_norm</c>,
/// <c>unit_norm</c> and <c>min_max_norm</c> work on the norm along <see cref="Axis"/> (Keras default 0: for a
/// Dense kernel (in, out), the vector of weights arriving at each unit); <c>non_neg</c> zeroes negative weights.
/// </summary>
public sealed class Constraint
{
    public static IReadOnlyList<string> Names { get; } = new[] { "max_norm", "non_neg", "unit_norm", "min_max_norm" };
    private const double Epsilon = 1e-7;   // keras.backend.epsilon()

    public Constraint(string name, double? maxValue = null, double? minValue = null, double? rate = null, int[]? axis = null)
    {
        var key = (name ?? "").Trim().ToLowerInvariant();
        if (!Names.Contains(key))
            throw KerasException.BadArgument("UnknownConstraint", $"Unknown constraint '{name}'. Valid names: {string.Join(", ", Names)}.", name);
        Name = key;
        MaxValue = maxValue ?? (key == "max_norm" ? 2.0 : 1.0);
        MinValue = minValue ?? 0.0;
        Rate = rate ?? 1.0;
        Axis = axis is { Length: > 0 } ? (int[])axis.Clone() : new[] { 0 };
        if (!(MaxValue > 0) && key is "max_norm")
            throw KerasException.BadArgument("InvalidConstraint", $"max_norm needs a positive maximum. Received: max_value={Fmt(MaxValue)}.");
        if (key == "min_max_norm" && !(MinValue >= 0 && MinValue <= MaxValue))
            throw KerasException.BadArgument("InvalidConstraint", $"min_max_norm needs 0 <= min_value <= max_value. Received: min_value={Fmt(MinValue)}, max_value={Fmt(MaxValue)}.");
        if (!(Rate >= 0 && Rate <= 1))
            throw KerasException.BadArgument("InvalidConstraint", $"The constraint rate must be in [0, 1]. Received: rate={Fmt(Rate)}.");
    }

    public string Name { get; }
    public double MaxValue { get; }
    public double MinValue { get; }
    public double Rate { get; }
    public int[] Axis { get; }

    /// <summary>Projects the weight in place (no gradient), keeping the tensor the optimizer holds.</summary>
    public void Apply(Tensor w)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        if (Name == "non_neg") { w.relu_(); return; }
        var dims = Axis.Select(a => a < 0 ? a + w.dim() : a).Where(a => a >= 0 && a < w.dim()).Distinct().ToArray();
        if (dims.Length == 0) dims = Enumerable.Range(0, (int)w.dim()).Select(i => (long)i).ToArray();
        var norms = w.square().sum(dims, keepdim: true).sqrt();
        Tensor desired = Name switch
        {
            "max_norm" => norms.clamp(0, MaxValue),
            "unit_norm" => torch.ones_like(norms),
            _ => norms.clamp(MinValue, MaxValue).mul(Rate).add(norms.mul(1 - Rate)),
        };
        w.mul_(desired.div(norms.add(Epsilon)));
    }

    public Dictionary<string, object?> GetConfig()
    {
        var c = new Dictionary<string, object?>();
        switch (Name)
        {
            case "max_norm": c["max_value"] = MaxValue; c["axis"] = Axis; break;
            case "unit_norm": c["axis"] = Axis; break;
            case "min_max_norm": c["min_value"] = MinValue; c["max_value"] = MaxValue; c["rate"] = Rate; c["axis"] = Axis; break;
        }
        return KerasObjects.Serialize("keras.constraints", KerasObjects.ToClassName(Name), c);
    }

    public static Constraint? FromConfig(object? config)
    {
        if (config is null) return null;
        if (config is string s) return new Constraint(s);
        if (config is not IDictionary<string, object?> d) throw KerasException.BadData("InvalidLayerConfig", $"A constraint config must be a dictionary. Received: {config}.");
        var r = new ConfigReader(d.TryGetValue("config", out var cc) && cc is IDictionary<string, object?> cd ? cd : new Dictionary<string, object?>());
        return new Constraint(KerasObjects.ToSnakeName(Convert.ToString(d["class_name"], CultureInfo.InvariantCulture)!), r.NullableDouble("max_value"), r.NullableDouble("min_value"), r.NullableDouble("rate"), r.IntArray("axis"));
    }

    public override string ToString() => Name switch
    {
        "non_neg" => "NonNeg",
        "unit_norm" => $"UnitNorm(axis={string.Join(",", Axis)})",
        "max_norm" => $"MaxNorm({Fmt(MaxValue)})",
        _ => $"MinMaxNorm({Fmt(MinValue)}..{Fmt(MaxValue)}, rate={Fmt(Rate)})",
    };

    private static string Fmt(double d) => d.ToString("G", CultureInfo.InvariantCulture);
}
