using KerasPS.Engine.Data.Streaming;

namespace KerasPS.Engine.Data.Images;

/// <summary>
/// An image folder read a batch at a time (Import-ImageData -Stream), as Keras's image_dataset_from_directory reads it: the
/// file list and labels are those of <see cref="ImageFolder.Index"/> (same order, same split), and a batch's files are
/// decoded and resized only when the batch is due, on the prefetch thread while the previous batch trains. Memory holds the
/// file list and a few batches, whatever the folder's size.
/// </summary>
/// <remarks>
/// Opening the source decodes every file once (in parallel, keeping no pixels) so that a damaged file is reported at import,
/// by name, as the in-memory import reports it, and left out: the row count is then fixed, which the fit's batches and the
/// training/validation split rely on, and the user can fix the folder before a long fit starts rather than have it stop at
/// the file's first batch. A file damaged after the import stops the fit with ImageDecodeFailed naming it.
/// </remarks>
public sealed class ImageSource : IRowSource
{
    /// <summary>Bytes of decoded pixels per chunk read in order (evaluate, predict, a fit without shuffling).</summary>
    public const int ChunkBytes = 16 << 20;

    private readonly IReadOnlyList<string> paths;
    private readonly int[]? labels;
    private readonly ImageLoadOptions options;
    private readonly int[] classCounts;

    private ImageSource(IReadOnlyList<string> paths, int[]? labels, IReadOnlyList<string>? classes, ImageLoadOptions options,
        Dictionary<string, object?> metadata, string source, int? shuffleBuffer)
    {
        this.paths = paths;
        this.labels = labels;
        this.options = options;
        Source = source;
        classCounts = new int[classes?.Count ?? 0];
        if (labels is not null) foreach (var l in labels) classCounts[l]++;
        Encoding = new EncodedData(Array.Empty<float>(), options.Shape, Array.Empty<string>(), labels is null ? null : "label",
            labels is null ? null : Array.Empty<int>(), labels is null ? null : classes)
        {
            Metadata = metadata,
        };
        ShuffleBuffer = Math.Max(1, shuffleBuffer ?? paths.Count);
    }

    /// <summary>
    /// Opens the files of <paramref name="files"/> as a stream: each is decoded once to find the damaged ones, which are left
    /// out and returned beside the source (the same files the in-memory <see cref="ImageFolder.Load"/> leaves out).
    /// </summary>
    /// <param name="files">The files and labels, in Keras's order (<see cref="ImageFolder.Index"/>, after any split).</param>
    /// <param name="options">Size, channels and resampling.</param>
    /// <param name="labelMode">Keras's label_mode, kept in the metadata as the in-memory dataset keeps it.</param>
    /// <param name="source">The folder, for messages.</param>
    /// <param name="shuffleBuffer">Files a fit's shuffle buffer holds (tf.data's buffer_size over the file list); null: every
    /// file, a full shuffle, since the buffer holds file indexes, not pixels.</param>
    /// <param name="cancel">Stops the check.</param>
    public static (ImageSource Source, IReadOnlyList<ImageFailure> Failures) Open(ImageFileList files, ImageLoadOptions options,
        ImageLabelMode labelMode, string source, int? shuffleBuffer = null, CancellationToken cancel = default)
    {
        options.Validate();
        if (shuffleBuffer is < 1)
            throw KerasException.BadArgument("InvalidShuffleBuffer",
                $"-ShuffleBuffer must be 1 or more files. Received: {shuffleBuffer}.", shuffleBuffer);
        var failures = ImageDecoder.Check(files.Paths, cancel);
        var failed = new HashSet<int>(failures.Select(f => f.Index));
        var keep = Enumerable.Range(0, files.Paths.Count).Where(i => !failed.Contains(i)).ToArray();
        var paths = keep.Select(i => files.Paths[i]).ToArray();
        int[]? labels = files.Labels is null ? null : keep.Select(i => files.Labels[i]).ToArray();
        var metadata = new Dictionary<string, object?>
        {
            ["Source"] = source,
            ["FilePaths"] = paths,
            ["LabelMode"] = labelMode.ToString().ToLowerInvariant(),
            ["Seed"] = files.Seed,
        };
        return (new ImageSource(paths, labels, labels is null ? null : files.ClassNames, options, metadata, source, shuffleBuffer),
            failures);
    }

    public int Count => paths.Count;
    public EncodedData Encoding { get; }
    public IReadOnlyList<int> ClassCounts => classCounts;
    public int ShuffleBuffer { get; }
    public string Source { get; }

    /// <summary>The files, in row order.</summary>
    public IReadOnlyList<string> Paths => paths;

    public void Read(int chunkRows, Func<EncodedData, bool> sink)
    {
        int chunk = Math.Max(1, Math.Min(chunkRows, ChunkBytes / (4 * options.PixelCount)));
        var rows = new int[Math.Min(chunk, Math.Max(1, Count))];
        var ring = new BufferRing();
        for (int s = 0; s < Count; s += chunk)
        {
            int len = Math.Min(chunk, Count - s);
            for (int i = 0; i < len; i++) rows[i] = s + i;
            if (!sink(ReadRows(rows.AsSpan(0, len), ring.Next((long)len * Encoding.FeatureCount)))) return;
        }
    }

    public EncodedData ReadRows(ReadOnlySpan<int> rows, float[]? features = null)
    {
        var files = new string[rows.Length];
        int[]? batchLabels = labels is null ? null : new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            files[i] = paths[rows[i]];
            if (batchLabels is not null) batchLabels[i] = labels![rows[i]];
        }
        var batch = ImageDecoder.DecodeBatch(files, options, features);
        if (batch.Failures.Count > 0)
        {
            var f = batch.Failures[0];
            throw KerasException.BadData(f.ErrorId,
                $"'{f.Path}' decoded when the folder was imported with -Stream and fails now: {f.Message} "
                    + "Restore the file, or import the folder again to leave it out.", f.Path);
        }
        return new EncodedData(batch.Pixels, Encoding.FeatureShape, Encoding.FeatureNames, Encoding.TargetName, batchLabels,
            Encoding.Classes)
        {
            RowKeys = files,
            RowKeyName = "path",
        };
    }
}
