using System.Globalization;
using Microsoft.Data.Analysis;

namespace KerasPS.Engine.Data;

/// <summary>Encoded data to and from a Microsoft.Data.Analysis DataFrame (one column per feature, plus the target).</summary>
public static class DataFrameConverter
{
    /// <summary>
    /// <see cref="ToDataFrame"/> typed as object, for the cmdlet assembly: it does not reference
    /// Microsoft.Data.Analysis, which loads in the module's own load context.
    /// </summary>
    public static object ToFrame(EncodedData d) => ToDataFrame(d);

    /// <summary><see cref="FromDataFrame"/> for a frame typed as object; anything but a DataFrame is refused with
    /// <c>NotADataFrame</c>.</summary>
    public static EncodedData FromFrame(object frame, string? target, IReadOnlyList<string>? feature, IReadOnlyList<string>? exclude,
        TabularOptions options) =>
        frame is DataFrame df ? FromDataFrame(df, target, feature, exclude, options)
            : throw KerasException.BadArgument("NotADataFrame",
                "-DataFrame takes a Microsoft.Data.Analysis DataFrame, such as a dataset's .DataFrame. Received: "
                    + $"{frame?.GetType().FullName ?? "nothing"}. For other objects, pipe them to ConvertTo-ModelData.", frame);

    /// <summary>
    /// A new DataFrame: one float column per feature (one-hot columns as they are, named <c>column=category</c>) and
    /// the target as a string column of class names (classification) or a float column (regression).
    /// </summary>
    public static DataFrame ToDataFrame(EncodedData d)
    {
        int w = d.FeatureCount, n = d.Count;
        var cols = new List<DataFrameColumn>(w + 1);
        var buffer = new float[n];
        // Every value is present: one all-valid null bitmap shared by the columns (Arrow layout, bit set = valid).
        var valid = new byte[(n + 7) / 8];
        Array.Fill(valid, (byte)0xFF);
        for (int c = 0; c < w; c++)
        {
            for (int r = 0; r < n; r++) buffer[r] = d.Features[(long)r * w + c];
            cols.Add(FloatColumn(d.FeatureNames[c], buffer, valid));
        }
        if (d.Labels is not null) cols.Add(new StringDataFrameColumn(d.TargetName ?? "target", d.Labels.Select(l => d.Classes![l])));
        else if (d.Targets is not null)
        {
            for (int k = 0; k < d.TargetWidth; k++)
            {
                for (int r = 0; r < n; r++) buffer[r] = d.Targets[(long)r * d.TargetWidth + k];
                cols.Add(FloatColumn(d.TargetWidth == 1 ? d.TargetName ?? "target" : $"{d.TargetName ?? "target"}_{k}", buffer, valid));
            }
        }
        return new DataFrame(cols);
    }

    /// <summary>A float column from its values in one copy (the element-by-element constructor is ~30x slower).</summary>
    private static SingleDataFrameColumn FloatColumn(string name, float[] values, byte[] valid) =>
        new(name, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), valid, values.Length, 0);

    /// <summary>
    /// A dataset from a DataFrame, with the rules of <see cref="TabularBuilder"/>: numeric columns as features, string
    /// columns one-hot encoded, nulls as missing values (an error unless a missing value is given).
    /// </summary>
    public static EncodedData FromDataFrame(DataFrame frame, string? target, IReadOnlyList<string>? feature, IReadOnlyList<string>? exclude,
        TabularOptions options)
    {
        var names = frame.Columns.Select(c => c.Name).ToArray();
        if (names.Length == 0) throw KerasException.BadData("NoFeatures", "The DataFrame has no columns.");
        var (featureCols, targetCol) = CsvLoader.SelectColumns(names, target, feature, exclude, "The DataFrame");
        long rows = frame.Rows.Count;
        if (rows == 0) throw KerasException.BadData("NoDataRows", "The DataFrame has no rows.");
        if (rows > int.MaxValue)
            throw KerasException.BadData("DataTooLarge", $"The DataFrame has {rows:N0} rows, more than a dataset holds.");
        var featureNames = featureCols.Select(i => names[i]).ToArray();
        var builder = new TabularBuilder(featureNames, targetCol >= 0 ? names[targetCol] : null, options,
            (r, c) => $"Row {r} (0-based), column '{featureNames[c]}' of the DataFrame", (int)rows);
        var columns = featureCols.Select(i => frame.Columns[i]).ToArray();
        var targetColumn = targetCol >= 0 ? frame.Columns[targetCol] : null;
        for (int r = 0; r < rows; r++)
        {
            builder.BeginRow();
            for (int c = 0; c < columns.Length; c++)
            {
                switch (columns[c])
                {
                    // Typed reads for the usual numeric columns: no boxing per cell.
                    case SingleDataFrameColumn f:
                        if (f[r] is float fv && !float.IsNaN(fv)) builder.Number(c, (double)fv); else builder.Missing(c);
                        break;
                    case DoubleDataFrameColumn dd:
                        if (dd[r] is double dv && !double.IsNaN(dv)) builder.Number(c, dv); else builder.Missing(c);
                        break;
                    case Int32DataFrameColumn i32: if (i32[r] is int iv) builder.Number(c, (double)iv); else builder.Missing(c); break;
                    case Int64DataFrameColumn i64: if (i64[r] is long lv) builder.Number(c, (double)lv); else builder.Missing(c); break;
                    default: Cell(builder, c, columns[c][r]); break;
                }
            }
            if (targetColumn is not null)
            {
                var v = targetColumn[r];
                if (!builder.Target(v is null ? "" : Convert.ToString(v, CultureInfo.InvariantCulture)?.Trim() ?? ""))
                    throw KerasException.BadData("MissingValue",
                        $"Row {r} (0-based), column '{targetColumn.Name}' of the DataFrame (the target) is empty. "
                        + "Every row needs a target; drop the rows without one.", r);
            }
        }
        return builder.Build(new Dictionary<string, object?> { ["Source"] = "DataFrame" });
    }

    /// <summary>One cell of any .NET value: numbers and booleans as numbers, null/DBNull/empty as missing, the rest as text.</summary>
    public static void Cell(TabularBuilder builder, int column, object? value)
    {
        switch (value)
        {
            case null or DBNull: builder.Missing(column); break;
            // NaN is a missing value (as in pandas); an infinity is not, and Number refuses it with its row and column.
            case float f: if (!float.IsNaN(f)) builder.Number(column, (double)f); else builder.Missing(column); break;
            case double d: if (!double.IsNaN(d)) builder.Number(column, d); else builder.Missing(column); break;
            case bool b: builder.Number(column, b ? 1f : 0f); break;
            case byte or sbyte or short or ushort or int or uint or long or ulong or decimal:
                builder.Number(column, Convert.ToDouble(value, CultureInfo.InvariantCulture)); break;
            case string s: builder.Text(column, s.Trim()); break;
            case Enum e: builder.Text(column, e.ToString()); break;
            case IFormattable fm: builder.Text(column, fm.ToString(null, CultureInfo.InvariantCulture)); break;
            default: builder.Text(column, value.ToString() ?? ""); break;
        }
    }
}
