using System.IO.Compression;
using KerasPS.Engine.Layers;

namespace KerasPS.Engine.Checkpoints;

/// <summary>
/// Checks a checkpoint's config against its weights file before a single layer is constructed, so that nothing is
/// sized from the config alone: the SHA-256 in config.json covers only the weights, so a config can be edited
/// freely, and a 1 KB file saying <c>Dense(units = 200000000)</c> must not make the loader allocate gigabytes.
/// <list type="bullet">
/// <item>the <c>model.safetensors</c> header is read (its sizes are checked against the entry's length);</item>
/// <item>the config's list of weights must name exactly the header's tensors with the same shapes, every weight must
/// belong to a layer the config declares, layer names must be unique, input shapes positive 32-bit integers;</item>
/// <item>while the layers are built, a <see cref="WeightBudget"/> admits only the header's weights with their exact
/// shapes, before any memory is allocated for them; so the model can never hold more values than the file.</item>
/// </list>
/// </summary>
internal static class CheckpointValidation
{
    /// <summary>
    /// Validates <paramref name="config"/> against the weights header and returns the budget to build the model under
    /// (dispose it after building). Errors are <c>InvalidCheckpoint</c>.
    /// </summary>
    public static WeightBudget BeforeBuild(ZipArchive zip, Dictionary<string, object?> config, string path)
    {
        var header = ReadHeader(zip, path);
        var problems = new List<string>();

        if (config.GetValueOrDefault("weights") is { } listed)
        {
            if (listed is not List<object?> entries) throw Invalid(path, "its 'weights' value is not a list");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < entries.Count; i++)
            {
                if (entries[i] is not Dictionary<string, object?> e || e.GetValueOrDefault("name") is not string name
                    || ShapeOf(e.GetValueOrDefault("shape")) is not { } shape)
                    throw Invalid(path, $"entry {i + 1} of its 'weights' list needs a name and a shape of non-negative integers");
                if (!seen.Add(name)) throw Invalid(path, $"its 'weights' list names '{name}' twice");
                if (!header.TryGetValue(name, out var stored))
                    problems.Add($"'{name}' {Shapes.FormatTensor(shape)} is listed in the config but not in {Checkpoint.WeightsEntry}");
                else if (!stored.SequenceEqual(shape))
                    problems.Add($"'{name}' is {Shapes.FormatTensor(shape)} in the config but {Shapes.FormatTensor(stored)} in "
                    + $"{Checkpoint.WeightsEntry}");
            }
            foreach (var name in header.Keys.Where(n => !seen.Contains(n)))
                problems.Add($"'{name}' in {Checkpoint.WeightsEntry} is not in the config's 'weights' list");
        }

        var modelConfig = (config.GetValueOrDefault("model") as Dictionary<string, object?>)?.GetValueOrDefault("config") as
            Dictionary<string, object?>;
        if (modelConfig is not null)
        {
            CheckInputShape(modelConfig, "the model's input_shape", path);
            var layerNames = new HashSet<string>(StringComparer.Ordinal);
            var nestedModels = new HashSet<string>(StringComparer.Ordinal);   // a nested model's weights are "trunk/dense/kernel"
            bool allNamed = true;
            if (modelConfig.GetValueOrDefault("layers") is List<object?> layers)
                for (int i = 0; i < layers.Count; i++)
                {
                    if (layers[i] is not Dictionary<string, object?> entry
                        || entry.GetValueOrDefault("config") is not Dictionary<string, object?> layerConfig)
                        throw Invalid(path, $"layer {i + 1} has no config object");
                    CheckInputShape(layerConfig, $"the input_shape of layer {i + 1}", path);
                    switch (layerConfig.GetValueOrDefault("name"))
                    {
                        case null: allNamed = false; break;
                        case string n when !layerNames.Add(n): throw Invalid(path, $"two layers are named '{n}'");
                        case string n:
                            // a wrapper's weights too are "bidirectional/forward_lstm/kernel"
                            if (entry.GetValueOrDefault("class_name") is "Functional" or "Sequential" or "Model" or "Bidirectional"
                                or "TimeDistributed")
                                nestedModels.Add(n);
                            break;
                        default: throw Invalid(path, $"the name of layer {i + 1} is not a string");
                    }
                }
            if (allNamed)
                foreach (var name in header.Keys)
                {
                    int slash = name.LastIndexOf('/'), first = name.IndexOf('/');
                    // a nested model's "trunk/dense/kernel", or a layer's weight with a scope ("mha/query/kernel", attention)
                    if (slash <= 0 || !layerNames.Contains(name[..slash])
                        && !(first < slash && (nestedModels.Contains(name[..first]) || layerNames.Contains(name[..first]))))
                        problems.Add($"'{name}' in {Checkpoint.WeightsEntry} belongs to no layer of the config");
                }
        }

        if (problems.Count > 0)
            throw Invalid(path, "the config does not match the weights: "
                + string.Join("; ", problems.Take(12)) + (problems.Count > 12 ? $"; and {problems.Count - 12} more" : ""));
        return WeightBudget.Exactly(header, message =>
            Checkpoint.Invalid($"'{path}': the model that {Checkpoint.ConfigEntry} describes does not match {Checkpoint.WeightsEntry}: "
                + $"{message}. Nothing was allocated for it."));
    }

    /// <summary>
    /// The budget for building a caller's model from a shape in the file (resume, load weights into): at most as many
    /// values as the weights file holds; a larger model fails with <paramref name="mismatchId"/> before allocating.
    /// </summary>
    public static WeightBudget IntoModel(ZipArchive zip, string path, string mismatchId, ErrorKind kind)
    {
        var header = ReadHeader(zip, path);
        long total = header.Values.Sum(s => s.Aggregate(1L, (a, d) => a * d));
        return WeightBudget.AtMost(total, message =>
            new KerasException(mismatchId, kind, $"The weights in '{path}' do not match the model: {message}. "
                + "Load into a model with the same layers; nothing was changed.") { Target = path });
    }

    /// <summary>Tensor names and shapes from the header of model.safetensors (none when the entry is absent).</summary>
    private static Dictionary<string, long[]> ReadHeader(ZipArchive zip, string path)
    {
        var result = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var entry = zip.GetEntry(Checkpoint.WeightsEntry);
        if (entry is null) return result;
        var what = $"'{path}': {entry.FullName}";
        try
        {
            using var stream = entry.Open();
            var (tensors, _) = SafeTensors.ReadHeader(stream, entry.Length, what);
            foreach (var t in tensors) result[t.Name] = t.Shape;
            return result;
        }
        catch (InvalidDataException e) { throw Checkpoint.Invalid($"{what} is damaged ({e.Message})."); }
    }

    private static void CheckInputShape(Dictionary<string, object?> config, string what, string path)
    {
        if (config.GetValueOrDefault("input_shape") is not { } value) return;
        if (value is not List<object?> dims || dims.Count == 0 || dims.Any(d => d is not long n || n < 1 || n > int.MaxValue))
            throw Invalid(path, $"{what} is {Describe(value)}; it must be a list of positive integers up to {int.MaxValue}");
    }

    private static long[]? ShapeOf(object? value) =>
        value is List<object?> dims && dims.All(d => d is long n && n >= 0) ? dims.Select(d => (long)d!).ToArray() : null;

    private static string Describe(object? value) => value switch
    {
        List<object?> l => "[" + string.Join(", ", l.Take(8).Select(Describe)) + (l.Count > 8 ? ", ..." : "") + "]",
        string s => $"'{TabularClip(s)}'",
        null => "null",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "?",
    };

    private static string TabularClip(string s) => s.Length <= 40 ? s : s[..37] + "...";

    private static KerasException Invalid(string path, string message) => Checkpoint.Invalid($"'{path}': {Checkpoint.ConfigEntry} "
        + $"{message}.");
}
