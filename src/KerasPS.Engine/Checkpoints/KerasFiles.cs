using System.Globalization;
using System.IO.Compression;
using System.Text;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Models;
using PureHDF;
using PureHDF.VOL.Native;

namespace KerasPS.Engine.Checkpoints;

/// <summary>The file formats a checkpoint path can name, chosen by its extension.</summary>
public enum CheckpointFormat
{
    /// <summary>KerasPS's own <c>.kpt</c> (and any other extension): config.json + safetensors in a zip.</summary>
    KerasPS,
    /// <summary>Keras 3's <c>.keras</c>: a zip with config.json, metadata.json and model.weights.h5.</summary>
    Keras,
    /// <summary>Keras 2's HDF5 <c>.h5</c> / <c>.hdf5</c> (<c>model.save("m.h5")</c>).</summary>
    KerasH5,
}

/// <summary>
/// Keras's own files, written and read without native HDF5 (PureHDF): Keras 3 <c>.keras</c> archives and Keras 2
/// <c>.h5</c> files. The model's config is KerasPS's own Keras 3 serialization (<see cref="SequentialModel.GetConfig"/>),
/// translated on the way in from what Keras 2 writes (<see cref="KerasConfigTranslator"/>). Reads validate names,
/// shapes and element types against the rebuilt model before any weight buffer is allocated. The layouts are described
/// in module/CHECKPOINT-FORMAT.md.
/// </summary>
public static class KerasFiles
{
    /// <summary>The Keras version whose layout these files follow, written into them.</summary>
    public const string Keras3Version = "3.6.0";
    public const string Keras2Version = "2.15.0";

    private static readonly byte[] Hdf5Signature = { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a };
    private const long MaxJsonBytes = 64L * 1024 * 1024;
    private const long MaxWeightsEntryBytes = int.MaxValue;

    /// <summary>The format a path asks for, by its extension (<c>.keras</c>, <c>.h5</c>/<c>.hdf5</c>, anything else is .kpt).</summary>
    public static CheckpointFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".keras" => CheckpointFormat.Keras,
        ".h5" or ".hdf5" => CheckpointFormat.KerasH5,
        _ => CheckpointFormat.KerasPS,
    };

    /// <summary>What a file holds, by its first bytes: HDF5, a Keras 3 archive, or (any other zip) a KerasPS checkpoint.</summary>
    internal static CheckpointFormat Sniff(string full)
    {
        using var f = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> head = stackalloc byte[8];
        int got = f.ReadAtLeast(head, 8, throwOnEndOfStream: false);
        if (got == 8 && head.SequenceEqual(Hdf5Signature)) return CheckpointFormat.KerasH5;
        if (got >= 4 && head[0] == 'P' && head[1] == 'K')
        {
            f.Position = 0;
            try
            {
                using var zip = new ZipArchive(f, ZipArchiveMode.Read, leaveOpen: true);
                if (zip.GetEntry("model.weights.h5") is not null && zip.GetEntry(Checkpoint.WeightsEntry) is null) return CheckpointFormat.Keras;
            }
            catch (InvalidDataException) { }   // the .kpt reader reports the damage
        }
        return CheckpointFormat.KerasPS;
    }

    private static KerasException Invalid(string message) => Checkpoint.Invalid(message);

    // ------------------------------------------------------------------ save

    internal static void Save(SequentialModel model, CheckpointFormat format, Stream stream, bool weightsOnly)
    {
        if (format == CheckpointFormat.KerasH5) SaveH5(model, stream, weightsOnly);
        else SaveKeras(model, stream, weightsOnly);
    }

    /// <summary>The model's Keras 3 config as Keras 3 writes a Sequential: an InputLayer first, build configs, no KerasPS-only keys.</summary>
    private static Dictionary<string, object?> Keras3ModelConfig(SequentialModel model, bool keras2)
    {
        var layers = new List<object?>();
        int[]? shape = model.InputShape ?? model.Layers.FirstOrDefault()?.DeclaredInputShape;
        if (shape is not null)
        {
            var batch = new List<object?> { null };
            batch.AddRange(shape.Select(d => (object?)d));
            var input = new Dictionary<string, object?> { ["dtype"] = "float32", ["sparse"] = false, ["name"] = "input_layer" };
            input[keras2 ? "batch_input_shape" : "batch_shape"] = batch;
            if (keras2) input["ragged"] = false;
            layers.Add(KerasObjects.Serialize("keras.layers", "InputLayer", input));
        }
        foreach (var layer in model.Layers)
        {
            var entry = layer.Serialize();
            ((Dictionary<string, object?>)entry["config"]!).Remove("input_shape");
            if (layer.IsUnsafeToDeserialize) entry[SequentialModel.UnsafeFlag] = true;
            if (layer.InputShape is { } s) entry["build_config"] = new Dictionary<string, object?> { ["input_shape"] = BatchShape(s) };
            layers.Add(entry);
        }
        var config = new Dictionary<string, object?> { ["name"] = model.Name, ["trainable"] = true, ["dtype"] = "float32", ["layers"] = layers };
        if (shape is not null) config["build_input_shape"] = BatchShape(shape);
        var serialized = new Dictionary<string, object?> { ["module"] = "keras", ["class_name"] = "Sequential", ["config"] = config, ["registered_name"] = null };
        if (shape is not null) serialized["build_config"] = new Dictionary<string, object?> { ["input_shape"] = BatchShape(shape) };
        return serialized;
    }

    private static List<object?> BatchShape(int[] shape)
    {
        var l = new List<object?> { null };
        l.AddRange(shape.Select(d => (object?)d));
        return l;
    }

    /// <summary>KerasPS's own state beside Keras's: seed, epochs, history, classes (Keras ignores keys it does not know).</summary>
    private static Dictionary<string, object?> KerasPSState(SequentialModel model) => new()
    {
        ["kerasps_version"] = Checkpoint.ProducerVersion,
        ["seed"] = model.Seed,
        ["training"] = model.GetTrainingState(),
    };

    private static Dictionary<string, object?>? Keras3CompileConfig(SequentialModel model)
    {
        if (model.GetCompileConfig() is not { } c) return null;
        c["optimizer"] = SerializedOptimizer((Dictionary<string, object?>)c["optimizer"]!);
        c["loss_weights"] = null;
        c["weighted_metrics"] = null;
        c["run_eagerly"] = false;
        c["steps_per_execution"] = 1;
        c["jit_compile"] = false;
        return c;
    }

    /// <summary>KerasPS's flat optimizer config as Keras serializes an optimizer: <c>{"module": "keras.optimizers", "class_name": "Adam", "config": {...}}</c>.</summary>
    private static Dictionary<string, object?> SerializedOptimizer(Dictionary<string, object?> flat)
    {
        var name = Convert.ToString(flat.GetValueOrDefault("name"), CultureInfo.InvariantCulture) ?? "";
        var className = name switch
        {
            "sgd" => "SGD", "rmsprop" => "RMSprop", "adamw" => "AdamW",
            _ => KerasObjects.ToClassName(name),
        };
        return KerasObjects.Serialize("keras.optimizers", className, flat);
    }

    private static void SaveKeras(SequentialModel model, Stream stream, bool weightsOnly)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        if (!weightsOnly)
        {
            var config = Keras3ModelConfig(model, keras2: false);
            if (Keras3CompileConfig(model) is { } compile) config["compile_config"] = compile;
            WriteEntry(zip, "config.json", CheckpointJson.Serialize(config));
            var metadata = new Dictionary<string, object?>
            {
                ["keras_version"] = Keras3Version,
                ["date_saved"] = DateTime.UtcNow.ToString("yyyy-MM-dd@HH:mm:ss", CultureInfo.InvariantCulture),
                ["kerasps"] = KerasPSState(model),
            };
            WriteEntry(zip, "metadata.json", CheckpointJson.Serialize(metadata));
        }
        var root = new H5File();
        var layersGroup = new H5Group();
        foreach (var (layer, path) in model.Layers.Zip(Keras3LayerPaths(model.Layers.Select(l => l.ClassName))))
        {
            var group = new H5Group();
            var vars = new H5Group();
            var target = vars;
            if (IsRecurrent(layer))
            {
                var cell = new H5Group();
                target = new H5Group();
                cell["vars"] = target;
                group["cell"] = cell;
            }
            for (int i = 0; i < layer.Weights.Count; i++) target[i.ToString(CultureInfo.InvariantCulture)] = Dataset(layer.Weights[i]);
            group["vars"] = vars;
            layersGroup[path["layers/".Length..]] = group;
        }
        root["layers"] = layersGroup;
        root["optimizer"] = new H5Group { ["vars"] = new H5Group() };
        root["vars"] = new H5Group();
        using var buffer = new MemoryStream();
        root.Write(buffer);
        var weights = zip.CreateEntry("model.weights.h5", CompressionLevel.NoCompression);
        using var s = weights.Open();
        buffer.Position = 0;
        buffer.CopyTo(s);
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        using var s = entry.Open();
        s.Write(bytes);
    }

    private static bool IsRecurrent(Layer layer) => layer.ClassName is "SimpleRNN" or "LSTM" or "GRU";

    private static H5Dataset Dataset(Weight w)
    {
        var values = w.ToArray();
        var shape = w.Shape.Select(d => (ulong)d).ToArray();
        return shape.Length == 0 ? new H5Dataset(values[0]) : new H5Dataset(values, fileDims: shape);
    }

    /// <summary>
    /// Keras 3's names for a Sequential's layers in model.weights.h5: the class name in snake case (Keras's
    /// <c>naming.to_snake_case</c>), numbered from the second of a class on: <c>dense</c>, <c>dense_1</c>, <c>lstm</c>.
    /// </summary>
    public static IReadOnlyList<string> Keras3LayerPaths(IEnumerable<string> classNames)
    {
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        var paths = new List<string>();
        foreach (var cn in classNames)
        {
            var name = ToSnakeCase(cn);
            if (used.TryGetValue(name, out var n)) { used[name] = n + 1; name = $"{name}_{n + 1}"; }
            else used[name] = 0;
            paths.Add("layers/" + name);
        }
        return paths;
    }

    private static string ToSnakeCase(string name)
    {
        name = System.Text.RegularExpressions.Regex.Replace(name, @"\W+", "");
        name = System.Text.RegularExpressions.Regex.Replace(name, "(.)([A-Z][a-z]+)", "$1_$2");
        return System.Text.RegularExpressions.Regex.Replace(name, "([a-z])([A-Z])", "$1_$2").ToLowerInvariant();
    }

    private static void SaveH5(SequentialModel model, Stream stream, bool weightsOnly)
    {
        var file = new H5File();
        var weightsRoot = weightsOnly ? (H5Group)file : new H5Group();
        var layerNames = model.Layers.Select(l => l.Name).ToArray();
        weightsRoot.Attributes["layer_names"] = layerNames;
        weightsRoot.Attributes["backend"] = "tensorflow";
        weightsRoot.Attributes["keras_version"] = Keras2Version;
        foreach (var layer in model.Layers)
        {
            var group = new H5Group();
            var inner = new H5Group();
            var names = new List<string>();
            foreach (var w in layer.Weights)
            {
                var n = $"{w.Name}:0";
                inner[n] = Dataset(w);
                names.Add($"{layer.Name}/{n}");
            }
            group.Attributes["weight_names"] = names.ToArray();
            if (names.Count > 0) group[layer.Name] = inner;
            weightsRoot[layer.Name] = group;
        }
        if (!weightsOnly)
        {
            file["model_weights"] = weightsRoot;
            var config = Keras3ModelConfig(model, keras2: true);
            config["keras_version"] = Keras2Version;
            config["backend"] = "tensorflow";
            file.Attributes["model_config"] = Encoding.UTF8.GetString(CheckpointJson.Serialize(config));
            if (model.GetCompileConfig() is { } compile)
            {
                var training = new Dictionary<string, object?>
                {
                    ["loss"] = compile["loss"],
                    ["metrics"] = compile["metrics"],
                    ["weighted_metrics"] = null,
                    ["loss_weights"] = null,
                    ["optimizer_config"] = SerializedOptimizer((Dictionary<string, object?>)compile["optimizer"]!),
                };
                file.Attributes["training_config"] = Encoding.UTF8.GetString(CheckpointJson.Serialize(training));
            }
            file.Attributes["keras_version"] = Keras2Version;
            file.Attributes["backend"] = "tensorflow";
            file.Attributes["kerasps"] = Encoding.UTF8.GetString(CheckpointJson.Serialize(KerasPSState(model)));
        }
        file.Write(stream);
    }

    // ------------------------------------------------------------------ load

    /// <summary>Reads a Keras file (<see cref="Sniff"/> said which) into a new model, built, with its weights, and compiled when it can be.</summary>
    internal static SequentialModel Load(string full, CheckpointFormat format, bool allowUnsafe)
    {
        var (config, compile, state, weights) = format == CheckpointFormat.KerasH5 ? OpenH5(full) : OpenKeras(full);
        using (weights)
        {
            if (config is null)
                throw KerasException.BadOperation("WeightsOnlyCheckpoint",
                    $"'{full}' holds only weights (Keras save_weights), not a model. Load them into a model with the same layers: Import-Checkpoint -Path '{full}' -WeightsInto $model.", full);
            var translated = Run(full, () => KerasConfigTranslator.ToKerasPS(config));
            var flagged = SequentialModel.FlaggedUnsafeLayers(translated);
            if (flagged.Count > 0 && !allowUnsafe)
                throw new KerasException("UnsafeCheckpoint", ErrorKind.SecurityError,
                    $"'{full}' has layers whose config carries code ({string.Join(", ", flagged)}); loading them would run that code. If you trust the file's author, import it with -AllowUnsafeDeserialization.") { Target = full };
            if (state?.GetValueOrDefault("seed") is long seed) ((Dictionary<string, object?>)translated["config"]!)["seed"] = seed;
            SequentialModel model;
            using (WeightBudget.AtMost(weights.MaxValues, why => Invalid($"'{full}': {why}; a Keras weights file holds at most one value per two bytes. Nothing was allocated.")))
                model = Run(full, () => SequentialModel.FromConfig(translated, allowUnsafe));
            if (model.Layers.FirstOrDefault(l => l.IsUnsafeToDeserialize) is { } unsafeLayer && !allowUnsafe)
                throw new KerasException("UnsafeCheckpoint", ErrorKind.SecurityError,
                    $"'{full}' has a layer whose config carries code ({unsafeLayer.Name}); import it with -AllowUnsafeDeserialization if you trust the file's author.") { Target = full };
            if (!model.IsBuilt)
                throw Invalid($"'{full}': the model config gives no input shape, so its weights cannot be placed. Save the model in Keras after it was built (called on data or given an Input).");
            var values = weights.Read(model, full, "InvalidCheckpoint", ErrorKind.InvalidData);
            Action<SequentialModel> training = _ => { };
            if (state?.GetValueOrDefault("training") is Dictionary<string, object?> t)
                training = Run(full, () => SequentialModel.ReadTrainingState(t));
            if (compile is not null) TryCompile(model, compile);
            foreach (var w in model.Weights) w.Assign(values[w.Path]);
            training(model);
            return model;
        }
    }

    /// <summary>Keras load_weights from a Keras file into an existing model with the same layers (in order, as Keras matches them).</summary>
    internal static void LoadWeightsInto(SequentialModel model, string full, CheckpointFormat format)
    {
        var (config, _, _, weights) = format == CheckpointFormat.KerasH5 ? OpenH5(full) : OpenKeras(full);
        using (weights)
        {
            if (!model.IsBuilt)
            {
                int[]? shape = null;
                if (config is not null)
                    try { shape = (KerasConfigTranslator.ToKerasPS(config)["config"] as Dictionary<string, object?>)?.GetValueOrDefault("input_shape") as int[]; }
                    catch (KerasException) { }
                if (shape is null || model.Layers.Count == 0)
                    throw KerasException.BadOperation("ModelNotBuilt", $"Model '{model.Name}' has no weights to load into yet. Give it an -InputShape (New-Model -InputShape) first.");
                model.Build(shape);
            }
            var values = weights.Read(model, full, "WeightsMismatch", ErrorKind.InvalidArgument);
            foreach (var w in model.Weights) w.Assign(values[w.Path]);
        }
    }

    /// <summary>
    /// Compiles from a Keras compile/training config when KerasPS knows its optimizer, loss and metrics; otherwise the
    /// model stays uncompiled, as Keras leaves a model whose training config it cannot restore (compile it with Build-Model).
    /// </summary>
    private static void TryCompile(SequentialModel model, Dictionary<string, object?> compile)
    {
        try { model.CompileFromConfig(compile); }
        catch (Exception e) when (e is KerasException or InvalidCastException or FormatException or OverflowException or KeyNotFoundException or ArgumentException) { }
    }

    private static T Run<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (KerasException e) when (e.ErrorId is "UnsafeLayerConfig")
        {
            throw new KerasException("UnsafeCheckpoint", ErrorKind.SecurityError, $"'{path}': {e.Message}", e) { Target = path };
        }
        catch (KerasException e) when (e.ErrorId is not ("InvalidCheckpoint" or "UnsafeCheckpoint" or "UnsupportedKerasLayers" or "UnsupportedKerasModel" or "KerasActivationMismatch"))
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData, $"'{path}': the model config cannot be rebuilt: {e.Message}", e) { Target = path };
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or KeyNotFoundException or ArgumentException or NullReferenceException)
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData, $"'{path}': the model config holds a value of the wrong type ({e.Message}).", e) { Target = path };
        }
        catch (OutOfMemoryException e)
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData, $"'{path}': the model config describes a model too large for this machine's memory.", e) { Target = path };
        }
    }

    private static Dictionary<string, object?> ParseJson(string text, string what)
    {
        if (text.Length > MaxJsonBytes) throw Invalid($"{what} is larger than {MaxJsonBytes} bytes.");
        object? parsed;
        try { parsed = CheckpointJson.Parse(Encoding.UTF8.GetBytes(text)); }
        catch (System.Text.Json.JsonException e) { throw Invalid($"{what} is not valid JSON ({e.Message})."); }
        return parsed as Dictionary<string, object?> ?? throw Invalid($"{what} is not a JSON object.");
    }

    private static (Dictionary<string, object?>? Config, Dictionary<string, object?>? Compile, Dictionary<string, object?>? State, WeightSource Weights) OpenH5(string full)
    {
        var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var file = H5Guard(full, () => H5File.Open(stream, leaveOpen: false));
            return H5Guard(full, () =>
            {
                Dictionary<string, object?>? config = null, compile = null, state = null;
                IH5Group weightsRoot = file;
                if (file.AttributeExists("model_config"))
                {
                    config = ParseJson(ReadStringAttribute(file, "model_config"), $"'{full}': model_config");
                    if (file.AttributeExists("training_config"))
                        compile = KerasConfigTranslator.CompileFromTrainingConfig(ParseJson(ReadStringAttribute(file, "training_config"), $"'{full}': training_config"));
                    if (file.AttributeExists("kerasps")) state = ParseJson(ReadStringAttribute(file, "kerasps"), $"'{full}': kerasps");
                    if (file.AttributeExists("keras_version") && ReadStringAttribute(file, "keras_version") is { } v && (v.StartsWith("1.", StringComparison.Ordinal) || v.StartsWith("2.", StringComparison.Ordinal)))
                        config[KerasConfigTranslator.Keras2Marker] = v;
                    if (!file.LinkExists("model_weights")) throw Invalid($"'{full}' has a model_config but no model_weights group.");
                    weightsRoot = file.Group("model_weights");
                }
                else if (!file.AttributeExists("layer_names"))
                    throw Invalid($"'{full}' is an HDF5 file but not a Keras model: it has neither a model_config nor a layer_names attribute.");
                return (config, compile, state, (WeightSource)new H5WeightSource(file, weightsRoot, full, keras3: false) { MaxValues = new FileInfo(full).Length / 2 });
            });
        }
        catch { stream.Dispose(); throw; }
    }

    private static (Dictionary<string, object?>? Config, Dictionary<string, object?>? Compile, Dictionary<string, object?>? State, WeightSource Weights) OpenKeras(string full)
    {
        using var f = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        ZipArchive zip;
        try { zip = new ZipArchive(f, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw Invalid($"'{full}' is truncated or damaged: its zip directory cannot be read ({e.Message})"); }
        using (zip)
        {
            Dictionary<string, object?>? config = null, compile = null, state = null;
            if (zip.GetEntry("config.json") is { } c)
            {
                config = ParseJson(ReadText(c, full), $"'{full}': config.json");
                if (config.GetValueOrDefault("compile_config") is Dictionary<string, object?> cc) compile = KerasConfigTranslator.CompileFromKeras3(cc);
            }
            if (zip.GetEntry("metadata.json") is { } m && ParseJson(ReadText(m, full), $"'{full}': metadata.json").GetValueOrDefault("kerasps") is Dictionary<string, object?> s) state = s;
            var w = zip.GetEntry("model.weights.h5") ?? throw Invalid($"'{full}' has no model.weights.h5; it is not a Keras 3 model file.");
            if (w.Length > MaxWeightsEntryBytes) throw Invalid($"'{full}': model.weights.h5 declares {w.Length} bytes, more than KerasPS reads from a .keras file ({MaxWeightsEntryBytes}).");
            var buffer = new MemoryStream(new byte[w.Length], 0, (int)w.Length, writable: true, publiclyVisible: true);
            try
            {
                using (var es = w.Open()) { es.CopyTo(buffer); }
                if (buffer.Position != w.Length) throw Invalid($"'{full}': model.weights.h5 is truncated.");
            }
            catch (InvalidDataException e) { throw Invalid($"'{full}': model.weights.h5 is damaged ({e.Message})."); }
            buffer.Position = 0;
            var file = H5Guard(full, () => H5File.Open(buffer, leaveOpen: false));
            return (config, compile, state, new H5WeightSource(file, file, full, keras3: true) { MaxValues = w.Length / 2 });
        }
    }

    private static string ReadText(ZipArchiveEntry entry, string full)
    {
        if (entry.Length > MaxJsonBytes) throw Invalid($"'{full}': {entry.FullName} declares {entry.Length} bytes, more than the {MaxJsonBytes} a config may have.");
        try
        {
            using var s = entry.Open();
            using var r = new StreamReader(s, Encoding.UTF8);
            return r.ReadToEnd();
        }
        catch (InvalidDataException e) { throw Invalid($"'{full}': {entry.FullName} is damaged ({e.Message})."); }
    }

    internal static string ReadStringAttribute(IH5Object o, string name)
    {
        var a = o.Attribute(name);
        if (a.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength)) throw Invalid($"attribute '{name}' is not a string.");
        if (a.Space.Rank == 0) return a.Read<string>();
        var v = a.Read<string[]>();
        return v.Length == 1 ? v[0] : throw Invalid($"attribute '{name}' holds {v.Length} strings, not one.");
    }

    internal static string[] ReadStringsAttribute(IH5Object o, string name)
    {
        var a = o.Attribute(name);
        if (a.Space.Dimensions.Aggregate(1UL, (x, y) => x * y) == 0) return Array.Empty<string>();
        if (a.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength)) throw Invalid($"attribute '{name}' is not a list of strings.");
        return a.Read<string[]>();
    }

    /// <summary>Runs a PureHDF read, reporting anything it throws on a malformed file as <c>InvalidCheckpoint</c>.</summary>
    internal static T H5Guard<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (KerasException) { throw; }
        catch (OutOfMemoryException e) { throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData, $"'{path}' describes data too large for this machine's memory.", e) { Target = path }; }
        catch (Exception e) when (e is not (OperationCanceledException or ThreadAbortException))
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData, $"'{path}' is not a readable Keras HDF5 file: {e.Message}", e) { Target = path };
        }
    }

    /// <summary>Where a Keras file keeps its weights; reads them in the model's layer order after checking every shape.</summary>
    internal abstract class WeightSource : IDisposable
    {
        /// <summary>
        /// The most weight values the file can hold: Keras writes them uncompressed, at least two bytes each (float16),
        /// so a config that describes more than half the weights file's bytes in values is refused before any layer
        /// allocates (a small file saying units = 200000000).
        /// </summary>
        public long MaxValues { get; init; }

        public abstract Dictionary<string, float[]> Read(SequentialModel model, string path, string mismatchId, ErrorKind mismatchKind);
        public abstract void Dispose();
    }

    private sealed class H5WeightSource : WeightSource
    {
        private readonly NativeFile file;
        private readonly IH5Group root;
        private readonly string path;
        private readonly bool keras3;

        public H5WeightSource(NativeFile file, IH5Group root, string path, bool keras3) { this.file = file; this.root = root; this.path = path; this.keras3 = keras3; }

        public override void Dispose() => file.Dispose();

        /// <summary>Per layer, the file's datasets in order (Keras matches weights by position, not by name).</summary>
        private List<IH5Dataset> LayerDatasets(Layer layer, string location)
        {
            var list = new List<IH5Dataset>();
            if (keras3)
            {
                if (!root.LinkExists(location)) return list;
                var g = root.Group(location);
                foreach (var sub in new[] { "vars", "cell/vars" })
                {
                    if (!g.LinkExists(sub)) continue;
                    var vars = g.Group(sub);
                    var children = vars.Children().OfType<IH5Dataset>().ToDictionary(d => d.Name, StringComparer.Ordinal);
                    for (int i = 0; i < children.Count; i++)
                        list.Add(children.TryGetValue(i.ToString(CultureInfo.InvariantCulture), out var d) ? d
                            : throw Invalid($"'{path}': {location}/{sub} holds {children.Count} variables but no '{i}'."));
                }
                return list;
            }
            if (!root.LinkExists(location)) return list;
            var group = root.Group(location);
            if (!group.AttributeExists("weight_names")) return list;
            foreach (var n in ReadStringsAttribute(group, "weight_names"))
            {
                if (n.Length == 0 || n.Contains("..", StringComparison.Ordinal) || n.StartsWith('/'))
                    throw Invalid($"'{path}': layer '{location}' names a weight '{n}' outside its group.");
                if (!group.LinkExists(n)) throw Invalid($"'{path}': layer '{location}' lists weight '{n}', which the file does not hold.");
                list.Add(group.Dataset(n));
            }
            return list;
        }

        public override Dictionary<string, float[]> Read(SequentialModel model, string p, string mismatchId, ErrorKind mismatchKind) => H5Guard(path, () =>
        {
            var problems = new List<string>();
            var plan = new List<(Weight Weight, IH5Dataset Data)>();
            var locations = keras3 ? Keras3LayerPaths(model.Layers.Select(l => l.ClassName)) : model.Layers.Select(l => l.Name).ToList();
            if (!keras3)
            {
                var names = root.AttributeExists("layer_names") ? ReadStringsAttribute(root, "layer_names") : Array.Empty<string>();
                var withWeights = model.Layers.Where(l => l.Weights.Count > 0).Select(l => l.Name).ToList();
                var missing = withWeights.Where(n => !names.Contains(n, StringComparer.Ordinal)).ToList();
                if (missing.Count > 0) problems.Add($"the file has no weights for layer(s) {string.Join(", ", missing)} (it names {string.Join(", ", names)})");
            }
            for (int li = 0; li < model.Layers.Count; li++)
            {
                var layer = model.Layers[li];
                var data = LayerDatasets(layer, locations[li]);
                if (data.Count != layer.Weights.Count)
                {
                    problems.Add($"layer '{layer.Name}' has {layer.Weights.Count} weights but the file holds {data.Count} at '{locations[li]}'");
                    continue;
                }
                for (int i = 0; i < data.Count; i++)
                {
                    var w = layer.Weights[i];
                    var dims = data[i].Space.Dimensions;
                    var type = data[i].Type;
                    if (!dims.Select(d => (long)d).SequenceEqual(w.Shape) && !(w.Shape.Length == 0 && dims.Length == 1 && dims[0] == 1))
                        problems.Add($"'{w.Path}' is ({string.Join(", ", dims)}) in the file but {Fmt(w.Shape)} in the model");
                    else if (!(type.Class == H5DataTypeClass.FloatingPoint && type.Size is 4 or 8) && !(type.Class == H5DataTypeClass.FixedPoint && type.Size is 4 or 8))
                        problems.Add($"'{w.Path}' is stored as {type.Class} of {type.Size} bytes; KerasPS reads float32, float64 and integer weights");
                    else plan.Add((w, data[i]));
                }
            }
            if (problems.Count > 0)
            {
                var shown = string.Join("; ", problems.Take(12)) + (problems.Count > 12 ? $"; and {problems.Count - 12} more" : "");
                throw new KerasException(mismatchId, mismatchKind, mismatchId == "InvalidCheckpoint"
                    ? $"'{path}': the weights do not match the model its config describes: {shown}."
                    : $"The weights in '{path}' do not match model '{model.Name}': {shown}. Load into a model with the same layers in the same order; nothing was changed.") { Target = path };
            }
            var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var (w, d) in plan)   // every shape matched the model, so each buffer is the size of a weight the model already holds
            {
                var t = d.Type;
                float[] v = t.Class == H5DataTypeClass.FloatingPoint
                    ? (t.Size == 4 ? d.Read<float[]>() : d.Read<double[]>().Select(x => (float)x).ToArray())
                    : (t.Size == 4 ? d.Read<int[]>().Select(x => (float)x).ToArray() : d.Read<long[]>().Select(x => (float)x).ToArray());
                if (v.LongLength != w.Count) throw Invalid($"'{path}': '{w.Path}' holds {v.LongLength} values, not {w.Count}.");
                values[w.Path] = v;
            }
            return values;
        });
    }

    private static string Fmt(long[] shape) => "(" + string.Join(", ", shape) + ")";
}
