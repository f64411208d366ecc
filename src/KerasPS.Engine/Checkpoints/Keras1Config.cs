using System.Globalization;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Rnn;

namespace KerasPS.Engine.Checkpoints;

/// <summary>
/// Keras 1.x layer configs and weights read as Keras 2 read them: the argument renames of Keras 2's
/// <c>keras/legacy/interfaces.py</c> (<c>output_dim</c>, <c>init</c>, <c>W_regularizer</c>, <c>border_mode</c>,
/// <c>nb_filter</c>, <c>dim_ordering</c>, <c>p</c>, ...) and the weight layouts of <c>preprocess_weights_for_loading</c>
/// in <c>keras/engine/saving.py</c> (per-gate LSTM and GRU arrays merged in Keras 2's gate order, Keras 1's Conv1D
/// kernel). A Keras 1 setting KerasPS cannot translate is refused by name (<c>UnsupportedKerasVersion</c>) before anything
/// else reads the config.
/// </summary>
internal static class Keras1Config
{
    private const string Id = "UnsupportedKerasVersion";

    /// <summary>True for the keras_version of a Keras 1.x file.</summary>
    public static bool IsKeras1(string? version) => version is not null && version.StartsWith("1.", StringComparison.Ordinal);

    /// <summary>Rewrites a Keras 1 model config (Sequential, functional Model, nested models) into Keras 2's names in place.</summary>
    public static void Translate(Dictionary<string, object?> serialized, string version) => Model(serialized, version, nested: false);

    private static void Model(Dictionary<string, object?> entry, string version, bool nested)
    {
        var config = entry.GetValueOrDefault("config");
        var layers = config as List<object?> ?? (config as Dictionary<string, object?>)?.GetValueOrDefault("layers") as List<object?>;
        if (layers is null) return;   // the translator reports a model without layers
        foreach (var e in layers)
            if (e is Dictionary<string, object?> layer) Layer(layer, version, nested);
    }

    private static readonly Dictionary<string, string> ClassRenames = new(StringComparer.Ordinal)
    {
        ["Convolution1D"] = "Conv1D", ["AtrousConvolution1D"] = "Conv1D", ["Convolution2D"] = "Conv2D",
        ["AtrousConvolution2D"] = "Conv2D", ["Convolution3D"] = "Conv3D", ["SeparableConvolution2D"] = "SeparableConv2D",
    };

    /// <summary>Keras 1's Merge modes that are exactly one Keras 2 merging layer.</summary>
    private static readonly Dictionary<string, string> MergeModes = new(StringComparer.Ordinal)
    {
        ["sum"] = "Add", ["mul"] = "Multiply", ["ave"] = "Average", ["max"] = "Maximum", ["concat"] = "Concatenate",
    };

    /// <summary>Layers whose Keras 1 weights <see cref="Weights"/> rearranges (refused inside a nested model, whose group holds
    /// every inner layer's weights in one list).</summary>
    private static readonly HashSet<string> RearrangedWeights = new(StringComparer.Ordinal)
    {
        "LSTM", "GRU", "Conv1D", "Bidirectional", "TimeDistributed",
    };

    /// <summary>The layers KerasPS runs channels first as well, which Keras 1's dim_ordering 'th' becomes.</summary>
    private static readonly HashSet<string> ChannelsFirstLayers = new(StringComparer.Ordinal)
    {
        "Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
    };

    /// <summary>Keras 1's initializer names that Keras 2 kept as aliases (keras/initializers.py: normal, uniform, zero, one).</summary>
    private static readonly Dictionary<string, string> InitializerAliases = new(StringComparer.Ordinal)
    {
        ["uniform"] = "random_uniform", ["normal"] = "random_normal", ["zero"] = "zeros", ["one"] = "ones",
    };

    private static readonly HashSet<string> KnownInitializers = new(StringComparer.Ordinal)
    {
        "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "zeros", "ones",
        "random_normal", "random_uniform", "truncated_normal", "orthogonal",
    };

    private static void Layer(Dictionary<string, object?> entry, string version, bool nested)
    {
        var cn = entry.GetValueOrDefault("class_name") as string;
        if (cn is null || entry.GetValueOrDefault("config") is not Dictionary<string, object?> cfg)
        {
            if (cn is "Sequential" or "Model") Model(entry, version, nested: true);
            return;   // the translator reports an entry without a class or config
        }
        if (cn is "Sequential" or "Model")
        {
            Model(entry, version, nested: true);
            return;
        }
        var name = cfg.GetValueOrDefault("name") as string ?? entry.GetValueOrDefault("name") as string ?? "?";
        KerasException Refuse(string what) => KerasException.BadData(Id,
            $"The file was saved by Keras {version}, and its layer '{name}' ({cn}) {what}, which KerasPS does not translate "
                + "from Keras 1; load the model with Keras 2 (which converts Keras 1 files), save it again, and import that file.");
        if (ClassRenames.TryGetValue(cn, out var renamed)) cn = renamed;
        switch (cn)
        {
            case "Deconvolution2D":
                throw Refuse("is a Keras 1 transposed convolution (its output_shape and kernel layout)");
            case "Lambda":
                throw Refuse("holds its function as Keras 1's Python bytecode");
            case "Merge":
                cn = Merge(cfg, Refuse);
                break;
        }
        if (nested && RearrangedWeights.Contains(cn))
            throw Refuse("sits inside a nested model, where Keras 1 kept its weights in a layout KerasPS does not rearrange");
        entry["class_name"] = cn;
        Common(cfg, cn, Refuse);
        foreach (var key in new[] { "layer" })
            if (cfg.GetValueOrDefault(key) is Dictionary<string, object?> inner) Layer(inner, version, nested);
    }

    private static string Merge(Dictionary<string, object?> cfg, Func<string, KerasException> refuse)
    {
        if (cfg.GetValueOrDefault("layers") is List<object?> { Count: > 0 })
            throw refuse("merges whole Sequential branches (Keras 1's Merge of models)");
        var mode = cfg.GetValueOrDefault("mode");
        if (mode is not string m || !MergeModes.TryGetValue(m, out var cls))
            throw refuse($"merges with mode '{(mode is string s ? s : "a Python function")}' (KerasPS translates sum, mul, ave, max "
                + "and concat)");
        if (cls == "Concatenate") cfg["axis"] = cfg.GetValueOrDefault("concat_axis") ?? -1L;
        foreach (var key in new[] { "mode", "concat_axis", "dot_axes", "mode_type", "output_shape", "output_shape_type",
            "output_mask", "output_mask_type", "arguments", "layers" })
            cfg.Remove(key);
        return cls;
    }

    private static void Rename(Dictionary<string, object?> cfg, string from, string to)
    {
        if (!cfg.Remove(from, out var v)) return;
        if (!cfg.ContainsKey(to)) cfg[to] = v;
    }

    /// <summary>A Keras 1 int or list as Keras 2's tuple (Conv1D's filter_length, pooling's pool_length).</summary>
    private static void Tuple(Dictionary<string, object?> cfg, string key)
    {
        if (cfg.GetValueOrDefault(key) is { } v and not List<object?>) cfg[key] = new List<object?> { v };
    }

    private static void Common(Dictionary<string, object?> cfg, string cn, Func<string, KerasException> refuse)
    {
        if (cfg.Remove("dim_ordering", out var order))
        {
            switch (order as string)
            {
                case "th" when ChannelsFirstLayers.Contains(cn):
                    cfg["data_format"] = "channels_first";
                    break;
                case "th":
                    throw refuse("sets dim_ordering 'th' (Theano's channels-first layout), which KerasPS's " + cn + " does not run");
                case null or "tf" or "default":
                    cfg["data_format"] = "channels_last";
                    break;
                default:
                    throw refuse($"sets dim_ordering '{order}'");
            }
        }
        cfg.Remove("input_dtype");
        bool recurrent = cn is "SimpleRNN" or "LSTM" or "GRU";
        if (cn == "Embedding")
        {
            Rename(cfg, "init", "embeddings_initializer");
            Rename(cfg, "W_regularizer", "embeddings_regularizer");
            Rename(cfg, "W_constraint", "embeddings_constraint");
            cfg.Remove("dropout");   // Keras 2 dropped it too: a training-time dropout of whole embedding rows
        }
        else if (cn == "PReLU") Rename(cfg, "init", "alpha_initializer");
        else if (cn is "SeparableConv2D") cfg.Remove("init");
        else
        {
            Rename(cfg, "init", "kernel_initializer");
            Rename(cfg, "W_regularizer", "kernel_regularizer");
            Rename(cfg, "W_constraint", "kernel_constraint");
            Rename(cfg, "output_dim", "units");
        }
        Rename(cfg, "b_regularizer", "bias_regularizer");
        Rename(cfg, "b_constraint", "bias_constraint");
        Rename(cfg, "bias", "use_bias");
        if (cn is not "Embedding" && (recurrent || cn is "Dense" or "Conv1D"))
        {
            cfg.Remove("input_dim");
            cfg.Remove("input_length");
        }
        if (recurrent)
        {
            Rename(cfg, "inner_init", "recurrent_initializer");
            Rename(cfg, "inner_activation", "recurrent_activation");
            Rename(cfg, "U_regularizer", "recurrent_regularizer");
            Rename(cfg, "U_constraint", "recurrent_constraint");
            Rename(cfg, "dropout_W", "dropout");
            Rename(cfg, "dropout_U", "recurrent_dropout");
            cfg.Remove("consume_less");
            cfg.Remove("forget_bias_init");   // Keras 2 made 'one' unit_forget_bias=True, its default, and ignored the rest
            if (cn == "GRU") cfg["reset_after"] = false;   // Keras 1's GRU: the reset gate before the recurrent product
        }
        switch (cn)
        {
            case "Conv1D":
                Rename(cfg, "nb_filter", "filters");
                Rename(cfg, "filter_length", "kernel_size");
                Rename(cfg, "subsample_length", "strides");
                Rename(cfg, "atrous_rate", "dilation_rate");
                Tuple(cfg, "kernel_size");
                Tuple(cfg, "strides");
                Tuple(cfg, "dilation_rate");
                break;
            case "Conv2D" or "SeparableConv2D" or "Conv3D":
                Rename(cfg, "nb_filter", "filters");
                Rename(cfg, "subsample", "strides");
                Rename(cfg, "atrous_rate", "dilation_rate");
                var keys = cn == "Conv3D" ? new[] { "kernel_dim1", "kernel_dim2", "kernel_dim3" } : new[] { "nb_row", "nb_col" };
                if (keys.All(cfg.ContainsKey))
                {
                    cfg["kernel_size"] = keys.Select(k => cfg[k]).ToList();
                    foreach (var k in keys) cfg.Remove(k);
                }
                break;
            case "MaxPooling1D" or "AveragePooling1D":
                Rename(cfg, "pool_length", "pool_size");
                Rename(cfg, "stride", "strides");
                Tuple(cfg, "pool_size");
                Tuple(cfg, "strides");
                break;
            case "BatchNormalization":
                if (cfg.Remove("mode", out var mode) && mode is not null && Convert.ToInt64(mode, CultureInfo.InvariantCulture) != 0)
                    throw refuse($"sets mode {mode} (Keras 1's sample-wise or batch-statistics-only normalization; Keras 2 kept "
                        + "only mode 0)");
                if (cfg.GetValueOrDefault("axis") is { } axis && Convert.ToInt64(axis, CultureInfo.InvariantCulture) != -1)
                    throw refuse($"normalizes axis {axis} (KerasPS's BatchNormalization normalizes the last axis, -1)");
                Rename(cfg, "beta_init", "beta_initializer");
                Rename(cfg, "gamma_init", "gamma_initializer");
                break;
            case "Dropout" or "SpatialDropout1D" or "SpatialDropout2D" or "SpatialDropout3D" or "GaussianDropout":
                Rename(cfg, "p", "rate");
                break;
            case "GaussianNoise":
                Rename(cfg, "sigma", "stddev");
                break;
            case "UpSampling1D":
                Rename(cfg, "length", "size");
                break;
            case "ZeroPadding1D" or "ZeroPadding2D":
                if (cfg.GetValueOrDefault("padding") is Dictionary<string, object?> pad)
                {
                    object? P(string k) => pad.GetValueOrDefault(k) ?? 0L;
                    cfg["padding"] = cn == "ZeroPadding1D"
                        ? new List<object?> { P("left_pad"), P("right_pad") }
                        : new List<object?>
                        {
                            new List<object?> { P("top_pad"), P("bottom_pad") }, new List<object?> { P("left_pad"), P("right_pad") },
                        };
                }
                break;
        }
        Rename(cfg, "border_mode", "padding");
        foreach (var key in cfg.Keys.Where(k => k.EndsWith("_initializer", StringComparison.Ordinal)).ToList())
        {
            if (cfg[key] is not string init) continue;
            init = InitializerAliases.GetValueOrDefault(init, init);
            if (KnownInitializers.Contains(init)) cfg[key] = init;
            else cfg.Remove(key);   // identity and the like: the layer's default, as the weights come from the file
        }
        if (cfg.GetValueOrDefault("padding") as string is { } p && cn.Contains("Conv", StringComparison.Ordinal) && p == "full")
            throw refuse("sets border_mode 'full' (Theano's full convolution)");
    }

    // ------------------------------------------------------------------ weights

    /// <summary>
    /// A layer's Keras 1 weight arrays as the Keras 2 arrays its KerasPS layer holds (Keras 2's
    /// <c>preprocess_weights_for_loading</c>): LSTM's twelve per-gate arrays (gates i, c, f, o) merged into kernel, recurrent
    /// kernel and bias in gate order i, f, c, o; GRU's nine (z, r, h) merged in that order; Conv1D's
    /// (length, 1, input, filters) kernel, or Keras 1.1's (filters, input, length, 1), as (length, input, filters); a
    /// Bidirectional's halves and a TimeDistributed's layer as their inner layers'. Anything else is returned as it is.
    /// </summary>
    public static List<(float[] Values, long[] Shape)> Weights(Layer layer, List<(float[] Values, long[] Shape)> w)
    {
        switch (layer)
        {
            case Bidirectional b when w.Count % 2 == 0:
                return Weights(b.ForwardLayer, w.Take(w.Count / 2).ToList()).Concat(Weights(b.BackwardLayer, w.Skip(w.Count / 2).ToList()))
                    .ToList();
            case TimeDistributed t:
                return Weights(t.Inner, w);
        }
        switch (layer.ClassName)
        {
            case "LSTM" when w.Count == 12 && Joinable(w, 0, 6, 3, 9) && Joinable(w, 1, 7, 4, 10) && Joinable(w, 2, 8, 5, 11):
                return new() { Concat(w, 0, 6, 3, 9), Concat(w, 1, 7, 4, 10), Concat(w, 2, 8, 5, 11) };
            case "GRU" when w.Count == 9 && Joinable(w, 0, 3, 6) && Joinable(w, 1, 4, 7) && Joinable(w, 2, 5, 8):
                return new() { Concat(w, 0, 3, 6), Concat(w, 1, 4, 7), Concat(w, 2, 5, 8) };
            // Keras 1's channels-first kernel (filters, input, rows, cols) as Keras 2's (rows, cols, input, filters)
            case "Conv2D" when w.Count > 0 && w[0].Shape.Length == 4 && layer is Layers.Convolution.Conv2D { ChannelsLast: false }:
                var kernel = new List<(float[] Values, long[] Shape)>(w);
                kernel[0] = Transpose(w[0].Values, w[0].Shape, new[] { 2, 3, 1, 0 });
                return kernel;
            case "Conv1D" when w.Count > 0 && w[0].Shape.Length == 4 && layer.Weights.Count > 0
                && layer.Weights[0].Shape is [var length, _, var filters]:
                var (v, s) = w[0];
                if (!(s[0] == length && s[1] == 1 && s[3] == filters) && s[0] == filters && s[2] == length && s[3] == 1)
                    (v, s) = Transpose(v, s, new[] { 2, 3, 1, 0 });   // Keras 1.1: (filters, input, length, 1)
                if (s[1] != 1) return w;   // the shape check reports it
                var result = new List<(float[] Values, long[] Shape)>(w);
                result[0] = (v, new[] { s[0], s[2], s[3] });
                return result;
        }
        return w;
    }

    /// <summary>True when the arrays at these positions differ in their last axis only.</summary>
    private static bool Joinable(List<(float[] Values, long[] Shape)> w, params int[] at) =>
        at.All(i => w[i].Shape.Length == w[at[0]].Shape.Length && w[i].Shape.Length > 0
            && w[i].Shape[..^1].SequenceEqual(w[at[0]].Shape[..^1]));

    /// <summary>The arrays at these positions joined along their last axis (Keras 2's <c>np.concatenate(..., axis=-1)</c>).</summary>
    private static (float[] Values, long[] Shape) Concat(List<(float[] Values, long[] Shape)> w, params int[] at)
    {
        var parts = at.Select(i => w[i]).ToList();
        var lead = parts[0].Shape[..^1];
        long rows = lead.Aggregate(1L, (a, b) => a * b);
        long width = parts.Sum(p => p.Shape[^1]);
        var values = new float[rows * width];
        long offset = 0;
        foreach (var (v, s) in parts)
        {
            long n = s[^1];
            for (long r = 0; r < rows; r++) Array.Copy(v, r * n, values, r * width + offset, n);
            offset += n;
        }
        return (values, lead.Append(width).ToArray());
    }

    /// <summary>A row-major array with its axes permuted (NumPy's <c>np.transpose(v, axes)</c>).</summary>
    private static (float[] Values, long[] Shape) Transpose(float[] v, long[] shape, int[] axes)
    {
        var outShape = axes.Select(a => shape[a]).ToArray();
        var strides = new long[shape.Length];
        strides[^1] = 1;
        for (int i = shape.Length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
        var result = new float[v.Length];
        var index = new long[outShape.Length];
        for (long o = 0; o < v.Length; o++)
        {
            long rest = o;
            for (int a = outShape.Length - 1; a >= 0; a--) { index[a] = rest % outShape[a]; rest /= outShape[a]; }
            long src = 0;
            for (int a = 0; a < axes.Length; a++) src += index[a] * strides[axes[a]];
            result[o] = v[src];
        }
        return (result, outShape);
    }
}
