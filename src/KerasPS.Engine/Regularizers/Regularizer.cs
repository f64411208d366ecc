using System.Globalization;
using static TorchSharp.torch;

namespace KerasPS.Engine.Regularizers;

/// <summary>
/// keras.regularizers.L1L2: <c>l1 * sum(|w|) + l2 * sum(w^2)</c>, added to the training loss. The names
/// <c>l1</c>, <c>l2</c> and <c>l1_l2</c> take Keras's default factor 0.01; Keras's L1 and L2 configs read as L1L2,
/// which is what KerasPS writes.
/// </summary>
[KerasObject("keras.regularizers", "L1L2", "l1", "l2", "l1_l2")]
public sealed class Regularizer : IKerasObject<Regularizer>
{
    /// <summary>Keras's factor for a regularizer given by name (l1, l2, l1_l2).</summary>
    public const double DefaultFactor = 0.01;

    /// <summary>The names a user types (l1, l2, l1_l2), for completion.</summary>
    public static IReadOnlyList<string> Names => KerasObjects.Regularizers.Names;

    public Regularizer(double l1 = 0, double l2 = 0)
    {
        if (!(l1 >= 0) || double.IsInfinity(l1) || !(l2 >= 0) || double.IsInfinity(l2))
            throw KerasException.BadArgument("InvalidRegularizer",
                $"Regularization factors must be finite and not negative. Received: l1={Fmt(l1)}, l2={Fmt(l2)}.");
        if (l1 == 0 && l2 == 0)
            throw KerasException.BadArgument("InvalidRegularizer",
                "A regularizer needs a positive -L1 or -L2 factor (for example -L2 0.01).");
        L1 = l1;
        L2 = l2;
    }

    public double L1 { get; }
    public double L2 { get; }

    /// <summary>A regularizer from a Keras name (l1, l2, l1_l2, factor 0.01); null for a blank name.</summary>
    public static Regularizer? FromName(string name) => string.IsNullOrWhiteSpace(name) ? null : KerasObjects.Regularizers.Create(name);

    /// <summary>The registry's by-name form: each name means its own factors.</summary>
    static Regularizer IKerasObject<Regularizer>.FromName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "l1" => new Regularizer(l1: DefaultFactor),
        "l2" => new Regularizer(l2: DefaultFactor),
        _ => new Regularizer(DefaultFactor, DefaultFactor),
    };

    /// <summary>Reads <c>l1</c> and <c>l2</c> (absent: 0), as Keras's L1L2, L1 and L2 write them.</summary>
    public static Regularizer FromConfig(ConfigReader c) => new(c.Double("l1", 0), c.Double("l2", 0));

    public Tensor Compute(Tensor w)
    {
        Tensor? r = null;
        if (L1 > 0) r = w.abs().sum().mul(Scalars.Of(L1));
        if (L2 > 0) { var t = w.Squared().sum().mul(Scalars.Of(L2)); r = r is null ? t : r.Plus(t); }
        return r!;
    }

    /// <summary>
    /// Keras 3's serialized regularizer: <c>{"module": "keras.regularizers", "class_name": "L1L2", "config": {"l1", "l2"}, ...}</c>.
    /// </summary>
    public Dictionary<string, object?> GetConfig() =>
        KerasObjects.Serialize("keras.regularizers", "L1L2", new Dictionary<string, object?> { ["l1"] = L1, ["l2"] = L2 });

    /// <summary>A regularizer from a name, Keras's serialized form or a bare <c>{"l1", "l2"}</c>; null for none.</summary>
    public static Regularizer? FromConfig(object? config)
    {
        if (config is null) return null;
        if (config is string s) return FromName(s);
        if (config is not IDictionary<string, object?> d)
            throw KerasException.BadData("InvalidLayerConfig", $"A regularizer config must be a dictionary. Received: {config}.");
        return FromConfig(new ConfigReader(d.TryGetValue("config", out var cc) && cc is IDictionary<string, object?> cd ? cd : d));
    }

    public override string ToString() =>
        L1 > 0 && L2 > 0 ? $"L1L2(l1={Fmt(L1)}, l2={Fmt(L2)})" : L1 > 0 ? $"L1({Fmt(L1)})" : $"L2({Fmt(L2)})";

    private static string Fmt(double d) => d.ToString("G", CultureInfo.InvariantCulture);
}
