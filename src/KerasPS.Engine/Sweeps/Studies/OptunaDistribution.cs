using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KerasPS.Engine.Sweeps.Studies;

/// <summary>
/// A sweep parameter as an Optuna distribution (optuna/distributions.py: its distribution_json): a Uniform range is a
/// FloatDistribution, a LogUniform one with log true, an IntRange an IntDistribution with step 1, and a list of values
/// (or one fixed value) a CategoricalDistribution. Optuna stores a value in its "internal representation": the number
/// itself, or the index of the choice.
/// </summary>
public sealed class OptunaDistribution
{
    private OptunaDistribution(string name, object?[] values, string json)
    {
        Name = name; Values = values; Json = json;
    }

    public string Name { get; }

    /// <summary>The parameter as a sweep space takes it: one range, or the list of choices.</summary>
    public object?[] Values { get; }

    /// <summary>distribution_json, as Optuna writes it.</summary>
    public string Json { get; }

    public ParameterRange? Range => Values.Length == 1 ? Values[0] as ParameterRange : null;

    public static OptunaDistribution From(string name, object?[] values)
    {
        if (values.Length == 1 && values[0] is ParameterRange r)
        {
            var json = r switch
            {
                Uniform u => $"{{\"name\": \"FloatDistribution\", \"attributes\": {{\"step\": null, \"low\": {D(u.Min)}, "
                    + $"\"high\": {D(u.Max)}, \"log\": false}}}}",
                LogUniform l => $"{{\"name\": \"FloatDistribution\", \"attributes\": {{\"step\": null, \"low\": {D(l.Min)}, "
                    + $"\"high\": {D(l.Max)}, \"log\": true}}}}",
                IntRange i => $"{{\"name\": \"IntDistribution\", \"attributes\": {{\"log\": false, \"step\": 1, \"low\": {i.Min}, "
                    + $"\"high\": {i.Max}}}}}",
                _ => throw new ArgumentException("Unknown range.", nameof(values)),
            };
            return new OptunaDistribution(name, values, json);
        }
        if (values.Any(v => v is ParameterRange))
            throw KerasException.BadArgument("MixedParameterInStudy",
                $"Parameter '{name}' mixes ranges and values; an Optuna study needs one distribution per parameter. "
                + "Give either one range or a list of values.", name);
        var choices = "[" + string.Join(", ", values.Select(Choice)) + "]";
        return new OptunaDistribution(name, values,
            "{\"name\": \"CategoricalDistribution\", \"attributes\": {\"choices\": " + choices + "}}");
    }

    /// <summary>A distribution read back from its JSON (written by KerasPS or by Python Optuna).</summary>
    public static OptunaDistribution Parse(string name, string json)
    {
        var root = JsonNode.Parse(json)!;
        var kind = (string?)root["name"];
        var a = root["attributes"]!;
        object?[] values = kind switch
        {
            "FloatDistribution" or "UniformDistribution" or "LogUniformDistribution" =>
                (bool?)a["log"] == true || kind == "LogUniformDistribution"
                    ? new object?[] { new LogUniform((double)a["low"]!, (double)a["high"]!) }
                    : new object?[] { new Uniform((double)a["low"]!, (double)a["high"]!) },
            "IntDistribution" or "IntUniformDistribution" => new object?[] { new IntRange((int)a["low"]!, (int)a["high"]!) },
            "CategoricalDistribution" => a["choices"]!.AsArray().Select(FromJson).ToArray(),
            _ => throw KerasException.BadData("UnknownOptunaDistribution",
                $"Parameter '{name}' has an Optuna distribution KerasPS does not know ({kind}).", name),
        };
        return new OptunaDistribution(name, values, json);
    }

    /// <summary>Optuna's internal representation of <paramref name="value"/>: the number, or the index of the choice.</summary>
    public double ToInternal(object? value)
    {
        if (Range is not null) return Convert.ToDouble(value, CultureInfo.InvariantCulture);
        for (int i = 0; i < Values.Length; i++)
            if (Same(Values[i], value)) return i;
        throw KerasException.BadData("ValueNotInDistribution", $"Parameter '{Name}' has no choice {value}.", value);
    }

    /// <summary>The value of an internal representation.</summary>
    public object? FromInternal(double value) => Range switch
    {
        IntRange => (int)Math.Round(value),
        ParameterRange => value,
        _ => value >= 0 && value < Values.Length ? Values[(int)value] : null,
    };

    private static bool Same(object? a, object? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (a is string || b is string || a is bool || b is bool) return Equals(a, b);
        return Convert.ToDouble(a, CultureInfo.InvariantCulture) == Convert.ToDouble(b, CultureInfo.InvariantCulture);
    }

    // JSON as Python's json.dumps writes it: a double keeps its ".0", so it reads back as a double (Python and here).
    private static string Choice(object? v) => v switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        int or long or short or byte => Convert.ToString(v, CultureInfo.InvariantCulture)!,
        double d => D(d),
        float f => D(f),
        decimal m => D((double)m),
        string s => JsonSerializer.Serialize(s),
        _ => JsonSerializer.Serialize(Convert.ToString(v, CultureInfo.InvariantCulture)),
    };

    private static object? FromJson(JsonNode? n)
    {
        if (n is null) return null;
        var e = n.GetValue<JsonElement>();
        return e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => e.TryGetInt32(out var i) && !e.GetRawText().Contains('.') && !e.GetRawText().Contains('e')
                ? i : e.TryGetInt64(out var l) && !e.GetRawText().Contains('.') ? l : e.GetDouble(),
            _ => e.GetRawText(),
        };
    }

    private static string D(double v)
    {
        if (!double.IsFinite(v)) return double.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
        var text = v.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text.Replace("E", "e", StringComparison.Ordinal) : text + ".0";
    }
}
