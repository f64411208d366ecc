using System.Globalization;
using KerasPS.Engine.Layers;

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
        var className = serialized.GetValueOrDefault("class_name") as string;
        if (className != "Sequential")
            throw KerasException.BadData("UnsupportedKerasModel",
                $"The file holds a Keras '{className ?? "(unnamed)"}' model; KerasPS imports Sequential models (a stack of layers). "
                    + "Rebuild it as a keras.Sequential in Keras and save it again.");
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
        var unknown = new List<string>();
        foreach (var e in entries)
        {
            if (e is not Dictionary<string, object?> entry || entry.GetValueOrDefault("class_name") is not string cn)
                throw Invalid("a layer entry has no class_name.");
            var cfg = entry.GetValueOrDefault("config") as Dictionary<string, object?>
                ?? throw Invalid($"the {cn} layer has no config object.");
            var batch = cfg.GetValueOrDefault("batch_input_shape") ?? cfg.GetValueOrDefault("batch_shape");
            if (batch is List<object?> b && layers.Count == 0 && inputShape is null) inputShape = WithoutBatch(b, cn);
            if (cn == "InputLayer") continue;
            if (LayerRegistry.TypeOf(cn) is null)
            {
                unknown.Add($"{cfg.GetValueOrDefault("name") ?? "?"} ({cn})");
                continue;
            }
            // Keras 2's hard_sigmoid is clip(0.2x + 0.5); Keras 3's, which KerasPS computes, is clip(x/6 + 0.5): refusing
            // is better than predictions that silently differ from the ones the file's author saw.
            if (keras2 is not null && (cfg.GetValueOrDefault("activation") as string == "hard_sigmoid"
                || cfg.GetValueOrDefault("recurrent_activation") as string == "hard_sigmoid"))
                throw KerasException.BadData("KerasActivationMismatch",
                    $"Layer '{cfg.GetValueOrDefault("name")}' ({cn}) uses hard_sigmoid as Keras {keras2} defines it "
                        + "(clip(0.2x + 0.5, 0, 1)); KerasPS computes Keras 3's hard_sigmoid (clip(x/6 + 0.5, 0, 1)), "
                        + "so its predictions would differ. "
                        + "Rebuild the layer with sigmoid in Keras, or re-save the model with Keras 3.");
            var copy = new Dictionary<string, object?>(cfg, StringComparer.Ordinal);
            copy.Remove("batch_input_shape");
            copy.Remove("batch_shape");
            copy.Remove("input_shape");
            if (copy.GetValueOrDefault("dtype") is Dictionary<string, object?> policy)
                copy["dtype"] = (policy.GetValueOrDefault("config") as Dictionary<string, object?>)?.GetValueOrDefault("name") ?? "float32";
            foreach (var key in copy.Keys.Where(k => k.EndsWith("_initializer", StringComparison.Ordinal)).ToList())
                copy[key] = Initializer(copy[key]);
            var translated = new Dictionary<string, object?> { ["class_name"] = cn, ["config"] = copy };
            if (entry.GetValueOrDefault(Models.KerasModel.UnsafeFlag) is true) translated[Models.KerasModel.UnsafeFlag] = true;
            layers.Add(translated);
        }
        if (unknown.Count > 0)
            throw KerasException.BadData("UnsupportedKerasLayers",
                $"The model has {unknown.Count} layer(s) KerasPS does not have: {string.Join(", ", unknown)}. KerasPS has: "
                    + $"{string.Join(", ", LayerRegistry.ClassNames)}.");
        inputShape ??= (config.GetValueOrDefault("build_input_shape") is List<object?> bis ? WithoutBatch(bis, "Sequential") : null)
            ?? ((serialized.GetValueOrDefault("build_config") as Dictionary<string, object?>)?.GetValueOrDefault("input_shape")
                is List<object?> bc ? WithoutBatch(bc, "Sequential") : null);
        var result = new Dictionary<string, object?> { ["name"] = config.GetValueOrDefault("name") as string, ["layers"] = layers };
        if (inputShape is not null) result["input_shape"] = inputShape;
        return new Dictionary<string, object?> { ["class_name"] = "Sequential", ["config"] = result };
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

    /// <summary>Keras 2's <c>training_config</c> (optimizer_config, loss, metrics) as a KerasPS compile config.</summary>
    public static Dictionary<string, object?> CompileFromTrainingConfig(Dictionary<string, object?> training) => new()
    {
        ["optimizer"] = Optimizer(training.GetValueOrDefault("optimizer_config")),
        ["loss"] = Loss(training.GetValueOrDefault("loss")),
        ["metrics"] = Metrics(training.GetValueOrDefault("metrics")),
    };

    /// <summary>Keras 3's <c>compile_config</c> as a KerasPS compile config.</summary>
    public static Dictionary<string, object?> CompileFromKeras3(Dictionary<string, object?> compile) => new()
    {
        ["optimizer"] = Optimizer(compile.GetValueOrDefault("optimizer")),
        ["loss"] = Loss(compile.GetValueOrDefault("loss")),
        ["metrics"] = Metrics(compile.GetValueOrDefault("metrics")),
    };

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

    private static string? Loss(object? loss) => loss switch
    {
        string s => s,
        Dictionary<string, object?> d when d.GetValueOrDefault("class_name") is string cn => KerasObjects.ToSnakeName(cn),
        _ => null,
    };

    private static List<object?> Metrics(object? metrics)
    {
        var list = new List<object?>();
        if (metrics is not List<object?> l) return list;
        foreach (var m in l)
            list.Add(m switch
            {
                "acc" => "accuracy",
                List<object?> nested => throw Invalid("the metrics are given per output; KerasPS models have one output."),
                _ => m,
            });
        return list;
    }

    private static KerasException Invalid(string message) => KerasException.BadData("InvalidModelConfig", message);
}
