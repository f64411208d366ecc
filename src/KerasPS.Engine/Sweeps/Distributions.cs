using System.Globalization;

// The range types live in the KerasPS namespace so that a sweep reads naturally in PowerShell:
// @{ LearningRate = [KerasPS.LogUniform]::new(1e-4, 1e-1) }.
namespace KerasPS.Engine.Sweeps;

/// <summary>A range of values a random sweep draws from (Invoke-ModelSweep -Random).</summary>
public abstract class ParameterRange
{
    /// <summary>One value drawn with the given generator.</summary>
    public abstract object Sample(MersenneTwister rng);

    protected static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    protected static void CheckBounds(string type, double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || !(min < max))
            throw KerasException.BadArgument("InvalidRange",
                $"{type} needs finite bounds with min < max. Received: min={F(min)}, max={F(max)}.", min);
    }
}

/// <summary>A real number drawn uniformly from [Min, Max).</summary>
public sealed class Uniform : ParameterRange
{
    public Uniform(double min, double max) { CheckBounds("Uniform", min, max); Min = min; Max = max; }
    public double Min { get; }
    public double Max { get; }
    public override object Sample(MersenneTwister rng) => Min + (Max - Min) * rng.NextDouble();
    public override string ToString() => $"Uniform({F(Min)}, {F(Max)})";
}

/// <summary>A positive real number whose logarithm is uniform: the usual range for learning rates and weight decay.</summary>
public sealed class LogUniform : ParameterRange
{
    public LogUniform(double min, double max)
    {
        CheckBounds("LogUniform", min, max);
        if (min <= 0) throw KerasException.BadArgument("InvalidRange", $"LogUniform needs positive bounds. Received: min={F(min)}.", min);
        Min = min; Max = max;
    }
    public double Min { get; }
    public double Max { get; }
    public override object Sample(MersenneTwister rng) => Math.Exp(Math.Log(Min) + (Math.Log(Max) - Math.Log(Min)) * rng.NextDouble());
    public override string ToString() => $"LogUniform({F(Min)}, {F(Max)})";
}

/// <summary>An integer drawn uniformly from Min..Max, both included (units, batch sizes, layer counts).</summary>
public sealed class IntRange : ParameterRange
{
    public IntRange(int min, int max)
    {
        if (min > max) throw KerasException.BadArgument("InvalidRange", $"IntRange needs min <= max. Received: min={min}, max={max}.", min);
        Min = min; Max = max;
    }
    public int Min { get; }
    public int Max { get; }
    public override object Sample(MersenneTwister rng) => Min + rng.NextInt(Max - Min + 1);
    public override string ToString() => $"IntRange({Min}, {Max})";
}
