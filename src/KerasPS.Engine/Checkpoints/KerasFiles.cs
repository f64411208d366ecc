using System.Globalization;
using System.IO.Compression;
using System.Text;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Models;

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
/// Keras's own files, written and read without native HDF5 (PureHDF): Keras 3 <c>.keras</c> archives
/// (<see cref="Keras3File"/>) and Keras 2 <c>.h5</c> files (<see cref="Keras2H5File"/>). This class picks the format
/// and does what both share: the model's config is KerasPS's own Keras 3 serialization
/// (<see cref="KerasModel.GetConfig"/>), translated on the way in from what Keras 2 writes
/// (<see cref="KerasConfigTranslator"/>). Reads validate names, shapes and element types against the rebuilt model
/// before any weight buffer is allocated (<see cref="KerasH5Weights"/>). The layouts are described in
/// module/CHECKPOINT-FORMAT.md.
/// </summary>
public static class KerasFiles
{
    /// <summary>The Keras version whose layout these files follow, written into them.</summary>
    public const string Keras3Version = "3.6.0";
    public const string Keras2Version = "2.15.0";

    private static readonly byte[] Hdf5Signature = { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a };
    internal const long MaxJsonBytes = 64L * 1024 * 1024;

    /// <summary>The format a path asks for, by its extension (<c>.keras</c>, <c>.h5</c>/<c>.hdf5</c>, anything else is .kpt).</summary>
    public static CheckpointFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".keras" => CheckpointFormat.Keras,
        ".h5" or ".hdf5" => CheckpointFormat.KerasH5,
        _ => CheckpointFormat.KerasPS,
    };

    /// <summary>True when the path's extension names a format (<c>.kpt</c>, <c>.keras</c>, <c>.h5</c>, <c>.hdf5</c>).</summary>
    public static bool IsKnownExtension(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".kpt" or ".keras" or ".h5" or ".hdf5";

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
                if (zip.GetEntry("model.weights.h5") is not null && zip.GetEntry(Checkpoint.WeightsEntry) is null)
                    return CheckpointFormat.Keras;
            }
            catch (InvalidDataException) { }   // the .kpt reader reports the damage
        }
        return CheckpointFormat.KerasPS;
    }

    /// <summary>
    /// Keras 3's names for a Sequential's layers in model.weights.h5: the class name in snake case (Keras's
    /// <c>naming.to_snake_case</c>), numbered from the second of a class on: <c>dense</c>, <c>dense_1</c>, <c>lstm</c>.
    /// </summary>
    public static IReadOnlyList<string> Keras3LayerPaths(IEnumerable<string> classNames) => Keras3File.LayerPaths(classNames);

    internal static KerasException Invalid(string message) => Checkpoint.Invalid(message);

    // ------------------------------------------------------------------ save

    internal static void Save(KerasModel model, CheckpointFormat format, Stream stream, bool weightsOnly)
    {
        if (format == CheckpointFormat.KerasH5) Keras2H5File.Save(model, stream, weightsOnly);
        else Keras3File.Save(model, stream, weightsOnly);
    }

    /// <summary>
    /// The model's config as Keras writes it (a Sequential with an InputLayer first and build configs, or a Functional with
    /// inbound nodes in Keras's layer order), without KerasPS-only keys; with Keras 2's forms for an .h5 file
    /// (<c>batch_input_shape</c>, inbound nodes as <c>[[["dense", 0, 0, {}]]]</c>).
    /// </summary>
    internal static Dictionary<string, object?> ModelConfig(KerasModel model, bool keras2) =>
        model.IsFunctional ? FunctionalConfig(model, keras2) : SequentialConfig(model, keras2);

    private static Dictionary<string, object?> SequentialConfig(KerasModel model, bool keras2)
    {
        var layers = new List<object?>();
        int[]? shape = model.InputShape ?? model.Layers.FirstOrDefault()?.DeclaredInputShape;
        // A model that starts with a string layer takes one string per row in Keras: Input(shape=(1,), dtype="string").
        bool strings = model.Layers.FirstOrDefault() is Layers.Preprocessing.HostEncodedLayer;
        if (strings) shape = new[] { 1 };
        if (shape is not null)
        {
            var batch = new List<object?> { null };
            batch.AddRange(shape.Select(d => (object?)d));
            var input = new Dictionary<string, object?>
            {
                ["dtype"] = strings ? "string" : "float32", ["sparse"] = false, ["name"] = "input_layer",
            };
            input[keras2 ? "batch_input_shape" : "batch_shape"] = batch;
            if (keras2) input["ragged"] = false;
            layers.Add(KerasObjects.Serialize("keras.layers", "InputLayer", input));
        }
        foreach (var layer in model.Layers) layers.Add(LayerEntry(layer, keras2));
        var config = new Dictionary<string, object?>
        {
            ["name"] = model.Name, ["trainable"] = true, ["dtype"] = "float32", ["layers"] = layers,
        };
        if (shape is not null) config["build_input_shape"] = BatchShape(shape);
        var serialized = new Dictionary<string, object?>
        {
            ["module"] = "keras", ["class_name"] = "Sequential", ["config"] = config, ["registered_name"] = null,
        };
        if (shape is not null) serialized["build_config"] = new Dictionary<string, object?> { ["input_shape"] = BatchShape(shape) };
        return serialized;
    }

    /// <summary>
    /// Keras's Functional config: every layer in <see cref="KerasLayout.LayerOrder"/> with its <c>name</c> and
    /// <c>inbound_nodes</c>, and the <c>input_layers</c> / <c>output_layers</c>. A nested functional model (and in Keras 2 a
    /// nested Sequential with an input) counts its own input-to-output node as node 0, so the calls made on it start at 1.
    /// </summary>
    private static Dictionary<string, object?> FunctionalConfig(KerasModel model, bool keras2)
    {
        int Offset(Layer l) => l is FunctionalLayer || (keras2 && l is SequentialLayer) ? 1 : 0;
        List<object?> History(KerasTensor t) => new() { t.Layer.Name, t.Node.Index + Offset(t.Layer), 0 };
        object? Tensor(KerasTensor t) => keras2
            ? History(t).Append(new Dictionary<string, object?>()).ToList()
            : new Dictionary<string, object?>
            {
                ["class_name"] = "__keras_tensor__",
                ["config"] = new Dictionary<string, object?>
                {
                    ["shape"] = BatchShape(t.Shape), ["dtype"] = t.DType, ["keras_history"] = History(t),
                },
            };
        var layers = new List<object?>();
        foreach (var layer in KerasLayout.LayerOrder(model))
        {
            var entry = LayerEntry(layer, keras2);
            entry["name"] = layer.Name;
            entry["inbound_nodes"] = model.Nodes.Where(n => n.Layer == layer).Select(n => keras2
                // Keras 2 keeps a call's non-tensor arguments in the kwargs of its first input.
                ? (object?)n.Inputs.Select((t, i) => i == 0 ? History(t).Append(KerasModel.CallKwargs(layer)).ToList() : Tensor(t)).ToList()
                : new Dictionary<string, object?>
                {
                    ["args"] = new List<object?>
                    {
                        layer.TakesSeveralInputs ? n.Inputs.Select(Tensor).ToList() : Tensor(n.Inputs[0]),
                    },
                    ["kwargs"] = KerasModel.CallKwargs(layer),
                }).ToList();
            layers.Add(entry);
        }
        var config = new Dictionary<string, object?>
        {
            ["name"] = model.Name,
            ["trainable"] = true,
            ["layers"] = layers,
            ["input_layers"] = model.Inputs.Select(t => (object?)History(t)).ToList(),
            ["output_layers"] = model.Outputs.Select(t => (object?)History(t)).ToList(),
        };
        var shapes = model.Inputs.Select(t => (object?)BatchShape(t.Shape)).ToList();
        return keras2
            ? new Dictionary<string, object?> { ["class_name"] = "Functional", ["config"] = config }
            : new Dictionary<string, object?>
            {
                ["module"] = "keras.src.models.functional", ["class_name"] = "Functional", ["config"] = config,
                ["registered_name"] = "Functional",
                ["build_config"] = new Dictionary<string, object?> { ["input_shape"] = shapes.Count == 1 ? shapes[0] : shapes },
            };
    }

    /// <summary>One layer as Keras serializes it inside a model: its config with a build config, a nested model as its own
    /// Keras config (recursively), an InputLayer with Keras 2's <c>batch_input_shape</c> in an .h5 file.</summary>
    private static Dictionary<string, object?> LayerEntry(Layer layer, bool keras2)
    {
        if (layer is NestedModel nested)
        {
            var inner = ModelConfig(nested.Inner, keras2);
            var c = (Dictionary<string, object?>)inner["config"]!;
            c["name"] = layer.Name;
            c["trainable"] = layer.Trainable;
            return inner;
        }
        var entry = layer.Serialize();
        var config = (Dictionary<string, object?>)entry["config"]!;
        config.Remove("input_shape");
        if (layer is Layers.Core.InputLayer)
        {
            if (keras2 && config.Remove("batch_shape", out var batch))
            {
                config["batch_input_shape"] = batch;
                config["ragged"] = false;
            }
            return entry;
        }
        if (layer.IsUnsafeToDeserialize) entry[KerasModel.UnsafeFlag] = true;
        if (layer.TakesSeveralInputs && layer.InputShapes is { } several)
            entry["build_config"] = new Dictionary<string, object?>
            {
                ["input_shape"] = several.Select(s => (object?)BatchShape(s)).ToList(),
            };
        else if (layer.InputShape is { } s)
            entry["build_config"] = new Dictionary<string, object?> { ["input_shape"] = BatchShape(s) };
        return entry;
    }

    private static List<object?> BatchShape(int[] shape)
    {
        var l = new List<object?> { null };
        l.AddRange(shape.Select(d => (object?)d));
        return l;
    }

    /// <summary>KerasPS's own state beside Keras's: seed, epochs, history, classes (Keras ignores keys it does not know).</summary>
    internal static Dictionary<string, object?> KerasPSState(KerasModel model) => new()
    {
        ["kerasps_version"] = Checkpoint.ProducerVersion,
        ["seed"] = model.Seed,
        ["training"] = model.GetTrainingState(),
    };

    /// <summary>
    /// KerasPS's flat optimizer config as Keras serializes an optimizer:
    /// <c>{"module": "keras.optimizers", "class_name": "Adam", "config": {...}}</c>.
    /// </summary>
    internal static Dictionary<string, object?> SerializedOptimizer(Dictionary<string, object?> flat)
    {
        var name = Convert.ToString(flat.GetValueOrDefault("name"), CultureInfo.InvariantCulture) ?? "";
        var className = KerasObjects.Optimizers.Find(name)?.ClassName ?? KerasObjects.ToClassName(name);
        return KerasObjects.Serialize("keras.optimizers", className, flat);
    }

    // ------------------------------------------------------------------ load

    private static KerasFileParts Open(string full, CheckpointFormat format) =>
        format == CheckpointFormat.KerasH5 ? Keras2H5File.Open(full) : Keras3File.Open(full);

    /// <summary>
    /// Reads a Keras file (<see cref="Sniff"/> said which) into a new model, built, with its weights, and compiled when
    /// it can be.
    /// </summary>
    internal static KerasModel Load(string full, CheckpointFormat format, bool allowUnsafe, Action<string>? warn = null)
    {
        var (config, compile, state, weights) = Open(full, format);
        using (weights)
        {
            if (config is null)
                throw KerasException.BadOperation("WeightsOnlyCheckpoint",
                    $"'{full}' holds only weights (Keras save_weights), not a model. Load them into a model with the same layers: "
                    + $"Import-Checkpoint -Path '{full}' -WeightsInto $model.", full);
            var translated = Run(full, () => KerasConfigTranslator.ToKerasPS(config));
            var flagged = KerasModel.FlaggedUnsafeLayers(translated);
            if (flagged.Count > 0 && !allowUnsafe)
                throw new KerasException("UnsafeCheckpoint", ErrorKind.SecurityError,
                    $"'{full}' has layers whose config carries code ({string.Join(", ", flagged)}); loading them would run that code. "
                    + "If you trust the file's author, import it with -AllowUnsafeDeserialization.") { Target = full };
            if (state?.GetValueOrDefault("seed") is long seed) ((Dictionary<string, object?>)translated["config"]!)["seed"] = seed;
            KerasModel model;
            using (WeightBudget.AtMost(weights.MaxValues, why =>
                Invalid($"'{full}': {why}; a Keras weights file holds at most one value per two bytes. Nothing was allocated.")))
                model = Run(full, () => KerasModel.FromConfig(translated, allowUnsafe));
            if (model.Layers.FirstOrDefault(l => l.IsUnsafeToDeserialize) is { } unsafeLayer && !allowUnsafe)
                throw new KerasException("UnsafeCheckpoint", ErrorKind.SecurityError,
                    $"'{full}' has a layer whose config carries code ({unsafeLayer.Name}); "
                    + "import it with -AllowUnsafeDeserialization if you trust the file's author.") { Target = full };
            if (!model.IsBuilt)
                throw Invalid($"'{full}': the model config gives no input shape, so its weights cannot be placed. "
                    + "Save the model in Keras after it was built (called on data or given an Input).");
            var values = weights.Read(model, full, "InvalidCheckpoint", ErrorKind.InvalidData);
            Action<KerasModel> training = _ => { };
            if (state?.GetValueOrDefault("training") is Dictionary<string, object?> t)
                training = Run(full, () => KerasModel.ReadTrainingState(t));
            if (compile is not null) TryCompile(model, compile, full, warn);
            foreach (var w in model.Weights) w.Assign(values[w.Path]);
            training(model);
            return model;
        }
    }

    /// <summary>Keras load_weights from a Keras file into an existing model with the same layers (in order, as Keras matches
    /// them).</summary>
    internal static void LoadWeightsInto(KerasModel model, string full, CheckpointFormat format)
    {
        var (config, _, _, weights) = Open(full, format);
        using (weights)
        {
            if (!model.IsBuilt)
            {
                int[]? shape = null;
                if (config is not null)
                    try
                    {
                        shape = (KerasConfigTranslator.ToKerasPS(config)["config"] as Dictionary<string, object?>)
                            ?.GetValueOrDefault("input_shape") as int[];
                    }
                    catch (KerasException) { }
                if (shape is null || model.Layers.Count == 0)
                    throw KerasException.BadOperation("ModelNotBuilt",
                        $"Model '{model.Name}' has no weights to load into yet. Give it an -InputShape (New-Model -InputShape) first.");
                model.Build(shape);
            }
            var values = weights.Read(model, full, "WeightsMismatch", ErrorKind.InvalidArgument);
            foreach (var w in model.Weights) w.Assign(values[w.Path]);
        }
    }

    /// <summary>
    /// Compiles from a Keras compile/training config when KerasPS knows its optimizer, loss and metrics; otherwise the
    /// model stays uncompiled, as Keras leaves a model whose training config it cannot restore (compile it with Build-Model),
    /// and <paramref name="warn"/> says why. Losses, metrics and loss weights given per output compile per output.
    /// </summary>
    private static void TryCompile(KerasModel model, Dictionary<string, object?> compile, string full, Action<string>? warn)
    {
        var config = KerasConfigTranslator.ForOutputs(compile, model.OutputNames, out var reason);
        const string then = "The model is loaded uncompiled; compile it with Build-Model before training it.";
        if (config is null)
        {
            warn?.Invoke($"'{full}': the training config cannot be restored: {reason}. {then}");
            return;
        }
        try { model.CompileFromConfig(config); }
        catch (Exception e) when (e is KerasException or InvalidCastException or FormatException or OverflowException
            or KeyNotFoundException or ArgumentException)
        {
            warn?.Invoke($"'{full}': the training config cannot be restored ({e.Message.TrimEnd('.')}). {then}");
        }
    }

    private static T Run<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (KerasException e) when (e.ErrorId is "UnsafeLayerConfig")
        {
            throw new KerasException("UnsafeCheckpoint", ErrorKind.SecurityError, $"'{path}': {e.Message}", e) { Target = path };
        }
        catch (KerasException e) when (e.ErrorId is not ("InvalidCheckpoint" or "UnsafeCheckpoint" or "UnsupportedKerasLayers"
            or "UnsupportedKerasModel" or "UnsupportedKerasVersion" or "KerasLayerMismatch"))
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData,
                $"'{path}': the model config cannot be rebuilt: {e.Message}", e) { Target = path };
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or KeyNotFoundException
            or ArgumentException or NullReferenceException)
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData,
                $"'{path}': the model config holds a value of the wrong type ({e.Message}).", e) { Target = path };
        }
        catch (OutOfMemoryException e)
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData,
                $"'{path}': the model config describes a model too large for this machine's memory.", e) { Target = path };
        }
    }

    internal static Dictionary<string, object?> ParseJson(string text, string what)
    {
        if (text.Length > MaxJsonBytes) throw Invalid($"{what} is larger than {MaxJsonBytes} bytes.");
        object? parsed;
        try { parsed = CheckpointJson.Parse(Encoding.UTF8.GetBytes(text)); }
        catch (System.Text.Json.JsonException e) { throw Invalid($"{what} is not valid JSON ({e.Message})."); }
        return parsed as Dictionary<string, object?> ?? throw Invalid($"{what} is not a JSON object.");
    }
}

/// <summary>What a Keras file holds: the model, compile and KerasPS configs (each null when absent) and its weights.</summary>
internal readonly record struct KerasFileParts(
    Dictionary<string, object?>? Config,
    Dictionary<string, object?>? Compile,
    Dictionary<string, object?>? State,
    KerasWeightSource Weights);
