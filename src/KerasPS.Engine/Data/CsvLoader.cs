using System.Globalization;
using System.Text;
using CsvHelper;

namespace KerasPS.Engine.Data;

/// <summary>What to read from a CSV file and how.</summary>
public sealed class CsvLoadOptions
{
    /// <summary>The target column; null for features only (a test file).</summary>
    public string? Target { get; init; }

    /// <summary>Feature columns, in this order; null for every column but the target and <see cref="Exclude"/>.</summary>
    public IReadOnlyList<string>? Feature { get; init; }

    /// <summary>Columns left out (ids, free text).</summary>
    public IReadOnlyList<string>? Exclude { get; init; }

    /// <summary>A column kept as each row's key (an id), never a feature.</summary>
    public string? IdColumn { get; init; }

    /// <summary>Field separator; null detects it (comma, semicolon, tab or pipe) from the first lines.</summary>
    public char? Delimiter { get; init; }

    /// <summary>Text encoding; null reads UTF-8 (with or without a byte order mark) and honours UTF-16/32 marks.</summary>
    public Encoding? Encoding { get; init; }

    /// <summary>Encoding rules shared with the other sources (missing values, categorical columns, shape, template).</summary>
    public TabularOptions Tabular { get; init; } = new();
}

/// <summary>
/// Loads a CSV file with a header into a <see cref="EncodedData"/>: CsvHelper's SIMD reader finds the fields, numbers
/// are parsed straight from the UTF-8 bytes into one preallocated float32 buffer, and no string is made per cell
/// (only per category or target value, which CsvHelper pools). Any error ends the load: nothing half-loaded.
/// </summary>
public static class CsvLoader
{
    /// <summary>What a binary file is, by its first bytes (a PNG, JPEG or GIF image, a zip archive, an HDF5 file); null for
    /// anything else.</summary>
    internal static string? BinaryKind(string path)
    {
        Span<byte> head = stackalloc byte[8];
        int n;
        try
        {
            using var f = File.OpenRead(path);
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        head = head[..n];
        return head switch
        {
            [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "a PNG image",
            [0xFF, 0xD8, 0xFF, ..] => "a JPEG image",
            [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => "a GIF image",
            [(byte)'P', (byte)'K', 0x03, 0x04, ..] => "a zip archive (a .keras or .kpt model is one: load it with Import-Checkpoint)",
            [0x89, (byte)'H', (byte)'D', (byte)'F', ..] => "an HDF5 file (a Keras .h5 model: load it with Import-Checkpoint)",
            _ => null,
        };
    }

    public static EncodedData Load(string path, CsvLoadOptions options) => LoadCore(path, options, 0, null)!;

    /// <summary>
    /// Reads the file in chunks of <paramref name="chunkRows"/> rows, each encoded on its own with the same rules as
    /// <see cref="Load"/> (give <see cref="TabularOptions.Template"/> for one encoding across chunks), and hands each to
    /// <paramref name="sink"/> in file order; reading stops early when the sink returns false. Memory stays that of one
    /// chunk, whatever the file's size. Errors name rows counted over the whole file.
    /// </summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="options">What to read and how; its <see cref="CsvLoadOptions.Tabular"/> template fixes the encoding.</param>
    /// <param name="chunkRows">Rows per chunk.</param>
    /// <param name="sink">Takes each chunk; false stops the read.</param>
    /// <param name="checkText">Scan the bytes first, so that a byte that is not UTF-8 is an error naming its row and column (the
    /// first pass over a file); later passes over the same file skip the scan.</param>
    public static void ReadChunks(string path, CsvLoadOptions options, int chunkRows, Func<EncodedData, bool> sink, bool checkText)
    {
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows));
        LoadCore(path, options, chunkRows, sink, checkText);
    }

    private static EncodedData? LoadCore(string path, CsvLoadOptions options, int chunkRows, Func<EncodedData, bool>? sink,
        bool checkText = true)
    {
        if (Directory.Exists(path))
            throw KerasException.BadArgument("PathIsFolder",
                $"'{path}' is a folder, not a file. Give the path of a CSV file (Get-ChildItem '{path}' -Filter *.csv).", path);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new KerasException("FileNotFound", ErrorKind.ObjectNotFound,
                $"Cannot find the file '{path}'. Check the path.") { Target = path };
        if (info.Length == 0)
            throw KerasException.BadData("EmptyFile",
                $"The file '{path}' is empty. A CSV file needs a header line naming the columns, and rows.", path);

        if (BinaryKind(path) is { } kind)
            throw KerasException.BadData("NotTextData",
                $"'{Path.GetFileName(path)}' is {kind}, not a CSV file. Import-ModelData reads text tables; give the path of a CSV "
                    + "file.", path);

        if (options.Delimiter is { } d && (d > 127 || d is '"' or '\r' or '\n'))
            throw KerasException.BadArgument("InvalidDelimiter",
                $"-Delimiter must be an ASCII character other than a quote or a line break. Received: '{d}'.", d);

        // Text is decoded strictly: a byte that is not valid in the encoding is an error, never a replacement
        // character (two different bad bytes would otherwise become one label). UTF-8 is checked here first, so
        // that the error names the row and column of the byte; other encodings throw from the decoder.
        long? lines = null;
        Encoding? encoding = null;
        try
        {
            Encoding? marked = null;
            // A later pass over a file already checked skips the scan (and its line count, a guess for one buffer only).
            if (checkText && (options.Encoding is null || options.Encoding.CodePage == Encoding.UTF8.CodePage))
                lines = Utf8Scan.CheckAndCountLines(path, options.Delimiter, out marked);
            else if (options.Encoding is null) marked = Utf8Mark(path);
            if ((options.Encoding ?? marked) is { } chosen)
            {
                encoding = (Encoding)chosen.Clone();
                encoding.DecoderFallback = DecoderFallback.ExceptionFallback;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasException("FileReadError", ErrorKind.ResourceUnavailable,
                $"Cannot read '{path}': {e.Message.TrimEnd('.')}. Check that the file is readable and not locked.", e) { Target = path };
        }

        var csvOptions = new CsvReaderOptions
        {
            HasHeader = true,
            SkipEmptyLines = true,
            Separator = options.Delimiter,
            Encoding = encoding,
            PoolStrings = true,
            // A quote that is never closed would otherwise swallow the rest of the file into one field.
            MalformedData = CsvMalformedDataHandling.Throw,
            FormatProvider = CultureInfo.InvariantCulture,
        };
        try
        {
            using var reader = CsvReader.FromFile(path, csvOptions, FileOptions.SequentialScan);
            return Read(reader, path, info.Length, lines, options, chunkRows, sink);
        }
        catch (CsvFormatException e)
        {
            // CsvHelper counts the header as record 1; rows here count data rows, as in every other message.
            var what = System.Text.RegularExpressions.Regex.Replace(e.Message, @"^Malformed CSV in record \d+:\s*", "").TrimEnd('.');
            throw KerasException.BadData("MalformedCsv",
                $"Row {Math.Max(1, e.RecordNumber - 1)} of '{Path.GetFileName(path)}' is not valid CSV: {what}. "
                    + "Fix the quoting of that row (a quote inside a field must be doubled, and the field quoted).", path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasException("FileReadError", ErrorKind.ResourceUnavailable,
                $"Cannot read '{path}': {e.Message.TrimEnd('.')}. Check that the file is readable and not locked.", e) { Target = path };
        }
        catch (DecoderFallbackException e)
        {
            throw KerasException.BadData("InvalidEncoding",
                $"'{Path.GetFileName(path)}' is not valid text in the expected encoding ({e.Message.TrimEnd('.')}). "
                + "Give its encoding with -Encoding.", path);
        }
    }

    // Fully optimised from the first call: a load is one long loop, which tiered JIT would otherwise run
    // unoptimised (or via on-stack replacement) for the first few loads.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static EncodedData? Read(CsvReader reader, string path, long bytes, long? lineCount, CsvLoadOptions o, int chunkRows,
        Func<EncodedData, bool>? sink)
    {
        string file = Path.GetFileName(path);
        var headers = reader.Headers;
        if (headers is null || headers.Count == 0 || headers.All(h => h.Length == 0))
            throw KerasException.BadData("EmptyFile", $"'{file}' has no header line. The first line must name the columns.", path);
        if (headers.All(h => TabularBuilder.TryParseNumber(h, out _)))
            throw KerasException.BadData("NoHeader",
                $"The first line of '{file}' holds numbers ({TabularBuilder.Clip(string.Join(",", headers.Take(4)))}), not column names. "
                    + "Add a header line that names the columns.", path);
        var dup = headers.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw KerasException.BadData("DuplicateColumn",
                $"'{file}' has two columns named '{dup.Key}'. Column names must be unique; rename one in the header.", dup.Key);

        int idCol = -1;
        if (o.IdColumn is { } idName)
        {
            idCol = FindColumn(headers, idName);
            if (idCol < 0)
                throw KerasException.BadArgument("ColumnNotFound",
                    $"-IdColumn '{idName}' is not a column of '{file}'. Its columns: {TabularBuilder.Clip(string.Join(", ", headers))}.",
                    idName);
            if (idCol == FindColumn(headers, o.Target ?? ""))
                throw KerasException.BadArgument("IdColumnIsTarget",
                    $"-IdColumn '{idName}' is also the -Target. The id is a row key, not what the model predicts; name different columns.",
                    idName);
        }
        var exclude = idCol < 0 ? o.Exclude : (o.Exclude ?? Array.Empty<string>()).Append(headers[idCol]).ToArray();
        var (featureCols, targetCol) = SelectColumns(headers, o.Target,
            o.Feature?.Where(f => idCol < 0 || !f.Equals(headers[idCol], StringComparison.OrdinalIgnoreCase)).ToArray(), exclude,
            $"'{file}'");
        var keys = idCol < 0 ? null : new List<string>();
        string[] featureNames = featureCols.Select(i => headers[i]).ToArray();
        int headerCount = headers.Count;
        int width = featureCols.Length;

        TabularBuilder? builder = null;
        // file column -> feature slot, or -1 for a column not read here (excluded, or the target)
        var slots = Enumerable.Repeat(-1, headerCount).ToArray();
        for (int c = 0; c < width; c++) slots[featureCols[c]] = c;
        byte sep = reader.Separator < 128 ? (byte)reader.Separator : (byte)0;
        long rowBase = 0;   // rows of the chunks already handed on
        string Where(int row, int col) =>
            $"Row {rowBase + row + 1}, column '{featureNames[col]}' (column {featureCols[col] + 1}) of '{file}',";
        var meta = new Dictionary<string, object?> { ["Source"] = path };
        EncodedData Chunk(TabularBuilder b, List<string>? k)
        {
            var d = b.Build(new Dictionary<string, object?>(meta));
            return k is null ? d : d.WithRowKeys(k, headers[idCol]);
        }

        while (reader.Read())
        {
            if (builder is not null && chunkRows > 0 && builder.Rows == chunkRows)
            {
                if (!sink!(Chunk(builder, keys))) return null;
                rowBase += builder.Rows;
                builder = null;
                if (keys is not null) keys = new List<string>();
            }
            if (builder is null)
            {
                // Exact for the usual file (one line per row), so the buffer is allocated once and never copied.
                long lines = chunkRows > 0 ? chunkRows : lineCount ?? bytes / Math.Max(2, reader.RawRecord.Length + 1) + 16;
                int expected = (int)Math.Clamp(lines, 1, Array.MaxLength / Math.Max(1, width));
                builder = new TabularBuilder(featureNames, targetCol >= 0 ? headers[targetCol] : null, o.Tabular, Where, expected);
            }
            if (reader.FieldCount != headerCount)
                throw KerasException.BadData("RaggedRow",
                    $"Row {reader.RowNumber} of '{file}' has {reader.FieldCount} fields, but the header has {headerCount} columns. "
                        + "Every row needs one value per column; check for a missing or extra separator.", reader.RowNumber);
            builder.BeginRow();
            var raw = reader.RawRecord;
            if (!(sep != 0 && raw.IndexOf((byte)'"') < 0 && ParseUnquoted(raw, sep, slots, builder, reader)))
            {
                for (int c = 0; c < width; c++) ReadCell(reader, builder, c, featureCols[c]);
            }
            keys?.Add(reader.GetString(idCol).Trim());
            if (targetCol >= 0 && !builder.Target(reader.GetString(targetCol).Trim()))
                throw KerasException.BadData("MissingValue",
                    $"Row {reader.RowNumber}, column '{headers[targetCol]}' (column {targetCol + 1}) of '{file}' (the target) is empty. "
                        + "Every row needs a target; drop the rows without one.", reader.RowNumber);
        }
        if (builder is null)
            throw KerasException.BadData("NoDataRows", $"'{file}' has a header but no rows. Give at least one data row.", path);
        if (sink is null) return Chunk(builder, keys);
        sink(Chunk(builder, keys));
        return null;
    }

    /// <summary>The encoding a byte order mark at the start of the file names (UTF-16/32), or null for UTF-8 or none.</summary>
    private static Encoding? Utf8Mark(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var f = File.OpenRead(path);
        int n = f.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        head = head[..n];
        return head switch
        {
            [0xFF, 0xFE, 0, 0] => new UTF32Encoding(false, true),
            [0, 0, 0xFE, 0xFF] => new UTF32Encoding(true, true),
            [0xFF, 0xFE, ..] => Encoding.Unicode,
            [0xFE, 0xFF, ..] => Encoding.BigEndianUnicode,
            _ => null,
        };
    }

    private static void ReadCell(CsvReader reader, TabularBuilder builder, int c, int f)
    {
        if (builder.KindOf(c) == ColumnKind.Categorical)
        {
            var s = reader.GetString(f);
            if (string.IsNullOrWhiteSpace(s)) builder.Missing(c); else builder.Text(c, s.Trim());
            return;
        }
        var span = reader.GetSpan(f);
        if (TryParseFloat(span, out float v)) builder.Number(c, v);
        else if (IsBlank(span)) builder.Missing(c);
        else builder.Text(c, reader.GetString(f).Trim());
    }

    /// <summary>
    /// The common case in one pass over the record's bytes: no quotes, so fields are the bytes between separators,
    /// and plain decimals are parsed as the bytes go by (no per-field call into the reader). Returns false, having
    /// changed nothing that the per-field path would not redo, at anything unusual (an empty or text cell, a field
    /// count that differs), which then goes through <see cref="ReadCell"/> with its errors and rules.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool ParseUnquoted(ReadOnlySpan<byte> raw, byte sep, int[] slots, TabularBuilder builder, CsvReader reader)
    {
        if (raw.Length > 0 && raw[^1] == (byte)'\r') raw = raw[..^1];
        int n = raw.Length, i = 0, field = 0, fields = slots.Length;
        while (true)
        {
            if (field >= fields) return false;
            int slot = slots[field];
            int start = i;
            if (slot < 0 || builder.KindOf(slot) == ColumnKind.Categorical)
            {
                while (i < n && raw[i] != sep) i++;
                if (slot >= 0) ReadCell(reader, builder, slot, field);
            }
            else
            {
                bool ok = TryParseField(raw[i..], sep, out float v, out int len);
                i += len;
                if (!ok) return false;   // empty, "-", "." or text
                builder.Number(slot, v);
            }
            field++;
            if (i >= n) break;
            i++;   // past the separator
            if (i == n) return false;   // an empty last field: the per-field path decides
        }
        return field == fields;
    }

    private static int FindColumn(IReadOnlyList<string> headers, string name)
    {
        for (int i = 0; i < headers.Count; i++) if (headers[i] == name) return i;
        for (int i = 0; i < headers.Count; i++) if (headers[i].Equals(name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    /// <summary>Resolves -Feature / -Exclude / -Target against the header (exact names first, then ignoring case).</summary>
    public static (int[] Features, int Target) SelectColumns(IReadOnlyList<string> headers, string? target, IReadOnlyList<string>? feature,
        IReadOnlyList<string>? exclude, string source)
    {
        int Find(string name, string role, ErrorKind kind)
        {
            for (int i = 0; i < headers.Count; i++) if (headers[i] == name) return i;
            for (int i = 0; i < headers.Count; i++) if (string.Equals(headers[i].Trim(), name.Trim(), StringComparison.OrdinalIgnoreCase))
                return i;
            var list = string.Join(", ", headers.Take(12)) + (headers.Count > 12 ? $", ... ({headers.Count} in all)" : "");
            throw new KerasException(role == "target" ? "TargetNotFound" : "ColumnNotFound", kind,
                $"{source} has no column named '{name}' (given as the {role}). Its columns are: {list}.") { Target = name };
        }
        int targetCol = target is null ? -1 : Find(target, "target", ErrorKind.InvalidArgument);
        var excluded = new HashSet<int>((exclude ?? Array.Empty<string>())
            .Select(n => Find(n, "column to exclude", ErrorKind.InvalidArgument)));
        int[] features;
        if (feature is { Count: > 0 })
        {
            features = feature.Select(n => Find(n, "feature", ErrorKind.InvalidArgument)).Where(i => !excluded.Contains(i)).ToArray();
            if (targetCol >= 0 && features.Contains(targetCol))
                throw KerasException.BadArgument("TargetIsFeature",
                    $"Column '{headers[targetCol]}' is both the target and a feature. Leave it out of -Feature.", headers[targetCol]);
            var twice = features.GroupBy(i => i).FirstOrDefault(g => g.Count() > 1);
            if (twice is not null)
                throw KerasException.BadArgument("DuplicateColumn", $"-Feature names column '{headers[twice.Key]}' twice.",
                    headers[twice.Key]);
        }
        else features = Enumerable.Range(0, headers.Count).Where(i => i != targetCol && !excluded.Contains(i)).ToArray();
        if (features.Length == 0)
            throw KerasException.BadArgument("NoFeatures",
                $"No feature columns are left in {source} after the target and -Exclude. Keep at least one column as a feature.");
        return (features, targetCol);
    }

    private static bool IsBlank(ReadOnlySpan<byte> s)
    {
        foreach (var b in s) if (b != (byte)' ' && b != (byte)'\t') return false;
        return true;
    }

    private static readonly float[] Pow10 = { 1f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f };

    /// <summary>A number from a whole field's UTF-8 bytes (see <see cref="TryParseField"/>).</summary>
    internal static bool TryParseFloat(ReadOnlySpan<byte> s, out float value)
    {
        bool parsed = TryParseField(s, (byte)'\n', out value, out int length);
        return length == s.Length ? parsed : Slow(s, out value);   // a line break inside: float.TryParse decides, as for any other byte
    }

    /// <summary>
    /// The CSV loader's one number parser: the field at the start of <paramref name="s"/>, up to the first
    /// <paramref name="separator"/> or the end, parsed as the bytes go by; <paramref name="length"/> is the field's length.
    /// Fast path: an optional sign, up to 7 significant digits and up to 10 decimals, where mantissa and power of ten are
    /// exact in float32, so one IEEE division gives the correctly rounded value (the same float as float.Parse).
    /// Anything else (exponents, long numbers, spaces) goes to <see cref="NumberText"/>, the loaders' one grammar.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool TryParseField(ReadOnlySpan<byte> s, byte separator, out float value, out int length)
    {
        int i = 0, n = s.Length;
        bool neg = false, dot = false, any = false, fast = true;
        int mantissa = 0, digits = 0, decimals = 0;
        if (n > 0 && s[0] == (byte)'-') { neg = true; i = 1; }
        else if (n > 0 && s[0] == (byte)'+') i = 1;
        for (; i < n; i++)
        {
            byte b = s[i];
            uint d = (uint)(b - (byte)'0');
            if (d <= 9)
            {
                any = true;
                if (mantissa != 0 || d != 0) digits++;
                if (digits > 7) { fast = false; break; }
                mantissa = mantissa * 10 + (int)d;
                if (dot) decimals++;
            }
            else if (b == separator) break;
            else if (b == (byte)'.' && !dot) dot = true;
            else { fast = false; break; }
        }
        if (!fast)
        {
            int rest = s[i..].IndexOf(separator);
            i = rest < 0 ? n : i + rest;
        }
        length = i;
        if (!fast || !any || decimals > 10) return Slow(s[..i], out value);
        float f = decimals == 0 ? mantissa : mantissa / Pow10[decimals];
        value = neg ? -f : f;
        return true;
    }

    // Only a Number passes here; an Unrepresentable field goes on to TabularBuilder.Text, which names its row and column.
    private static bool Slow(ReadOnlySpan<byte> s, out float value) => NumberText.Parse(s, out value) == NumberKind.Number;
}
