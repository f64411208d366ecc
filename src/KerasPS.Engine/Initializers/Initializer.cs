namespace KerasPS.Engine.Initializers;

/// <summary>
/// A Keras weight initializer (keras.initializers), computed in .NET from a <see cref="MersenneTwister"/> so that a
/// seed gives the same weights on every machine. Each initializer is a class registered with
/// <c>[KerasObject("keras.initializers", ClassName, snake_name)]</c> (see <see cref="KerasObjects.Initializers"/>) that
/// fills the weights and writes its own config. Fan-in/fan-out follow Keras: for a kernel of shape (..., in, out) the
/// receptive field is the product of the leading dimensions.
/// </summary>
public class Initializer
{
    // What `new Initializer(name)` resolved to: the registered class it stands for.
    private readonly Initializer? named;

    /// <summary>
    /// The initializer a name gives (a layer's default: <c>new Initializer("zeros")</c>), with the settings given here in
    /// Keras's terms; the rest take the class's defaults, and a setting the class does not have is ignored.
    /// </summary>
    public Initializer(string name, double? value = null, double? mean = null, double? stddev = null, double? minval = null,
        double? maxval = null, double? gain = null)
    {
        var config = new Dictionary<string, object?>(StringComparer.Ordinal);
        var settings = new[]
        {
            ("value", value), ("mean", mean), ("stddev", stddev), ("minval", minval), ("maxval", maxval), ("gain", gain),
        };
        foreach (var (key, setting) in settings)
            if (setting is not null) config[key] = setting;
        named = config.Count == 0 ? KerasObjects.Initializers.Create(name) : KerasObjects.Initializers.FromConfig(name, config);
    }

    /// <summary>For a registered initializer class.</summary>
    protected Initializer() { }

    /// <summary>The names a user types (glorot_uniform, zeros, ...), for completion and error messages.</summary>
    public static IReadOnlyList<string> Names => KerasObjects.Initializers.Names;

    private KerasObjectAttribute Registration => KerasObjects.Initializers.EntryFor(this).Attribute;

    /// <summary>The snake-case name (glorot_uniform).</summary>
    public string Name => named?.Name ?? Registration.Aliases[0];

    /// <summary>Keras's class name (GlorotUniform).</summary>
    public string ClassName => named?.ClassName ?? Registration.ClassName;

    /// <summary>
    /// Keras 3's serialized initializer: <c>{"module": "keras.initializers", "class_name": "GlorotUniform",
    /// "config": {"seed": null}, "registered_name": null}</c> (the seed is the model's, so none is recorded).
    /// </summary>
    public Dictionary<string, object?> GetConfig()
    {
        if (named is not null) return named.GetConfig();
        var c = new Dictionary<string, object?>();
        WriteConfig(c);
        return KerasObjects.Serialize(Registration.Module, Registration.ClassName, c);
    }

    /// <summary>Adds the initializer's settings to its config (the keys its <c>FromConfig</c> reads).</summary>
    protected virtual void WriteConfig(IDictionary<string, object?> config) { }

    /// <summary>The initializer a config names, or null when it names none (so the layer's own default applies).</summary>
    public static Initializer? Optional(object? config) => config is null ? null : FromConfig(config);

    /// <summary>An initializer from a name (Keras's or snake case) or Keras's serialized form; anything else is glorot_uniform.</summary>
    public static Initializer FromConfig(object? config) => config is string or IDictionary<string, object?>
        ? KerasObjects.Initializers.Deserialize(config)
        : KerasObjects.Initializers.Create(GlorotUniform.DefaultName);

    /// <summary>The initial values of a weight of <paramref name="shape"/>, drawn from <paramref name="rng"/>.</summary>
    public float[] Create(IReadOnlyList<int> shape, MersenneTwister rng)
    {
        if (named is not null) return named.Create(shape, rng);
        var w = new float[Shapes.Product(shape)];
        Fill(w, shape, rng);
        return w;
    }

    /// <summary>Fills a weight of <paramref name="shape"/> (zeros when called).</summary>
    protected virtual void Fill(float[] w, IReadOnlyList<int> shape, MersenneTwister rng) { }

    /// <summary>Keras's fan-in and fan-out of a weight shape.</summary>
    protected static (double FanIn, double FanOut) Fans(IReadOnlyList<int> shape)
    {
        if (shape.Count == 0) return (1, 1);
        if (shape.Count == 1) return (shape[0], shape[0]);
        double receptive = 1;
        for (int i = 0; i < shape.Count - 2; i++) receptive *= shape[i];
        return (shape[^2] * receptive, shape[^1] * receptive);
    }

    protected static void Uniform(float[] w, double limit, MersenneTwister rng)
    {
        for (long i = 0; i < w.LongLength; i++) w[i] = (float)((rng.NextDouble() * 2 - 1) * limit);
    }

    protected static void Truncated(float[] w, double mean, double std, MersenneTwister rng)
    {
        for (long i = 0; i < w.LongLength; i++)
        {
            double g;
            do { g = rng.NextGaussian(); } while (Math.Abs(g) > 2.0);
            w[i] = (float)(mean + std * g);
        }
    }

    // Keras's *_normal variance-scaling initializers draw from a truncated normal whose stddev is corrected by this
    // (the stddev of a unit normal truncated at +-2).
    protected const double TruncatedStdDev = 0.87962566103423978;

    public override string ToString() => Name;
}
