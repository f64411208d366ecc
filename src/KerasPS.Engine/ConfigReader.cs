using System.Globalization;

namespace KerasPS.Engine;

/// <summary>
/// The one way to read typed values from an untyped dictionary (a layer or optimizer config, a checkpoint's JSON, a
/// hashtable a sweep worker sent back), whose numbers may come from JSON as long or double: invariant culture, a
/// fallback or a null when a key is absent, and an error naming the key when a required value is missing. A host
/// whose values come wrapped (PowerShell's PSObject) passes an unwrap function; the engine itself never sees the wrapper.
/// </summary>
public sealed class ConfigReader
{
    private readonly Func<string, object?> lookup;
    private readonly Func<object?, object?> unwrap;

    public ConfigReader(IDictionary<string, object?> config)
    {
        lookup = key => config.TryGetValue(key, out var v) ? v : null;
        unwrap = v => v;
    }

    /// <summary>A reader over a non-generic dictionary (a hashtable); <paramref name="unwrap"/> is applied to every value read.</summary>
    public ConfigReader(System.Collections.IDictionary dictionary, Func<object?, object?>? unwrap = null)
    {
        this.unwrap = unwrap ?? (v => v);
        lookup = key => dictionary.Contains(key) ? this.unwrap(dictionary[key]) : null;
    }

    /// <summary>Whether the caller trusts the config to carry code (a script-block Lambda); see <see cref="Layers.LayerRegistry.FromConfig"/>.</summary>
    public bool AllowUnsafeCode { get; init; }

    public string? Name => String("name");
    public int[]? InputShape => IntArray("input_shape");
    public object? Raw(string key) => lookup(key);

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
        System.Collections.IEnumerable e and not string => e.Cast<object?>().Select(x => Convert.ToInt32(unwrap(x), CultureInfo.InvariantCulture)).ToArray(),
        var v => new[] { Convert.ToInt32(v, CultureInfo.InvariantCulture) },
    };

    public double[]? DoubleArray(string key) => Raw(key) switch
    {
        null => null,
        System.Collections.IEnumerable e and not string => e.Cast<object?>().Select(x => Convert.ToDouble(unwrap(x), CultureInfo.InvariantCulture)).ToArray(),
        var v => new[] { Convert.ToDouble(v, CultureInfo.InvariantCulture) },
    };

    public string[]? StringArray(string key) => Raw(key) switch
    {
        null => null,
        System.Collections.IEnumerable e and not string => e.Cast<object?>().Select(x => Convert.ToString(unwrap(x), CultureInfo.InvariantCulture)!).ToArray(),
        var v => new[] { Convert.ToString(v, CultureInfo.InvariantCulture)! },
    };

    /// <summary>
    /// Refuses a Keras option that KerasPS runs only at its default (say <c>stateful</c>): an absent key or the default
    /// value passes; any other value is an <c>UnsupportedLayerOption</c> error naming the layer, key and value.
    /// </summary>
    public void RequireDefault(string key, object? expected, string className)
    {
        var v = Raw(key);
        bool same = v is null || expected switch
        {
            null => false,
            bool b => Convert.ToBoolean(v, CultureInfo.InvariantCulture) == b,
            double d => Convert.ToDouble(v, CultureInfo.InvariantCulture) == d,
            _ => Equals(Convert.ToString(v, CultureInfo.InvariantCulture), Convert.ToString(expected, CultureInfo.InvariantCulture)),
        };
        if (!same)
            throw KerasException.BadData("UnsupportedLayerOption",
                $"{className} '{Name}' sets {key}={Convert.ToString(v, CultureInfo.InvariantCulture)}, which KerasPS does not support (it runs {key}={Convert.ToString(expected, CultureInfo.InvariantCulture) ?? "None"}).", key);
    }

    private static KerasException Missing(string key) =>
        KerasException.BadData("InvalidLayerConfig", $"The layer config has no '{key}' value.", key);
}
