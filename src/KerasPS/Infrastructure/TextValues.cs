using System.Collections;
using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine;

namespace KerasPS.Infrastructure;

/// <summary>
/// Strings as the text cmdlets take them (-Adapt, predictions from raw values): plain strings, objects with a text
/// property (-Column), or a dataset's text column. One string per row; a missing value is the empty string.
/// </summary>
public static class TextValues
{
    /// <summary>The strings of <paramref name="input"/>, reading <paramref name="column"/> from objects and datasets.</summary>
    public static IReadOnlyList<string> From(object? input, string? column)
    {
        var value = PSValue.Unwrap(input);
        if (value is Dataset d) return FromDataset(d, column);
        if (value is string s) return new[] { s };
        if (value is IReadOnlyList<string> strings) return strings;   // a [string[]] as is: no per-item unwrapping
        if (value is not IEnumerable items)
            return value is null ? Array.Empty<string>() : new[] { Read(input!, column) };
        var list = new List<string>();
        foreach (var item in items) list.Add(Read(item, column));
        return list;
    }

    private static IReadOnlyList<string> FromDataset(Dataset d, string? column)
    {
        var columns = d.Engine.TextColumns;
        if (columns is null || columns.Count == 0)
            throw KerasException.BadArgument("NoTextColumn",
                "The dataset has no text column. Import it with -Text <column> (Import-ModelData or ConvertTo-ModelData).");
        if (column is not null)
            return columns.TryGetValue(column, out var v) ? v
                : throw KerasException.BadArgument("UnknownTextColumn",
                    $"The dataset has no text column '{column}'. Its text columns: {string.Join(", ", columns.Keys)}.", column);
        if (columns.Count > 1)
            throw KerasException.BadArgument("SeveralTextColumns",
                $"The dataset has several text columns ({string.Join(", ", columns.Keys)}); name one with -Column.");
        return columns.Values.First();
    }

    /// <summary>One row's string: the value itself, or its <paramref name="column"/> property (the only property without one).</summary>
    public static string Read(object? item, string? column)
    {
        var value = PSValue.Unwrap(item);
        if (value is null) return "";
        if (value is string s) return s;
        if (value is IDictionary dict)
        {
            if (column is not null) return Text(dict.Contains(column) ? dict[column] : null);
            if (dict.Count == 1) return Text(dict.Values.Cast<object?>().First());
        }
        else if (value is not (IConvertible and not DBNull))
        {
            var props = PSObject.AsPSObject(item!).Properties
                .Where(p => p.MemberType is PSMemberTypes.NoteProperty or PSMemberTypes.Property)
                .ToArray();
            if (column is not null)
                return props.FirstOrDefault(p => string.Equals(p.Name, column, StringComparison.OrdinalIgnoreCase)) is { } p
                    ? Text(p.Value)
                    : throw KerasException.BadArgument("UnknownTextColumn",
                        $"An object has no property '{column}'. Its properties: {string.Join(", ", props.Select(x => x.Name))}.", column);
            if (props.Length == 1) return Text(props[0].Value);
            throw KerasException.BadArgument("TextColumnNeeded",
                $"Objects with several properties ({string.Join(", ", props.Select(x => x.Name).Take(8))}) need -Column to say which "
                    + "holds the text.");
        }
        return Text(value);
    }

    private static string Text(object? v) => PSValue.Unwrap(v) switch
    {
        null => "",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var o => o.ToString() ?? "",
    };
}
