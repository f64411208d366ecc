using System.Globalization;
using System.IO.Compression;
using System.Text;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.AttentionLayers;
using KerasPS.Engine.Models;
using PureHDF;

namespace KerasPS.Engine.Checkpoints;

/// <summary>
/// Keras 3's <c>.keras</c> archive: a zip with <c>config.json</c> (the model and its compile config),
/// <c>metadata.json</c> (Keras's version and KerasPS's own state) and <c>model.weights.h5</c> (the weights by layer
/// path, <c>layers/dense/vars/0</c>).
/// </summary>
internal static class Keras3File
{
    private const long MaxWeightsEntryBytes = int.MaxValue;


    // ------------------------------------------------------------------ save

    public static void Save(KerasModel model, Stream stream, bool weightsOnly)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        if (!weightsOnly)
        {
            var config = KerasFiles.ModelConfig(model, keras2: false);
            if (CompileConfig(model) is { } compile) config["compile_config"] = compile;
            WriteEntry(zip, "config.json", CheckpointJson.Serialize(config));
            var metadata = new Dictionary<string, object?>
            {
                ["keras_version"] = KerasFiles.Keras3Version,
                ["date_saved"] = DateTime.UtcNow.ToString("yyyy-MM-dd@HH:mm:ss", CultureInfo.InvariantCulture),
                ["kerasps"] = KerasFiles.KerasPSState(model),
            };
            WriteEntry(zip, "metadata.json", CheckpointJson.Serialize(metadata));
        }
        var root = new H5File();
        var layersGroup = new H5Group();
        foreach (var (layer, path) in KerasLayout.Keras3Locations(model))
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
            if (layer is MultiHeadAttention attention)
            {
                foreach (var (name, held) in attention.Keras3Groups)
                {
                    var subVars = new H5Group();
                    for (int i = 0; i < held.Length; i++) subVars[i.ToString(CultureInfo.InvariantCulture)] = KerasH5.Dataset(held[i]);
                    group[name] = new H5Group { ["vars"] = subVars };
                }
            }
            else
            {
                for (int i = 0; i < layer.Weights.Count; i++)
                    target[i.ToString(CultureInfo.InvariantCulture)] = KerasH5.Dataset(layer.Weights[i]);
            }
            group["vars"] = vars;
            Place(layersGroup, path["layers/".Length..], group);
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

    private static Dictionary<string, object?>? CompileConfig(KerasModel model)
    {
        if (model.GetCompileConfig() is not { } c) return null;
        c["optimizer"] = KerasFiles.SerializedOptimizer((Dictionary<string, object?>)c["optimizer"]!);
        c.TryAdd("loss_weights", null);
        c["weighted_metrics"] = null;
        c["run_eagerly"] = false;
        c["steps_per_execution"] = 1;
        c["jit_compile"] = false;
        return c;
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        using var s = entry.Open();
        s.Write(bytes);
    }

    /// <summary>Puts <paramref name="group"/> at a path of groups below <paramref name="parent"/> (a nested model's
    /// <c>functional/layers/dense</c>), making the groups between.</summary>
    private static void Place(H5Group parent, string path, H5Group group)
    {
        var parts = path.Split('/');
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (!parent.TryGetValue(parts[i], out var next) || next is not H5Group g) parent[parts[i]] = g = new H5Group();
            parent = g;
        }
        parent[parts[^1]] = group;
    }

    internal static bool IsRecurrent(Layer layer) => layer.ClassName is "SimpleRNN" or "LSTM" or "GRU";

    /// <summary>
    /// Keras 3's names for a Sequential's layers in model.weights.h5: the class name in snake case (Keras's
    /// <c>naming.to_snake_case</c>), numbered from the second of a class on: <c>dense</c>, <c>dense_1</c>, <c>lstm</c>.
    /// </summary>
    public static IReadOnlyList<string> LayerPaths(IEnumerable<string> classNames)
    {
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        var paths = new List<string>();
        foreach (var cn in classNames)
        {
            var name = KerasLayout.ToSnakeCase(cn);
            if (used.TryGetValue(name, out var n)) { used[name] = n + 1; name = $"{name}_{n + 1}"; }
            else used[name] = 0;
            paths.Add("layers/" + name);
        }
        return paths;
    }

    // ------------------------------------------------------------------ load

    /// <summary>Opens a <c>.keras</c> archive: its configs parsed, its weights file in memory, nothing read from it yet.</summary>
    public static KerasFileParts Open(string full)
    {
        using var f = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        ZipArchive zip;
        try { zip = new ZipArchive(f, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e)
        {
            throw Checkpoint.Invalid($"'{full}' is truncated or damaged: its zip directory cannot be read ({e.Message})");
        }
        using (zip)
        {
            Dictionary<string, object?>? config = null, compile = null, state = null;
            if (zip.GetEntry("config.json") is { } c)
            {
                config = KerasFiles.ParseJson(ReadText(c, full), $"'{full}': config.json");
                AddVocabularyAssets(config, zip, full);
                if (config.GetValueOrDefault("compile_config") is Dictionary<string, object?> cc)
                    compile = KerasConfigTranslator.CompileFromKeras3(cc);
            }
            if (zip.GetEntry("metadata.json") is { } m
                && KerasFiles.ParseJson(ReadText(m, full), $"'{full}': metadata.json").GetValueOrDefault("kerasps")
                    is Dictionary<string, object?> s)
                state = s;
            var w = zip.GetEntry("model.weights.h5")
                ?? throw Checkpoint.Invalid($"'{full}' has no model.weights.h5; it is not a Keras 3 model file.");
            if (w.Length > MaxWeightsEntryBytes)
                throw Checkpoint.Invalid($"'{full}': model.weights.h5 declares {w.Length} bytes, "
                    + "more than KerasPS reads from a .keras file "
                    + $"({MaxWeightsEntryBytes}).");
            var buffer = new MemoryStream(new byte[w.Length], 0, (int)w.Length, writable: true, publiclyVisible: true);
            try
            {
                using (var es = CrcCheckedStream.Open(w, full)) { es.CopyTo(buffer); }
                if (buffer.Position != w.Length) throw Checkpoint.Invalid($"'{full}': model.weights.h5 is truncated.");
            }
            catch (InvalidDataException e) { throw Checkpoint.Invalid($"'{full}': model.weights.h5 is damaged ({e.Message})."); }
            buffer.Position = 0;
            var file = KerasH5.Open(buffer, full);
            return new KerasFileParts(config, compile, state,
                new KerasH5Weights(file, file, full, keras3: true) { MaxValues = w.Length / 2 });
        }
    }

    /// <summary>
    /// Keras's save_assets for an adapted lookup layer (TextVectorization, StringLookup, IntegerLookup): its config says
    /// <c>vocabulary: null</c> and the vocabulary, special tokens first, is <c>assets/layers/&lt;name&gt;/vocabulary.txt</c>,
    /// one term a line. Read into the layer's config, where KerasPS keeps a vocabulary.
    /// </summary>
    private static void AddVocabularyAssets(object? node, ZipArchive zip, string full)
    {
        if (node is List<object?> list)
        {
            foreach (var item in list) AddVocabularyAssets(item, zip, full);
            return;
        }
        if (node is not Dictionary<string, object?> d) return;
        if (d.GetValueOrDefault("class_name") is "TextVectorization" or "StringLookup" or "IntegerLookup"
            && d.GetValueOrDefault("config") is Dictionary<string, object?> cfg && cfg.GetValueOrDefault("vocabulary") is null
            && cfg.GetValueOrDefault("name") is string name)
        {
            var suffix = "/" + name + "/vocabulary.txt";
            if (zip.Entries.FirstOrDefault(e => e.FullName.StartsWith("assets/", StringComparison.Ordinal)
                && e.FullName.EndsWith(suffix, StringComparison.Ordinal)) is { } asset)
            {
                var lines = ReadText(asset, full).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
                while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
                cfg["vocabulary"] = d["class_name"] is "IntegerLookup"
                    ? lines.Select(l => (object?)long.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToList()
                    : lines.Select(l => (object?)l).ToList();
            }
            return;
        }
        foreach (var v in d.Values) AddVocabularyAssets(v, zip, full);
    }

    private static string ReadText(ZipArchiveEntry entry, string full)
    {
        if (entry.Length > KerasFiles.MaxJsonBytes)
            throw Checkpoint.Invalid($"'{full}': {entry.FullName} declares {entry.Length} bytes, "
                + $"more than the {KerasFiles.MaxJsonBytes} a config may have.");
        try
        {
            using var s = CrcCheckedStream.Open(entry, full);
            using var r = new StreamReader(s, Encoding.UTF8);
            return r.ReadToEnd();
        }
        catch (InvalidDataException e) { throw Checkpoint.Invalid($"'{full}': {entry.FullName} is damaged ({e.Message})."); }
    }
}
