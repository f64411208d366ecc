using System.Globalization;

namespace KerasPS.Engine;

/// <summary>
/// The engine's one way to read typed values from an untyped dictionary (a layer or optimizer config, a checkpoint's
/// JSON), whose numbers may come from JSON as long or double: invariant culture, a fallback or a null when a key is
/// absent, and an error naming the key when a required value is missing.
/// </summary>
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

    public long Long(string key, long fallback) => Raw(key) is { } v ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : fallback;

    public long? NullableLong(string key) => Raw(key) is { } v ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : null;

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
