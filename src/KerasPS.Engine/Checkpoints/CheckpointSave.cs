using System.Globalization;
using System.IO.Compression;
using KerasPS.Engine.Models;

namespace KerasPS.Engine.Checkpoints;

/// <summary>Writing a checkpoint: checks first, then the zip entries, hashed, through an atomic file.</summary>
public static partial class Checkpoint
{
    /// <summary>Writes a checkpoint of <paramref name="model"/> to <paramref name="path"/>, atomically.</summary>
    public static void Save(KerasModel model, string path, CheckpointSaveOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new CheckpointSaveOptions();
        var full = TargetPath(path);
        if (options.WeightsOnly && options.IncludeOptimizer)
            throw KerasException.BadArgument("ConflictingCheckpointOptions",
                "A weights-only checkpoint cannot hold optimizer state. Drop -IncludeOptimizer or -WeightsOnly.");
        if (!options.Overwrite && File.Exists(full))
            throw Exists(full);
        if (options.WeightsOnly && !model.IsBuilt)
            throw KerasException.BadOperation("ModelNotBuilt",
                $"Model '{model.Name}' has no weights yet, so there is nothing to save with -WeightsOnly. "
                + "Train it or give it an -InputShape first.");
        if (options.IncludeOptimizer && !model.IsCompiled)
            throw KerasException.BadOperation("ModelNotCompiled",
                $"Model '{model.Name}' is not compiled, so it has no optimizer state to include. Drop -IncludeOptimizer, "
                + "or compile it with Build-Model first.");

        var format = options.Format ?? KerasFiles.FormatOf(full);
        if (format != CheckpointFormat.KerasPS)
        {
            if (options.IncludeOptimizer)
                throw KerasException.BadArgument("KerasFileOptimizerState",
                    $"'{full}' is a Keras {(format == CheckpointFormat.Keras ? ".keras" : ".h5")} file, "
                        + "which KerasPS writes without optimizer state. Drop -IncludeOptimizer, "
                        + "or save to a .kpt file to resume training exactly.");
            if (!model.IsBuilt)
                throw KerasException.BadOperation("ModelNotBuilt",
                    $"Model '{model.Name}' has no weights yet, so a Keras file of it cannot be written. "
                    + "Train it or give it an -InputShape first.");
            WriteAtomically(full, options, stream => KerasFiles.Save(model, format, stream, options.WeightsOnly));
            return;
        }

        // Everything is checked before the file is opened, so a refusal never leaves a temporary file behind; values
        // are copied out one tensor at a time while writing.
        var weights = model.Weights.Select(w => (w.Path, w.Shape, (Func<float[]>)w.ToArray)).ToList();
        var optimizerTensors = new List<(string Name, long[] Shape, Func<float[]> Values)>();
        Dictionary<string, object?>? optimizerState = null;
        if (options.IncludeOptimizer) optimizerState = OptimizerStateEntry(model, optimizerTensors);
        var config = options.WeightsOnly ? WeightsOnlyConfig(model) : FullConfig(model);
        config["weights"] = model.Weights.Select(w =>
            new Dictionary<string, object?> { ["name"] = w.Path, ["shape"] = w.Shape, ["trainable"] = w.Trainable }).ToList();
        if (optimizerState is not null) config["optimizer_state"] = optimizerState;
        var files = new Dictionary<string, object?>();
        config["files"] = files;
        var metadata = new Dictionary<string, string> { ["producer"] = $"KerasPS {ProducerVersion}", ["layout"] = "keras" };

        WriteAtomically(full, options, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            files[WeightsEntry] = WriteTensors(zip, WeightsEntry, weights, metadata);
            if (optimizerState is not null) files[OptimizerEntry] = WriteTensors(zip, OptimizerEntry, optimizerTensors, metadata);
            var entry = zip.CreateEntry(ConfigEntry, CompressionLevel.Optimal);
            using var s = entry.Open();
            s.Write(CheckpointJson.Serialize(config));
        });
    }

    private static string TargetPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw KerasException.BadArgument("InvalidCheckpointPath", "The checkpoint path is empty. Give a file path such as model.kpt.");
        // Before GetFullPath, which on Windows trims a trailing dot or space.
        WindowsFileNames.CheckPath(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw KerasException.BadArgument("InvalidCheckpointPath",
                $"'{full}' is a folder. Give a file path such as {Path.Combine(full, "model.kpt")}.", path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new KerasException("CheckpointFolderNotFound", ErrorKind.ObjectNotFound,
                $"The folder '{dir}' does not exist. Create it first (New-Item -ItemType Directory).") { Target = path };
        return full;
    }

    private static KerasException Exists(string full) =>
        new("CheckpointExists", ErrorKind.ResourceExists,
            $"'{full}' already exists. Use -Force to replace it, or choose another path.") { Target = full };

    /// <summary>Writes through <see cref="AtomicFile"/> and reports failures as checkpoint errors.</summary>
    private static void WriteAtomically(string full, CheckpointSaveOptions options, Action<Stream> write)
    {
        try
        {
            AtomicFile.Write(full, write, options.Overwrite);
        }
        catch (IOException e) when (e is not FileInUseException && !options.Overwrite && File.Exists(full)) { throw Exists(full); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasException("CheckpointWriteFailed", ErrorKind.ResourceUnavailable,
                $"Could not write checkpoint '{full}': {e.Message} Any file already at that path is unchanged.", e) { Target = full };
        }
    }

    private static Dictionary<string, object?> WriteTensors(ZipArchive zip, string name,
        IReadOnlyList<(string, long[], Func<float[]>)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        // Stored, not deflated: float noise barely compresses, and an unzipped copy is byte for byte what was written.
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var s = entry.Open();
        using var h = new HashingStream(s);
        SafeTensors.Write(h, tensors, metadata);
        return new Dictionary<string, object?> { ["sha256"] = h.Sha256(), ["bytes"] = h.BytesSeen };
    }

    private static Dictionary<string, object?> Header() => new()
    {
        ["format"] = FormatName,
        ["format_version"] = FormatVersion,
        ["kerasps_version"] = ProducerVersion,
        ["saved_at"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
    };

    private static Dictionary<string, object?> WeightsOnlyConfig(KerasModel model)
    {
        var c = Header();
        c["weights_only"] = true;
        c["model_name"] = model.Name;
        c["input_shape"] = model.InputShape;
        return c;
    }

    /// <summary>config.json of a full checkpoint: the header, then the model's own configs (layers, compile, training state).</summary>
    private static Dictionary<string, object?> FullConfig(KerasModel model)
    {
        var c = Header();
        c["weights_only"] = false;
        c["model"] = model.GetConfig();
        c["compile"] = model.GetCompileConfig();
        c["training"] = model.GetTrainingState();
        return c;
    }
}
