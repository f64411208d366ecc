using System.Text.Json;
using KerasPS.Engine.Data;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Models;

namespace KerasPS.Engine.Onnx;

/// <summary>Settings of an ONNX export: the graph's input and output names and whether an existing file is replaced.</summary>
public sealed record OnnxExportOptions
{
    public const string DefaultInputName = "input";
    public const string DefaultOutputName = "output";

    /// <summary>The graph's input names, one per model input; null for the defaults: "input" for a model with one input,
    /// the input layers' names for a model with several.</summary>
    public IReadOnlyList<string>? InputNames { get; init; }

    /// <summary>The graph's output names, one per model output; null for the defaults: "output" for a model with one output,
    /// the output layers' names for a model with several.</summary>
    public IReadOnlyList<string>? OutputNames { get; init; }

    public bool Overwrite { get; init; }
}

/// <summary>
/// Writes a built model as an ONNX model (opset 17) for inference: one float input (batch, ...input shape) per model
/// input, one float output (batch, ...output shape) per model output, every layer as the ONNX operators that compute its inference-time
/// forward pass, and the model's classes and feature names in <c>metadata_props</c>. See module/CHECKPOINT-FORMAT.md.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX opset the files use.</summary>
    public const int Opset = OnnxGraph.Opset;

    /// <summary>
    /// The metadata keys the file carries: classes and feature_names as JSON arrays, target as text, and the model's
    /// Keras config (the model as Keras 3 serializes it, the same JSON a checkpoint's config holds).
    /// </summary>
    public const string ClassesKey = "classes", FeatureNamesKey = "feature_names", TargetKey = "target",
        KerasConfigKey = "keras_model_config";

    /// <summary>Checks the model can be exported, then writes it to <paramref name="path"/> atomically.</summary>
    public static void Save(KerasModel model, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        var full = TargetPath(path);
        if (!options.Overwrite && File.Exists(full)) throw Exists(full);
        var bytes = ToBytes(model, options);   // everything is checked before the file is opened
        try
        {
            AtomicFile.Write(full, s => s.Write(bytes), options.Overwrite);
        }
        catch (IOException e) when (e is not FileInUseException && !options.Overwrite && File.Exists(full)) { throw Exists(full); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasException("OnnxWriteFailed", ErrorKind.ResourceUnavailable,
                $"Could not write ONNX model '{full}': {e.Message} Any file already at that path is unchanged.", e) { Target = full };
        }
    }

    /// <summary>The serialized ModelProto of <paramref name="model"/>.</summary>
    public static byte[] ToBytes(KerasModel model, OnnxExportOptions? options = null)
    {
        options ??= new OnnxExportOptions();
        if (!model.IsBuilt)
            throw KerasException.BadOperation("ModelNotBuilt",
                $"Model '{model.Name}' has no weights yet, so there is nothing to export. Train it or give it an -InputShape first.");
        var inputNames = GraphNames(options.InputNames, model.InputNames, OnnxExportOptions.DefaultInputName, "InputName");
        var outputNames = GraphNames(options.OutputNames, model.OutputNames, OnnxExportOptions.DefaultOutputName, "OutputName");
        var clash = inputNames.Concat(outputNames).GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(n => n.Count() > 1);
        if (clash is not null)
            throw KerasException.BadArgument("InvalidOnnxName",
                $"Every ONNX input and output needs its own name; '{clash.Key}' is given twice.", clash.Key);
        CheckExportable(model);

        var g = new OnnxGraph(model.Name);
        foreach (var name in inputNames.Concat(outputNames)) g.Reserve(name);   // no node may take a name the ends use
        Native.TorchRuntime.EnsureLoaded();
        var values = LowerModel(model, g, inputNames, "");
        g.Scope = "";
        for (int i = 0; i < values.Count; i++) g.SetOutput(values[i], outputNames[i]);

        var metadata = new Dictionary<string, string>();
        if (model.Classes is { Count: > 0 } classes) metadata[ClassesKey] = JsonSerializer.Serialize(classes);
        if (model.FeatureNames is { Count: > 0 } features) metadata[FeatureNamesKey] = JsonSerializer.Serialize(features);
        if (model.TargetName is { } target) metadata[TargetKey] = target;
        metadata[KerasConfigKey] = System.Text.Encoding.UTF8.GetString(Checkpoints.CheckpointJson.Serialize(model.GetConfig()));
        var inputShapes = model.IsFunctional ? model.Inputs.Select(t => t.Shape).ToArray() : new[] { model.InputShape! };
        var outputShapes = model.IsFunctional ? model.Outputs.Select(t => t.Shape).ToArray() : new[] { model.OutputShape! };
        var version = typeof(OnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "0";
        return g.ToModelProto(inputNames.Zip(inputShapes, Batched).ToArray(), outputNames.Zip(outputShapes, Batched).ToArray(),
            metadata, version, $"Keras {(model.IsFunctional ? "functional" : "Sequential")} model '{model.Name}' exported by KerasPS");

        static (string, long[]) Batched(string name, int[] shape) => (name, new long[] { -1 }.Concat(shape.Select(d => (long)d)).ToArray());
    }

    /// <summary>
    /// The graph's names for the model's inputs (or outputs): the ones given, else <paramref name="defaultName"/> for a model
    /// with one, else the layers' names (Keras's input and output layer names, as Keras's own ONNX exporters name them).
    /// </summary>
    private static string[] GraphNames(IReadOnlyList<string>? given, IReadOnlyList<string> layerNames, string defaultName, string what)
    {
        var names = given is { Count: > 0 } ? given.ToArray() : layerNames.Count == 1 ? new[] { defaultName } : layerNames.ToArray();
        if (names.Length != layerNames.Count)
            throw KerasException.BadArgument("InvalidOnnxName",
                $"-{what} gives {names.Length} name(s), but the model has {layerNames.Count} ({string.Join(", ", layerNames)}). "
                    + $"Give one name per {(what == "InputName" ? "input" : "output")}, in that order, or leave -{what} out.",
                string.Join(", ", names));
        foreach (var n in names) CheckName(n, what);
        return names;
    }

    /// <summary>
    /// Adds the nodes of <paramref name="model"/>'s forward pass on <paramref name="inputs"/> and returns its outputs: a
    /// Sequential layer after layer, a functional model call after call (a shared layer's nodes appear once per call), a nested
    /// model inside its own scope.
    /// </summary>
    internal static IReadOnlyList<string> LowerModel(KerasModel model, OnnxGraph g, IReadOnlyList<string> inputs, string scope)
    {
        string Scoped(Layer l) => scope.Length == 0 ? l.Name : $"{scope}/{l.Name}";
        if (!model.IsFunctional)
        {
            var values = inputs;
            foreach (var layer in model.Layers)
            {
                g.Scope = Scoped(layer);
                values = ((IOnnxLowering)layer).LowerToOnnx(g, values);
            }
            return values;
        }
        var names = new Dictionary<KerasTensor, string>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < model.Inputs.Count; i++) names[model.Inputs[i]] = inputs[i];
        foreach (var node in model.Nodes)
        {
            g.Scope = Scoped(node.Layer);
            names[node.Output] = ((IOnnxLowering)node.Layer).LowerToOnnx(g, node.Inputs.Select(t => names[t]).ToArray()).Single();
        }
        return model.Outputs.Select(t => names[t]).ToArray();
    }

    /// <summary>Checks every layer of a model, nested models' layers included, before any node is added.</summary>
    internal static void CheckExportable(KerasModel model)
    {
        if (model.Inputs.FirstOrDefault(t => t.DType == StringInputs.DType) is { } text)
            throw new KerasException("OnnxStringInput", ErrorKind.InvalidOperation,
                $"Model input '{text.Layer.Name}' takes strings, which KerasPS encodes on the host (layer "
                    + $"'{StringInputs.EncoderLayer(model, text).Name}'); ONNX has no form for that encoding. Export the model to "
                    + ".kpt or .keras instead.") { Target = text.Layer.Name };
        foreach (var layer in model.Layers) CheckExportable(layer);
    }

    private static void CheckName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('/'))
            throw KerasException.BadArgument("InvalidOnnxName", $"-{what} must be a non-empty name without '/'. Received: '{name}'.", name);
    }

    /// <summary>
    /// Refuses, before anything is written, a layer the ONNX graph cannot express: a class without a lowering
    /// (<c>OnnxUnsupportedLayer</c>), or a configuration its lowering refuses (<see cref="IOnnxLowering.CheckOnnxExport"/>).
    /// </summary>
    private static IOnnxLowering CheckExportable(Layer layer)
    {
        if (layer is not IOnnxLowering lowering)
            throw new KerasException("OnnxUnsupportedLayer", ErrorKind.InvalidOperation,
                $"Layer '{layer.Name}' ({layer.ClassName}) has no ONNX form in this version of KerasPS.") { Target = layer.Name };
        lowering.CheckOnnxExport();
        return lowering;
    }

    /// <summary>True when layers of class <paramref name="layerType"/> have an ONNX form (they may still refuse a configuration).</summary>
    public static bool CanLower(Type layerType) => typeof(IOnnxLowering).IsAssignableFrom(layerType);

    private static string TargetPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw KerasException.BadArgument("InvalidOnnxPath", "The ONNX path is empty. Give a file path such as model.onnx.");
        // Before GetFullPath, which on Windows trims a trailing dot or space.
        WindowsFileNames.CheckPath(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw KerasException.BadArgument("InvalidOnnxPath",
                $"'{full}' is a folder. Give a file path such as {Path.Combine(full, "model.onnx")}.", path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new KerasException("OnnxFolderNotFound", ErrorKind.ObjectNotFound,
                $"The folder '{dir}' does not exist. Create it first (New-Item -ItemType Directory).") { Target = path };
        return full;
    }

    private static KerasException Exists(string full) =>
        new("OnnxFileExists", ErrorKind.ResourceExists, $"'{full}' already exists. Use -Force to replace it, or choose another path.")
        {
            Target = full,
        };
}
