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
    private readonly Func<string, bool> has;

    public ConfigReader(IDictionary<string, object?> config)
    {
        lookup = key => config.TryGetValue(key, out var v) ? v : null;
        unwrap = v => v;
        has = config.ContainsKey;
    }

    /// <summary>A reader over a non-generic dictionary (a hashtable); <paramref name="unwrap"/> is applied to every value read.</summary>
    public ConfigReader(System.Collections.IDictionary dictionary, Func<object?, object?>? unwrap = null)
    {
        this.unwrap = unwrap ?? (v => v);
        lookup = key => dictionary.Contains(key) ? this.unwrap(dictionary[key]) : null;
        has = dictionary.Contains;
    }

    /// <summary>Whether the config has the key at all (a null value counts: Keras writes None for an option turned off).</summary>
    public bool Has(string key) => has(key);

    /// <summary>Whether the caller trusts the config to carry code (a script-block Lambda);
    /// see <see cref="Layers.LayerRegistry.FromConfig"/>.</summary>
    public bool AllowUnsafeCode { get; init; }

    public string? Name => String("name");
    public int[]? InputShape => IntArray("input_shape");
    public object? Raw(string key) => lookup(key);

    public string? String(string key) => Raw(key) is { } v ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

    public int Int(string key, int? fallback = null) => Raw(key) is { } v
        ? ToInt(key, v)
        : fallback ?? throw Missing(key);

    public double Double(string key, double? fallback = null) => Raw(key) is { } v
        ? To(key, v, "a number", x => Convert.ToDouble(x, CultureInfo.InvariantCulture))
        : fallback ?? throw Missing(key);

    public double? NullableDouble(string key) => Raw(key) is { } v
        ? To(key, v, "a number", x => Convert.ToDouble(x, CultureInfo.InvariantCulture)) : null;

    public long Long(string key, long fallback) => Raw(key) is { } v ? ToLong(key, v) : fallback;

    public long? NullableLong(string key) => Raw(key) is { } v ? ToLong(key, v) : null;

    public int? NullableInt(string key) => Raw(key) is null ? null : Int(key);

    public bool Bool(string key, bool fallback) => Raw(key) is { } v
        ? To(key, v, "true or false", x => Convert.ToBoolean(x, CultureInfo.InvariantCulture)) : fallback;

    public int[]? IntArray(string key) => Raw(key) switch
    {
        null => null,
        System.Collections.IEnumerable e and not string => e.Cast<object?>().Select(x => ToInt(key, unwrap(x))).ToArray(),
        var v => new[] { ToInt(key, v) },
    };

    /// <summary>An int, a list of ints or a list of int lists (Keras's ((top, bottom), (left, right))), flattened in
    /// order; null when absent.</summary>
    public int[]? NestedIntArray(string key) => Raw(key) is { } v ? FlattenInts(key, v).ToArray() : null;

    private IEnumerable<int> FlattenInts(string key, object? v) => unwrap(v) switch
    {
        System.Collections.IEnumerable e and not string => e.Cast<object?>().SelectMany(x => FlattenInts(key, x)),
        var x => new[] { ToInt(key, x) },
    };

    public double[]? DoubleArray(string key) => Raw(key) switch
    {
        null => null,
        System.Collections.IEnumerable e and not string => e.Cast<object?>()
            .Select(x => To(key, unwrap(x), "a number", y => Convert.ToDouble(y, CultureInfo.InvariantCulture))).ToArray(),
        var v => new[] { To(key, v, "a number", x => Convert.ToDouble(x, CultureInfo.InvariantCulture)) },
    };

    public string[]? StringArray(string key) => Raw(key) switch
    {
        null => null,
        System.Collections.IEnumerable e and not string => e.Cast<object?>()
            .Select(x => Convert.ToString(unwrap(x), CultureInfo.InvariantCulture)!).ToArray(),
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
                $"{className} '{Name}' sets {key}={Convert.ToString(v, CultureInfo.InvariantCulture)}, "
                    + "which KerasPS does not support (it runs "
                    + $"{key}={Convert.ToString(expected, CultureInfo.InvariantCulture) ?? "None"}).", key);
    }

    /// <summary>
    /// Refuses a channels_first config for a layer that runs channels_last only: Keras 2/3's <c>data_format</c>, or Keras 1's
    /// <c>dim_ordering</c> "th" (Theano's channels first), each as an <c>UnsupportedLayerOption</c> naming the key.
    /// </summary>
    public void RequireChannelsLast(string className)
    {
        RequireDefault("data_format", "channels_last", className);
        if (String("dim_ordering") == "th")
            throw KerasException.BadData("UnsupportedLayerOption",
                $"{className} '{Name}' sets dim_ordering=th (Keras 1's channels first), which KerasPS does not support "
                    + "(it runs channels_last).", "dim_ordering");
    }

    // Whole numbers only: Convert.ToInt32(2.5) would quietly round a units of 2.5 to 2.
    private static int ToInt(string key, object? v) =>
        (int)To(key, v, "a 32-bit integer",
            x => x is double or float or decimal ? Whole(x) : Convert.ToInt32(x, CultureInfo.InvariantCulture), int.MinValue, int.MaxValue);

    private static long ToLong(string key, object? v) =>
        To(key, v, "a 64-bit integer", x => x is double or float or decimal ? Whole(x) : Convert.ToInt64(x, CultureInfo.InvariantCulture));

    private static long Whole(object x)
    {
        var d = Convert.ToDecimal(x, CultureInfo.InvariantCulture);
        if (d != decimal.Truncate(d)) throw new FormatException();
        return decimal.ToInt64(d);
    }

    private static long To(string key, object? v, string what, Func<object?, long> convert, long min, long max)
    {
        long n = To(key, v, what, convert);
        if (n < min || n > max) throw new OverflowException(Rule(key, v, what));
        return n;
    }

    /// <summary>Converts, and when the value does not fit, rethrows the same exception type with a message that names the key.</summary>
    private static T To<T>(string key, object? v, string what, Func<object?, T> convert)
    {
        try { return convert(v); }
        catch (OverflowException) { throw new OverflowException(Rule(key, v, what)); }
        catch (FormatException) { throw new FormatException(Rule(key, v, what)); }
        catch (InvalidCastException) { throw new InvalidCastException(Rule(key, v, what)); }
    }

    private static string Rule(string key, object? v, string what)
    {
        var text = Convert.ToString(v, CultureInfo.InvariantCulture) ?? "null";
        if (text.Length > 40) text = text[..37] + "...";
        return $"'{key}' is {text}, which is not {what}";
    }

    private static KerasException Missing(string key) =>
        KerasException.BadData("InvalidLayerConfig", $"The layer config has no '{key}' value.", key);
}

/// <summary>Lookups in the parsed JSON dictionaries configs are made of.</summary>
internal static class ConfigDictionary
{
    /// <summary>The value under <paramref name="key"/>, or null when there is none.</summary>
    public static object? Value(this IDictionary<string, object?> d, string key) => d.TryGetValue(key, out var v) ? v : null;
}
