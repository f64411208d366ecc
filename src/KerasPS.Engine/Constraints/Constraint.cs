using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Constraints;

/// <summary>
/// keras.constraints: a projection applied to a weight after each optimizer step. Each constraint is a class registered
/// with <c>[KerasObject("keras.constraints", ClassName, snake_name)]</c> (see <see cref="KerasObjects.Constraints"/>).
/// The norm constraints work on the norm along <see cref="NormConstraint.Axis"/> (Keras default 0: for a Dense kernel
/// (in, out), the vector of weights arriving at each unit).
/// </summary>
public abstract class Constraint
{

    /// <summary>The names a user types (max_norm, ...), for completion and error messages.</summary>
    public static IReadOnlyList<string> Names => KerasObjects.Constraints.Names;

    private KerasObjectAttribute Registration => KerasObjects.Constraints.EntryFor(this).Attribute;

    /// <summary>The snake-case name (max_norm).</summary>
    public string Name => Registration.Aliases[0];

    /// <summary>Projects the weight in place (no gradient), keeping the tensor the optimizer holds.</summary>
    public void Apply(Tensor w)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Project(w);
    }

    /// <summary>The projection, under no-grad and a dispose scope.</summary>
    protected abstract void Project(Tensor w);

    /// <summary>
    /// Keras 3's serialized constraint: <c>{"module": "keras.constraints", "class_name": "MaxNorm", "config": {...}}</c>.
    /// </summary>
    public Dictionary<string, object?> GetConfig()
    {
        var c = new Dictionary<string, object?>();
        WriteConfig(c);
        return KerasObjects.Serialize(Registration.Module, Registration.ClassName, c);
    }

    /// <summary>Adds the constraint's settings to its config (the keys its <c>FromConfig</c> reads).</summary>
    protected virtual void WriteConfig(IDictionary<string, object?> config) { }

    /// <summary>A constraint from a name or Keras's serialized form; null for none.</summary>
    public static Constraint? FromConfig(object? config)
    {
        if (config is null) return null;
        if (config is not (string or IDictionary<string, object?>))
            throw KerasException.BadData("InvalidLayerConfig", $"A constraint config must be a dictionary. Received: {config}.");
        return KerasObjects.Constraints.Deserialize(config);
    }

    protected static string Fmt(double d) => d.ToString("G", CultureInfo.InvariantCulture);
}

/// <summary>A constraint on the norm of the weight vectors along <see cref="Axis"/>.</summary>
public abstract class NormConstraint : Constraint
{
    private const double Epsilon = 1e-7;   // keras.backend.epsilon()

    /// <summary>Keras's default axis: for a Dense kernel (in, out), the weights arriving at each unit.</summary>
    public static readonly IReadOnlyList<int> DefaultAxis = new[] { 0 };

    protected NormConstraint(int[]? axis) => Axis = axis is { Length: > 0 } ? (int[])axis.Clone() : DefaultAxis.ToArray();

    public int[] Axis { get; }

    protected override void Project(Tensor w)
    {
        var dims = Axis.Select(a => a < 0 ? a + w.dim() : a).Where(a => a >= 0 && a < w.dim()).Distinct().ToArray();
        if (dims.Length == 0) dims = Enumerable.Range(0, (int)w.dim()).Select(i => (long)i).ToArray();
        var norms = w.Squared().sum(dims, keepdim: true).sqrt();
        w.mul_(Desired(norms).div(norms.Plus(Epsilon)));
    }

    /// <summary>The norms the weight vectors should have, given their norms now.</summary>
    protected abstract Tensor Desired(Tensor norms);

    protected override void WriteConfig(IDictionary<string, object?> c) => c["axis"] = Axis;

    protected static void CheckRate(double rate)
    {
        if (!(rate >= 0 && rate <= 1))
            throw KerasException.BadArgument("InvalidConstraint", $"The constraint rate must be in [0, 1]. Received: rate={Fmt(rate)}.");
    }
}

/// <summary>keras.constraints.MaxNorm (max_value 2): caps the norm of each weight vector.</summary>
[KerasObject("keras.constraints", "MaxNorm", "max_norm")]
public sealed class MaxNorm : NormConstraint, IKerasObject<MaxNorm>
{
    public const double DefaultMaxValue = 2.0;

    public MaxNorm(double maxValue = DefaultMaxValue, int[]? axis = null) : base(axis)
    {
        if (!(maxValue > 0))
            throw KerasException.BadArgument("InvalidConstraint",
                $"max_norm needs a positive maximum. Received: max_value={Fmt(maxValue)}.");
        MaxValue = maxValue;
    }

    // A rate is an option of min_max_norm only; one given to max_norm is checked all the same, as it always was.
    public static MaxNorm FromConfig(ConfigReader c)
    {
        if (c.NullableDouble("rate") is double rate) CheckRate(rate);
        return new(c.Double("max_value", DefaultMaxValue), c.IntArray("axis"));
    }

    public double MaxValue { get; }

    /// <summary>0: a max_norm has no lower bound.</summary>
    public double MinValue => 0;

    protected override Tensor Desired(Tensor norms) => norms.clamp(Scalars.Zero, Scalars.Of(MaxValue));

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["max_value"] = MaxValue;
        base.WriteConfig(c);
    }

    public override string ToString() => $"MaxNorm({Fmt(MaxValue)})";
}

/// <summary>keras.constraints.NonNeg: sets negative weights to 0.</summary>
[KerasObject("keras.constraints", "NonNeg", "non_neg")]
public sealed class NonNeg : Constraint, IKerasObject<NonNeg>
{
    public static NonNeg FromConfig(ConfigReader c) => new();
    protected override void Project(Tensor w) => w.relu_();
    public override string ToString() => "NonNeg";
}

/// <summary>keras.constraints.UnitNorm: scales each weight vector to norm 1.</summary>
[KerasObject("keras.constraints", "UnitNorm", "unit_norm")]
public sealed class UnitNorm : NormConstraint, IKerasObject<UnitNorm>
{
    public UnitNorm(int[]? axis = null) : base(axis) { }
    public static UnitNorm FromConfig(ConfigReader c) => new(c.IntArray("axis"));
    protected override Tensor Desired(Tensor norms) => torch.ones_like(norms);
    public override string ToString() => $"UnitNorm(axis={string.Join(",", Axis)})";
}

/// <summary>
/// keras.constraints.MinMaxNorm (min_value 0, max_value 1, rate 1): moves each norm into [min_value, max_value] by
/// <see cref="Rate"/> of the way.
/// </summary>
[KerasObject("keras.constraints", "MinMaxNorm", "min_max_norm")]
public sealed class MinMaxNorm : NormConstraint, IKerasObject<MinMaxNorm>
{
    public const double DefaultMinValue = 0.0, DefaultMaxValue = 1.0, DefaultRate = 1.0;

    public MinMaxNorm(double minValue = DefaultMinValue, double maxValue = DefaultMaxValue, double rate = DefaultRate, int[]? axis = null)
        : base(axis)
    {
        if (!(minValue >= 0 && minValue <= maxValue))
            throw KerasException.BadArgument("InvalidConstraint",
                $"min_max_norm needs 0 <= min_value <= max_value. Received: min_value={Fmt(minValue)}, max_value={Fmt(maxValue)}.");
        CheckRate(rate);
        MinValue = minValue;
        MaxValue = maxValue;
        Rate = rate;
    }

    public static MinMaxNorm FromConfig(ConfigReader c) => new(c.Double("min_value", DefaultMinValue),
        c.Double("max_value", DefaultMaxValue), c.Double("rate", DefaultRate), c.IntArray("axis"));

    public double MinValue { get; }
    public double MaxValue { get; }
    public double Rate { get; }

    protected override Tensor Desired(Tensor norms) =>
        norms.clamp(Scalars.Of(MinValue), Scalars.Of(MaxValue)).mul(Scalars.Of(Rate)).Plus(norms.mul(Scalars.Of(1 - Rate)));

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["min_value"] = MinValue; c["max_value"] = MaxValue; c["rate"] = Rate;
        base.WriteConfig(c);
    }

    public override string ToString() => $"MinMaxNorm({Fmt(MinValue)}..{Fmt(MaxValue)}, rate={Fmt(Rate)})";
}
