using System.Text;
using KerasPS.Engine.Models;
using PureHDF;

namespace KerasPS.Engine.Checkpoints;

/// <summary>
/// Keras 2's HDF5 file (<c>model.save("m.h5")</c>, <c>save_weights("w.h5")</c>): the model, training and KerasPS
/// configs as JSON attributes of the root, the weights under <c>model_weights/&lt;layer&gt;/&lt;layer&gt;/&lt;weight&gt;:0</c>
/// (or at the root of a weights-only file), each layer's group listing its <c>weight_names</c>.
/// </summary>
internal static class Keras2H5File
{

    public static void Save(KerasModel model, Stream stream, bool weightsOnly)
    {
        var file = new H5File();
        var weightsRoot = weightsOnly ? file : new H5Group();
        var order = KerasLayout.LayerOrder(model);
        weightsRoot.Attributes["layer_names"] = order.Select(l => l.Name).ToArray();
        weightsRoot.Attributes["backend"] = "tensorflow";
        weightsRoot.Attributes["keras_version"] = KerasFiles.Keras2Version;
        foreach (var layer in order)
        {
            // Keras reads a layer's weights by position from its weight_names; a nested model keeps all of its layers'
            // weights in its one group, trainable first, each named by its path inside the nested model.
            var group = new H5Group();
            var inner = new H5Group();
            var names = new List<string>();
            foreach (var w in KerasLayout.LegacyWeights(layer))
            {
                if (layer is Layers.Rnn.Bidirectional)
                {
                    // Keras 2: bidirectional/forward_lstm/kernel:0, held at bidirectional/bidirectional/forward_lstm/kernel:0
                    var n = $"{layer.Name}/{KerasLayout.Keras2NestedWeightName(layer, w)}";
                    names.Add(n);
                    Place(group, n, KerasH5.Dataset(w));
                }
                else if (layer is NestedModel)
                {
                    var n = KerasLayout.Keras2NestedWeightName(layer, w);
                    names.Add(n);
                    Place(group, n, KerasH5.Dataset(w));
                }
                else
                {
                    var n = $"{w.Name}:0";
                    if (n.Contains('/', StringComparison.Ordinal)) Place(inner, n, KerasH5.Dataset(w));   // query/kernel:0 (attention)
                    else inner[n] = KerasH5.Dataset(w);
                    names.Add($"{layer.Name}/{n}");
                }
            }
            group.Attributes["weight_names"] = names.ToArray();
            if (layer is not (NestedModel or Layers.Rnn.Bidirectional) && names.Count > 0) group[layer.Name] = inner;
            weightsRoot[layer.Name] = group;
        }
        if (!weightsOnly)
        {
            file["model_weights"] = weightsRoot;
            var config = KerasFiles.ModelConfig(model, keras2: true);
            config["keras_version"] = KerasFiles.Keras2Version;
            config["backend"] = "tensorflow";
            file.Attributes["model_config"] = Encoding.UTF8.GetString(CheckpointJson.Serialize(config));
            if (model.GetCompileConfig() is { } compile)
            {
                var training = new Dictionary<string, object?>
                {
                    ["loss"] = compile["loss"],
                    ["metrics"] = compile["metrics"],
                    ["weighted_metrics"] = null,
                    ["loss_weights"] = compile.GetValueOrDefault("loss_weights"),
                    ["optimizer_config"] = KerasFiles.SerializedOptimizer((Dictionary<string, object?>)compile["optimizer"]!),
                };
                file.Attributes["training_config"] = Encoding.UTF8.GetString(CheckpointJson.Serialize(training));
            }
            file.Attributes["keras_version"] = KerasFiles.Keras2Version;
            file.Attributes["backend"] = "tensorflow";
            file.Attributes["kerasps"] = Encoding.UTF8.GetString(CheckpointJson.Serialize(KerasFiles.KerasPSState(model)));
        }
        file.Write(stream);
    }

    private static void Place(H5Group parent, string path, H5Dataset data)
    {
        var parts = path.Split('/');
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (!parent.TryGetValue(parts[i], out var next) || next is not H5Group g) parent[parts[i]] = g = new H5Group();
            parent = g;
        }
        parent[parts[^1]] = data;
    }

    /// <summary>Opens an .h5 file: its configs parsed (a weights-only file has none), its weights not read yet.</summary>
    public static KerasFileParts Open(string full)
    {
        var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var file = KerasH5.Open(stream, full);
            return KerasH5.Guard(full, () =>
            {
                Dictionary<string, object?>? config = null, compile = null, state = null;
                IH5Group weightsRoot = file;
                if (file.AttributeExists("model_config"))
                {
                    config = KerasFiles.ParseJson(KerasH5.ReadStringAttribute(file, "model_config"), $"'{full}': model_config");
                    if (file.AttributeExists("training_config"))
                        compile = KerasConfigTranslator.CompileFromTrainingConfig(
                            KerasFiles.ParseJson(KerasH5.ReadStringAttribute(file, "training_config"), $"'{full}': training_config"));
                    if (file.AttributeExists("kerasps"))
                        state = KerasFiles.ParseJson(KerasH5.ReadStringAttribute(file, "kerasps"), $"'{full}': kerasps");
                    // A file KerasPS wrote (its kerasps attribute) holds Keras 3 layer configs under Keras 2's version number.
                    if (file.AttributeExists("keras_version") && KerasH5.ReadStringAttribute(file, "keras_version") is { } v
                        && (v.StartsWith("1.", StringComparison.Ordinal) || v.StartsWith("2.", StringComparison.Ordinal))
                        && !file.AttributeExists("kerasps"))
                        config[KerasConfigTranslator.Keras2Marker] = v;
                    if (!file.LinkExists("model_weights"))
                        throw Checkpoint.Invalid($"'{full}' has a model_config but no model_weights group.");
                    weightsRoot = file.Group("model_weights");
                }
                else if (!file.AttributeExists("layer_names"))
                    throw Checkpoint.Invalid($"'{full}' is an HDF5 file but not a Keras model: "
                        + "it has neither a model_config nor a layer_names attribute.");
                var backend = weightsRoot.AttributeExists("backend") ? KerasH5.ReadStringAttribute(weightsRoot, "backend")
                    : file.AttributeExists("backend") ? KerasH5.ReadStringAttribute(file, "backend") : null;
                var weights = new KerasH5Weights(file, weightsRoot, full, keras3: false)
                {
                    MaxValues = new FileInfo(full).Length / 2,
                    FlipTheanoKernels = backend == "theano",
                    Keras1 = config is not null
                        && Keras1Config.IsKeras1(config.GetValueOrDefault(KerasConfigTranslator.Keras2Marker) as string),
                };
                return new KerasFileParts(config, compile, state, weights);
            });
        }
        catch { stream.Dispose(); throw; }
    }
}
