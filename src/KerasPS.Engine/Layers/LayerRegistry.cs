using System.Globalization;

namespace KerasPS.Engine.Layers;

/// <summary>Turns a Keras-style (class_name, config) pair back into a layer: the inverse of <see cref="Layer.GetConfig"/>.</summary>
public static class LayerRegistry
{
    private static readonly Dictionary<string, Func<ConfigReader, Layer>> Factories = new(StringComparer.Ordinal)
    {
        ["Dense"] = c => new Dense(c.Int("units"), c.String("activation"), c.Bool("use_bias", true), c.Name, c.InputShape,
            Initializer.FromConfig(c.Raw("kernel_initializer")), Initializer.FromConfig(c.Raw("bias_initializer") ?? "zeros")),
        ["Activation"] = c => new ActivationLayer(c.String("activation")!, c.Name, c.InputShape),
        ["Dropout"] = c => new Dropout(c.Double("rate"), c.Name, c.InputShape),
    };

    public static IReadOnlyCollection<string> ClassNames => Factories.Keys;

    /// <summary>Adds a layer class; later issues' layers register here.</summary>
    public static void Register(string className, Func<ConfigReader, Layer> factory) => Factories[className] = factory;

    public static Layer FromConfig(string className, IDictionary<string, object?> config)
    {
        if (!Factories.TryGetValue(className, out var make))
            throw KerasException.BadData("UnknownLayerClass", $"Unknown layer class '{className}'. Known classes: {string.Join(", ", Factories.Keys.Order())}.", className);
        var reader = new ConfigReader(config);
        var layer = make(reader);
        layer.Name = reader.Name ?? layer.Name;
        layer.Trainable = reader.Bool("trainable", true);
        return layer;
    }
}

/// <summary>Typed access to a config dictionary whose numbers may come from JSON as long or double.</summary>
public sealed class ConfigReader
{
    private readonly IDictionary<string, object?> c;
    public ConfigReader(IDictionary<string, object?> config) => c = config;

    public string? Name => String("name");
    public int[]? InputShape => IntArray("input_shape");
    public object? Raw(string key) => c.TryGetValue(key, out var v) ? v : null;

    public string? String(string key) => Raw(key) is { } v ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

    public int Int(string key, int? fallback = null) => Raw(key) is { } v
        ? Convert.ToInt32(v, CultureInfo.InvariantCulture)
        : fallback ?? throw Missing(key);

    public double Double(string key, double? fallback = null) => Raw(key) is { } v
        ? Convert.ToDouble(v, CultureInfo.InvariantCulture)
        : fallback ?? throw Missing(key);

    public double? NullableDouble(string key) => Raw(key) is { } v ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : null;

    public bool Bool(string key, bool fallback) => Raw(key) is { } v ? Convert.ToBoolean(v, CultureInfo.InvariantCulture) : fallback;

    public int[]? IntArray(string key) => Raw(key) switch
    {
        null => null,
        System.Collections.IEnumerable e and not string => e.Cast<object?>().Select(x => Convert.ToInt32(x, CultureInfo.InvariantCulture)).ToArray(),
        var v => new[] { Convert.ToInt32(v, CultureInfo.InvariantCulture) },
    };

    public double[]? DoubleArray(string key) => Raw(key) switch
    {
        null => null,
        System.Collections.IEnumerable e and not string => e.Cast<object?>().Select(x => Convert.ToDouble(x, CultureInfo.InvariantCulture)).ToArray(),
        var v => new[] { Convert.ToDouble(v, CultureInfo.InvariantCulture) },
    };

    private static KerasException Missing(string key) =>
        KerasException.BadData("InvalidLayerConfig", $"The layer config has no '{key}' value.", key);
}
