using System.Globalization;
using System.IO.Compression;
using KerasPS.Engine.Models;

namespace KerasPS.Engine.Checkpoints;

/// <summary>
/// Reading a checkpoint: the file is opened and its config checked, the model rebuilt under a weight budget, and
/// weights, training and optimizer state read and checked before any of them is applied.
/// </summary>
public static partial class Checkpoint
{
    /// <summary>
    /// Reads a checkpoint and returns the model, built and compiled as it was saved, with its weights, training state
    /// and (when saved) optimizer state. A layer that carries code is refused unless <paramref name="allowUnsafe"/>.
    /// <paramref name="warn"/> hears what a Keras file holds that could not be restored (its training config).
    /// </summary>
    public static KerasModel Load(string path, bool allowUnsafe = false, Action<string>? warn = null)
    {
        if (KerasFileAt(path) is { } keras) return KerasFiles.Load(keras.Full, keras.Format, allowUnsafe, warn);
        using var file = OpenCheckpoint(path, out var zip, out var config);
        using (zip)
        {
            if (Bool(config, "weights_only"))
                throw KerasException.BadOperation("WeightsOnlyCheckpoint",
                    $"'{path}' holds only weights (saved with -WeightsOnly), not a model. Load them into a model with the same layers: "
                        + $"Import-Checkpoint -Path '{path}' -WeightsInto $model.", path);
            // 1. Validate before build: every check that needs no layer, before any layer or tensor exists, and the
            // config against the weights header (CheckpointValidation), whose budget then admits only the file's weights.
            ValidateBeforeBuild(config, zip, allowUnsafe, path);
            // 2. Build the model from its config; 3. read weights (names and shapes checked before data is read),
            // training state and optimizer state; 4. apply them, only once everything has been read.
            KerasModel model;
            using (CheckpointValidation.BeforeBuild(zip, config, path)) model = Rebuild(config, allowUnsafe, path);
            var values = ReadWeights(zip, config, model, "InvalidCheckpoint", ErrorKind.InvalidData, path);
            var training = ReadTraining(config, path);
            var optimizerState = config.GetValueOrDefault("optimizer_state") is Dictionary<string, object?> state
                ? ReadOptimizer(zip, config, state, model, path) : null;
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
    /// error the model is unchanged. Continuing with <c>Trainer.Fit</c> (Resume: up to the total the fit was started with)
    /// then matches an unbroken fit.
    /// </summary>
    public static void RestoreInto(KerasModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (KerasFileAt(path) is { } keras)
            throw KerasException.BadOperation("KerasFileCannotResume",
                $"'{keras.Full}' is a Keras file, which holds no optimizer or training state to resume from. "
                    + "Resume from a .kpt checkpoint (New-ModelCheckpoint model.kpt), or import the Keras file and fit it afresh.", path);
        using var file = OpenCheckpoint(path, out var zip, out var config);
        using (zip)
        {
            if (Bool(config, "weights_only"))
                throw KerasException.BadOperation("WeightsOnlyCheckpoint",
                    $"'{path}' holds only weights (saved with -WeightsOnly), so there is no training state to resume from. "
                        + "Save full checkpoints (without -WeightsOnly) to resume.", path);
            if (!model.IsBuilt && InputShape(Dict(Dict(config, "model"), "config").GetValueOrDefault("input_shape"), path) is { } shape
                && model.Layers.Count > 0)
                using (CheckpointValidation.IntoModel(zip, path, "WeightsMismatch", ErrorKind.InvalidArgument)) model.Build(shape);
            var values = ReadWeights(zip, config, model, "WeightsMismatch", ErrorKind.InvalidArgument, path);
            var training = ReadTraining(config, path);
            Action? optimizerState = null;
            if (config.GetValueOrDefault("optimizer_state") is Dictionary<string, object?> state)
            {
                var saved = state.GetValueOrDefault("name") as string;
                if (model.Optimizer is null || (saved is not null && model.Optimizer.Name != saved))
                    throw KerasException.BadArgument("OptimizerMismatch",
                        $"'{path}' holds the state of optimizer '{saved}', but model '{model.Name}' is "
                            + $"{(model.Optimizer is null ? "not compiled" : $"compiled with '{model.Optimizer.Name}'")}. "
                            + $"Compile it with Build-Model -Optimizer {saved}, "
                            + "or import the checkpoint as a new model (Import-Checkpoint).", path);
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
    public static void LoadWeightsInto(KerasModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (KerasFileAt(path) is { } keras) { KerasFiles.LoadWeightsInto(model, keras.Full, keras.Format); return; }
        using var file = OpenCheckpoint(path, out var zip, out var config);
        using (zip)
        {
            if (!model.IsBuilt)
            {
                var shape = InputShape(config.GetValueOrDefault("input_shape"), path)
                    ?? InputShape(((config.GetValueOrDefault("model") as Dictionary<string, object?>)?.GetValueOrDefault("config") as
                        Dictionary<string, object?>)?.GetValueOrDefault("input_shape"), path);
                if (shape is null || model.Layers.Count == 0)
                    throw KerasException.BadOperation("ModelNotBuilt",
                        $"Model '{model.Name}' has no weights to load into yet. Give it an -InputShape (New-Model -InputShape) first.");
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
            throw new KerasException("CheckpointNotFound", ErrorKind.ObjectNotFound,
                $"Checkpoint '{full}' does not exist. Check the path (Get-ChildItem *.kpt).") { Target = path };
        AtomicFile.RemoveStaleTemporaries(full);
        var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            Span<byte> magic = stackalloc byte[4];
            int got = file.Read(magic);
            if (got == 0) throw Invalid($"'{full}' is empty (0 bytes); it is not a KerasPS checkpoint.");
            if (got < 4 || magic[0] != (byte)'P' || magic[1] != (byte)'K'
                || !((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6)))
                throw Invalid($"'{full}' is not a KerasPS checkpoint: it does not start with the zip signature 'PK'. "
                    + "Checkpoints are written by Export-Checkpoint.");
            file.Position = 0;
            try { zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true); }
            catch (InvalidDataException e) { throw Invalid($"'{full}' is truncated or damaged: "
                + $"its zip directory cannot be read ({e.Message})"); }
            try
            {
                CheckEntryNames(zip, full);
                config = ReadConfig(zip, full);
                return file;
            }
            catch (InvalidDataException e) { zip.Dispose(); throw Invalid($"'{full}' is truncated or damaged: "
                + $"its zip directory cannot be read ({e.Message})"); }
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
            if (n.Length == 0 || n.Contains('\\') || n.Contains(':') || n.StartsWith('/') || n.Contains('\0')
                || parts.Any(p => p is ".." or "."))
                throw Invalid($"'{full}' holds an entry with a path outside the archive: '{n}'. "
                    + "Checkpoints hold only plain names such as config.json; the file was not written by KerasPS or has been tampered "
                    + "with.");
            if (!seen.Add(n))
                throw Invalid($"'{full}' holds two entries named '{n}'; it is ambiguous which one to read.");
        }
    }

    private static Dictionary<string, object?> ReadConfig(ZipArchive zip, string full)
    {
        var entry = zip.GetEntry(ConfigEntry) ?? throw Invalid($"'{full}' has no {ConfigEntry}; it is not a KerasPS checkpoint.");
        if (entry.Length > MaxConfigBytes)
            throw Invalid($"'{full}': {ConfigEntry} declares {entry.Length} bytes, more than the {MaxConfigBytes} a config may have.");
        var bytes = new byte[entry.Length];
        object? parsed;
        try
        {
            using (var s = CrcCheckedStream.Open(entry, full))
            {
                int read = 0;
                while (read < bytes.Length) { int k = s.Read(bytes, read, bytes.Length - read); if (k == 0) break; read += k; }
                if (read < bytes.Length) throw Invalid($"'{full}': {ConfigEntry} is truncated.");
                if (s.Read(new byte[1], 0, 1) != 0) throw Invalid($"'{full}': {ConfigEntry} is longer than its zip record says.");
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
            throw Invalid($"'{full}' uses checkpoint format version {v ?? "(none)"}, which KerasPS {ProducerVersion} cannot read; "
                + $"it reads version {FormatVersion}. "
                + (v is long newer && newer > FormatVersion ? "Update KerasPS to open it." : "The file was not written by a KerasPS "
                    + "release."));
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
        var flagged = FromModelConfig(path, () => KerasModel.FlaggedUnsafeLayers(Dict(config, "model")));
        if (flagged.Count > 0 && !allowUnsafe) throw Unsafe(path, flagged);
    }

    private static KerasModel Rebuild(Dictionary<string, object?> config, bool allowUnsafe, string path) => FromModelConfig(path, () =>
    {
        var model = KerasModel.FromConfig(Dict(config, "model"), allowUnsafe);
        if (model.Layers.FirstOrDefault(l => l.IsUnsafeToDeserialize) is { } unsafeLayer && !allowUnsafe)
            throw Unsafe(path, new[] { unsafeLayer.Name });
        if (config.GetValueOrDefault("compile") is Dictionary<string, object?> compile) model.CompileFromConfig(compile);
        return model;
    });

    /// <summary>Runs a step that reads the model's configs, reporting any failure as <c>InvalidCheckpoint</c> with the file's
    /// path.</summary>
    private static T FromModelConfig<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (KerasException e) when (e.ErrorId is "UnsafeLayerConfig")
        {
            throw new KerasException("UnsafeCheckpoint", ErrorKind.SecurityError, $"'{path}': {e.Message}", e) { Target = path };
        }
        catch (KerasException e) when (e.ErrorId is not ("InvalidCheckpoint" or "UnsafeCheckpoint"))
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData,
                $"'{path}': the model config cannot be rebuilt: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or KeyNotFoundException or
            ArgumentException)
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData,
                $"'{path}': {ConfigEntry} holds a value of the wrong type ({e.Message}).", e);
        }
        catch (OutOfMemoryException e)
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData,
                $"'{path}': {ConfigEntry} describes a model too large for this machine's memory.", e);
        }
    }

    private static KerasException Unsafe(string path, IEnumerable<string> layers) =>
        new("UnsafeCheckpoint", ErrorKind.SecurityError,
            $"'{path}' has layers whose config carries code ({string.Join(", ", layers)}); loading them would run that code. "
                + "If you trust the file's author, import it with -AllowUnsafeDeserialization.") { Target = path };

    /// <summary>Reads model.safetensors after checking its names and shapes against the model's weights; nothing is assigned
    /// here.</summary>
    private static Dictionary<string, float[]> ReadWeights(ZipArchive zip, Dictionary<string, object?> config, KerasModel model,
        string mismatchId, ErrorKind mismatchKind, string path)
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
                if (!found.TryGetValue(name, out var t)) problems.Add($"'{name}' {Shapes.FormatTensor(shape)} is missing from the file");
                else if (!t.Shape.SequenceEqual(shape))
                    problems.Add($"'{name}' is {Shapes.FormatTensor(t.Shape)} in the file but {Shapes.FormatTensor(shape)} in the model");
            }
            foreach (var t in tensors.Where(t => !expected.ContainsKey(t.Name)))
                problems.Add($"'{t.Name}' {Shapes.FormatTensor(t.Shape)} in the file has no weight of that name in the model");
            if (problems.Count > 0)
            {
                var shown = string.Join("; ", problems.Take(12)) + (problems.Count > 12 ? $"; and {problems.Count - 12} more" : "");
                var message = mismatchId == "InvalidCheckpoint"
                    ? $"'{path}': {WeightsEntry} does not match the model its config describes: {shown}."
                    : $"The weights in '{path}' do not match model '{model.Name}': {shown}. "
                        + "Load into a model with the same layer names and sizes; nothing was changed.";
                throw new KerasException(mismatchId, mismatchKind, message) { Target = path };
            }
        });
    }

    private static Dictionary<string, float[]> ReadTensors(ZipArchiveEntry entry, string? sha256, string path,
        Action<List<SafeTensorInfo>> check)
    {
        var what = $"'{path}': {entry.FullName}";
        try
        {
            using var raw = CrcCheckedStream.Open(entry, path);
            using var stream = new HashingStream(raw);
            var (tensors, _) = SafeTensors.ReadHeader(stream, entry.Length, what);
            check(tensors);   // names and shapes are known-good before any data buffer is allocated
            var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
            SafeTensors.ReadData(stream, tensors, t => values[t.Name] = new float[t.Count], what);
            if (stream.Read(new byte[1], 0, 1) != 0) throw Invalid($"{what} has bytes after the last tensor.");
            if (sha256 is not null && !string.Equals(stream.Sha256(), sha256, StringComparison.OrdinalIgnoreCase))
                throw Invalid($"{what} does not match the SHA-256 recorded in {ConfigEntry}: "
                    + "the file was changed or damaged after it was written.");
            return values;
        }
        catch (InvalidDataException e) { throw Invalid($"{what} is damaged ({e.Message})."); }
    }

    private static string? ExpectedHash(Dictionary<string, object?> config, string entry) =>
        config.GetValueOrDefault("files") is Dictionary<string, object?> files
            && files.GetValueOrDefault(entry) is Dictionary<string, object?> f
            ? f.GetValueOrDefault("sha256") as string : null;

    /// <summary>Parses the training state; the returned action applies it (nothing changes until it runs).</summary>
    private static Action<KerasModel> ReadTraining(Dictionary<string, object?> config, string path) =>
        config.GetValueOrDefault("training") is Dictionary<string, object?> t
            ? FromModelConfig(path, () => KerasModel.ReadTrainingState(t))
            : _ => { };

    // ------------------------------------------------------------------ helpers

    private static Dictionary<string, object?> Dict(Dictionary<string, object?> d, string key) =>
        d.GetValueOrDefault(key) as Dictionary<string, object?> ?? throw Invalid($"{ConfigEntry} has no '{key}' object.");

    private static bool Bool(Dictionary<string, object?> d, string key) => d.GetValueOrDefault(key) is true;

    /// <summary>A saved input_shape: null when absent; a list of anything but positive 32-bit integers is a damaged file.</summary>
    private static int[]? InputShape(object? v, string path)
    {
        if (v is null) return null;
        if (v is List<object?> { Count: > 0 } l && l.All(x => x is long n && n is > 0 and <= int.MaxValue || x is double d
            && d == Math.Floor(d) && d is > 0 and <= int.MaxValue))
            return l.Select(x => Convert.ToInt32(x, CultureInfo.InvariantCulture)).ToArray();
        throw Invalid($"'{path}' has a damaged input_shape: {System.Text.Json.JsonSerializer.Serialize(v)} is not a list of positive "
            + "integers. Re-export the model, or load into a model built with -InputShape.");
    }
}
