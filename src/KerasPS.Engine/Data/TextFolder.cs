using System.Text;

namespace KerasPS.Engine.Data;

/// <summary>Settings of <see cref="TextFolder.Load"/>, as keras.utils.text_dataset_from_directory names them.</summary>
public sealed class TextFolderOptions
{
    /// <summary>int, categorical or binary (class labels; binary needs two classes), or none (texts only).</summary>
    public string LabelMode { get; init; } = "int";

    /// <summary>The class folders to read, in label order; null for every subfolder, sorted by name.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
    public double ValidationSplit { get; init; }

    /// <summary>training or validation (with a validation split), or null for every file.</summary>
    public string? Subset { get; init; }
    public bool Shuffle { get; init; } = true;
    public long? Seed { get; init; }

    /// <summary>Texts longer than this are cut to it (in characters); null keeps them whole.</summary>
    public int? MaxLength { get; init; }

    /// <summary>The name of the dataset's text column.</summary>
    public string Column { get; init; } = "text";
}

/// <summary>
/// keras.utils.text_dataset_from_directory (keras/src/utils/text_dataset_utils.py and dataset_utils.index_directory): one
/// subfolder per class, the <c>.txt</c> files under it (recursively, in sorted order), shuffled with NumPy's legacy
/// RandomState(seed) as Keras shuffles them, then the last <c>int(split * n)</c> files are the validation subset. The
/// files are read as strict UTF-8; one that is not valid UTF-8 is left out and reported, and the others load.
/// </summary>
public static class TextFolder
{
    public static readonly IReadOnlyList<string> LabelModes = new[] { "int", "categorical", "binary", "none" };

    /// <summary>The dataset of one subset (or all files), and the files that could not be read with the reason.</summary>
    public static (EncodedData Data, IReadOnlyList<(string File, string Reason)> Failed) Load(string folder, TextFolderOptions o)
    {
        if (!LabelModes.Contains(o.LabelMode))
            throw KerasException.BadArgument("InvalidLabelMode",
                $"-LabelMode must be one of {string.Join(", ", LabelModes)}. Received: {o.LabelMode}.", o.LabelMode);
        if (!Directory.Exists(folder))
            throw KerasException.BadArgument("FolderNotFound", $"'{folder}' is not a folder. Give a folder with one subfolder per class.",
                folder);
        if (o.ValidationSplit is < 0 or >= 1)
            throw KerasException.BadArgument("InvalidValidationSplit",
                $"-ValidationSplit must be at least 0 and below 1. Received: {o.ValidationSplit}.", o.ValidationSplit);
        if (o.Subset is not null && o.Subset is not ("training" or "validation"))
            throw KerasException.BadArgument("InvalidSubset", $"-Subset must be training or validation. Received: {o.Subset}.", o.Subset);
        if ((o.Subset is null) != (o.ValidationSplit == 0))
            throw KerasException.BadArgument("InvalidSubset",
                "Give -ValidationSplit and -Subset together (as Keras's validation_split and subset), or neither.");
        if (o.ValidationSplit > 0 && o.Shuffle && o.Seed is null)
            throw KerasException.BadArgument("SeedNeeded",
                "A validation split of shuffled files needs -Seed, so that the training and validation subsets do not overlap.");

        var subdirs = Directory.GetDirectories(folder).Select(Path.GetFileName).Select(n => n!)
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
        List<string> classes;
        if (o.ClassNames is { } given)
        {
            var missing = given.Where(c => !subdirs.Contains(c, StringComparer.Ordinal)).ToArray();
            if (missing.Length > 0)
                throw KerasException.BadArgument("UnknownClassFolder",
                    $"-ClassNames names {string.Join(", ", missing)}, which '{folder}' has no subfolder for. Its subfolders: "
                        + $"{string.Join(", ", subdirs)}.", missing[0]);
            classes = given.ToList();
        }
        else classes = subdirs;
        if (o.LabelMode == "binary" && classes.Count != 2)
            throw KerasException.BadArgument("BinaryNeedsTwoClasses",
                $"-LabelMode binary needs exactly 2 class folders; '{folder}' has {classes.Count}: {string.Join(", ", classes)}.");

        var files = new List<string>();
        var labels = new List<int>();
        for (int c = 0; c < classes.Count; c++)
        {
            var root = Path.Combine(folder, classes[c]);
            // Keras: os.walk sorted by directory, then the files of each sorted, .txt (any case) only
            foreach (var dir in new[] { root }.Concat(Directory.GetDirectories(root, "*", SearchOption.AllDirectories))
                .OrderBy(d => d, StringComparer.Ordinal))
                foreach (var f in Directory.GetFiles(dir).OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal))
                    if (f.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)) { files.Add(f); labels.Add(c); }
        }
        if (o.Shuffle)
        {
            uint seed = (uint)(o.Seed ?? Random.Shared.NextInt64(0, 1_000_000));
            MersenneTwister.NumPyRandomState(seed).NumPyShuffle(files);
            MersenneTwister.NumPyRandomState(seed).NumPyShuffle(labels);
        }
        int start = 0, count = files.Count;
        if (o.ValidationSplit > 0)
        {
            int nVal = (int)(o.ValidationSplit * files.Count);
            int nTrain = files.Count - nVal;
            (start, count) = o.Subset == "training" ? (0, nTrain) : (nTrain, nVal);
        }

        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var texts = new string?[count];
        var reasons = new string?[count];
        Parallel.For(0, count, i =>
        {
            var file = files[start + i];
            try
            {
                var bytes = File.ReadAllBytes(file);
                int skip = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
                var text = strict.GetString(bytes, skip, bytes.Length - skip);
                texts[i] = o.MaxLength is int max && text.Length > max ? text[..max] : text;
            }
            catch (DecoderFallbackException e)
            {
                reasons[i] = $"it is not valid UTF-8 (byte {e.Index} of the text); save it as UTF-8";
            }
            catch (IOException e) { reasons[i] = e.Message; }
            catch (UnauthorizedAccessException e) { reasons[i] = e.Message; }
        });
        var failed = new List<(string, string)>();
        var keep = new List<int>();
        for (int i = 0; i < count; i++)
            if (reasons[i] is { } r) failed.Add((files[start + i], r)); else keep.Add(i);
        var kept = keep.Select(i => texts[i]!).ToArray();
        var keys = keep.Select(i => Path.GetRelativePath(folder, files[start + i])).ToArray();
        bool labelled = o.LabelMode != "none" && classes.Count > 0;
        var data = new EncodedData(new float[kept.Length], new[] { 1 }, new[] { o.Column }, labelled ? "label" : null,
            labelled ? keep.Select(i => labels[start + i]).ToArray() : null, labelled ? classes : null)
        {
            Metadata = new Dictionary<string, object?> { ["Source"] = Path.GetFullPath(folder) },
            TextColumns = new Dictionary<string, IReadOnlyList<string>> { [o.Column] = kept },
            SourceColumns = new[] { o.Column },
            RowKeys = keys,
            RowKeyName = "file",
        };
        return (data, failed);
    }
}
