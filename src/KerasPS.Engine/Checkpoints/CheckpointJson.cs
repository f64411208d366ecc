using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace KerasPS.Engine.Checkpoints;

/// <summary>
/// Plain-data JSON for configs: dictionaries, lists, strings, numbers, booleans and null, written and read without
/// type names or converters, so that reading a file can only ever produce data, never objects of a type the file names.
/// </summary>
internal static class CheckpointJson
{
    public static byte[] Serialize(object? value)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            Write(w, value);
        return buffer.ToArray();
    }

    private static void Write(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int or long or short or byte or sbyte or ushort or uint:
                w.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case ulong u: w.WriteNumberValue(u); break;
            case float f: WriteDouble(w, f); break;
            case double d: WriteDouble(w, d); break;
            case decimal m: w.WriteNumberValue(m); break;
            case Enum e: w.WriteStringValue(e.ToString()); break;
            case IDictionary dict:
                w.WriteStartObject();
                foreach (DictionaryEntry kv in dict)
                {
                    w.WritePropertyName(Convert.ToString(kv.Key, CultureInfo.InvariantCulture)!);
                    Write(w, kv.Value);
                }
                w.WriteEndObject();
                break;
            case IEnumerable list:
                w.WriteStartArray();
                foreach (var item in list) Write(w, item);
                w.WriteEndArray();
                break;
            case IFormattable fmt: w.WriteStringValue(fmt.ToString(null, CultureInfo.InvariantCulture)); break;
            default: w.WriteStringValue(value.ToString()); break;
        }
    }

    // JSON has no NaN or infinities; they are written as the strings .NET and Python both parse back ("NaN", "Infinity").
    private static void WriteDouble(Utf8JsonWriter w, double d)
    {
        if (double.IsFinite(d)) w.WriteNumberValue(d);
        else w.WriteStringValue(double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    }

    /// <summary>Parses JSON into Dictionary&lt;string, object?&gt; / List&lt;object?&gt; / string / long / double / bool / null.</summary>
    public static object? Parse(byte[] utf8)
    {
        using var doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 64 });
        // The parser checks structure; a string or name with bytes that are not UTF-8 only fails when it is read.
        try { return ToPlain(doc.RootElement); }
        catch (InvalidOperationException e) { throw new JsonException(e.Message, e); }
    }

    private static object? ToPlain(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal),
            (d, p) => { d[p.Name] = ToPlain(p.Value); return d; }),
        JsonValueKind.Array => e.EnumerateArray().Select(ToPlain).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? (object)l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
