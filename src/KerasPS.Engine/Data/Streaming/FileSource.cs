namespace KerasPS.Engine.Data.Streaming;

/// <summary>
/// A CSV or Parquet file read in chunks (<see cref="CsvLoader.ReadChunks"/>, the CSV loader's UTF-8 fast path, or
/// <see cref="ParquetLoader.ReadChunks"/>, row group by row group) instead of whole. Opening it
/// reads the file once, chunk by chunk, to learn what the in-memory loader learns from the whole file: the row count, which
/// columns are categories and all their categories, the target's kind and classes. Every later pass encodes its chunks with
/// that encoding as the template, so a row becomes the same numbers as in <see cref="CsvLoader.Load"/>.
/// </summary>
public sealed class FileSource : IBatchSource
{
    /// <summary>Rows per chunk read from the file: small enough that a chunk of a wide file stays a few MB.</summary>
    public const int ChunkRows = 4096;

    /// <summary>The shuffle buffer when none is given, in rows (about 4 MB of a 100-column file).</summary>
    public const int DefaultShuffleBuffer = 10_000;

    /// <summary>Reads a file in chunks: <see cref="CsvLoader.ReadChunks"/> or <see cref="ParquetLoader.ReadChunks"/>.</summary>
    public delegate void ChunkReader(string path, CsvLoadOptions options, int chunkRows, Func<EncodedData, bool> sink, bool checkText);

    private readonly string path;
    private readonly ChunkReader reader;
    private readonly CsvLoadOptions read;
    private readonly int[] classCounts;

    private FileSource(string path, ChunkReader reader, CsvLoadOptions read, EncodedData encoding, int count, int[] classCounts,
        int shuffleBuffer)
    {
        this.path = path;
        this.reader = reader;
        this.read = read;
        Encoding = encoding;
        Count = count;
        this.classCounts = classCounts;
        ShuffleBuffer = shuffleBuffer;
    }

    public int Count { get; }
    public EncodedData Encoding { get; }
    public IReadOnlyList<int> ClassCounts => classCounts;
    public int ShuffleBuffer { get; }
    public string Source => path;

    /// <summary>Opens a CSV file as a stream: one pass over it for the encoding (or the template's) and the row count.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="options">Columns and encoding rules, as for <see cref="CsvLoader.Load"/>.</param>
    /// <param name="shuffleBuffer">Rows a fit's shuffle buffer holds; null for <see cref="DefaultShuffleBuffer"/>.</param>
    public static FileSource Open(string path, CsvLoadOptions options, int? shuffleBuffer = null) =>
        Open(path, options, shuffleBuffer, CsvLoader.ReadChunks);

    /// <summary>Opens a Parquet file as a stream, read row group by row group (<see cref="ParquetLoader"/>).</summary>
    /// <param name="path">The Parquet file.</param>
    /// <param name="options">Columns and encoding rules, as for <see cref="ParquetLoader.Load"/>.</param>
    /// <param name="shuffleBuffer">Rows a fit's shuffle buffer holds; null for <see cref="DefaultShuffleBuffer"/>.</param>
    public static FileSource OpenParquet(string path, CsvLoadOptions options, int? shuffleBuffer = null) =>
        Open(path, options, shuffleBuffer, ParquetLoader.ReadChunks);

    /// <summary>Opens a file as a stream with the given chunk reader: one pass for the encoding (or the template's) and the row
    /// count.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Columns and encoding rules.</param>
    /// <param name="shuffleBuffer">Rows a fit's shuffle buffer holds; null for <see cref="DefaultShuffleBuffer"/>.</param>
    /// <param name="reader">Reads the file in chunks.</param>
    public static FileSource Open(string path, CsvLoadOptions options, int? shuffleBuffer, ChunkReader reader)
    {
        if (shuffleBuffer is < 1)
            throw KerasException.BadArgument("InvalidShuffleBuffer",
                $"-ShuffleBuffer must be 1 or more rows. Received: {shuffleBuffer}.", shuffleBuffer);
        RefuseWholeColumnRules(options.Tabular, path);
        var pass = new Pass(options.Tabular.TargetKind);
        reader(path, WithTabular(options, Quiet(options.Tabular, options.Tabular.Template, options.Tabular.TargetKind)),
            ChunkRows, pass.Add, checkText: true);
        if (pass.MixedTarget)
        {
            // Some chunks held only numbers in the target, others text: the whole file's target is text, so classes.
            pass = new Pass(TargetKind.Classification);
            reader(path, WithTabular(options, Quiet(options.Tabular, options.Tabular.Template, TargetKind.Classification)),
                ChunkRows, pass.Add, checkText: false);
        }
        var encoding = pass.Encoding(path, options.Tabular.FeatureShape);
        var readOptions = WithTabular(options, Quiet(options.Tabular, encoding,
            encoding.TargetKind == TargetKind.None ? null : encoding.TargetKind));
        int[] counts = encoding.Classes is null ? Array.Empty<int>() : encoding.Classes.Select(c => pass.ClassRows[c]).ToArray();
        return new FileSource(path, reader, readOptions, encoding, pass.Rows, counts, shuffleBuffer ?? DefaultShuffleBuffer);
    }

    /// <summary>
    /// Rules that need a whole column at once (fills learnt as mean, median or most frequent, indicator columns, text kept
    /// as strings) cannot be learnt chunk by chunk; refused rather than applied per chunk, which would fill each chunk with
    /// its own median. Constant fills apply chunk by chunk.
    /// </summary>
    private static void RefuseWholeColumnRules(TabularOptions t, string path)
    {
        var rules = t.MissingRules;
        bool learnt = rules is not null && (rules.AddIndicator
            || rules.Default is { Strategy: not ImputeStrategy.Constant }
            || rules.Columns.Values.Any(r => r.Strategy != ImputeStrategy.Constant));
        string? what = learnt ? "-MissingValue mean, median or most_frequent fills, or -AddIndicator"
            : t.Template?.MissingFills is { Count: > 0 } || t.Template?.MissingIndicators is { Count: > 0 }
                ? "a -Template with learnt missing-value fills"
            : t.Text is { Count: > 0 } ? "-Text columns"
            : null;
        if (what is not null)
            throw KerasException.BadArgument("StreamNotSupported",
                $"Streaming '{Path.GetFileName(path)}' cannot apply {what}: they are learnt from the whole file at once. "
                    + "Import it without -Stream, or give -MissingValue a single number.", path);
    }

    /// <summary>The cache of the encoded rows (Import-ModelData -Cache, tf.data's cache(filename)), or null when the file is
    /// parsed on every pass.</summary>
    public StreamCache? Cache { get; private set; }

    /// <summary>
    /// Caches the encoded rows: the next complete pass writes them to <paramref name="file"/> (null: a new file in the temp
    /// folder), and later passes read that instead of parsing the file (<see cref="StreamCache"/>). Returns null, or a warning
    /// when the cache stays off (the disk lacks the room, or the rows have keys it does not hold).
    /// </summary>
    /// <param name="file">The cache file, which must not exist yet; null for one in the temp folder.</param>
    public string? UseCache(string? file = null)
    {
        if (read.IdColumn is not null)
            return $"-Cache is off for '{Path.GetFileName(path)}': the rows have keys (-IdColumn), which the cache does not hold. "
                + "Each pass parses the file.";
        Cache?.Dispose();
        Cache = StreamCache.Create(file, Encoding, Count, path, out var warning);
        return warning;
    }

    /// <summary>Closes and deletes the cache (<see cref="UseCache"/>); later passes parse the file again.</summary>
    public void DropCache()
    {
        Cache?.Dispose();
        Cache = null;
    }

    public void Read(int chunkRows, Func<EncodedData, bool> sink)
    {
        if (Cache is not { } cache)
        {
            ReadFile(chunkRows, sink);
            return;
        }
        if (cache.TryRead(path, Encoding, chunkRows, sink)) return;
        bool writes = cache.BeginWrite(path), all = false;
        try
        {
            all = ReadFile(chunkRows, writes ? chunk =>
            {
                cache.Append(chunk);
                return sink(chunk);
            } : sink);
        }
        finally
        {
            if (writes) cache.EndWrite(path, all);
        }
    }

    /// <summary>Parses the file's chunks into the encoding; true when every row was read (the sink never stopped it).</summary>
    private bool ReadFile(int chunkRows, Func<EncodedData, bool> sink)
    {
        int rows = 0;
        bool stopped = false;
        reader(path, read, chunkRows, chunk =>
        {
            rows += chunk.Count;
            if (rows > Count || !chunk.FeatureNames.SequenceEqual(Encoding.FeatureNames)) throw Changed();
            stopped = !sink(Conform(chunk));
            return !stopped;
        }, checkText: false);
        if (!stopped && rows != Count) throw Changed();
        return !stopped;
    }

    /// <summary>A chunk with the encoding's shape and its labels indexed into the encoding's classes.</summary>
    private EncodedData Conform(EncodedData chunk)
    {
        int[]? labels = null;
        if (chunk.Labels is not null)
        {
            try { labels = chunk.LabelsFor(Encoding.Classes!); }
            catch (KerasException) { throw Changed(); }
        }
        return new EncodedData(chunk.Features, Encoding.FeatureShape, Encoding.FeatureNames, chunk.TargetName, labels,
            labels is null ? null : Encoding.Classes, chunk.Targets, chunk.TargetWidth)
        {
            Metadata = chunk.Metadata,
            Categories = Encoding.Categories,
            SourceColumns = Encoding.SourceColumns,
            RowKeys = chunk.RowKeys,
            RowKeyName = chunk.RowKeyName,
        };
    }

    private KerasException Changed() =>
        KerasException.BadData("StreamChanged",
            $"'{Path.GetFileName(path)}' changed since it was imported with -Stream (its rows, classes or categories differ). "
                + "Import it again.", path);

    private static CsvLoadOptions WithTabular(CsvLoadOptions o, TabularOptions tabular) => new()
    {
        Target = o.Target,
        Feature = o.Feature,
        Exclude = o.Exclude,
        IdColumn = o.IdColumn,
        Delimiter = o.Delimiter,
        Encoding = o.Encoding,
        Tabular = tabular,
    };

    // Chunks are encoded without warnings (the id-like column check needs the whole file) and without the final shape, which
    // applies to the merged columns.
    private static TabularOptions Quiet(TabularOptions t, EncodedData? template, TargetKind? kind) => new()
    {
        MissingValue = t.MissingValue,
        MissingRules = t.MissingRules,   // constants only (RefuseWholeColumnRules)
        Categorical = t.Categorical,
        TargetKind = kind,
        Template = template,
        Categories = template is null ? t.Categories : null,
        SourceColumns = template is null ? t.SourceColumns : null,
    };

    /// <summary>What one pass over the chunks learns: columns, categories, target classes or width, rows.</summary>
    private sealed class Pass
    {
        private readonly TargetKind? forced;
        private IReadOnlyList<string>? columns;
        private string? targetName;
        private readonly Dictionary<string, (List<string> List, HashSet<string> Seen)> categories = new(StringComparer.Ordinal);
        private bool anyClasses, anyValues;
        private int targetWidth = 1;

        public Pass(TargetKind? forced) => this.forced = forced;

        public int Rows { get; private set; }
        public bool MixedTarget => anyClasses && anyValues && forced is null;
        public Dictionary<string, int> ClassRows { get; } = new(StringComparer.Ordinal);

        public bool Add(EncodedData chunk)
        {
            var cols = chunk.SourceColumns ?? chunk.FeatureNames;
            if (columns is null)
            {
                columns = cols;
                targetName = chunk.TargetName;
                foreach (var name in chunk.Categories.Keys)
                    categories[name] = (new List<string>(), new HashSet<string>(StringComparer.Ordinal));
            }
            foreach (var c in columns)
            {
                bool was = categories.ContainsKey(c), now = chunk.Categories.ContainsKey(c);
                if (was != now)
                    throw KerasException.BadData("MixedColumn",
                        $"Column '{c}' holds {(was ? "text" : "numbers")} in the first rows and {(now ? "text" : "numbers")} after row "
                            + $"{Rows:N0}. Fix the values, or treat every value as a category with -Categorical {c}.", c);
                if (!now) continue;
                var (list, seen) = categories[c];
                foreach (var k in chunk.Categories[c]) if (seen.Add(k)) list.Add(k);
            }
            if (chunk.Labels is { } labels)
            {
                anyClasses = true;
                var counts = new int[chunk.Classes!.Count];
                foreach (var l in labels) counts[l]++;
                for (int k = 0; k < counts.Length; k++)
                    if (counts[k] > 0) ClassRows[chunk.Classes[k]] = ClassRows.GetValueOrDefault(chunk.Classes[k]) + counts[k];
            }
            else if (chunk.Targets is not null)
            {
                anyValues = true;
                targetWidth = chunk.TargetWidth;
            }
            Rows = checked(Rows + chunk.Count);
            return !MixedTarget;
        }

        public EncodedData Encoding(string path, int[]? featureShape)
        {
            var sorted = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            var names = new List<string>();
            foreach (var c in columns!)
            {
                if (categories.TryGetValue(c, out var cats))
                {
                    var order = EncodedData.EncodeLabels(cats.List).Classes;
                    sorted[c] = order;
                    names.AddRange(order.Select(k => $"{c}={k}"));
                }
                else names.Add(c);
            }
            var shape = Shapes.Validate(featureShape ?? new[] { names.Count }, "FeatureShape");
            if (Shapes.Product(shape) != names.Count)
                throw KerasException.BadArgument("InvalidFeatureShape",
                    $"-FeatureShape {string.Join(",", shape)} holds {Shapes.Product(shape)} values per row, "
                        + $"but the data has {names.Count} features per row. Give a shape whose product is {names.Count}.", shape);
            string[]? classes = anyClasses ? EncodedData.EncodeLabels(ClassRows.Keys.ToList()).Classes : null;
            return new EncodedData(Array.Empty<float>(), shape, names, targetName,
                classes is null ? null : Array.Empty<int>(), classes, anyValues ? Array.Empty<float>() : null, targetWidth)
            {
                Metadata = new Dictionary<string, object?> { ["Source"] = path, ["Categories"] = sorted },
                Categories = sorted,
                SourceColumns = columns!.ToArray(),
            };
        }
    }
}
