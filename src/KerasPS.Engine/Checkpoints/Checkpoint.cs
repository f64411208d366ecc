using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Models;
using KerasPS.Engine.Native;
using KerasPS.Engine.Training;
using KerasPS.Engine.Training.Optimizers;

namespace KerasPS.Engine.Checkpoints;

/// <summary>How <see cref="Checkpoint.Save"/> writes a checkpoint.</summary>
public sealed class CheckpointSaveOptions
{
    /// <summary>Also store the optimizer's moments, step count and learning rate, so that a fit can resume exactly.</summary>
    public bool IncludeOptimizer { get; set; }

    /// <summary>Store only the weights (Keras save_weights); load them with <see cref="Checkpoint.LoadWeightsInto"/>.</summary>
    public bool WeightsOnly { get; set; }

    /// <summary>Replace an existing file; otherwise an existing file is a <c>CheckpointExists</c> error.</summary>
    public bool Overwrite { get; set; }
}

/// <summary>
/// KerasPS checkpoints: one zip file holding <c>config.json</c> (model, compile and training state) and
/// <c>model.safetensors</c> (every weight, named <c>layer/weight</c>, kernels in Keras's (in, out) layout), plus
/// <c>optimizer.safetensors</c> when the optimizer state is included. Writes are atomic; reads validate everything
/// before use and never run code from the file. The format is described in module/CHECKPOINT-FORMAT.md.
/// This class is about the file (zip entries, hashes, atomicity, validation); what goes into config.json comes from
/// the objects themselves: <see cref="SequentialModel.GetConfig"/> and the layers' own configs, the model's compile
/// config and training state, and <see cref="Optimizer.GetState"/>.
/// </summary>
public static class Checkpoint
{
    /// <summary>The format version this code writes and the only one it reads.</summary>
    public const int FormatVersion = 1;
    public const string FormatName = "kerasps.checkpoint";
    public const string ConfigEntry = "config.json";
    public const string WeightsEntry = "model.safetensors";
    public const string OptimizerEntry = "optimizer.safetensors";

    /// <summary>Marks, in a layer's entry of config.json, a layer whose config carries code (a script block).</summary>
    public const string UnsafeFlag = SequentialModel.UnsafeFlag;

    private const long MaxConfigBytes = 64L * 1024 * 1024;

    /// <summary>Version of KerasPS written into checkpoints.</summary>
    public static string ProducerVersion { get; } =
        typeof(Checkpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Checkpoint).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    internal static KerasException Invalid(string message) => KerasException.BadData("InvalidCheckpoint", message);

    // ------------------------------------------------------------------ save

    /// <summary>Writes a checkpoint of <paramref name="model"/> to <paramref name="path"/>, atomically.</summary>
    public static void Save(SequentialModel model, string path, CheckpointSaveOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new CheckpointSaveOptions();
        var full = TargetPath(path);
        if (options.WeightsOnly && options.IncludeOptimizer)
            throw KerasException.BadArgument("ConflictingCheckpointOptions", "A weights-only checkpoint cannot hold optimizer state. Drop -IncludeOptimizer or -WeightsOnly.");
        if (!options.Overwrite && File.Exists(full))
            throw Exists(full);
        if (options.WeightsOnly && !model.IsBuilt)
            throw KerasException.BadOperation("ModelNotBuilt", $"Model '{model.Name}' has no weights yet, so there is nothing to save with -WeightsOnly. Train it or give it an -InputShape first.");
        if (options.IncludeOptimizer && !model.IsCompiled)
            throw KerasException.BadOperation("ModelNotCompiled", $"Model '{model.Name}' is not compiled, so it has no optimizer state to include. Drop -IncludeOptimizer, or compile it with Build-Model first.");

        var format = KerasFiles.FormatOf(full);
        if (format != CheckpointFormat.KerasPS)
        {
            if (options.IncludeOptimizer)
                throw KerasException.BadArgument("KerasFileOptimizerState",
                    $"'{full}' is a Keras {(format == CheckpointFormat.Keras ? ".keras" : ".h5")} file, which KerasPS writes without optimizer state. Drop -IncludeOptimizer, or save to a .kpt file to resume training exactly.");
            if (!model.IsBuilt)
                throw KerasException.BadOperation("ModelNotBuilt", $"Model '{model.Name}' has no weights yet, so a Keras file of it cannot be written. Train it or give it an -InputShape first.");
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
        config["weights"] = model.Weights.Select(w => new Dictionary<string, object?> { ["name"] = w.Path, ["shape"] = w.Shape, ["trainable"] = w.Trainable }).ToList();
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
        if (string.IsNullOrWhiteSpace(path)) throw KerasException.BadArgument("InvalidCheckpointPath", "The checkpoint path is empty. Give a file path such as model.kpt.");
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw KerasException.BadArgument("InvalidCheckpointPath", $"'{full}' is a folder. Give a file path such as {Path.Combine(full, "model.kpt")}.", path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new KerasException("CheckpointFolderNotFound", ErrorKind.ObjectNotFound, $"The folder '{dir}' does not exist. Create it first (New-Item -ItemType Directory).") { Target = path };
        return full;
    }

    private static KerasException Exists(string full) =>
        new("CheckpointExists", ErrorKind.ResourceExists, $"'{full}' already exists. Use -Force to replace it, or choose another path.") { Target = full };

    /// <summary>Writes through <see cref="AtomicFile"/> and reports failures as checkpoint errors.</summary>
    private static void WriteAtomically(string full, CheckpointSaveOptions options, Action<Stream> write)
    {
        try
        {
            AtomicFile.Write(full, write, options.Overwrite);
        }
        catch (IOException) when (!options.Overwrite && File.Exists(full)) { throw Exists(full); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasException("CheckpointWriteFailed", ErrorKind.ResourceUnavailable,
                $"Could not write checkpoint '{full}': {e.Message} Any file already at that path is unchanged.", e) { Target = full };
        }
    }

    private static Dictionary<string, object?> WriteTensors(ZipArchive zip, string name, IReadOnlyList<(string, long[], Func<float[]>)> tensors, IReadOnlyDictionary<string, string> metadata)
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

    private static Dictionary<string, object?> WeightsOnlyConfig(SequentialModel model)
    {
        var c = Header();
        c["weights_only"] = true;
        c["model_name"] = model.Name;
        c["input_shape"] = model.InputShape;
        return c;
    }

    /// <summary>config.json of a full checkpoint: the header, then the model's own configs (layers, compile, training state).</summary>
    private static Dictionary<string, object?> FullConfig(SequentialModel model)
    {
        var c = Header();
        c["weights_only"] = false;
        c["model"] = model.GetConfig();
        c["compile"] = model.GetCompileConfig();
        c["training"] = model.GetTrainingState();
        return c;
    }

    /// <summary>
    /// The optimizer's state (<see cref="Optimizer.GetState"/>) as config.json records it: its scalars by name, and one
    /// tensor per slot, named <c>layer/weight/slot</c>, queued for optimizer.safetensors.
    /// </summary>
    private static Dictionary<string, object?> OptimizerStateEntry(SequentialModel model, List<(string, long[], Func<float[]>)> tensors)
    {
        var optimizer = model.Optimizer!;
        var state = optimizer.GetState();
        var slots = new List<object?>();
        var modelWeights = model.Weights.ToHashSet();
        foreach (var s in state.Slots)
        {
            // The state belongs to the weights of the last fit; after a layer was frozen or unfrozen it may not be the
            // model's trainable set any more, and must not be saved under the wrong names.
            if (!modelWeights.Contains(s.Weight) || !s.Weight.Trainable || !s.Weight.Owner.Trainable)
                throw KerasException.BadOperation("OptimizerStateMismatch",
                    $"The optimizer state of model '{model.Name}' no longer lines up with its trainable weights (a layer's Trainable setting changed since the last fit). Save without -IncludeOptimizer, or fit once more first.");
            var name = $"{s.Weight.Path}/{s.Slot}";
            var value = s.Value;
            tensors.Add((name, value.shape, () => { using var c = value.detach().contiguous(); return c.data<float>().ToArray(); }));
            slots.Add(new Dictionary<string, object?> { ["tensor"] = name, ["weight"] = s.Weight.Path, ["slot"] = s.Slot });
        }
        var entry = new Dictionary<string, object?>
        {
            ["name"] = optimizer.Name,
            ["iterations"] = state.Iterations,
            ["learning_rate"] = state.LearningRate,
            ["slots"] = slots,
        };
        foreach (var (name, value) in state.Variables) entry[name] = value;
        return entry;
    }

    // ------------------------------------------------------------------ load

    /// <summary>
    /// Reads a checkpoint and returns the model, built and compiled as it was saved, with its weights, training state
    /// and (when saved) optimizer state. A layer that carries code is refused unless <paramref name="allowUnsafe"/>.
    /// </summary>
    public static SequentialModel Load(string path, bool allowUnsafe = false)
    {
        if (KerasFileAt(path) is { } keras) return KerasFiles.Load(keras.Full, keras.Format, allowUnsafe);
        using var file = OpenCheckpoint(path, out var zip, out var config);
        using (zip)
        {
            if (Bool(config, "weights_only"))
                throw KerasException.BadOperation("WeightsOnlyCheckpoint",
                    $"'{path}' holds only weights (saved with -WeightsOnly), not a model. Load them into a model with the same layers: Import-Checkpoint -Path '{path}' -WeightsInto $model.", path);
            // 1. Validate before build: every check that needs no layer, before any layer or tensor exists, and the
            // config against the weights header (CheckpointValidation), whose budget then admits only the file's weights.
            ValidateBeforeBuild(config, zip, allowUnsafe, path);
            // 2. Build the model from its config; 3. read weights (names and shapes checked before data is read),
            // training state and optimizer state; 4. apply them, only once everything has been read.
            SequentialModel model;
            using (CheckpointValidation.BeforeBuild(zip, config, path)) model = Rebuild(config, allowUnsafe, path);
            var values = ReadWeights(zip, config, model, "InvalidCheckpoint", ErrorKind.InvalidData, path);
            var training = ReadTraining(config, path);
            var optimizerState = config.GetValueOrDefault("optimizer_state") is Dictionary<string, object?> state ? ReadOptimizer(zip, config, state, model, path) : null;
            foreach (var w in model.Weights) w.Assign(values[w.Path]);
            training(model);
            optimizerState?.Invoke();
            return model;
        }
    }

    /// <summary>
    /// Resume in place (for <c>Invoke-ModelFit -Resume</c> and a restarted runbook that rebuilt its model): loads the
    /// weights (name by name), the optimizer state when the file has it, epochs trained, fit seed, history, classes and
    /// feature names of a full checkpoint into <paramref name="model"/>, which must have the same layers and, when the
    /// file holds optimizer state, be compiled with the same optimizer. Everything is read and checked first; on any
    /// error the model is unchanged. Continuing with <c>Trainer.Fit</c> (Epochs = the total) then matches an unbroken fit.
    /// </summary>
    public static void RestoreInto(SequentialModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (KerasFileAt(path) is { } keras)
            throw KerasException.BadOperation("KerasFileCannotResume",
                $"'{keras.Full}' is a Keras file, which holds no optimizer or training state to resume from. Resume from a .kpt checkpoint (New-ModelCheckpoint model.kpt), or import the Keras file and fit it afresh.", path);
        using var file = OpenCheckpoint(path, out var zip, out var config);
        using (zip)
        {
            if (Bool(config, "weights_only"))
                throw KerasException.BadOperation("WeightsOnlyCheckpoint",
                    $"'{path}' holds only weights (saved with -WeightsOnly), so there is no training state to resume from. Save full checkpoints (without -WeightsOnly) to resume.", path);
            if (!model.IsBuilt && InputShape(Dict(Dict(config, "model"), "config").GetValueOrDefault("input_shape"), path) is { } shape && model.Layers.Count > 0)
                using (CheckpointValidation.IntoModel(zip, path, "WeightsMismatch", ErrorKind.InvalidArgument)) model.Build(shape);
            var values = ReadWeights(zip, config, model, "WeightsMismatch", ErrorKind.InvalidArgument, path);
            var training = ReadTraining(config, path);
            Action? optimizerState = null;
            if (config.GetValueOrDefault("optimizer_state") is Dictionary<string, object?> state)
            {
                var saved = state.GetValueOrDefault("name") as string;
                if (model.Optimizer is null || (saved is not null && model.Optimizer.Name != saved))
                    throw KerasException.BadArgument("OptimizerMismatch",
                        $"'{path}' holds the state of optimizer '{saved}', but model '{model.Name}' is {(model.Optimizer is null ? "not compiled" : $"compiled with '{model.Optimizer.Name}'")}. Compile it with Build-Model -Optimizer {saved}, or import the checkpoint as a new model (Import-Checkpoint).", path);
                optimizerState = ReadOptimizer(zip, config, state, model, path);
            }
            foreach (var w in model.Weights) w.Assign(values[w.Path]);
            training(model);
            optimizerState?.Invoke();
        }
    }

    /// <summary>
    /// Keras load_weights: copies the weights of a checkpoint (full or weights-only) into <paramref name="model"/>, name by
    /// name. Every name and shape is checked first; on any mismatch one error lists them all and the model is unchanged.
    /// </summary>
    public static void LoadWeightsInto(SequentialModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (KerasFileAt(path) is { } keras) { KerasFiles.LoadWeightsInto(model, keras.Full, keras.Format); return; }
        using var file = OpenCheckpoint(path, out var zip, out var config);
        using (zip)
        {
            if (!model.IsBuilt)
            {
                var shape = InputShape(config.GetValueOrDefault("input_shape"), path)
                    ?? InputShape(((config.GetValueOrDefault("model") as Dictionary<string, object?>)?.GetValueOrDefault("config") as Dictionary<string, object?>)?.GetValueOrDefault("input_shape"), path);
                if (shape is null || model.Layers.Count == 0)
                    throw KerasException.BadOperation("ModelNotBuilt", $"Model '{model.Name}' has no weights to load into yet. Give it an -InputShape (New-Model -InputShape) first.");
                using (CheckpointValidation.IntoModel(zip, path, "WeightsMismatch", ErrorKind.InvalidArgument)) model.Build(shape);
            }
            var values = ReadWeights(zip, config, model, "WeightsMismatch", ErrorKind.InvalidArgument, path);
            foreach (var w in model.Weights) w.Assign(values[w.Path]);
        }
    }

    /// <summary>The full path and format when <paramref name="path"/> is an existing Keras file (by its content, not its name).</summary>
    private static (string Full, CheckpointFormat Format)? KerasFileAt(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) return null;
        var format = KerasFiles.Sniff(full);
        return format == CheckpointFormat.KerasPS ? null : (full, format);
    }

    private static FileStream OpenCheckpoint(string path, out ZipArchive zip, out Dictionary<string, object?> config)
    {
        if (string.IsNullOrWhiteSpace(path)) throw KerasException.BadArgument("InvalidCheckpointPath", "The checkpoint path is empty.");
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new KerasException("CheckpointNotFound", ErrorKind.ObjectNotFound, $"Checkpoint '{full}' does not exist. Check the path (Get-ChildItem *.kpt).") { Target = path };
        AtomicFile.RemoveStaleTemporaries(full);
        var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            Span<byte> magic = stackalloc byte[4];
            int got = file.Read(magic);
            if (got == 0) throw Invalid($"'{full}' is empty (0 bytes); it is not a KerasPS checkpoint.");
            if (got < 4 || magic[0] != (byte)'P' || magic[1] != (byte)'K' || !((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6)))
                throw Invalid($"'{full}' is not a KerasPS checkpoint: it does not start with the zip signature 'PK'. Checkpoints are written by Export-Checkpoint.");
            file.Position = 0;
            try { zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true); }
            catch (InvalidDataException e) { throw Invalid($"'{full}' is truncated or damaged: its zip directory cannot be read ({e.Message})"); }
            try
            {
                CheckEntryNames(zip, full);
                config = ReadConfig(zip, full);
                return file;
            }
            catch (InvalidDataException e) { zip.Dispose(); throw Invalid($"'{full}' is truncated or damaged: its zip directory cannot be read ({e.Message})"); }
            catch { zip.Dispose(); throw; }
        }
        catch { file.Dispose(); throw; }
    }

    private static void CheckEntryNames(ZipArchive zip, string full)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in zip.Entries)
        {
            var n = e.FullName;
            var parts = n.Split('/');
            if (n.Length == 0 || n.Contains('\\') || n.Contains(':') || n.StartsWith('/') || n.Contains('\0') || parts.Any(p => p is ".." or "."))
                throw Invalid($"'{full}' holds an entry with a path outside the archive: '{n}'. Checkpoints hold only plain names such as config.json; the file was not written by KerasPS or has been tampered with.");
            if (!seen.Add(n))
                throw Invalid($"'{full}' holds two entries named '{n}'; it is ambiguous which one to read.");
        }
    }

    private static Dictionary<string, object?> ReadConfig(ZipArchive zip, string full)
    {
        var entry = zip.GetEntry(ConfigEntry) ?? throw Invalid($"'{full}' has no {ConfigEntry}; it is not a KerasPS checkpoint.");
        if (entry.Length > MaxConfigBytes) throw Invalid($"'{full}': {ConfigEntry} declares {entry.Length} bytes, more than the {MaxConfigBytes} a config may have.");
        var bytes = new byte[entry.Length];
        object? parsed;
        try
        {
            using (var s = entry.Open())
            {
                int read = 0;
                while (read < bytes.Length) { int k = s.Read(bytes, read, bytes.Length - read); if (k == 0) break; read += k; }
                if (read < bytes.Length) throw Invalid($"'{full}': {ConfigEntry} is truncated.");
            }
            parsed = CheckpointJson.Parse(bytes);
        }
        catch (InvalidDataException e) { throw Invalid($"'{full}': {ConfigEntry} is damaged ({e.Message})."); }
        catch (System.Text.Json.JsonException e) { throw Invalid($"'{full}': {ConfigEntry} is not valid JSON ({e.Message})."); }
        if (parsed is not Dictionary<string, object?> config) throw Invalid($"'{full}': {ConfigEntry} is not a JSON object.");
        if (!config.TryGetValue("format", out var f) || f as string != FormatName)
            throw Invalid($"'{full}' is not a KerasPS checkpoint: {ConfigEntry} has format '{f}', expected '{FormatName}'.");
        config.TryGetValue("format_version", out var v);
        if (v is not long version || version != FormatVersion)
            throw Invalid($"'{full}' uses checkpoint format version {v ?? "(none)"}, which KerasPS {ProducerVersion} cannot read; it reads version {FormatVersion}. "
                + (v is long newer && newer > FormatVersion ? "Update KerasPS to open it." : "The file was not written by a KerasPS release."));
        return config;
    }

    /// <summary>
    /// The checks on a full checkpoint that need no layer: the model entry is there, and no layer that carries code is
    /// loaded unless the caller allows it (the file's own flag, read before any layer is constructed; the layer's
    /// property is checked again after building, in case the flag was removed). Runs before anything is allocated, so
    /// it is also the place for any check of the config against the entries' headers (sizes a layer would allocate).
    /// </summary>
    private static void ValidateBeforeBuild(Dictionary<string, object?> config, ZipArchive zip, bool allowUnsafe, string path)
    {
        var flagged = FromModelConfig(path, () => SequentialModel.FlaggedUnsafeLayers(Dict(config, "model")));
        if (flagged.Count > 0 && !allowUnsafe) throw Unsafe(path, flagged);
    }

    private static SequentialModel Rebuild(Dictionary<string, object?> config, bool allowUnsafe, string path) => FromModelConfig(path, () =>
    {
        var model = SequentialModel.FromConfig(Dict(config, "model"), allowUnsafe);
        if (model.Layers.FirstOrDefault(l => l.IsUnsafeToDeserialize) is { } unsafeLayer && !allowUnsafe) throw Unsafe(path, new[] { unsafeLayer.Name });
        if (config.GetValueOrDefault("compile") is Dictionary<string, object?> compile) model.CompileFromConfig(compile);
        return model;
    });

    /// <summary>Runs a step that reads the model's configs, reporting any failure as <c>InvalidCheckpoint</c> with the file's path.</summary>
    private static T FromModelConfig<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (KerasException e) when (e.ErrorId is "UnsafeLayerConfig")
        {
            throw new KerasException("UnsafeCheckpoint", ErrorKind.SecurityError, $"'{path}': {e.Message}", e) { Target = path };
        }
        catch (KerasException e) when (e.ErrorId is not ("InvalidCheckpoint" or "UnsafeCheckpoint"))
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData, $"'{path}': the model config cannot be rebuilt: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or KeyNotFoundException or ArgumentException)
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData, $"'{path}': {ConfigEntry} holds a value of the wrong type ({e.Message}).", e);
        }
        catch (OutOfMemoryException e)
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData, $"'{path}': {ConfigEntry} describes a model too large for this machine's memory.", e);
        }
    }

    private static KerasException Unsafe(string path, IEnumerable<string> layers) =>
        new("UnsafeCheckpoint", ErrorKind.SecurityError,
            $"'{path}' has layers whose config carries code ({string.Join(", ", layers)}); loading them would run that code. If you trust the file's author, import it with -AllowUnsafeDeserialization.") { Target = path };

    /// <summary>Reads model.safetensors after checking its names and shapes against the model's weights; nothing is assigned here.</summary>
    private static Dictionary<string, float[]> ReadWeights(ZipArchive zip, Dictionary<string, object?> config, SequentialModel model, string mismatchId, ErrorKind mismatchKind, string path)
    {
        var expected = model.Weights.ToDictionary(w => w.Path, w => w.Shape, StringComparer.Ordinal);
        var entry = zip.GetEntry(WeightsEntry);
        if (entry is null)
        {
            if (expected.Count == 0) return new Dictionary<string, float[]>();
            throw Invalid($"'{path}' has no {WeightsEntry}, but the model has {expected.Count} weights.");
        }
        return ReadTensors(entry, ExpectedHash(config, WeightsEntry), path, tensors =>
        {
            var problems = new List<string>();
            var found = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
            foreach (var (name, shape) in expected)
            {
                if (!found.TryGetValue(name, out var t)) problems.Add($"'{name}' {Fmt(shape)} is missing from the file");
                else if (!t.Shape.SequenceEqual(shape)) problems.Add($"'{name}' is {Fmt(t.Shape)} in the file but {Fmt(shape)} in the model");
            }
            foreach (var t in tensors.Where(t => !expected.ContainsKey(t.Name))) problems.Add($"'{t.Name}' {Fmt(t.Shape)} in the file has no weight of that name in the model");
            if (problems.Count > 0)
            {
                var shown = string.Join("; ", problems.Take(12)) + (problems.Count > 12 ? $"; and {problems.Count - 12} more" : "");
                var message = mismatchId == "InvalidCheckpoint"
                    ? $"'{path}': {WeightsEntry} does not match the model its config describes: {shown}."
                    : $"The weights in '{path}' do not match model '{model.Name}': {shown}. Load into a model with the same layer names and sizes; nothing was changed.";
                throw new KerasException(mismatchId, mismatchKind, message) { Target = path };
            }
        });
    }

    private static Dictionary<string, float[]> ReadTensors(ZipArchiveEntry entry, string? sha256, string path, Action<List<SafeTensorInfo>> check)
    {
        var what = $"'{path}': {entry.FullName}";
        try
        {
            using var raw = entry.Open();
            using var stream = new HashingStream(raw);
            var (tensors, _) = SafeTensors.ReadHeader(stream, entry.Length, what);
            check(tensors);   // names and shapes are known-good before any data buffer is allocated
            var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
            SafeTensors.ReadData(stream, tensors, t => values[t.Name] = new float[t.Count], what);
            if (stream.Read(new byte[1], 0, 1) != 0) throw Invalid($"{what} has bytes after the last tensor.");
            if (sha256 is not null && !string.Equals(stream.Sha256(), sha256, StringComparison.OrdinalIgnoreCase))
                throw Invalid($"{what} does not match the SHA-256 recorded in {ConfigEntry}: the file was changed or damaged after it was written.");
            return values;
        }
        catch (InvalidDataException e) { throw Invalid($"{what} is damaged ({e.Message})."); }
    }

    private static string? ExpectedHash(Dictionary<string, object?> config, string entry) =>
        config.GetValueOrDefault("files") is Dictionary<string, object?> files && files.GetValueOrDefault(entry) is Dictionary<string, object?> f
            ? f.GetValueOrDefault("sha256") as string : null;

    /// <summary>Parses the training state; the returned action applies it (nothing changes until it runs).</summary>
    private static Action<SequentialModel> ReadTraining(Dictionary<string, object?> config, string path) =>
        config.GetValueOrDefault("training") is Dictionary<string, object?> t
            ? FromModelConfig(path, () => SequentialModel.ReadTrainingState(t))
            : _ => { };

    /// <summary>Reads and checks the optimizer state against the model; the returned action applies it (nothing changes until it runs).</summary>
    private static Action ReadOptimizer(ZipArchive zip, Dictionary<string, object?> config, Dictionary<string, object?> state, SequentialModel model, string path)
    {
        var optimizer = model.Optimizer ?? throw Invalid($"'{path}' holds optimizer state but no compile settings.");
        var trainable = model.TrainableWeights;
        var index = trainable.Select((w, i) => (w, i)).ToDictionary(x => x.w.Path, x => x.i, StringComparer.Ordinal);
        var slots = new Dictionary<string, (string Weight, string Slot)>(StringComparer.Ordinal);
        foreach (var s in (state.GetValueOrDefault("slots") as List<object?> ?? new()).OfType<Dictionary<string, object?>>())
        {
            var tensor = s.GetValueOrDefault("tensor") as string;
            var weight = s.GetValueOrDefault("weight") as string;
            var slot = s.GetValueOrDefault("slot") as string;
            if (tensor is null || weight is null || slot is null || !index.ContainsKey(weight))
                throw Invalid($"'{path}': the optimizer state names a weight the model does not train ('{weight}').");
            slots[tensor] = (weight, slot);
        }
        var shapes = trainable.ToDictionary(w => w.Path, w => w.Shape, StringComparer.Ordinal);
        Dictionary<string, float[]> values = new();
        if (slots.Count > 0)
        {
            var entry = zip.GetEntry(OptimizerEntry) ?? throw Invalid($"'{path}' lists optimizer slots but has no {OptimizerEntry}.");
            values = ReadTensors(entry, ExpectedHash(config, OptimizerEntry), path, tensors =>
            {
                foreach (var t in tensors)
                {
                    if (!slots.TryGetValue(t.Name, out var ws)) throw Invalid($"'{path}': {OptimizerEntry} holds '{t.Name}', which the optimizer state does not list.");
                    if (!t.Shape.SequenceEqual(shapes[ws.Weight])) throw Invalid($"'{path}': optimizer slot '{t.Name}' is {Fmt(t.Shape)} but weight '{ws.Weight}' is {Fmt(shapes[ws.Weight])}.");
                }
                var missing = slots.Keys.Except(tensors.Select(t => t.Name)).ToList();
                if (missing.Count > 0) throw Invalid($"'{path}': {OptimizerEntry} lacks {string.Join(", ", missing)}.");
            });
        }
        try
        {
            var reader = new ConfigReader(state);
            long iterations = reader.Long("iterations", 0);
            double? learningRate = reader.NullableDouble("learning_rate");
            if (iterations < 0) throw Invalid($"'{path}': the optimizer state says {iterations} steps were taken.");
            if (learningRate is not (> 0 and < double.PositiveInfinity) and not null) throw Invalid($"'{path}': the optimizer state has learning rate {learningRate}.");
            var variables = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var name in optimizer.StateVariableNames)
                if (reader.NullableDouble(name) is double v) variables[name] = v;
            var slotValues = slots.Select(kv => (index[kv.Value.Weight], kv.Value.Slot, values[kv.Key])).ToList();
            return () => optimizer.SetState(trainable, iterations, learningRate, variables, slotValues);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData, $"'{path}': the optimizer state holds a value of the wrong type ({e.Message}).", e);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Dictionary<string, object?> Dict(Dictionary<string, object?> d, string key) =>
        d.GetValueOrDefault(key) as Dictionary<string, object?> ?? throw Invalid($"{ConfigEntry} has no '{key}' object.");

    private static bool Bool(Dictionary<string, object?> d, string key) => d.GetValueOrDefault(key) is true;

    /// <summary>A saved input_shape: null when absent; a list of anything but positive 32-bit integers is a damaged file.</summary>
    private static int[]? InputShape(object? v, string path)
    {
        if (v is null) return null;
        if (v is List<object?> { Count: > 0 } l && l.All(x => x is long n && n is > 0 and <= int.MaxValue || x is double d && d == Math.Floor(d) && d is > 0 and <= int.MaxValue))
            return l.Select(x => Convert.ToInt32(x, CultureInfo.InvariantCulture)).ToArray();
        throw Invalid($"'{path}' has a damaged input_shape: {System.Text.Json.JsonSerializer.Serialize(v)} is not a list of positive integers. Re-export the model, or load into a model built with -InputShape.");
    }

    private static string Fmt(long[] shape) => "(" + string.Join(", ", shape) + ")";
}
