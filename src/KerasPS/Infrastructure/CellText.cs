using System.Globalization;

namespace KerasPS.Infrastructure;

/// <summary>
/// Numbers for table cells, as Keras prints them: four decimals (<c>loss: 77844.3647</c>). PowerShell cuts a cell that is
/// wider than its column, and a right-aligned number loses its leading digits (<c>…4.3647</c> reads as a plausible
/// value), so a number that would not fit its column is written in the compact scientific form instead (<c>8.0546e+10</c>),
/// with as many decimals as the column holds. A number is never cut; Format-List and the properties keep every digit.
/// </summary>
public static class CellText
{
    /// <summary>Four decimals when that fits <paramref name="width"/> characters, otherwise the widest scientific form that does.</summary>
    public static string Cell(object? value, int width)
    {
        if (PSValue.Unwrap(value) is not { } v) return "";
        if (v is not (double or float or decimal or int or long)) return Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";
        var d = Convert.ToDouble(v, CultureInfo.InvariantCulture);
        if (double.IsNaN(d)) return "NaN";
        if (double.IsInfinity(d)) return d > 0 ? "Infinity" : "-Infinity";
        var fixedText = d.ToString("0.0000", CultureInfo.InvariantCulture);
        if (fixedText.Length <= width) return fixedText;
        for (var decimals = 4; decimals >= 1; decimals--)
        {
            var s = d.ToString("0." + new string('0', decimals) + "e+00", CultureInfo.InvariantCulture);
            if (s.Length <= width) return s;
        }
        return d.ToString("0e+00", CultureInfo.InvariantCulture);
    }

    /// <summary>A value and its spread, each four decimals or compact, at most <paramref name="width"/> characters together.</summary>
    public static string WithSpread(object? value, object? spread, int width)
    {
        if (PSValue.Unwrap(spread) is null) return Cell(value, width);
        var half = (width - 1) / 2;
        var text = Cell(value, width - 1 - half) + "±" + Cell(spread, half);
        var whole = Cell(value, width) + "±" + Cell(spread, width);
        return whole.Length <= width ? whole : text;
    }

    /// <summary>
    /// Whole parts joined by spaces within <paramref name="width"/> characters, then " …" when parts were left out: a
    /// text column cut by PowerShell would lose the end of its last number ("LearningRate=0.00…").
    /// </summary>
    public static string Join(IEnumerable<string> parts, int width)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var all = parts.ToList();
        var text = "";
        for (var i = 0; i < all.Count; i++)
        {
            var next = text.Length == 0 ? all[i] : text + " " + all[i];
            var room = i == all.Count - 1 ? width : width - 2;
            if (next.Length > room) return text.Length == 0 ? "…" : text + " …";
            text = next;
        }
        return text;
    }
}
