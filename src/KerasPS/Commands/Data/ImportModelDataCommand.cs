using System.Management.Automation;
using KerasPS.Engine.Data;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Data;

/// <summary>
/// <para type="synopsis">Loads a CSV file with a header (or a Parquet file) into a dataset: float32 features and an encoded target, ready
/// to train on.</para>
/// <para type="description">Reads the file with CsvHelper's SIMD reader and parses numbers straight from its UTF-8 bytes (the 12 MB Otto
/// training file loads in a fraction of a second). The first line must name the columns; quoted fields, CRLF or LF line ends, UTF-8 with or
/// without a byte order mark and a trailing empty line are all accepted.</para>
/// <para type="description">Columns: -Target names the target (leave it out for a file of features only, such as a test file); every other
/// column is a feature unless -Exclude leaves it out or -Feature lists the features to keep. A target with text is a classification target
/// (classes sorted: numerically when every label is a number, otherwise ordinally); an all-numeric target is a regression target unless
/// -TargetKind Classification says otherwise.</para>
/// <para type="description">Non-numeric features are one-hot encoded: a column whose first value is text gets one feature per category
/// (named column=category, categories sorted), and its category list is kept in the dataset's Categories. Load test data with -Template
/// $train so that it is encoded into the same columns. A number in a text column, or text in a number column, is an error naming the row
/// and column; -Categorical treats a column of codes as categories.</para>
/// <para type="description">No value is changed silently. Numbers are parsed to the nearest float32 (sign, digits, one decimal point, an
/// optional exponent; invariant culture); a number that float32 cannot hold (1e39, Inf, 1e999, or a non-zero value such as 1e-50 that would
/// become 0) is a NumberOutOfRange error at its own row and column. Text is decoded strictly: a byte that is not valid UTF-8 is an
/// InvalidEncoding error naming its row and column (give -Encoding for Latin-1 or other files), and a NUL byte in a cell is an
/// InvalidCharacter error.</para>
/// <para type="description">Each file is loaded whole or not at all; a failure is a non-terminating error about that file (its path is the
/// TargetObject) and the other files go on: FileNotFound (ObjectNotFound); PathIsFolder (InvalidArgument); EmptyFile, NoHeader, NoDataRows,
/// RaggedRow, NonNumericValue, NumberOutOfRange, MixedColumn, MissingValue, MalformedCsv, DuplicateColumn, InvalidEncoding,
/// InvalidCharacter (InvalidData, with row and column); TargetNotFound, ColumnNotFound (InvalidArgument, listing the columns). Empty cells
/// and missing-value markers (NA, N/A, NaN, null, None, #N/A, ?) are errors, one listing every column with empty cells, unless
/// -MissingValue fills them: a number, or a rule per column as scikit-learn's SimpleImputer (mean, median, most_frequent, a constant),
/// learnt on this file and kept in the dataset (MissingFills) for -Template and for a model's predictions on piped objects.</para>
/// </summary>
/// <example><code>$train = Import-ModelData ./train.csv -Target target -Exclude id</code></example>
/// <example><code>$test = Import-ModelData ./test.csv -Exclude id -Template $train</code></example>
/// <example><code># ids kept as row keys for a submission
/// $test = Import-ModelData ./test.csv -IdColumn id -Template $train</code></example>
/// <example><code>Get-ChildItem ./data/*.csv | Import-ModelData -Target y -MissingValue 0</code></example>
/// <example><code># empty cells filled as scikit-learn's SimpleImputer, learnt on train.csv; test.csv gets the same fills
/// $train = Import-ModelData ./train.csv -Target Survived -MissingValue @{ Age = 'median'; Cabin = 'missing'; Fare = 0 } -AddIndicator
/// $test = Import-ModelData ./test.csv -Template $train</code></example>
/// <example><code>Import-ModelData ./digits.csv -Target label -FeatureShape 28,28,1</code></example>
/// <example><code># Parquet: by extension (or -Format Parquet), in memory or streamed by row group
/// $train = Import-ModelData ./train.parquet -Target label -Stream</code></example>
/// <example><code># a file larger than memory: read in batches by fit, evaluate and predict
/// $train = Import-ModelData ./big.csv -Target y -Stream -ShuffleBuffer 50000
/// $test = Import-ModelData ./big-test.csv -Target y -Stream -Template $train</code></example>
/// <example><code># parse once, then read the encoded rows from a cache on disk each epoch (tf.data's cache())
/// $train = Import-ModelData ./big.csv -Target y -Stream -Cache -CacheFile /mnt/scratch/big.cache</code></example>
/// <example><code># two inputs and two outputs, for New-Model -Inputs $numbers, $text -Outputs $class, $price
/// $inputs = @{ numbers = 'a', 'b', 'c'; text = 'd' }
/// $data = Import-ModelData ./items.csv -Inputs $inputs -Targets @{ class = 'label'; price = 'price' }</code></example>
[Cmdlet(VerbsData.Import, "ModelData")]
[OutputType(typeof(Dataset))]
public sealed class ImportModelDataCommand : DataEncodingCommandBase
{
    /// <summary>Path of the CSV (or Parquet) file; also FileInfo objects from Get-ChildItem (by FullName/PSPath).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = null!;

    /// <summary>The target column (class labels or numbers). Without it the dataset has features only.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(CsvColumnCompleter))]
    public string? Target { get; set; }

    /// <summary>Columns to leave out, such as an id column.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(CsvColumnCompleter))]
    public string[]? Exclude { get; set; }

    /// <summary>A column kept as each row's key (such as Kaggle's id), not a feature: Invoke-ModelPredict writes it as the first property
    /// of each prediction.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(CsvColumnCompleter))]
    public string? IdColumn { get; set; }

    /// <summary>The feature columns to keep, in this order; by default every column but the target and -Exclude.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(CsvColumnCompleter))]
    public string[]? Feature { get; set; }

    /// <summary>Columns to one-hot encode as categories even when their values are numbers (codes, zip codes).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(CsvColumnCompleter))]
    public string[]? Categorical { get; set; }

    /// <summary>The field separator; by default it is detected (comma, semicolon, tab or pipe).</summary>
    [Parameter]
    public char? Delimiter { get; set; }

    /// <summary>Text encoding, decoded strictly (a byte the encoding does not allow is an InvalidEncoding error): utf8 (default; a UTF-8,
    /// UTF-16 or UTF-32 byte order mark is honoured), utf8BOM, unicode, bigendianunicode, utf32, ascii, latin1, or a code page name or
    /// number.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public string? Encoding { get; set; }

    /// <summary>Read the file in batches instead of whole: the dataset holds only the file, its encoding (categories, classes, column
    /// order, from one pass over the file, or from -Template) and its row count. Invoke-ModelFit, -Evaluate and -Predict and
    /// Add-NormalizationLayer -Adapt read it chunk by chunk, so memory does not grow with the file; what needs rows in memory
    /// (Split-TrainTest, cross-validation, sweeps, $data[0]) refuses it with a StreamedDataset error.</summary>
    [Parameter]
    public SwitchParameter Stream { get; set; }

    /// <summary>Csv or Parquet; by default Parquet for a .parquet, .parq or .pq file or one that starts with Parquet's magic bytes,
    /// otherwise Csv. Parquet columns follow the CSV rules: numbers are numbers, strings categories, booleans the categories
    /// True/False, nulls missing values; a Parquet file streams row group by row group.</summary>
    [Parameter]
    [ValidateSet("Csv", "Parquet")]
    public string? Format { get; set; }

    /// <summary>With -Stream: rows the fit's shuffle buffer holds (tf.data's shuffle(buffer_size)): each batch row is drawn at random
    /// from the next this many rows of the file. Default 10000; the file's row count or more shuffles every row, exactly as the
    /// in-memory fit with the same -Seed. Memory grows with it: about rows x features x 4 bytes.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? ShuffleBuffer { get; set; }

    /// <summary>With -Stream: cache the encoded rows on disk (tf.data's cache(filename)). The first complete pass over the file (the
    /// first epoch) also writes its rows as float32 to a binary file in the temp folder (or -CacheFile), and later epochs, fits,
    /// evaluations and predictions read that in chunks instead of parsing the file again: the same batches and losses, faster.
    /// It takes rows x (features + 1) x 4 bytes of disk; with too little room it stays off with a warning. The file is deleted
    /// when the dataset is no longer used or the process ends, and a changed source file is parsed again.</summary>
    [Parameter]
    public SwitchParameter Cache { get; set; }

    /// <summary>With -Stream: the file -Cache writes (a new file in an existing folder, e.g. on a disk with more room than the
    /// temp folder's); implies -Cache. It is deleted when the dataset is no longer used or the process ends.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CacheFile { get; set; }

    protected override void Process() =>
        ForEachInput(Path, path => ForEachInput(ResolveInputFiles(path, literal: true, "FileNotFound", "File"), full =>
        {
            var feature = Feature;
            if ((feature is null || feature.Length == 0) && Template?.Encoding.SourceColumns is { } cols) feature = cols.ToArray();
            (var target, feature) = TargetAndFeatures(Target, feature);
            var options = new CsvLoadOptions
            {
                Target = target,
                Exclude = Exclude,
                IdColumn = IdColumn,
                Feature = feature,
                Delimiter = Delimiter,
                Encoding = EncodingCompleter.Parse(Encoding),
                Tabular = EncodingOptions(Categorical),
            };
            var watch = System.Diagnostics.Stopwatch.StartNew();
            bool parquet = Format is { } f ? f.Equals("Parquet", StringComparison.OrdinalIgnoreCase)
                : System.IO.Path.GetExtension(full).ToLowerInvariant() is ".parquet" or ".parq" or ".pq" || ParquetLoader.IsParquet(full);
            if (ShuffleBuffer is not null && !Stream)
                throw Engine.KerasException.BadArgument("ShuffleBufferNeedsStream",
                    "-ShuffleBuffer sets the shuffle buffer of a streamed dataset; add -Stream (an in-memory fit shuffles every row).");
            if ((Cache || CacheFile is not null) && !Stream)
                throw Engine.KerasException.BadArgument("CacheNeedsStream",
                    "-Cache and -CacheFile cache the rows of a streamed dataset on disk; add -Stream "
                        + "(an in-memory dataset is parsed once).");
            if (Stream)
            {
                if (Inputs is not null || Targets is not null)
                    throw Engine.KerasException.BadArgument("StreamNotSupported",
                        "-Stream reads one input and one target; -Inputs and -Targets need the data in memory. Leave out -Stream.");
                var source = parquet ? Engine.Data.Streaming.FileSource.OpenParquet(full, options, ShuffleBuffer)
                    : Engine.Data.Streaming.FileSource.Open(full, options, ShuffleBuffer);
                WriteVerbose($"Streaming {source.Count:N0} rows x {source.Encoding.FeatureCount:N0} features from '{full}' "
                    + $"(encoding read in {watch.Elapsed.TotalSeconds:0.000} s; shuffle buffer {source.ShuffleBuffer:N0} rows).");
                if (Cache || CacheFile is not null)
                {
                    var cacheFile = CacheFile is null ? null : GetUnresolvedProviderPathFromPSPath(CacheFile);
                    if (source.UseCache(cacheFile) is { } warning) WriteWarning(warning);
                    else
                        WriteVerbose($"The first pass caches the encoded rows in '{source.Cache!.FilePath}' "
                            + $"({source.Cache.Bytes / 1048576.0:N1} MiB); later passes read them instead of parsing the file.");
                }
                WriteObject(new Dataset(source));
                return;
            }
            var data = WithBlocks(parquet ? ParquetLoader.Load(full, options) : CsvLoader.Load(full, options));
            WriteVerbose($"Loaded {data.Count:N0} rows x {data.FeatureCount:N0} features from '{full}' in "
                + $"{watch.Elapsed.TotalSeconds:0.000} s.");
            WriteObject(new Dataset(data));
        }));
}
