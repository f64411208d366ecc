using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace KerasPS.Engine.Data;

/// <summary>
/// Loads a Parquet file (Parquet.Net, managed) into a <see cref="EncodedData"/> with the rules of <see cref="CsvLoader"/>:
/// the same column selection (target, features, exclusions, id column) and the same <see cref="TabularBuilder"/>, so that a
/// Parquet file and a CSV of the same table give the same dataset. Column types map to what a CSV writer would have put in
/// the cell: numbers stay numbers, strings are text (categories), booleans are the text True/False (as pandas and
/// Export-Csv write them), and nulls (and NaN) are missing values. Read row group by row group, so a streamed read holds
/// one row group's columns at a time.
/// </summary>
public static class ParquetLoader
{
    /// <summary>True for a file that starts with Parquet's magic bytes (PAR1).</summary>
    public static bool IsParquet(string path)
    {
        Span<byte> head = stackalloc byte[4];
        try
        {
            using var f = File.OpenRead(path);
            return f.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual("PAR1"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>The whole file as one dataset.</summary>
    public static EncodedData Load(string path, CsvLoadOptions options)
    {
        EncodedData? data = null;
        Read(path, options, 0, d => { data = d; return true; });
        return data!;
    }

    /// <summary>The file in chunks of at most <paramref name="chunkRows"/> rows, as <see cref="CsvLoader.ReadChunks"/>.</summary>
    /// <param name="path">The Parquet file.</param>
    /// <param name="options">Columns and encoding rules (the delimiter and text encoding do not apply).</param>
    /// <param name="chunkRows">Rows per chunk.</param>
    /// <param name="sink">Takes each chunk; false stops the read.</param>
    /// <param name="checkText">Unused: Parquet text is UTF-8 by the format.</param>
    public static void ReadChunks(string path, CsvLoadOptions options, int chunkRows, Func<EncodedData, bool> sink, bool checkText)
    {
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows));
        _ = checkText;
        Read(path, options, chunkRows, sink);
    }

    private static void Read(string path, CsvLoadOptions o, int chunkRows, Func<EncodedData, bool> sink)
    {
        string file = Path.GetFileName(path);
        if (Directory.Exists(path))
            throw KerasException.BadArgument("PathIsFolder", $"'{path}' is a folder, not a file. Give the path of a Parquet file.", path);
        if (!File.Exists(path))
            throw new KerasException("FileNotFound", ErrorKind.ObjectNotFound, $"Cannot find the file '{path}'. Check the path.")
                { Target = path };
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        ParquetReader reader;
        try { reader = ParquetReader.CreateAsync(stream, null, true, default).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is not KerasException and not OutOfMemoryException)
        {
            throw KerasException.BadData("InvalidParquet",
                $"'{file}' is not a readable Parquet file ({e.Message.TrimEnd('.')}). Check that it is a whole Parquet file.", path);
        }
        try
        {
            var fields = reader.Schema.GetDataFields();
            var headers = fields.Select(f => f.Name).ToArray();
            var dup = headers.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null)
                throw KerasException.BadData("DuplicateColumn",
                    $"'{file}' has two columns named '{dup.Key}'. Column names must be unique.", dup.Key);
            int idCol = -1;
            if (o.IdColumn is { } idName)
            {
                idCol = Array.FindIndex(headers, h => h.Equals(idName, StringComparison.OrdinalIgnoreCase));
                if (idCol < 0)
                    throw KerasException.BadArgument("ColumnNotFound",
                        $"-IdColumn '{idName}' is not a column of '{file}'. "
                            + $"Its columns: {TabularBuilder.Clip(string.Join(", ", headers))}.",
                        idName);
            }
            var exclude = idCol < 0 ? o.Exclude : (o.Exclude ?? Array.Empty<string>()).Append(headers[idCol]).ToArray();
            var (featureCols, targetCol) = CsvLoader.SelectColumns(headers, o.Target,
                o.Feature?.Where(f => idCol < 0 || !f.Equals(headers[idCol], StringComparison.OrdinalIgnoreCase)).ToArray(), exclude,
                $"'{file}'");
            if (idCol >= 0 && idCol == targetCol)
                throw KerasException.BadArgument("IdColumnIsTarget",
                    $"-IdColumn '{headers[idCol]}' is also the -Target. The id is a row key, not what the model predicts; name different "
                        + "columns.", headers[idCol]);
            var used = featureCols.Append(targetCol).Append(idCol).Where(c => c >= 0).Distinct().ToArray();
            foreach (var c in used)
                if (fields[c].IsArray || Column.KindOf(fields[c].ClrType) is null)
                    throw KerasException.BadData("UnsupportedColumnType",
                        $"Column '{headers[c]}' of '{file}' holds {(fields[c].IsArray ? "lists" : fields[c].ClrType.Name)} values, which "
                            + $"KerasPS does not encode (numbers, text and booleans it does). Leave it out with -Exclude {headers[c]}.",
                        headers[c]);

            string[] featureNames = featureCols.Select(i => headers[i]).ToArray();
            long total = 0;
            for (int g = 0; g < reader.RowGroupCount; g++) total += reader.RowGroups[g].RowCount;
            long rowBase = 0;
            string Where(int row, int col) =>
                $"Row {rowBase + row + 1}, column '{featureNames[col]}' (column {featureCols[col] + 1}) of '{file}',";
            TabularBuilder? builder = null;
            List<string>? keys = null;
            var meta = new Dictionary<string, object?> { ["Source"] = path };
            EncodedData Chunk()
            {
                var d = builder!.Build(new Dictionary<string, object?>(meta));
                return keys is null ? d : d.WithRowKeys(keys, headers[idCol]);
            }
            long fileRow = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                int n = checked((int)group.RowCount);
                var columns = new Column?[headers.Length];
                foreach (var c in used) columns[c] = Column.Read(group, fields[c], n);
                for (int r = 0; r < n; r++, fileRow++)
                {
                    if (builder is not null && chunkRows > 0 && builder.Rows == chunkRows)
                    {
                        if (!sink(Chunk())) return;
                        rowBase += builder.Rows;
                        builder = null;
                    }
                    if (builder is null)
                    {
                        int expected = (int)Math.Clamp(chunkRows > 0 ? chunkRows : total, 1,
                            Array.MaxLength / Math.Max(1, featureCols.Length));
                        builder = new TabularBuilder(featureNames, targetCol >= 0 ? headers[targetCol] : null, o.Tabular, Where, expected);
                        keys = idCol < 0 ? null : new List<string>();
                    }
                    builder.BeginRow();
                    for (int c = 0; c < featureCols.Length; c++) columns[featureCols[c]]!.Cell(r, builder, c);
                    keys?.Add(columns[idCol]!.Text(r)?.Trim() ?? "");
                    if (targetCol >= 0 && !builder.Target(columns[targetCol]!.Text(r)?.Trim() ?? ""))
                        throw KerasException.BadData("MissingValue",
                            $"Row {fileRow + 1}, column '{headers[targetCol]}' (column {targetCol + 1}) of '{file}' (the target) is empty. "
                                + "Every row needs a target; drop the rows without one.", fileRow + 1);
                }
            }
            if (builder is null)
                throw KerasException.BadData("NoDataRows", $"'{file}' has columns but no rows. Give at least one data row.", path);
            sink(Chunk());
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Writes a table as a Parquet file (for tests, examples and making sample files): one column per name, each an array of
    /// double, float, long, int or bool (nullable or not) or string (null for a missing cell), cut into row groups of
    /// <paramref name="rowGroupRows"/> rows. Written to a temporary file and moved into place.
    /// </summary>
    public static void WriteTable(string path, IReadOnlyList<string> names, IReadOnlyList<Array> columns, int rowGroupRows = 100_000)
    {
        if (names.Count != columns.Count || names.Count == 0)
            throw KerasException.BadArgument("InvalidTable", "Give one column array per name, and at least one.");
        int rows = columns[0].Length;
        if (columns.Any(c => c.Length != rows))
            throw KerasException.BadArgument("InvalidTable", "Every column needs the same number of rows.");
        if (rowGroupRows < 1) throw KerasException.BadArgument("InvalidRowGroupRows", "rowGroupRows must be 1 or more.", rowGroupRows);
        var fields = new DataField[columns.Count];
        for (int c = 0; c < columns.Count; c++)
        {
            var t = columns[c].GetType().GetElementType()!;
            var inner = Nullable.GetUnderlyingType(t);
            fields[c] = new DataField(names[c], inner ?? t, inner is not null || t == typeof(string));
        }
        AtomicFile.Write(path, stream =>
        {
            var writer = ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, null, false, default).GetAwaiter().GetResult();
            try
            {
                for (int start = 0; start < Math.Max(rows, 1); start += rowGroupRows)
                {
                    int len = Math.Min(rowGroupRows, rows - start);
                    using var group = writer.CreateRowGroup();
                    for (int c = 0; c < columns.Count; c++) WriteSlice(group, fields[c], columns[c], start, len).GetAwaiter().GetResult();
                }
            }
            finally
            {
                writer.DisposeAsync().AsTask().GetAwaiter().GetResult();   // writes the footer
            }
        }, overwrite: true);
    }

    private static Task WriteSlice(ParquetRowGroupWriter g, DataField f, Array a, int start, int len) => a switch
    {
        string?[] s => g.WriteAsync(f, new ArraySegment<string>(s!, start, len), null),
        double[] v => g.WriteAsync<double>(f, v.AsMemory(start, len), null, null, default),
        double?[] v => g.WriteAsync<double>(f, v.AsMemory(start, len), null, null, default),
        float[] v => g.WriteAsync<float>(f, v.AsMemory(start, len), null, null, default),
        float?[] v => g.WriteAsync<float>(f, v.AsMemory(start, len), null, null, default),
        long[] v => g.WriteAsync<long>(f, v.AsMemory(start, len), null, null, default),
        long?[] v => g.WriteAsync<long>(f, v.AsMemory(start, len), null, null, default),
        int[] v => g.WriteAsync<int>(f, v.AsMemory(start, len), null, null, default),
        int?[] v => g.WriteAsync<int>(f, v.AsMemory(start, len), null, null, default),
        bool[] v => g.WriteAsync<bool>(f, v.AsMemory(start, len), null, null, default),
        bool?[] v => g.WriteAsync<bool>(f, v.AsMemory(start, len), null, null, default),
        _ => throw KerasException.BadArgument("InvalidTable",
            $"Column '{f.Name}' is a {a.GetType().Name}; give double, float, long, int, bool (nullable or not) or string arrays."),
    };

    /// <summary>One column of one row group: numbers (with a float32 flag for exact text), or text.</summary>
    private sealed class Column
    {
        private double[]? values;
        private bool[]? present;
        private string?[]? text;
        private string kind = "";

        /// <summary>How a CLR type is read: "text", "bool", "float", "int", "double"; null when it is not supported.</summary>
        public static string? KindOf(Type t) =>
            t == typeof(string) || t == typeof(ReadOnlyMemory<char>) ? "text"
            : t == typeof(bool) ? "bool"
            : t == typeof(float) ? "float"
            : t == typeof(double) || t == typeof(decimal) ? "double"
            : t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(sbyte) || t == typeof(byte)
                || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong) ? "int"
            : null;

        public static Column Read(ParquetRowGroupReader group, DataField field, int n)
        {
            var t = field.ClrType;
            var col = new Column { kind = KindOf(t)! };
            if (col.kind == "text")   // Parquet.Net names UTF-8 columns string or ReadOnlyMemory<char>: read both as strings
            {
                col.text = new string?[n];
                group.ReadAsync(field, col.text.AsMemory()!, null, default).AsTask().GetAwaiter().GetResult();
                return col;
            }
            col.values = new double[n];
            col.present = new bool[n];
            if (t == typeof(double)) Fill<double>(group, field, col, n, v => v);
            else if (t == typeof(float)) Fill<float>(group, field, col, n, v => v);
            else if (t == typeof(decimal)) Fill<decimal>(group, field, col, n, v => (double)v);
            else if (t == typeof(long)) Fill<long>(group, field, col, n, v => v);
            else if (t == typeof(int)) Fill<int>(group, field, col, n, v => v);
            else if (t == typeof(short)) Fill<short>(group, field, col, n, v => v);
            else if (t == typeof(sbyte)) Fill<sbyte>(group, field, col, n, v => v);
            else if (t == typeof(byte)) Fill<byte>(group, field, col, n, v => v);
            else if (t == typeof(ushort)) Fill<ushort>(group, field, col, n, v => v);
            else if (t == typeof(uint)) Fill<uint>(group, field, col, n, v => v);
            else if (t == typeof(ulong)) Fill<ulong>(group, field, col, n, v => v);
            else Fill<bool>(group, field, col, n, v => v ? 1 : 0);
            return col;
        }

        private static void Fill<T>(ParquetRowGroupReader group, DataField field, Column col, int n, Func<T, double> convert)
            where T : struct
        {
            if (field.IsNullable)
            {
                var buffer = new T?[n];
                group.ReadAsync<T>(field, buffer.AsMemory(), null, default).AsTask().GetAwaiter().GetResult();
                for (int i = 0; i < n; i++)
                    if (buffer[i] is T v) { col.values![i] = convert(v); col.present![i] = true; }
            }
            else
            {
                var buffer = new T[n];
                group.ReadAsync<T>(field, buffer.AsMemory(), null, default).AsTask().GetAwaiter().GetResult();
                for (int i = 0; i < n; i++) { col.values![i] = convert(buffer[i]); col.present![i] = true; }
            }
        }

        /// <summary>The cell as a CSV writer would have written it: invariant numbers, True/False, the text; null for a null.</summary>
        public string? Text(int row)
        {
            if (text is not null) return text[row];
            if (!present![row]) return null;
            double v = values![row];
            return kind switch
            {
                "bool" => v != 0 ? "True" : "False",
                "float" => ((float)v).ToString("R", CultureInfo.InvariantCulture),
                "int" => v.ToString("0", CultureInfo.InvariantCulture),
                _ => v.ToString("R", CultureInfo.InvariantCulture),
            };
        }

        /// <summary>Hands the cell to the builder by the CSV loader's rules: numbers as numbers, text and booleans as text, nulls and
        /// NaN as missing.</summary>
        public void Cell(int row, TabularBuilder builder, int column)
        {
            if (text is not null || kind == "bool")
            {
                var s = Text(row);
                if (string.IsNullOrWhiteSpace(s)) builder.Missing(column); else builder.Text(column, s.Trim());
                return;
            }
            double v = values![row];
            if (!present![row] || double.IsNaN(v)) { builder.Missing(column); return; }
            if (kind == "float") builder.Number(column, (float)v);
            else builder.Number(column, v);
        }
    }
}
