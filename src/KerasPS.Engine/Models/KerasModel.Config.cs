using System.Globalization;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Native;
using KerasPS.Engine.Training;
using KerasPS.Engine.Training.Optimizers;

namespace KerasPS.Engine.Models;

/// <summary>
/// The model's own configs (Keras's <c>Sequential.get_config</c> / <c>from_config</c>, <c>get_compile_config</c>):
/// the layer stack, the compile settings and the training state, as plain data. Checkpoint writers put these into files;
/// nothing here knows about files. Errors are <c>InvalidModelConfig</c>; a file reader adds the path.
/// </summary>
public sealed partial class KerasModel
{
    /// <summary>Marks, in a serialized layer, a layer whose config carries code (a script block), so a reader can refuse it before building
    /// anything.</summary>
    public const string UnsafeFlag = "unsafe_to_deserialize";

    /// <summary>
    /// Keras's serialized Sequential: <c>{"class_name": "Sequential", "config": {"name", "seed", "input_shape", "layers": [...]}}</c>,
    /// each layer as <see cref="Layer.Serialize"/> writes it (a layer that carries code is flagged with <see cref="UnsafeFlag"/>).
    /// </summary>
    public Dictionary<string, object?> GetConfig()
    {
        if (graph is not null) return GetGraphConfig();
        var serialized = layers.Select(l => (object?)SerializedLayer(l)).ToList();
        return new Dictionary<string, object?>
        {
            ["class_name"] = "Sequential",
            ["config"] = new Dictionary<string, object?>
            {
                ["name"] = Name,
                ["seed"] = Seed,
                ["input_shape"] = InputShape,
                ["layers"] = serialized,
            },
        };
    }

    /// <summary>A layer as a model config lists it: <see cref="Layer.Serialize"/>, flagged <see cref="UnsafeFlag"/> when it carries
    /// code.</summary>
    private static Dictionary<string, object?> SerializedLayer(Layer layer)
    {
        var entry = layer.Serialize();
        if (layer.IsUnsafeToDeserialize) entry[UnsafeFlag] = true;
        return entry;
    }

    /// <summary>
    /// Layer <paramref name="i"/> of a model config, rebuilt through <see cref="LayerRegistry"/>; a config the layer refuses
    /// becomes <c>InvalidModelConfig</c> naming its position and class (refusals of code and of unknown layers keep their own
    /// ids).
    /// </summary>
    private static (Layer Layer, IDictionary<string, object?> Entry) LayerFromEntry(object? raw, int i, bool allowUnsafeCode)
    {
        if (raw is not IDictionary<string, object?> entry || entry.Value("class_name") is not string className)
            throw Invalid($"layer {i + 1} has no class_name.");
        try { return (LayerRegistry.Deserialize(entry, allowUnsafeCode), entry); }
        catch (KerasException e) when (e.ErrorId is not ("UnsafeLayerConfig" or "UnsupportedKerasLayers"))
        {
            throw new KerasException("InvalidModelConfig", ErrorKind.InvalidData,
                $"layer {i + 1} ({className}) cannot be rebuilt from its config: {e.Message}", e);
        }
    }

    /// <summary>The names of the layers flagged <see cref="UnsafeFlag"/> in a model config, read without building any layer.</summary>
    public static IReadOnlyList<string> FlaggedUnsafeLayers(IDictionary<string, object?> serialized) =>
        LayerEntries(Section(serialized, "config")).OfType<IDictionary<string, object?>>()
            .Where(e => e.TryGetValue(UnsafeFlag, out var f) && f is true)
            .Select(e => (e.TryGetValue("config", out var c) && c is IDictionary<string, object?> d
                && d.TryGetValue("name", out var n) ? Convert.ToString(n, CultureInfo.InvariantCulture) : null) ?? "?")
            .ToList();

    /// <summary>
    /// The inverse of <see cref="GetConfig"/>: a model with the same layers, built when the config has an input shape.
    /// A layer that carries code is refused with <c>UnsafeLayerConfig</c> unless <paramref name="allowUnsafeCode"/>.
    /// </summary>
    public static KerasModel FromConfig(IDictionary<string, object?> serialized, bool allowUnsafeCode = false)
    {
        var config = Section(serialized, "config");
        if (serialized.Value("class_name") as string is "Functional" or "Model" || config.ContainsKey("input_layers"))
            return GraphFromConfig(config, allowUnsafeCode);
        var entries = LayerEntries(config);
        var reader = new ConfigReader(config);
        var inputShape = reader.IntArray("input_shape");
        var name = reader.String("name") is { } n && !string.IsNullOrWhiteSpace(n) ? n : null;
        if (inputShape is not null) TorchRuntime.EnsureLoaded();
        var model = new KerasModel(name, inputShape, reader.NullableLong("seed"));
        for (int i = 0; i < entries.Count; i++)
        {
            model.Add(LayerFromEntry(entries[i], i, allowUnsafeCode).Layer);
        }
        if (inputShape is not null && model.Layers.Count > 0 && !model.IsBuilt) model.Build(inputShape);
        return model;
    }

    /// <summary>Keras's <c>get_compile_config</c>: the optimizer's config, the loss name and the metric names; null when not
    /// compiled.</summary>
    public Dictionary<string, object?>? GetCompileConfig() => !IsCompiled ? null : NamedCompileConfig()
        ?? new Dictionary<string, object?> { ["optimizer"] = Optimizer!.GetConfig(), ["loss"] = Loss!.Name,
            ["metrics"] = Metrics.Select(m => m.GetConfig()).ToList() };

    /// <summary>Keras's <c>compile_from_config</c>: compiles with the optimizer, loss and metrics <see cref="GetCompileConfig"/>
    /// wrote.</summary>
    public void CompileFromConfig(IDictionary<string, object?> compile)
    {
        var optimizer = Optimizer.FromConfig(Section(compile, "optimizer"));
        if (CompileNamedFromConfig(optimizer, compile)) return;
        var loss = KerasObjects.Losses.Create(compile.TryGetValue("loss", out var l) ? l as string ?? "" : "");
        var metrics = compile.TryGetValue("metrics", out var m)
            && m is List<object?> list ? list.Select(MetricSpec.FromConfig).ToList() : new List<MetricSpec>();
        Compile(optimizer, loss, metrics);
    }

    /// <summary>What a fit leaves behind besides weights: epochs trained, the fit seed, the data's encoding and the history.</summary>
    public Dictionary<string, object?> GetTrainingState() => new()
    {
        ["epochs_trained"] = EpochsTrained,
        ["fit_seed"] = FitSeed,
        ["target_epochs"] = TargetEpochs,
        ["classes"] = Classes?.ToList(),
        ["feature_names"] = FeatureNames?.ToList(),
        ["source_columns"] = SourceColumns?.ToList(),
        ["input_columns"] = InputColumns?.ToDictionary(kv => kv.Key, kv => (object?)kv.Value.ToList()),
        ["categories"] = Categories?.ToDictionary(kv => kv.Key, kv => (object?)kv.Value.ToList()),
        ["missing_fills"] = MissingFills?.ToDictionary(kv => kv.Key, kv => (object?)kv.Value),
        ["missing_indicators"] = MissingIndicators?.ToList(),
        ["target_name"] = TargetName,
        ["output_classes"] = OutputClasses?.ToDictionary(kv => kv.Key, kv => (object?)kv.Value.ToList()),
        ["history"] = History.Select(r => new Dictionary<string, object?>
        {
            ["epoch"] = r.Epoch,
            ["learning_rate"] = r.LearningRate,
            ["duration_seconds"] = r.Duration.TotalSeconds,
            ["samples"] = r.Samples,
            ["values"] = r.Values.ToDictionary(kv => kv.Key, kv => (object?)kv.Value),
        }).ToList(),
    };

    /// <summary>
    /// Parses a training state written by <see cref="GetTrainingState"/>; the returned action applies it to a model
    /// (nothing changes until it runs, so a caller can check everything else first).
    /// </summary>
    public static Action<KerasModel> ReadTrainingState(IDictionary<string, object?> t)
    {
        try
        {
            var training = new ConfigReader(t);
            int epochs = training.Int("epochs_trained", 0);
            long? fitSeed = training.NullableLong("fit_seed");
            long? targetEpochs = training.NullableLong("target_epochs");
            var classes = Strings(training.Raw("classes"));
            var features = Strings(training.Raw("feature_names"));
            var target = training.Raw("target_name") as string;
            var sourceColumns = Strings(training.Raw("source_columns"));
            var categories = training.Raw("categories") is IDictionary<string, object?> cats
                ? cats.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)(Strings(kv.Value)
                    ?? throw Invalid($"category list '{kv.Key}' is not a list of strings.")))
                : null;
            var inputColumns = training.Raw("input_columns") is IDictionary<string, object?> ic
                ? ic.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)(Strings(kv.Value)
                    ?? throw Invalid($"the column list of input '{kv.Key}' is not a list of strings.")))
                : null;
            var missingFills = training.Raw("missing_fills") is IDictionary<string, object?> fills
                ? fills.ToDictionary(kv => kv.Key, kv => kv.Value is null or string ? (string?)kv.Value
                    : throw Invalid($"the fill of column '{kv.Key}' is not a string."))
                : null;
            var missingIndicators = Strings(training.Raw("missing_indicators"));
            var outputClasses = training.Raw("output_classes") is IDictionary<string, object?> oc
                ? oc.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)(Strings(kv.Value)
                    ?? throw Invalid($"the class list of output '{kv.Key}' is not a list of strings.")))
                : null;
            var history = new List<EpochRecord>();
            if (training.Raw("history") is List<object?> records)
                foreach (var h in records.OfType<IDictionary<string, object?>>())
                {
                    var values = Section(h, "values").ToDictionary(kv => kv.Key,
                        kv => Convert.ToDouble(kv.Value, CultureInfo.InvariantCulture));
                    var r = new ConfigReader(h);
                    history.Add(new EpochRecord(r.Int("epoch"), values, r.Double("learning_rate"),
                        TimeSpan.FromSeconds(r.Double("duration_seconds", 0.0)), r.Long("samples", 0L)));
                }
            if (epochs < 0) throw Invalid($"the training state says {epochs} epochs were trained.");
            if (targetEpochs is < 0 or > int.MaxValue)
                throw Invalid($"the training state says the fit was to reach {targetEpochs} epochs.");
            return model =>
            {
                model.EpochsTrained = epochs;
                model.FitSeed = fitSeed;
                model.TargetEpochs = targetEpochs is long t ? (int)t : null;
                model.Classes = classes;
                model.FeatureNames = features;
                model.SourceColumns = sourceColumns;
                model.InputColumns = inputColumns;
                model.Categories = categories;
                model.MissingFills = missingFills;
                model.MissingIndicators = missingIndicators;
                model.TargetName = target;
                model.OutputClasses = outputClasses;
                model.History.Clear();
                model.History.AddRange(history);
            };
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or KeyNotFoundException)
        {
            throw new KerasException("InvalidModelConfig", ErrorKind.InvalidData,
                $"the training state has a value of the wrong type ({e.Message}).", e);
        }
    }

    private static List<object?> LayerEntries(IDictionary<string, object?> config) =>
        config.TryGetValue("layers", out var l) && l is List<object?> list ? list : throw Invalid("it has no model layers.");

    private static IDictionary<string, object?> Section(IDictionary<string, object?> d, string key) =>
        d.TryGetValue(key, out var v) && v is IDictionary<string, object?> s ? s : throw Invalid($"it has no '{key}' object.");

    private static string[]? Strings(object? v) => v is List<object?> l ? l.Select(x => Convert.ToString(x, CultureInfo.InvariantCulture)!)
        .ToArray() : null;

    private static KerasException Invalid(string message) => KerasException.BadData("InvalidModelConfig", message);
}
