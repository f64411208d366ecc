namespace KerasPS.Engine.Data.Images;

/// <summary>Keras's label_mode: how class labels are handed to the loss (the dataset keeps class indices either way).</summary>
public enum ImageLabelMode { Int, Categorical, Binary, None }

/// <summary>The settings of <see cref="ImageFolder.Index"/>: Keras image_dataset_from_directory's arguments.</summary>
public sealed class ImageFolderOptions
{
    /// <summary>How labels are given (none: a dataset without a target).</summary>
    public ImageLabelMode LabelMode { get; init; } = ImageLabelMode.Int;

    /// <summary>The class subfolders to use, in label order; null: every subfolder, in alphanumeric order.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Shuffle the file list (NumPy's RandomState(seed).shuffle, as Keras); false: alphanumeric order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The shuffle's seed; null draws one.</summary>
    public long? Seed { get; init; }

    /// <summary>The fraction of files kept for validation (the last ones after shuffling); 0 for none.</summary>
    public double ValidationSplit { get; init; }
}

/// <summary>The files of an image folder with their labels, in the order Keras gives them.</summary>
/// <param name="Paths">Full file paths.</param>
/// <param name="Labels">Each file's class index, or null without labels.</param>
/// <param name="ClassNames">The classes in label order, or null without labels.</param>
/// <param name="Seed">The shuffle seed used (given or drawn).</param>
public sealed record ImageFileList(IReadOnlyList<string> Paths, int[]? Labels, IReadOnlyList<string>? ClassNames, long Seed)
{
    /// <summary>Keras's get_training_or_validation_split: the first files train, the last int(split * n) validate.</summary>
    public (ImageFileList Training, ImageFileList Validation) Split(double validationSplit)
    {
        int nVal = (int)(validationSplit * Paths.Count), nTrain = Paths.Count - nVal;
        return (Take(0, nTrain), Take(nTrain, nVal));
    }

    private ImageFileList Take(int start, int count) =>
        new(Paths.Skip(start).Take(count).ToArray(), Labels?.Skip(start).Take(count).ToArray(), ClassNames, Seed);
}

/// <summary>
/// Keras's image_dataset_from_directory over a folder: one subfolder per class (labels by folder, classes in
/// alphanumeric order unless given), files found recursively in each, sorted, then shuffled with NumPy's legacy
/// generator so that the same seed gives Keras's file order and training/validation split.
/// </summary>
public static class ImageFolder
{
    /// <summary>Lists the image files of <paramref name="directory"/> with their labels (Keras's index_directory).</summary>
    public static ImageFileList Index(string directory, ImageFolderOptions options)
    {
        if (!Directory.Exists(directory))
            throw new KerasException("ImageFolderNotFound", ErrorKind.ObjectNotFound,
                $"The image folder '{directory}' does not exist; give a folder with one subfolder of images per class.")
            { Target = directory };
        if (options.ValidationSplit is < 0 or >= 1 || double.IsNaN(options.ValidationSplit))
            throw KerasException.BadArgument("InvalidValidationSplit",
                $"The validation split must be in [0, 1). Received: {options.ValidationSplit}.", options.ValidationSplit);
        bool labelled = options.LabelMode != ImageLabelMode.None;
        IReadOnlyList<string> classes;
        if (labelled)
        {
            var subdirs = Directory.EnumerateDirectories(directory).Select(d => Path.GetFileName(d))
                .Where(d => !d.StartsWith('.')).OrderBy(d => d, StringComparer.Ordinal).ToArray();
            if (options.ClassNames is { } given)
            {
                var missing = given.Where(g => !subdirs.Contains(g, StringComparer.Ordinal)).ToArray();
                if (missing.Length > 0)
                    throw KerasException.BadArgument("UnknownClassName",
                        $"The class names {string.Join(", ", missing)} are not subfolders of '{directory}'. "
                            + $"Subfolders: {string.Join(", ", subdirs)}.", missing);
                classes = given.ToArray();
            }
            else classes = subdirs;
            if (options.LabelMode == ImageLabelMode.Binary && classes.Count != 2)
                throw KerasException.BadArgument("BinaryNeedsTwoClasses",
                    $"LabelMode binary needs exactly 2 classes; '{directory}' has {classes.Count} ({string.Join(", ", classes)}). "
                        + "Use -LabelMode int or categorical, or -ClassNames with two of them.");
        }
        else classes = new[] { "" };

        var paths = new List<string>();
        var labels = new List<int>();
        for (int c = 0; c < classes.Count; c++)
        {
            var root = classes[c].Length == 0 ? directory : Path.Combine(directory, classes[c]);
            foreach (var file in WalkSorted(root))
            {
                paths.Add(file);
                labels.Add(c);
            }
        }
        if (paths.Count == 0)
            throw KerasException.BadData("NoImagesFound",
                $"No image files found in '{directory}' (allowed: {string.Join(", ", ImageDecoder.Extensions)}).", directory);
        long seed = options.Seed ?? MersenneTwister.RandomSeed() % 1_000_000;
        var labelArray = labels.ToArray();
        if (options.Shuffle)
        {
            // Keras shuffles the paths and the labels with two generators from the same seed: the same permutation.
            uint s = (uint)(seed & 0xffffffff);
            MersenneTwister.NumPyRandomState(s).NumPyShuffle(paths);
            MersenneTwister.NumPyRandomState(s).NumPyShuffle(labelArray);
        }
        return new ImageFileList(paths, labelled ? labelArray : null, labelled ? classes : null, seed);
    }

    /// <summary>Files under <paramref name="root"/> (all depths) with an image extension: folders in path order, names sorted.</summary>
    private static IEnumerable<string> WalkSorted(string root)
    {
        // os.walk sorted by the folder path, then each folder's file names sorted: Python's code-point order.
        var folders = new List<string> { root };
        folders.AddRange(Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories));
        foreach (var folder in folders.OrderBy(f => f, StringComparer.Ordinal))
        {
            foreach (var name in Directory.EnumerateFiles(folder).Select(f => Path.GetFileName(f)).OrderBy(f => f, StringComparer.Ordinal))
                if (ImageDecoder.IsImageFile(name)) yield return Path.Combine(folder, name);
        }
    }

    /// <summary>
    /// Decodes the files of <paramref name="files"/> into an in-memory dataset (features Height x Width x Channels, float32
    /// 0-255); files that fail are left out and returned beside it.
    /// </summary>
    public static (EncodedData Data, IReadOnlyList<ImageFailure> Failures) Load(ImageFileList files, ImageLoadOptions options,
        ImageLabelMode labelMode, string source, CancellationToken cancel = default)
    {
        var batch = ImageDecoder.DecodeBatch(files.Paths, options, cancel);
        var failed = new HashSet<int>(batch.Failures.Select(f => f.Index));
        var keep = Enumerable.Range(0, files.Paths.Count).Where(i => !failed.Contains(i)).ToArray();
        return FromBatch(files, batch, options, keep, labelMode, source);
    }

    /// <summary>The dataset of the rows <paramref name="keep"/> of a decoded batch of <paramref name="files"/>.</summary>
    public static (EncodedData Data, IReadOnlyList<ImageFailure> Failures) FromBatch(ImageFileList files, ImageBatch batch,
        ImageLoadOptions options, int[] keep, ImageLabelMode labelMode, string source)
    {
        float[] pixels = batch.Pixels;
        int size = options.PixelCount;
        if (keep.Length != files.Paths.Count)
        {
            pixels = new float[(long)keep.Length * size];
            for (int i = 0; i < keep.Length; i++) Array.Copy(batch.Pixels, (long)keep[i] * size, pixels, (long)i * size, size);
        }
        var paths = keep.Select(i => files.Paths[i]).ToArray();
        int[]? labels = files.Labels is null ? null : keep.Select(i => files.Labels[i]).ToArray();
        var data = new EncodedData(pixels, options.Shape, Array.Empty<string>(),
            labels is null ? null : "label", labels, labels is null ? null : files.ClassNames)
        {
            Metadata = new Dictionary<string, object?>
            {
                ["Source"] = source,
                ["FilePaths"] = paths,
                ["LabelMode"] = labelMode.ToString().ToLowerInvariant(),
                ["Seed"] = files.Seed,
            },
            RowKeys = paths,
            RowKeyName = "path",
        };
        return (data, batch.Failures);
    }
}
