namespace KerasPS.Engine.Initializers;

/// <summary>
/// Keras's weight initializers (keras.initializers), computed in .NET from a <see cref="MersenneTwister"/> so that
/// a seed gives the same weights on every machine. Fan-in/fan-out follow Keras: for a kernel of shape
/// (..., in, out) the receptive field is the product of the leading dimensions.
/// </summary>
public sealed class Initializer
{
    public static IReadOnlyList<string> Names { get; } = new[]
    {
        "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
        "zeros", "ones", "random_normal", "random_uniform", "truncated_normal", "orthogonal", "constant",
    };

    public Initializer(string name, double? value = null, double? mean = null, double? stddev = null,
        double? minval = null, double? maxval = null, double? gain = null)
    {
        var key = (name ?? "").Trim().ToLowerInvariant();
        if (!Names.Contains(key))
            throw KerasException.BadArgument("UnknownInitializer", $"Unknown initializer '{name}'. Valid names: {string.Join(", ", Names)}.", name);
        Name = key;
        Value = value ?? 0.0;
        Mean = mean ?? 0.0;
        StdDev = stddev ?? 0.05;
        MinVal = minval ?? -0.05;
        MaxVal = maxval ?? 0.05;
        Gain = gain ?? 1.0;
    }

    public string Name { get; }
    public double Value { get; }
    public double Mean { get; }
    public double StdDev { get; }
    public double MinVal { get; }
    public double MaxVal { get; }
    public double Gain { get; }

    /// <summary>
    /// Keras 3's serialized initializer: <c>{"module": "keras.initializers", "class_name": "GlorotUniform",
    /// "config": {"seed": null}, "registered_name": null}</c> (the seed is the model's, so none is recorded).
    /// </summary>
    public Dictionary<string, object?> GetConfig()
    {
        var c = new Dictionary<string, object?>();
        switch (Name)
        {
            case "constant": c["value"] = Value; break;
            case "random_normal": case "truncated_normal": c["mean"] = Mean; c["stddev"] = StdDev; break;
            case "random_uniform": c["minval"] = MinVal; c["maxval"] = MaxVal; break;
            case "orthogonal": c["gain"] = Gain; break;
        }
        if (Name is not ("zeros" or "ones" or "constant")) c["seed"] = null;
        return KerasObjects.Serialize("keras.initializers", KerasObjects.ToClassName(Name), c);
    }

    /// <summary>The initializer a config names, or null when it names none (so the layer's own default applies).</summary>
    public static Initializer? Optional(object? config) => config is null ? null : FromConfig(config);

    public static Initializer FromConfig(object? config)
    {
        if (config is string s) return new Initializer(KerasObjects.ToSnakeName(s));
        if (config is not IDictionary<string, object?> d) return new Initializer("glorot_uniform");
        var name = KerasObjects.ToSnakeName(Convert.ToString(d["class_name"], System.Globalization.CultureInfo.InvariantCulture)!);
        var c = d.TryGetValue("config", out var cc) && cc is IDictionary<string, object?> cd ? cd : new Dictionary<string, object?>();
        double? Get(string k) => c.TryGetValue(k, out var v) && v is not null ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture) : null;
        return new Initializer(name, Get("value"), Get("mean"), Get("stddev"), Get("minval"), Get("maxval"), Get("gain"));
    }

    public float[] Create(IReadOnlyList<int> shape, MersenneTwister rng)
    {
        long n = Shapes.Product(shape);
        var w = new float[n];
        (double fanIn, double fanOut) = Fans(shape);
        switch (Name)
        {
            case "zeros": break;
            case "ones": Array.Fill(w, 1f); break;
            case "constant": Array.Fill(w, (float)Value); break;
            case "glorot_uniform": Uniform(w, Math.Sqrt(6.0 / (fanIn + fanOut)), rng); break;
            case "he_uniform": Uniform(w, Math.Sqrt(6.0 / fanIn), rng); break;
            case "lecun_uniform": Uniform(w, Math.Sqrt(3.0 / fanIn), rng); break;
            // Keras's *_normal variance-scaling initializers draw from a truncated normal whose stddev is
            // corrected by 0.87962566103423978 (the stddev of a unit normal truncated at +-2).
            case "glorot_normal": Truncated(w, 0, Math.Sqrt(2.0 / (fanIn + fanOut)) / 0.87962566103423978, rng); break;
            case "he_normal": Truncated(w, 0, Math.Sqrt(2.0 / fanIn) / 0.87962566103423978, rng); break;
            case "lecun_normal": Truncated(w, 0, Math.Sqrt(1.0 / fanIn) / 0.87962566103423978, rng); break;
            case "random_normal": for (long i = 0; i < n; i++) w[i] = (float)(Mean + StdDev * rng.NextGaussian()); break;
            case "random_uniform": for (long i = 0; i < n; i++) w[i] = (float)(MinVal + (MaxVal - MinVal) * rng.NextDouble()); break;
            case "truncated_normal": Truncated(w, Mean, StdDev, rng); break;
            case "orthogonal": Orthogonal(w, shape, rng); break;
        }
        return w;
    }

    private static (double, double) Fans(IReadOnlyList<int> shape)
    {
        if (shape.Count == 0) return (1, 1);
        if (shape.Count == 1) return (shape[0], shape[0]);
        double receptive = 1;
        for (int i = 0; i < shape.Count - 2; i++) receptive *= shape[i];
        return (shape[^2] * receptive, shape[^1] * receptive);
    }

    private static void Uniform(float[] w, double limit, MersenneTwister rng)
    {
        for (long i = 0; i < w.LongLength; i++) w[i] = (float)((rng.NextDouble() * 2 - 1) * limit);
    }

    private static void Truncated(float[] w, double mean, double std, MersenneTwister rng)
    {
        for (long i = 0; i < w.LongLength; i++)
        {
            double g;
            do { g = rng.NextGaussian(); } while (Math.Abs(g) > 2.0);
            w[i] = (float)(mean + std * g);
        }
    }

    private void Orthogonal(float[] w, IReadOnlyList<int> shape, MersenneTwister rng)
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
