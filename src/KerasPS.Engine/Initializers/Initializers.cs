namespace KerasPS.Engine.Initializers;

// keras.initializers, in the order completion lists them. Variance-scaling initializers record {"seed": null}: the seed
// is the model's.

/// <summary>
/// A variance-scaling initializer (Keras's VarianceScaling with its named settings): weights of variance scale / fan, the
/// fan being fan_in, or fan_avg = (fan_in + fan_out) / 2; uniform in +-sqrt(3 * variance), or a normal truncated at two
/// stddevs. Keras writes only its seed.
/// </summary>
public abstract class SeededInitializer : Initializer
{
    private readonly double scale;
    private readonly bool fanAvg, uniform;

    protected SeededInitializer(double scale, bool fanAvg, bool uniform)
    {
        this.scale = scale;
        this.fanAvg = fanAvg;
        this.uniform = uniform;
    }

    protected override void WriteConfig(IDictionary<string, object?> config) => config["seed"] = null;

    protected override void Fill(float[] w, IReadOnlyList<int> shape, MersenneTwister rng)
    {
        var (fanIn, fanOut) = Fans(shape);
        // scale / fan_avg as 2 * scale / (fan_in + fan_out): the same doubles as Keras's glorot formulas (sqrt(6 / sum)).
        double fan = fanAvg ? fanIn + fanOut : fanIn, numerator = fanAvg ? 2 * scale : scale;
        if (uniform) Uniform(w, Math.Sqrt(3 * numerator / fan), rng);
        else Truncated(w, 0, Math.Sqrt(numerator / fan) / TruncatedStdDev, rng);
    }
}

/// <summary>keras.initializers.GlorotUniform: uniform in +-sqrt(6 / (fan_in + fan_out)).</summary>
[KerasObject("keras.initializers", "GlorotUniform", DefaultName)]
public sealed class GlorotUniform() : SeededInitializer(1, fanAvg: true, uniform: true), IKerasObject<GlorotUniform>
{
    /// <summary>Keras's default kernel initializer.</summary>
    public const string DefaultName = "glorot_uniform";

    public static GlorotUniform FromConfig(ConfigReader config) => new();
}

/// <summary>keras.initializers.GlorotNormal: truncated normal, stddev sqrt(2 / (fan_in + fan_out)).</summary>
[KerasObject("keras.initializers", "GlorotNormal", "glorot_normal")]
public sealed class GlorotNormal() : SeededInitializer(1, fanAvg: true, uniform: false), IKerasObject<GlorotNormal>
{
    public static GlorotNormal FromConfig(ConfigReader config) => new();
}

/// <summary>keras.initializers.HeUniform: uniform in +-sqrt(6 / fan_in).</summary>
[KerasObject("keras.initializers", "HeUniform", "he_uniform")]
public sealed class HeUniform() : SeededInitializer(2, fanAvg: false, uniform: true), IKerasObject<HeUniform>
{
    public static HeUniform FromConfig(ConfigReader config) => new();
}

/// <summary>keras.initializers.HeNormal: truncated normal, stddev sqrt(2 / fan_in).</summary>
[KerasObject("keras.initializers", "HeNormal", "he_normal")]
public sealed class HeNormal() : SeededInitializer(2, fanAvg: false, uniform: false), IKerasObject<HeNormal>
{
    public static HeNormal FromConfig(ConfigReader config) => new();
}

/// <summary>keras.initializers.LecunUniform: uniform in +-sqrt(3 / fan_in).</summary>
[KerasObject("keras.initializers", "LecunUniform", "lecun_uniform")]
public sealed class LecunUniform() : SeededInitializer(1, fanAvg: false, uniform: true), IKerasObject<LecunUniform>
{
    public static LecunUniform FromConfig(ConfigReader config) => new();
}

/// <summary>keras.initializers.LecunNormal: truncated normal, stddev sqrt(1 / fan_in).</summary>
[KerasObject("keras.initializers", "LecunNormal", "lecun_normal")]
public sealed class LecunNormal() : SeededInitializer(1, fanAvg: false, uniform: false), IKerasObject<LecunNormal>
{
    public static LecunNormal FromConfig(ConfigReader config) => new();
}

/// <summary>keras.initializers.Zeros.</summary>
[KerasObject("keras.initializers", "Zeros", "zeros")]
public sealed class Zeros : Initializer, IKerasObject<Zeros>
{
    public static Zeros FromConfig(ConfigReader config) => new();
}

/// <summary>keras.initializers.Ones.</summary>
[KerasObject("keras.initializers", "Ones", "ones")]
public sealed class Ones : Initializer, IKerasObject<Ones>
{
    public static Ones FromConfig(ConfigReader config) => new();
    protected override void Fill(float[] w, IReadOnlyList<int> shape, MersenneTwister rng) => Array.Fill(w, 1f);
}

/// <summary>keras.initializers.RandomNormal (mean 0, stddev 0.05).</summary>
[KerasObject("keras.initializers", "RandomNormal", "random_normal")]
public sealed class RandomNormal : Initializer, IKerasObject<RandomNormal>
{
    public const double DefaultMean = 0, DefaultStdDev = 0.05;

    public RandomNormal(double mean = DefaultMean, double stddev = DefaultStdDev)
    {
        Mean = mean;
        StdDev = stddev;
    }

    public static RandomNormal FromConfig(ConfigReader c) => new(c.Double("mean", DefaultMean), c.Double("stddev", DefaultStdDev));

    public double Mean { get; }
    public double StdDev { get; }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["mean"] = Mean; c["stddev"] = StdDev; c["seed"] = null;
    }

    protected override void Fill(float[] w, IReadOnlyList<int> shape, MersenneTwister rng)
    {
        for (long i = 0; i < w.LongLength; i++) w[i] = (float)(Mean + StdDev * rng.NextGaussian());
    }
}

/// <summary>keras.initializers.RandomUniform (minval -0.05, maxval 0.05).</summary>
[KerasObject("keras.initializers", "RandomUniform", "random_uniform")]
public sealed class RandomUniform : Initializer, IKerasObject<RandomUniform>
{
    public const double DefaultMinVal = -0.05, DefaultMaxVal = 0.05;

    public RandomUniform(double minval = DefaultMinVal, double maxval = DefaultMaxVal)
    {
        MinVal = minval;
        MaxVal = maxval;
    }

    public static RandomUniform FromConfig(ConfigReader c) => new(c.Double("minval", DefaultMinVal), c.Double("maxval", DefaultMaxVal));

    public double MinVal { get; }
    public double MaxVal { get; }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["minval"] = MinVal; c["maxval"] = MaxVal; c["seed"] = null;
    }

    protected override void Fill(float[] w, IReadOnlyList<int> shape, MersenneTwister rng)
    {
        for (long i = 0; i < w.LongLength; i++) w[i] = (float)(MinVal + (MaxVal - MinVal) * rng.NextDouble());
    }
}

/// <summary>keras.initializers.TruncatedNormal (mean 0, stddev 0.05; values beyond two stddevs are drawn again).</summary>
[KerasObject("keras.initializers", "TruncatedNormal", "truncated_normal")]
public sealed class TruncatedNormal : Initializer, IKerasObject<TruncatedNormal>
{
    public const double DefaultMean = 0, DefaultStdDev = 0.05;

    public TruncatedNormal(double mean = DefaultMean, double stddev = DefaultStdDev)
    {
        Mean = mean;
        StdDev = stddev;
    }

    public static TruncatedNormal FromConfig(ConfigReader c) => new(c.Double("mean", DefaultMean), c.Double("stddev", DefaultStdDev));

    public double Mean { get; }
    public double StdDev { get; }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["mean"] = Mean; c["stddev"] = StdDev; c["seed"] = null;
    }

    protected override void Fill(float[] w, IReadOnlyList<int> shape, MersenneTwister rng) => Truncated(w, Mean, StdDev, rng);
}

/// <summary>keras.initializers.Orthogonal (gain 1): an orthonormal matrix from the QR of a normal one.</summary>
[KerasObject("keras.initializers", "Orthogonal", "orthogonal")]
public sealed class Orthogonal : Initializer, IKerasObject<Orthogonal>
{
    public const double DefaultGain = 1.0;

    public Orthogonal(double gain = DefaultGain) => Gain = gain;

    public static Orthogonal FromConfig(ConfigReader c) => new(c.Double("gain", DefaultGain));

    public double Gain { get; }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["gain"] = Gain; c["seed"] = null;
    }

    protected override void Fill(float[] w, IReadOnlyList<int> shape, MersenneTwister rng)
    {
        // Rows = product of all but the last dim, cols = last dim; QR of a normal matrix (Gram-Schmidt in double).
        int cols = shape[^1];
        int rows = (int)(Shapes.Product(shape) / cols);
        bool transpose = rows < cols;
        int r = transpose ? cols : rows, c = transpose ? rows : cols;
        var a = new double[r, c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) a[i, j] = rng.NextGaussian();
        for (int j = 0; j < c; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < r; i++) dot += a[i, j] * a[i, k];
                for (int i = 0; i < r; i++) a[i, j] -= dot * a[i, k];
            }
            double norm = 0;
            for (int i = 0; i < r; i++) norm += a[i, j] * a[i, j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < r; i++) a[i, j] /= norm;
        }
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                w[(long)i * cols + j] = (float)(Gain * (transpose ? a[j, i] : a[i, j]));
    }
}

/// <summary>keras.initializers.Constant (value 0).</summary>
[KerasObject("keras.initializers", "Constant", "constant")]
public sealed class Constant : Initializer, IKerasObject<Constant>
{
    public const double DefaultValue = 0.0;

    public Constant(double value = DefaultValue) => Value = value;

    public static Constant FromConfig(ConfigReader c) => new(c.Double("value", DefaultValue));

    public double Value { get; }

    protected override void WriteConfig(IDictionary<string, object?> c) => c["value"] = Value;

    protected override void Fill(float[] w, IReadOnlyList<int> shape, MersenneTwister rng) => Array.Fill(w, (float)Value);
}
