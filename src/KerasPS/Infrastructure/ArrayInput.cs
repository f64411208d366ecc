using System.Collections;
using System.Globalization;
using KerasPS.Engine;
using KerasPS.Engine.Data;

namespace KerasPS.Infrastructure;

/// <summary>Plain PowerShell arrays (-X rows of numbers, -Y labels or values) to an engine dataset.</summary>
public static class ArrayInput
{
    /// <summary>
    /// -X and -Y as a dataset. -X is rows of numbers, or a hashtable of them by model input name (<c>@{ numbers = $a;
    /// text = $b }</c>, each with the same rows): the dataset then holds one block of columns per input. -Y is labels,
    /// numbers or rows of numbers, or a hashtable of them by model output name.
    /// </summary>
    public static EncodedData FromArrays(object x, object? y)
    {
        x = PSValue.Unwrap(x)!;
        float[] features;
        int rowCount, width;
        string[] names;
        List<InputBlock>? blocks = null;
        if (x is IDictionary inputs)
        {
            blocks = new List<InputBlock>();
            var parts = new List<(string Name, List<float[]> Rows, int Width)>();
            foreach (DictionaryEntry e in inputs)
            {
                var name = Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "";
                var r = Rows(e.Value ?? Array.Empty<object>(), $"X.{name}");
                parts.Add((name, r, Width(r, $"X.{name}")));
            }
            if (parts.Count == 0) throw KerasException.BadArgument("EmptyData", "-X has no inputs.");
            rowCount = parts[0].Rows.Count;
            if (parts.FirstOrDefault(p => p.Rows.Count != rowCount) is { Name: not null } bad)
                throw KerasException.BadArgument("InputCountMismatch",
                    $"-X input '{bad.Name}' has {bad.Rows.Count} rows but input '{parts[0].Name}' has {rowCount}; "
                        + "every input needs the same rows.",
                    bad.Name);
            width = parts.Sum(p => p.Width);
            features = new float[(long)rowCount * width];
            var nameList = new List<string>();
            int offset = 0;
            foreach (var (name, r, w) in parts)
            {
                for (int i = 0; i < rowCount; i++) Array.Copy(r[i], 0, features, (long)i * width + offset, w);
                blocks.Add(new InputBlock(name, Enumerable.Range(offset, w).ToArray()));
                nameList.AddRange(Enumerable.Range(1, w).Select(j => $"{name}_x{j}"));
                offset += w;
            }
            names = nameList.ToArray();
        }
        else
        {
            var rows = Rows(x, "X");
            width = Width(rows, "X");
            rowCount = rows.Count;
            features = new float[(long)rows.Count * width];
            for (int i = 0; i < rows.Count; i++) Array.Copy(rows[i], 0, features, (long)i * width, width);
            names = ColumnNames(width);
        }
        if (y is not null && PSValue.Unwrap(y) is IDictionary outputs)
        {
            var targets = new List<OutputTarget>();
            foreach (DictionaryEntry e in outputs)
            {
                var name = Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "";
                var (labels, classes, values, w) = Targets(e.Value ?? Array.Empty<object>(), rowCount, $"Y.{name}");
                targets.Add(new OutputTarget(name, name, labels, classes, values, w));
            }
            return new EncodedData(features, new[] { width }, names) { InputBlocks = blocks, OutputTargets = targets };
        }
        if (y is null) return new EncodedData(features, new[] { width }, names) { InputBlocks = blocks };
        var (l, c, v, tw) = Targets(y, rowCount, "Y");
        return new EncodedData(features, new[] { width }, names, "y", l, c, v, tw) { InputBlocks = blocks };
    }

    /// <summary>The width every row shares; rows of different widths are an error naming the first one that differs.</summary>
    private static int Width(List<float[]> rows, string what)
    {
        if (rows.Count == 0) throw KerasException.BadArgument("EmptyData", $"-{what} has no rows.");
        int width = rows[0].Length;
        for (int i = 0; i < rows.Count; i++)
            if (rows[i].Length != width)
                throw KerasException.BadData("InvalidData",
                    $"-{what} row {i} has {rows[i].Length} values; row 0 has {width}. Every row needs the same number of features.", i);
        return width;
    }

    /// <summary>Targets for <paramref name="rows"/> rows: numbers or rows of numbers as values, anything else as class labels.</summary>
    private static (int[]? Labels, string[]? Classes, float[]? Values, int Width) Targets(object y, int rows, string what)
    {
        var targets = Items(y).ToList();
        if (targets.Count != rows)
            throw KerasException.BadArgument("TargetCountMismatch", $"-{what} has {targets.Count} values but -X has {rows} rows.");
        if (targets.All(t => t is not string && (IsNumber(t) || t is IEnumerable)))
        {
            var yRows = targets
                .Select((t, i) => t is IEnumerable && t is not string ? ToFloats(t, what, i) : new[] { ToFloat(t, $"{what}[{i}]") })
                .ToList();
            int w = yRows[0].Length;
            var flat = new float[(long)yRows.Count * w];
            for (int i = 0; i < yRows.Count; i++)
            {
                if (yRows[i].Length != w)
                    throw KerasException.BadData("InvalidData", $"-{what} row {i} has {yRows[i].Length} values; row 0 has {w}.", i);
                Array.Copy(yRows[i], 0, flat, (long)i * w, w);
            }
            return (null, null, flat, w);
        }
        var labels = targets.Select(t => Convert.ToString(t, CultureInfo.InvariantCulture) ?? "").ToList();
        var (idx, classes) = EncodedData.EncodeLabels(labels);
        return (idx, classes, null, 1);
    }

    private static string[]? lastNames;

    /// <summary>x1..xN, the names -X columns get; the last list is reused (single-row predict calls ask for the same width every
    /// time).</summary>
    private static string[] ColumnNames(int width)
    {
        var names = lastNames;
        if (names is null || names.Length != width) lastNames = names = Enumerable.Range(1, width).Select(i => $"x{i}").ToArray();
        return names;
    }

    private static bool IsNumber(object? o) =>
        o is byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal;

    internal static IEnumerable<object?> Items(object o)
    {
        o = PSValue.Unwrap(o)!;
        if (o is IEnumerable e and not string) foreach (var item in e) yield return PSValue.Unwrap(item);
        else yield return o;
    }

    private static List<float[]> Rows(object x, string what)
    {
        x = PSValue.Unwrap(x)!;
        if (x is float[,] f2) return Matrix(f2.GetLength(0), f2.GetLength(1), (i, j) => f2[i, j], what);
        if (x is double[,] d2) return Matrix(d2.GetLength(0), d2.GetLength(1), (i, j) => d2[i, j], what);
        var rows = new List<float[]>();
        foreach (var r in Items(x))
        {
            int i = rows.Count;
            rows.Add(r is IEnumerable && r is not string ? ToFloats(r!, what, i) : new[] { ToFloat(r, $"{what}[{i}]") });
        }
        return rows;
    }

    /// <summary>The rows of a 2-D array; a cell's position is formatted only for the error message.</summary>
    private static List<float[]> Matrix(int rows, int columns, Func<int, int, double> cell, string what)
    {
        var list = new List<float[]>(rows);
        for (int i = 0; i < rows; i++)
        {
            var r = new float[columns];
            for (int j = 0; j < columns; j++)
            {
                double v = cell(i, j);
                if (!FitsFloat32(v, out r[j])) throw NotFinite($"{what}[{i}][{j}]", v);
            }
            list.Add(r);
        }
        return list;
    }

    /// <summary>
    /// One row of numbers. Typed arrays (double[], float[], int[], the usual -X rows) are read without boxing each value;
    /// a cell's position is formatted only for the error message.
    /// </summary>
    private static float[] ToFloats(object row, string what, int i)
    {
        switch (row)
        {
            case double[] d:
            {
                var r = new float[d.Length];
                for (int j = 0; j < d.Length; j++)
                    if (!FitsFloat32(d[j], out r[j])) throw NotFinite($"{what}[{i}][{j}]", d[j]);
                return r;
            }
            case float[] fs:
            {
                for (int j = 0; j < fs.Length; j++)
                    if (!float.IsFinite(fs[j])) throw NotFinite($"{what}[{i}][{j}]", fs[j]);
                return (float[])fs.Clone();
            }
            case int[] ints:
                return Array.ConvertAll(ints, v => (float)v);
            default:
            {
                var r = new List<float>();
                foreach (var v in Items(row))
                    r.Add(v is double dv && FitsFloat32(dv, out var f) ? f : ToFloat(v, $"{what}[{i}][{r.Count}]"));
                return r.ToArray();
            }
        }
    }

    // The same rule as Import-ModelData and ConvertTo-ModelData: a value is a finite number that float32 holds, so
    // NaN, infinities and numbers beyond float32's range are refused here instead of training to a NaN loss.
    private static float ToFloat(object? v, string where)
    {
        if (v is string s)
        {
            return NumberText.Parse(s, out var parsed) switch
            {
                NumberKind.Number => parsed,
                NumberKind.Unrepresentable => throw NotFinite(where, v),
                _ => throw KerasException.BadData("InvalidData", $"{where} is not a number: '{v}'.", v),
            };
        }
        double d;
        try
        {
            d = v switch
            {
                null => throw new FormatException(),
                float f => f,
                _ => Convert.ToDouble(v, CultureInfo.InvariantCulture),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw KerasException.BadData("InvalidData", $"{where} is not a number: '{v}'.", v);
        }
        return FitsFloat32(d, out var f32) ? f32 : throw NotFinite(where, v);
    }

    /// <summary>The value as float32, when float32 holds it: finite, and not a non-zero value that would become 0.</summary>
    private static bool FitsFloat32(double d, out float f)
    {
        f = (float)d;
        return float.IsFinite(f) && !(f == 0 && d != 0);
    }

    private static KerasException NotFinite(string where, object? v) =>
        KerasException.BadData("NonFiniteValue",
            $"{where} is {Convert.ToString(v, CultureInfo.InvariantCulture)}, which is not a finite number float32 can hold (NaN, "
                + "an infinity, beyond ±3.4028235E+38, or a non-zero value that would become 0). Replace or drop it; "
                + "a NaN loss follows from any such value.", v);
}
