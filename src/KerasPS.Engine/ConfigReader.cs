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
        ? ToInt(key, v)
        : fallback ?? throw Missing(key);

    public double Double(string key, double? fallback = null) => Raw(key) is { } v
        ? To(key, v, "a number", x => Convert.ToDouble(x, CultureInfo.InvariantCulture))
        : fallback ?? throw Missing(key);

    public double? NullableDouble(string key) => Raw(key) is { } v ? To(key, v, "a number", x => Convert.ToDouble(x, CultureInfo.InvariantCulture)) : null;

    public long Long(string key, long fallback) => Raw(key) is { } v ? ToLong(key, v) : fallback;

    public long? NullableLong(string key) => Raw(key) is { } v ? ToLong(key, v) : null;

    public bool Bool(string key, bool fallback) => Raw(key) is { } v ? To(key, v, "true or false", x => Convert.ToBoolean(x, CultureInfo.InvariantCulture)) : fallback;

    public int[]? IntArray(string key) => Raw(key) switch
    {
        null => null,
        System.Collections.IEnumerable e and not string => e.Cast<object?>().Select(x => ToInt(key, x)).ToArray(),
        var v => new[] { ToInt(key, v) },
    };

    public double[]? DoubleArray(string key) => Raw(key) switch
    {
        null => null,
        System.Collections.IEnumerable e and not string => e.Cast<object?>().Select(x => To(key, x, "a number", y => Convert.ToDouble(y, CultureInfo.InvariantCulture))).ToArray(),
        var v => new[] { To(key, v, "a number", x => Convert.ToDouble(x, CultureInfo.InvariantCulture)) },
    };

    // Whole numbers only: Convert.ToInt32(2.5) would quietly round a units of 2.5 to 2.
    private static int ToInt(string key, object? v) => (int)To(key, v, "a 32-bit integer", x => x is double or float or decimal ? Whole(x) : Convert.ToInt32(x, CultureInfo.InvariantCulture), int.MinValue, int.MaxValue);

    private static long ToLong(string key, object? v) => To(key, v, "a 64-bit integer", x => x is double or float or decimal ? Whole(x) : Convert.ToInt64(x, CultureInfo.InvariantCulture));

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
