using System.Globalization;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Models;

namespace KerasPS.Engine.Checkpoints;

/// <summary>
/// Turns the model configs Keras writes (Keras 3 <c>.keras</c>, Keras 3 legacy <c>.h5</c>, Keras 2.x <c>.h5</c> back to
/// 2.0's list-of-layers form) into the Keras 3 form KerasPS's layers read (<see cref="Models.KerasModel.FromConfig"/>):
/// the <c>InputLayer</c> and <c>batch_input_shape</c> / <c>batch_shape</c> become the model's input shape, DTypePolicy
/// objects become dtype names, Keras 2's VarianceScaling initializers become the named initializers they are. A layer
/// class KerasPS lacks fails with one error that lists every such layer.
/// </summary>
public static class KerasConfigTranslator
{
    /// <summary>Set by the .h5 reader on a config that a Keras 1.x or 2.x release wrote (its keras_version).</summary>
    public const string Keras2Marker = "kerasps_read_keras2_version";

    public static Dictionary<string, object?> ToKerasPS(Dictionary<string, object?> serialized)
    {
        var keras2 = serialized.GetValueOrDefault(Keras2Marker) as string;
        // Keras 1's layer configs in Keras 2's names, as Keras 2 read them; a setting it cannot translate is refused by name.
        if (Keras1Config.IsKeras1(keras2)) Keras1Config.Translate(serialized, keras2!);
        var unknown = new List<string>();
        var result = Model(serialized, keras2, unknown);
        if (unknown.Count > 0)
            throw KerasException.BadData("UnsupportedKerasLayers",
                $"The model{(Keras1Config.IsKeras1(keras2) ? $" (saved by Keras {keras2})" : "")} has {unknown.Count} layer(s) "
                    + $"KerasPS does not have: {string.Join(", ", unknown)}. KerasPS has: "
                    + $"{string.Join(", ", LayerRegistry.ClassNames)}.");
        return result;
    }

    /// <summary>The model classes Keras writes for a graph of layers: Keras 3 and tf.keras 2.4+ <c>Functional</c>, older
    /// Keras 2 <c>Model</c>.</summary>
    private static bool IsFunctional(string? className, object? config) =>
        className is "Functional" or "Model" || (config as Dictionary<string, object?>)?.ContainsKey("input_layers") == true;

    private static Dictionary<string, object?> Model(Dictionary<string, object?> serialized, string? keras2, List<string> unknown)
    {
        var className = serialized.GetValueOrDefault("class_name") as string;
        if (IsFunctional(className, serialized.GetValueOrDefault("config"))) return Functional(serialized, keras2, unknown);
        if (className != "Sequential")
            throw KerasException.BadData("UnsupportedKerasModel",
                $"The file holds a Keras '{className ?? "(unnamed)"}' model (a subclassed model, whose code the file does not "
                    + "hold); KerasPS imports Sequential and functional models. Rebuild it with keras.Sequential or "
                    + "keras.Model(inputs, outputs) in Keras and save it again.");
        var raw = serialized.GetValueOrDefault("config");
        // Keras 2.0 and 2.1 wrote a Sequential's config as the bare list of its layers.
        var config = raw as Dictionary<string, object?>
            ?? new Dictionary<string, object?>
            {
                ["layers"] = raw as List<object?> ?? throw Invalid("the Sequential config has no layers.")
            };
        var entries = config.GetValueOrDefault("layers") as List<object?> ?? throw Invalid("the Sequential config has no layers.");
        int[]? inputShape = null;
        var layers = new List<object?>();
        foreach (var e in entries)
        {
            var (cn, cfg) = Entry(e);
            var batch = cfg.GetValueOrDefault("batch_input_shape") ?? cfg.GetValueOrDefault("batch_shape");
            if (batch is List<object?> b && layers.Count == 0 && inputShape is null) inputShape = WithoutBatch(b, cn);
            if (cn == "InputLayer") continue;
            if (Layer((Dictionary<string, object?>)e!, keras2, unknown) is { } translated) layers.Add(translated);
        }
        inputShape ??= (config.GetValueOrDefault("build_input_shape") is List<object?> bis ? WithoutBatch(bis, "Sequential") : null)
            ?? ((serialized.GetValueOrDefault("build_config") as Dictionary<string, object?>)?.GetValueOrDefault("input_shape")
                is List<object?> bc ? WithoutBatch(bc, "Sequential") : null);
        var result = new Dictionary<string, object?> { ["name"] = config.GetValueOrDefault("name") as string, ["layers"] = layers };
        // A string layer first (TextVectorization, StringLookup): the strings are encoded on the host, so the model's tensor
        // input is the layer's encoding, whose shape the layer's vocabulary and settings give, not Keras's (None, 1) of strings.
        if (layers.FirstOrDefault() is Dictionary<string, object?> { } first && first.GetValueOrDefault("class_name") is string fc
            && Layers.LayerRegistry.TypeOf(fc)?.IsSubclassOf(typeof(Layers.Preprocessing.HostEncodedLayer)) == true)
            inputShape = null;
        if (inputShape is not null) result["input_shape"] = inputShape;
        return new Dictionary<string, object?> { ["class_name"] = "Sequential", ["config"] = result };
    }

    private static (string ClassName, Dictionary<string, object?> Config) Entry(object? e)
    {
        if (e is not Dictionary<string, object?> entry || entry.GetValueOrDefault("class_name") is not string cn)
            throw Invalid("a layer entry has no class_name.");
        return (cn, entry.GetValueOrDefault("config") as Dictionary<string, object?>
            ?? (IsModelClass(cn) && entry.GetValueOrDefault("config") is List<object?> bare
                ? new Dictionary<string, object?> { ["layers"] = bare }
                : throw Invalid($"the {cn} layer has no config object.")));
    }

    private static bool IsModelClass(string className) => className is "Sequential" or "Functional" or "Model";

    /// <summary>
    /// A functional model (Keras 3 <c>Functional</c>, Keras 2 <c>Functional</c> or <c>Model</c>): every layer translated as a
    /// Sequential's are (nested models recursively), its calls kept as Keras 2's <c>[layer, node, tensor]</c> lists, and node
    /// numbers made to count a model's calls from 0: Keras counts a nested functional model's (and Keras 2's nested
    /// Sequential's) own input-to-output node as node 0, which KerasPS does not.
    /// </summary>
    private static Dictionary<string, object?> Functional(Dictionary<string, object?> serialized, string? keras2, List<string> unknown)
    {
        var config = serialized.GetValueOrDefault("config") as Dictionary<string, object?>
            ?? throw Invalid("the functional model has no config object.");
        var entries = config.GetValueOrDefault("layers") as List<object?> ?? throw Invalid("the functional model config has no layers.");
        var calls = new List<(Dictionary<string, object?> Entry, string ClassName, string Name, List<List<object?[]>> Calls)>();
        var kwargs = new Dictionary<string, IDictionary<string, object?>>(StringComparer.Ordinal);   // a layer's call arguments
        foreach (var e in entries)
        {
            var (cn, cfg) = Entry(e);
            var entry = (Dictionary<string, object?>)e!;
            var name = entry.GetValueOrDefault("name") as string ?? cfg.GetValueOrDefault("name") as string
                ?? throw Invalid($"a {cn} layer of the functional model has no name.");
            var inbound = entry.GetValueOrDefault("inbound_nodes") as List<object?> ?? new List<object?>();
            if (inbound.Count > 0 && KerasModel.CallKwargsOf(inbound[0]) is { Count: > 0 } kw) kwargs[name] = kw;
            var nodes = inbound.Select(n => Tensors(n, name)).Where(t => t.Count > 0).ToList();
            calls.Add((entry, cn, name, nodes));
        }
        var ends = new[] { "input_layers", "output_layers" }.ToDictionary(k => k, k => Ends(config.GetValueOrDefault(k), k));
        // A nested model whose calls are referred to as 1..n (never 0) counts its own node first: shift it down by one.
        var referenced = calls.SelectMany(c => c.Calls).SelectMany(c => c).Concat(ends.Values.SelectMany(v => v))
            .GroupBy(t => (string)t[0]!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(t => (long)t[1]!).ToList(), StringComparer.Ordinal);
        var offsets = calls.Where(c => IsModelClass(c.ClassName) && c.Calls.Count > 0 && referenced.TryGetValue(c.Name, out var r)
                && r.Min() >= 1 && r.Max() == c.Calls.Count)
            .ToDictionary(c => c.Name, _ => 1L, StringComparer.Ordinal);
        List<object?> Ref(object?[] t) => new() { t[0], (long)t[1]! - offsets.GetValueOrDefault((string)t[0]!), t[2] };
        var layers = new List<object?>();
        foreach (var (entry, cn, name, nodes) in calls)
        {
            Dictionary<string, object?>? translated;
            if (cn == "InputLayer")
            {
                var cfg = new Dictionary<string, object?>(Entry(entry).Config, StringComparer.Ordinal) { ["name"] = name };
                if (cfg.GetValueOrDefault("dtype") is Dictionary<string, object?> policy) cfg["dtype"] = PolicyName(policy);
                translated = new Dictionary<string, object?> { ["class_name"] = "InputLayer", ["config"] = cfg };
            }
            else translated = Layer(entry, keras2, unknown);
            if (translated is null) continue;
            translated["name"] = name;
            // The call arguments travel as Keras 2's kwargs of a call's first input.
            translated["inbound_nodes"] = nodes.Select(n => (object?)n.Select((t, i) =>
                (object?)(i == 0 && kwargs.TryGetValue(name, out var k) ? Ref(t).Append(k).ToList() : Ref(t))).ToList()).ToList();
            layers.Add(translated);
        }
        return new Dictionary<string, object?>
        {
            ["class_name"] = "Functional",
            ["config"] = new Dictionary<string, object?>
            {
                ["name"] = config.GetValueOrDefault("name") as string,
                ["layers"] = layers,
                ["input_layers"] = ends["input_layers"].Select(t => (object?)Ref(t)).ToList(),
                ["output_layers"] = ends["output_layers"].Select(t => (object?)Ref(t)).ToList(),
            },
        };
    }

    /// <summary>A model's inputs or outputs as (layer, node, tensor) triples: Keras writes one triple, a list of them, or (Keras 3,
    /// inputs given by name) a dict of them.</summary>
    private static List<object?[]> Ends(object? raw, string key)
    {
        var found = new List<object?[]>();
        void Walk(object? v)
        {
            switch (v)
            {
                case List<object?> l when l.Count >= 3 && l[0] is string:
                    found.Add(new[] { l[0], Num(l[1]), Num(l[2]) });
                    break;
                case List<object?> l:
                    foreach (var x in l) Walk(x);
                    break;
                case Dictionary<string, object?> d:
                    foreach (var x in d.Values) Walk(x);
                    break;
            }
        }
        Walk(raw);
        if (found.Count == 0) throw Invalid($"the functional model names no tensors in '{key}'.");
        return found;
    }

    /// <summary>The (layer, node, tensor) triples one call read: Keras 3's <c>{"args": [...], "kwargs": {...}}</c> with
    /// <c>__keras_tensor__</c> objects, or Keras 1/2's <c>[[layer, node, tensor, kwargs], ...]</c>. Tensors in kwargs (masks)
    /// are not inputs.</summary>
    private static List<object?[]> Tensors(object? call, string layer)
    {
        var found = new List<object?[]>();
        void Walk(object? v)
        {
            switch (v)
            {
                case Dictionary<string, object?> d when d.GetValueOrDefault("class_name") as string == "__keras_tensor__":
                    var h = (d.GetValueOrDefault("config") as Dictionary<string, object?>)?.GetValueOrDefault("keras_history")
                        as List<object?>;
                    if (h is not { Count: >= 3 } || h[0] is not string)
                        throw Invalid($"a call of layer '{layer}' reads a tensor without keras_history.");
                    found.Add(new[] { h[0], Num(h[1]), Num(h[2]) });
                    break;
                case Dictionary<string, object?> d when d.ContainsKey("args"):
                    Walk(d["args"]);
                    break;
                case List<object?> l when l.Count >= 3 && l[0] is string && l[1] is not List<object?>:
                    found.Add(new[] { l[0], Num(l[1]), Num(l[2]) });
                    break;
                case List<object?> l:
                    foreach (var x in l) Walk(x);
                    break;
            }
        }
        Walk(call);
        return found;
    }

    private static object? Num(object? v) => v is null ? throw Invalid("a tensor reference has no node index.")
        : Convert.ToInt64(v, CultureInfo.InvariantCulture);

    private static object? PolicyName(Dictionary<string, object?> policy) =>
        (policy.GetValueOrDefault("config") as Dictionary<string, object?>)?.GetValueOrDefault("name") ?? "float32";

    /// <summary>
    /// One layer entry in the Keras 3 form KerasPS's layers read; a nested model translated as a model. Null (and the layer
    /// named in <paramref name="unknown"/>) for a class KerasPS lacks.
    /// </summary>
    private static Dictionary<string, object?>? Layer(Dictionary<string, object?> entry, string? keras2, List<string> unknown)
    {
        var (cn, cfg) = Entry(entry);
        if (IsModelClass(cn))
        {
            var inner = Model(new Dictionary<string, object?>(entry, StringComparer.Ordinal)
            {
                ["class_name"] = cn == "Model" ? "Functional" : cn,
                ["config"] = entry.GetValueOrDefault("config"),
            }, keras2, unknown);
            var innerConfig = (Dictionary<string, object?>)inner["config"]!;
            innerConfig["name"] = cfg.GetValueOrDefault("name") as string ?? entry.GetValueOrDefault("name") as string;
            return inner;
        }
        if (LayerRegistry.TypeOf(cn) is null)
        {
            unknown.Add($"{cfg.GetValueOrDefault("name") ?? entry.GetValueOrDefault("name") ?? "?"} ({cn})");
            return null;
        }
        if (keras2 is not null) CheckKeras2Layer(cn, cfg, keras2);
        var copy = new Dictionary<string, object?>(cfg, StringComparer.Ordinal);
        copy.Remove("batch_input_shape");
        copy.Remove("batch_shape");
        copy.Remove("input_shape");
        if (copy.GetValueOrDefault("dtype") is Dictionary<string, object?> policy) copy["dtype"] = PolicyName(policy);
        // Keras 1 and 2's hard_sigmoid is clip(0.2x + 0.5, 0, 1), Keras 3's (KerasPS's hard_sigmoid) clip(x/6 + 0.5, 0, 1):
        // the file's layer keeps the function its author trained with.
        if (keras2 is not null)
            foreach (var key in new[] { "activation", "recurrent_activation" })
                if (copy.GetValueOrDefault(key) as string == "hard_sigmoid") copy[key] = "hard_sigmoid_keras2";
        if (cn is "Bidirectional" or "TimeDistributed") Wrapped(copy, keras2, unknown);
        foreach (var key in copy.Keys.Where(k => k.EndsWith("_initializer", StringComparison.Ordinal)).ToList())
            copy[key] = Initializer(copy[key]);
        var translated = new Dictionary<string, object?> { ["class_name"] = cn, ["config"] = copy };
        if (entry.GetValueOrDefault(Models.KerasModel.UnsafeFlag) is true) translated[Models.KerasModel.UnsafeFlag] = true;
        return translated;
    }

    /// <summary>A wrapper's (Bidirectional, TimeDistributed) layers translated as layers; a Bidirectional's merge_mode None
    /// (two outputs) refused by name.</summary>
    private static void Wrapped(Dictionary<string, object?> config, string? keras2, List<string> unknown)
    {
        if (config.TryGetValue("merge_mode", out var mode) && mode is null)
            throw KerasException.BadData("UnsupportedKerasLayers",
                $"Bidirectional layer '{config.GetValueOrDefault("name")}' has merge_mode None, which gives two outputs; "
                    + "KerasPS layers have one. Rebuild it in Keras with merge_mode concat, sum, mul or ave.");
        foreach (var key in new[] { "layer", "backward_layer" })
            if (config.GetValueOrDefault(key) is Dictionary<string, object?> inner)
                config[key] = Layer(inner, keras2, unknown);
    }

    /// <summary>
    /// Refuses a Keras 2 layer whose saved config means something else in Keras 3 and that KerasPS cannot convert.
    /// </summary>
    private static void CheckKeras2Layer(string className, Dictionary<string, object?> cfg, string keras2)
    {
        // Keras 2.2 and 2.3 resized bilinearly through TensorFlow 1's resize_images, without half-pixel centres;
        // Keras 2.4+ (tf.keras on TensorFlow 2) and Keras 3 use half-pixel centres, as KerasPS does.
        if (className == "UpSampling2D" && cfg.GetValueOrDefault("interpolation") as string == "bilinear"
            && Version.TryParse(keras2.Split('-')[0], out var v) && v < new Version(2, 4))
            throw KerasException.BadData("KerasLayerMismatch",
                $"Layer '{cfg.GetValueOrDefault("name")}' (UpSampling2D) resizes bilinearly as Keras {keras2} did on TensorFlow 1 "
                    + "(without half-pixel centres), which gives other values than the half-pixel bilinear resize of Keras 2.4+ and "
                    + "Keras 3 that KerasPS computes. Re-save the model with Keras 2.4 or later, or use interpolation='nearest'.");
    }

    private static int[] WithoutBatch(List<object?> batch, string className)
    {
        if (batch.Count < 2 || batch.Skip(1).Any(d => d is null))
            throw Invalid($"the {className} input shape [{string.Join(", ", batch.Select(d => d?.ToString() ?? "None"))}] has no fixed "
                + "size after the batch axis; KerasPS needs every axis but the batch axis to be known.");
        return batch.Skip(1).Select(d => Convert.ToInt32(d, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>
    /// Keras 2 writes its named initializers as VarianceScaling with their (scale, mode, distribution); this gives them
    /// their names back. An initializer KerasPS cannot name becomes the layer's default: the weights come from the file.
    /// </summary>
    private static object? Initializer(object? init)
    {
        if (init is not Dictionary<string, object?> d || d.GetValueOrDefault("class_name") is not string cn) return init;
        var c = d.GetValueOrDefault("config") as Dictionary<string, object?> ?? new();
        if (cn == "VarianceScaling")
        {
            double scale = c.GetValueOrDefault("scale") is { } s ? Convert.ToDouble(s, CultureInfo.InvariantCulture) : 1.0;
            var mode = c.GetValueOrDefault("mode") as string ?? "fan_in";
            var uniform = (c.GetValueOrDefault("distribution") as string ?? "truncated_normal") == "uniform";
            var name = (scale, mode) switch
            {
                (1.0, "fan_avg") => "glorot",
                (2.0, "fan_in") => "he",
                (1.0, "fan_in") => "lecun",
                _ => null,
            };
            if (name is null) return null;
            return KerasObjects.Serialize("keras.initializers", KerasObjects.ToClassName(name + (uniform ? "_uniform" : "_normal")),
                new Dictionary<string, object?> { ["seed"] = c.GetValueOrDefault("seed") });
        }
        return KerasObjects.Initializers.Find(cn) is not null ? init : null;
    }

    /// <summary>Keras 2's <c>training_config</c> (optimizer_config, loss, metrics) as a KerasPS compile config; losses and
    /// metrics given per output stay per output (see <see cref="ForOutputs"/>).</summary>
    public static Dictionary<string, object?> CompileFromTrainingConfig(Dictionary<string, object?> training) => new()
    {
        ["optimizer"] = Optimizer(training.GetValueOrDefault("optimizer_config")),
        ["loss"] = Loss(training.GetValueOrDefault("loss")),
        ["metrics"] = Metrics(training.GetValueOrDefault("metrics")),
        ["loss_weights"] = training.GetValueOrDefault("loss_weights"),
    };

    /// <summary>Keras 3's <c>compile_config</c> as a KerasPS compile config.</summary>
    public static Dictionary<string, object?> CompileFromKeras3(Dictionary<string, object?> compile) => new()
    {
        ["optimizer"] = Optimizer(compile.GetValueOrDefault("optimizer")),
        ["loss"] = Loss(compile.GetValueOrDefault("loss")),
        ["metrics"] = Metrics(compile.GetValueOrDefault("metrics")),
        ["loss_weights"] = compile.GetValueOrDefault("loss_weights"),
    };

    /// <summary>
    /// The compile config for a model with these outputs. A loss or metric list given per output (a dict by output name, or a
    /// list by position) is the model's own when the model has one output; with several outputs it becomes KerasPS's
    /// per-output compile config (loss, metrics and loss_weights as dicts by output name, Keras's form). Null, with the
    /// reason, when the per-output settings name outputs the model lacks or do not match its outputs in number.
    /// </summary>
    public static Dictionary<string, object?>? ForOutputs(Dictionary<string, object?> compile, IReadOnlyList<string> outputs,
        out string? reason)
    {
        reason = null;
        var result = new Dictionary<string, object?>(compile, StringComparer.Ordinal);
        result.Remove("loss_weights");
        var loss = One(compile.GetValueOrDefault("loss"), outputs, isLoss: true);
        var metrics = One(compile.GetValueOrDefault("metrics"), outputs, isLoss: false);
        if (loss.PerOutput || metrics.PerOutput || (outputs.Count > 1 && compile.GetValueOrDefault("loss_weights") is not null))
        {
            var losses = ByOutput(compile.GetValueOrDefault("loss"), outputs, out reason);
            var perMetrics = ByOutput(compile.GetValueOrDefault("metrics"), outputs, out var metricReason, metricLists: true);
            var weights = ByOutput(compile.GetValueOrDefault("loss_weights"), outputs, out var weightReason);
            reason ??= metricReason ?? weightReason;
            if (losses is null || reason is not null) return null;
            result["loss"] = losses;
            result["metrics"] = perMetrics ?? outputs.ToDictionary(o => o, _ => (object?)new List<object?>());
            if (weights is not null) result["loss_weights"] = weights;
            return result;
        }
        result["loss"] = loss.Value;
        result["metrics"] = metrics.Value as List<object?>
            ?? (metrics.Value is null ? new List<object?>() : new List<object?> { metrics.Value });
        return result;
    }

    /// <summary>
    /// A per-output setting as a dict by output name: a dict by name is checked against the outputs, a list by position
    /// (Keras's other form) is paired with them, one value applies to every output. Null when absent.
    /// </summary>
    private static Dictionary<string, object?>? ByOutput(object? v, IReadOnlyList<string> outputs, out string? reason,
        bool metricLists = false)
    {
        reason = null;
        object? Item(object? x) => metricLists ? x as List<object?> ?? (x is null ? new List<object?>() : new List<object?> { x }) : x;
        switch (v)
        {
            case null:
                return null;
            case Dictionary<string, object?> d when !d.ContainsKey("class_name"):
                if (d.Keys.FirstOrDefault(k => !outputs.Contains(k)) is { } unknown)
                {
                    reason = $"it names an output '{unknown}' the model does not have (outputs: {string.Join(", ", outputs)})";
                    return null;
                }
                return outputs.Where(d.ContainsKey).ToDictionary(o => o, o => Item(d[o]), StringComparer.Ordinal);
            case List<object?> l when !metricLists || l.Any(x => x is List<object?> or null):
                if (l.Count != outputs.Count)
                {
                    reason = $"it gives {l.Count} per-output values for the model's {outputs.Count} outputs";
                    return null;
                }
                return outputs.Select((o, i) => (o, i)).ToDictionary(x => x.o, x => Item(l[x.i]), StringComparer.Ordinal);
            default:
                return outputs.ToDictionary(o => o, _ => Item(v), StringComparer.Ordinal);
        }
    }

    private static (object? Value, bool PerOutput) One(object? v, IReadOnlyList<string> outputs, bool isLoss)
    {
        switch (v)
        {
            case Dictionary<string, object?> d when d.ContainsKey("class_name"):
                return (v, false);   // one serialized object, not a dict by output
            case Dictionary<string, object?> d:
                if (d.Count == 0) return (null, false);
                if (outputs.Count == 1 && d.Count == 1) return (d.Values.First(), false);
                return (null, true);
            case List<object?> l when isLoss || l.Any(x => x is List<object?> or null):
                // Losses in a list are per output; metrics are per output when the list holds lists.
                if (outputs.Count == 1 && l.Count == 1) return (l[0], false);
                if (!isLoss && l.All(x => x is null)) return (null, false);
                return (null, true);
            default:
                return (v, false);
        }
    }

    /// <summary>A serialized optimizer (<c>{"class_name": "Adam", "config": {...}}</c>, Keras 2's <c>lr</c> included) as the flat config
    /// KerasPS reads.</summary>
    private static Dictionary<string, object?>? Optimizer(object? o)
    {
        if (o is not Dictionary<string, object?> d) return null;
        if (d.GetValueOrDefault("class_name") is not string cn) return d;   // already KerasPS's flat form
        var c = new Dictionary<string, object?>(d.GetValueOrDefault("config") as Dictionary<string, object?> ?? new(),
            StringComparer.Ordinal);
        if (c.Remove("lr", out var lr) && !c.ContainsKey("learning_rate")) c["learning_rate"] = lr;
        c["name"] = cn.ToLowerInvariant();
        return c;
    }

    /// <summary>A loss name; per-output losses (a dict by output name or a list) keep their shape with each loss named.</summary>
    private static object? Loss(object? loss) => loss switch
    {
        string s => s,
        Dictionary<string, object?> d when d.GetValueOrDefault("class_name") is string cn => KerasObjects.ToSnakeName(cn),
        Dictionary<string, object?> d => d.ToDictionary(kv => kv.Key, kv => Loss(kv.Value), StringComparer.Ordinal),
        List<object?> l => l.Select(Loss).ToList(),
        _ => null,
    };

    /// <summary>Metric names (Keras 2's <c>acc</c> as <c>accuracy</c>); per-output metrics (a dict by output name, or a list of
    /// lists) keep their shape.</summary>
    private static object? Metrics(object? metrics) => metrics switch
    {
        List<object?> l => l.Select(MetricItem).ToList(),
        Dictionary<string, object?> d when !d.ContainsKey("class_name") =>
            d.ToDictionary(kv => kv.Key, kv => Metrics(kv.Value as List<object?> ?? new List<object?> { kv.Value }),
                StringComparer.Ordinal),
        _ => new List<object?>(),
    };

    /// <summary>One metric: Keras 2's <c>acc</c> as <c>accuracy</c>; tf.keras's <c>MeanMetricWrapper</c> (a metric given by
    /// name, wrapped) by the name it was given.</summary>
    private static object? MetricItem(object? m) => m switch
    {
        "acc" => "accuracy",
        List<object?> => Metrics(m),
        Dictionary<string, object?> d when d.GetValueOrDefault("class_name") as string == "MeanMetricWrapper"
            && d.GetValueOrDefault("config") is Dictionary<string, object?> c
            && (c.GetValueOrDefault("name") ?? c.GetValueOrDefault("fn")) is string name => MetricItem(name),
        _ => m,
    };

    private static KerasException Invalid(string message) => KerasException.BadData("InvalidModelConfig", message);
}
