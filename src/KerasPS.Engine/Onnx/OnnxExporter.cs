using System.Text.Json;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Activations;
using KerasPS.Engine.Layers.Convolution;
using KerasPS.Engine.Layers.Core;
using KerasPS.Engine.Layers.Normalization;
using KerasPS.Engine.Layers.Pooling;
using KerasPS.Engine.Layers.Regularization;
using KerasPS.Engine.Layers.Reshaping;
using KerasPS.Engine.Layers.Rnn;
using KerasPS.Engine.Models;

namespace KerasPS.Engine.Onnx;

/// <summary>Settings of an ONNX export: the graph's input and output names and whether an existing file is replaced.</summary>
public sealed record OnnxExportOptions
{
    public const string DefaultInputName = "input";
    public const string DefaultOutputName = "output";

    public string InputName { get; init; } = DefaultInputName;
    public string OutputName { get; init; } = DefaultOutputName;
    public bool Overwrite { get; init; }
}

/// <summary>
/// Writes a built Sequential model as an ONNX model (opset 17) for inference: one float input (batch, ...input shape),
/// one float output (batch, ...output shape), every layer as the ONNX operators that compute its inference-time
/// forward pass, and the model's classes and feature names in <c>metadata_props</c>. See module/CHECKPOINT-FORMAT.md.
/// </summary>
public static class OnnxExporter
{
    /// <summary>
    /// The metadata keys the file carries: classes and feature_names as JSON arrays, target as text, and the model's
    /// Keras config (the Sequential as Keras 3 serializes it, the same JSON a checkpoint's config holds).
    /// </summary>
    /// <summary>The ONNX opset the files use.</summary>
    public const int Opset = OnnxGraph.Opset;

    public const string ClassesKey = "classes", FeatureNamesKey = "feature_names", TargetKey = "target", KerasConfigKey = "keras_model_config";

    /// <summary>Checks the model can be exported, then writes it to <paramref name="path"/> atomically.</summary>
    public static void Save(SequentialModel model, string path, OnnxExportOptions? options = null)
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
        catch (IOException) when (!options.Overwrite && File.Exists(full)) { throw Exists(full); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasException("OnnxWriteFailed", ErrorKind.ResourceUnavailable,
                $"Could not write ONNX model '{full}': {e.Message} Any file already at that path is unchanged.", e) { Target = full };
        }
    }

    /// <summary>The serialized ModelProto of <paramref name="model"/>.</summary>
    public static byte[] ToBytes(SequentialModel model, OnnxExportOptions? options = null)
    {
        options ??= new OnnxExportOptions();
        if (!model.IsBuilt)
            throw KerasException.BadOperation("ModelNotBuilt", $"Model '{model.Name}' has no weights yet, so there is nothing to export. Train it or give it an -InputShape first.");
        CheckName(options.InputName, "InputName");
        CheckName(options.OutputName, "OutputName");
        if (options.InputName == options.OutputName)
            throw KerasException.BadArgument("InvalidOnnxName", $"The ONNX input and output need different names; both are '{options.InputName}'.", options.OutputName);
        foreach (var layer in model.Layers) CheckExportable(layer);

        var g = new OnnxGraph(model.Name);
        g.Reserve(options.InputName);
        var x = options.InputName;
        Native.TorchRuntime.EnsureLoaded();
        foreach (var layer in model.Layers)
        {
            g.Scope = layer.Name;
            x = Lower(g, layer, x);
        }
        g.Scope = "";
        g.SetOutput(x, options.OutputName);

        var metadata = new Dictionary<string, string>();
        if (model.Classes is { Count: > 0 } classes) metadata[ClassesKey] = JsonSerializer.Serialize(classes);
        if (model.FeatureNames is { Count: > 0 } features) metadata[FeatureNamesKey] = JsonSerializer.Serialize(features);
        if (model.TargetName is { } target) metadata[TargetKey] = target;
        metadata[KerasConfigKey] = System.Text.Encoding.UTF8.GetString(Checkpoints.CheckpointJson.Serialize(model.GetConfig()));
        var inputShape = new long[] { -1 }.Concat(model.InputShape!.Select(d => (long)d)).ToArray();
        var outputShape = new long[] { -1 }.Concat(model.OutputShape!.Select(d => (long)d)).ToArray();
        var version = typeof(OnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "0";
        return g.ToModelProto(options.InputName, inputShape, options.OutputName, outputShape, metadata, version,
            $"Keras Sequential model '{model.Name}' exported by KerasPS");
    }

    private static void CheckName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('/'))
            throw KerasException.BadArgument("InvalidOnnxName", $"-{what} must be a non-empty name without '/'. Received: '{name}'.", name);
    }

    /// <summary>Refuses, before anything is written, a layer the ONNX graph cannot express.</summary>
    private static void CheckExportable(Layer layer)
    {
        if (layer is Lambda { Expression: null })
            throw new KerasException("OnnxUnsupportedLambda", ErrorKind.InvalidOperation,
                $"Lambda layer '{layer.Name}' runs a PowerShell script block, which an ONNX graph cannot hold. Use Add-LambdaLayer -Expression (arithmetic, slices, reductions and activations all export), or remove the layer before exporting.") { Target = layer.Name };
        if (layer is RecurrentBase r)
            foreach (var (name, value) in new[] { ("activation", r.Activation), ("recurrent_activation", r.RecurrentActivation) })
                if ((r is not SimpleRNN || name == "activation") && OnnxActivations.RecurrentName(value) is null)
                    throw new KerasException("OnnxUnsupportedActivation", ErrorKind.InvalidOperation,
                        $"{r.ClassName} layer '{r.Name}' uses {name}='{value}', which ONNX's {(r is SimpleRNN ? "RNN" : r.ClassName)} operator cannot run. ONNX recurrent operators take tanh, sigmoid, relu, softsign or softplus.") { Target = r.Name };
    }

    private static string TargetPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw KerasException.BadArgument("InvalidOnnxPath", "The ONNX path is empty. Give a file path such as model.onnx.");
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw KerasException.BadArgument("InvalidOnnxPath", $"'{full}' is a folder. Give a file path such as {Path.Combine(full, "model.onnx")}.", path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new KerasException("OnnxFolderNotFound", ErrorKind.ObjectNotFound, $"The folder '{dir}' does not exist. Create it first (New-Item -ItemType Directory).") { Target = path };
        return full;
    }

    private static KerasException Exists(string full) =>
        new("OnnxFileExists", ErrorKind.ResourceExists, $"'{full}' already exists. Use -Force to replace it, or choose another path.") { Target = full };

    // ---------------------------------------------------------------- layers

    private static OnnxAttribute A(string name, object value) => new(name, value);

    private static Weight W(Layer layer, string name) => layer.Weights.First(w => w.Name == name);
    private static Weight? OptionalW(Layer layer, string name) => layer.Weights.FirstOrDefault(w => w.Name == name);

    private static string Lower(OnnxGraph g, Layer layer, string x)
    {
        switch (layer)
        {
            // Training-time only: identity at inference, as Keras runs them in predict.
            case Dropout or AlphaDropout or GaussianNoise or ActivityRegularization:
                return x;
            case Dense d:
            {
                var k = W(d, "kernel");
                var y = g.Op("MatMul", new[] { x, g.Constant("kernel", k.ToArray(), k.Shape) });
                if (OptionalW(d, "bias") is { } b) y = g.Op("Add", new[] { y, g.Constant("bias", b.ToArray(), b.Shape) });
                return OnnxActivations.Apply(g, d.Activation, y);
            }
            case ActivationLayer a: return OnnxActivations.Apply(g, a.Activation, x);
            case LeakyReLU l: return g.Op("LeakyRelu", new[] { x }, A("alpha", (float)l.NegativeSlope));
            case ELU e: return g.Op("Elu", new[] { x }, A("alpha", (float)e.Alpha));
            case PReLU p:
            {
                var alpha = W(p, "alpha");
                return g.Op("PRelu", new[] { x, g.Constant("alpha", alpha.ToArray(), alpha.Shape) });
            }
            case ReLU r: return LowerReLU(g, r, x);
            case Softmax s: return g.Op("Softmax", new[] { x }, A("axis", (long)s.Axis));
            case Flatten: return g.Op("Flatten", new[] { x }, A("axis", 1L));
            case Reshape: return g.Op("Reshape", new[] { x, g.Longs("shape", new long[] { -1 }.Concat(layer.OutputShape!.Select(v => (long)v)).ToArray()) });
            case Permute p: return g.Op("Transpose", new[] { x }, A("perm", new long[] { 0 }.Concat(p.Dims.Select(v => (long)v)).ToArray()));
            case RepeatVector rv:
            {
                var u = g.Op("Unsqueeze", new[] { x, g.Longs("axes", 1) });
                return g.Op("Tile", new[] { u, g.Longs("repeats", 1, rv.N, 1) });
            }
            case Lambda lambda: return lambda.LowerToOnnx(g, x);
            case Normalization n: return LowerNormalization(g, n, x);
            case BatchNormalization bn: return LowerBatchNormalization(g, bn, x);
            case LayerNormalization ln:
            {
                int f = ln.InputShape![^1];
                var scale = OptionalW(ln, "gamma") is { } gamma ? g.Constant("gamma", gamma.ToArray(), f) : g.Constant("gamma", Enumerable.Repeat(1f, f).ToArray(), f);
                var inputs = OptionalW(ln, "beta") is { } beta ? new[] { x, scale, g.Constant("beta", beta.ToArray(), f) } : new[] { x, scale };
                return g.Op("LayerNormalization", inputs, A("axis", -1L), A("epsilon", (float)ln.Epsilon));
            }
            case ConvBase c: return LowerConv(g, c, x);
            case PoolingBase p: return LowerPooling(g, p, x);
            case GlobalAveragePoolingBase gp:
            {
                int rank = gp.InputShape!.Length - 1;
                var axes = Enumerable.Range(gp.ChannelsLast ? 1 : 2, rank).Select(v => (long)v).ToArray();
                return g.Op("ReduceMean", new[] { x }, A("axes", axes), A("keepdims", gp.KeepDims ? 1L : 0L));
            }
            case Embedding e:
            {
                // Token ids arrive as floats (the model's input is float); the engine rounds them the same way.
                var ids = g.Op("Cast", new[] { g.Op("Round", new[] { x }) }, A("to", 7L));
                var table = W(e, "embeddings");
                return g.Op("Gather", new[] { g.Constant("embeddings", table.ToArray(), table.Shape), ids }, A("axis", 0L));
            }
            case RecurrentBase rnn: return LowerRecurrent(g, rnn, x);
            default:
                throw new KerasException("OnnxUnsupportedLayer", ErrorKind.InvalidOperation,
                    $"Layer '{layer.Name}' ({layer.ClassName}) has no ONNX form in this version of KerasPS.") { Target = layer.Name };
        }
    }

    /// <summary>keras.activations.relu term for term, as ReLU.Forward computes it.</summary>
    private static string LowerReLU(OnnxGraph g, ReLU r, string x)
    {
        string y;
        if (r.Threshold != 0)
        {
            var mask = g.Op("Cast", new[] { g.Op("Greater", new[] { x, g.Scalar("threshold", (float)r.Threshold) }) }, A("to", 1L));
            y = g.Op("Mul", new[] { x, mask });
        }
        else y = g.Op("Relu", new[] { x });
        if (r.MaxValue is double m) y = g.Op("Clip", new[] { y, g.Scalar("min", 0f), g.Scalar("max", (float)m) });
        if (r.NegativeSlope != 0)
        {
            var below = g.Op("Relu", new[] { g.Op("Add", new[] { g.Op("Neg", new[] { x }), g.Scalar("threshold", (float)r.Threshold) }) });
            y = g.Op("Sub", new[] { y, g.Op("Mul", new[] { below, g.Scalar("negative_slope", (float)r.NegativeSlope) }) });
        }
        return y;
    }

    /// <summary>Normalization folded into two constants: <c>(x - mean) / max(sqrt(variance), epsilon)</c> along its axis.</summary>
    private static string LowerNormalization(OnnxGraph g, Normalization n, string x)
    {
        var shape = n.InputShape!;
        int ax = Normalization.ResolveAxis(n.Axis, shape.Length);
        var bshape = Enumerable.Repeat(1L, shape.Length + 1).ToArray();
        bshape[ax + 1] = shape[ax];
        var mean = W(n, "mean").ToArray();
        var sd = W(n, "variance").ToArray().Select(v => Math.Max(MathF.Sqrt(v), Normalization.Epsilon)).ToArray();
        var centered = g.Op("Sub", new[] { x, g.Constant("mean", mean, bshape) });
        return g.Op("Div", new[] { centered, g.Constant("stddev", sd, bshape) });
    }

    /// <summary>BatchNormalization at inference, its moving statistics and gamma folded into one scale: <c>(x - mean) * scale + beta</c>.</summary>
    private static string LowerBatchNormalization(OnnxGraph g, BatchNormalization bn, string x)
    {
        int f = bn.InputShape![^1];
        var mean = W(bn, "moving_mean").ToArray();
        var variance = W(bn, "moving_variance").ToArray();
        var gamma = OptionalW(bn, "gamma")?.ToArray();
        var scale = new float[f];
        for (int i = 0; i < f; i++) scale[i] = (float)(1 / Math.Sqrt(variance[i] + (double)(float)bn.Epsilon) * (gamma?[i] ?? 1f));
        var y = g.Op("Mul", new[] { g.Op("Sub", new[] { x, g.Constant("moving_mean", mean, f) }), g.Constant("scale", scale, f) });
        if (OptionalW(bn, "beta") is { } beta) y = g.Op("Add", new[] { y, g.Constant("beta", beta.ToArray(), f) });
        return y;
    }

    /// <summary>Channels-last inputs are transposed to ONNX's (batch, channels, spatial...) and back.</summary>
    private static (string ToOnnx, Func<string, string> Back) ChannelsFirst(OnnxGraph g, string x, int rank, bool channelsLast)
    {
        if (!channelsLast) return (x, y => y);
        long[] toFirst = rank == 1 ? new long[] { 0, 2, 1 } : new long[] { 0, 3, 1, 2 };
        long[] toLast = rank == 1 ? new long[] { 0, 2, 1 } : new long[] { 0, 2, 3, 1 };
        return (g.Op("Transpose", new[] { x }, A("perm", toFirst)), y => g.Op("Transpose", new[] { y }, A("perm", toLast)));
    }

    /// <summary>ONNX pads (all begins, then all ends) for Keras's padding: "same" puts the odd extra after, "causal" all before.</summary>
    private static long[] Pads(int[] spatial, int[] kernel, int[] strides, int[] dilation, string padding)
    {
        var p = spatial.Select((len, i) => Spatial.Padding(len, kernel[i], strides[i], dilation[i], padding)).ToArray();
        return p.Select(v => v.Before).Concat(p.Select(v => v.After)).ToArray();
    }

    private static string LowerConv(OnnxGraph g, ConvBase c, string x)
    {
        int rank = c.KernelSize.Length;
        var (spatial, channels) = Spatial.Split(c.InputShape!, rank, c.ChannelsLast, c.ClassName);
        var (t, back) = ChannelsFirst(g, x, rank, c.ChannelsLast);
        // Keras kernel (k..., in, out) -> ONNX (out, in, k...).
        var k = W(c, "kernel").ToArray();
        int kernelElems = c.KernelSize.Aggregate(1, (a, v) => a * v);
        var onnxKernel = new float[k.Length];
        for (int s = 0; s < kernelElems; s++)
            for (int i = 0; i < channels; i++)
                for (int o = 0; o < c.Filters; o++)
                    onnxKernel[(o * channels + i) * kernelElems + s] = k[(s * channels + i) * c.Filters + o];
        var dims = new long[] { c.Filters, channels }.Concat(c.KernelSize.Select(v => (long)v)).ToArray();
        var inputs = new List<string> { t, g.Constant("kernel", onnxKernel, dims) };
        if (OptionalW(c, "bias") is { } b) inputs.Add(g.Constant("bias", b.ToArray(), b.Shape));
        var y = g.Op("Conv", inputs.ToArray(),
            A("kernel_shape", c.KernelSize.Select(v => (long)v).ToArray()),
            A("strides", c.Strides.Select(v => (long)v).ToArray()),
            A("dilations", c.DilationRate.Select(v => (long)v).ToArray()),
            A("pads", Pads(spatial, c.KernelSize, c.Strides, c.DilationRate, c.Padding)),
            A("group", 1L));
        return OnnxActivations.Apply(g, c.Activation, back(y));
    }

    private static string LowerPooling(OnnxGraph g, PoolingBase p, string x)
    {
        int rank = p.PoolSize.Length;
        var (spatial, _) = Spatial.Split(p.InputShape!, rank, p.ChannelsLast, p.ClassName);
        var (t, back) = ChannelsFirst(g, x, rank, p.ChannelsLast);
        bool max = p is MaxPooling1D or MaxPooling2D;
        var ones = Enumerable.Repeat(1, rank).ToArray();
        var attributes = new List<OnnxAttribute>
        {
            A("kernel_shape", p.PoolSize.Select(v => (long)v).ToArray()),
            A("strides", p.Strides.Select(v => (long)v).ToArray()),
            A("pads", Pads(spatial, p.PoolSize, p.Strides, ones, p.Padding)),
        };
        // Padding never counts: max pooling ignores it, average pooling divides by the real inputs under the window.
        if (!max) attributes.Add(A("count_include_pad", 0L));
        return back(g.Op(max ? "MaxPool" : "AveragePool", new[] { t }, attributes.ToArray()));
    }

    /// <summary>
    /// SimpleRNN, LSTM and GRU as ONNX's RNN, LSTM and GRU operators (time-major, one direction). Keras's gate blocks
    /// are reordered (LSTM i,f,c,o to ONNX i,o,f,c; GRU z,r,h stays), kernels transposed to (gates*units, in), and
    /// go_backwards reverses the input first, so outputs come in Keras's (reversed) order.
    /// </summary>
    private static string LowerRecurrent(OnnxGraph g, RecurrentBase r, string x)
    {
        int units = r.Units, features = r.InputShape![1];
        var (op, order) = r switch
        {
            LSTM => ("LSTM", new[] { 0, 3, 1, 2 }),
            GRU => ("GRU", new[] { 0, 1, 2 }),
            _ => ("RNN", new[] { 0 }),
        };
        int gates = order.Length;
        // Keras (rows, gates*units) -> ONNX (1, gates*units, rows), blocks in ONNX's order.
        float[] Reorder(float[] keras, int rows)
        {
            var onnx = new float[keras.Length];
            for (int gi = 0; gi < gates; gi++)
                for (int u = 0; u < units; u++)
                    for (int row = 0; row < rows; row++)
                        onnx[(gi * units + u) * rows + row] = keras[row * gates * units + order[gi] * units + u];
            return onnx;
        }
        float[] ReorderBias(float[] keras, int offset)
        {
            var onnx = new float[gates * units];
            for (int gi = 0; gi < gates; gi++)
                Array.Copy(keras, offset + order[gi] * units, onnx, gi * units, units);
            return onnx;
        }
        var w = g.Constant("W", Reorder(W(r, "kernel").ToArray(), features), 1, gates * units, features);
        var rk = g.Constant("R", Reorder(W(r, "recurrent_kernel").ToArray(), units), 1, gates * units, units);
        var inputs = new List<string> { w, rk };
        var attributes = new List<OnnxAttribute> { A("hidden_size", (long)units), A("direction", "forward") };
        if (OptionalW(r, "bias") is { } bias)
        {
            var values = bias.ToArray();
            bool split = r is GRU { ResetAfter: true };   // bias (2, 3*units): input bias, then recurrent bias
            var wb = ReorderBias(values, 0);
            var rb = split ? ReorderBias(values, gates * units) : new float[gates * units];
            inputs.Add(g.Constant("B", wb.Concat(rb).ToArray(), 1, 2 * gates * units));
        }
        var f = OnnxActivations.RecurrentName(r.RecurrentActivation)!;
        var act = OnnxActivations.RecurrentName(r.Activation)!;
        attributes.Add(A("activations", r switch { LSTM => new[] { f, act, act }, GRU => new[] { f, act }, _ => new[] { act } }));
        if (r is GRU gru) attributes.Add(A("linear_before_reset", gru.ResetAfter ? 1L : 0L));

        var timeMajor = g.Op("Transpose", new[] { x }, A("perm", new long[] { 1, 0, 2 }));
        if (r.GoBackwards)
            timeMajor = g.Op("Slice", new[] { timeMajor, g.Longs("starts", -1), g.Longs("ends", long.MinValue), g.Longs("axes", 0), g.Longs("steps", -1) });
        inputs.Insert(0, timeMajor);
        var outs = g.OpMulti(op, inputs.ToArray(), 2, attributes.ToArray());   // Y (steps, 1, batch, units), Y_h (1, batch, units)
        if (r.ReturnSequences)
        {
            var y = g.Op("Squeeze", new[] { outs[0], g.Longs("axes", 1) });
            return g.Op("Transpose", new[] { y }, A("perm", new long[] { 1, 0, 2 }));
        }
        return g.Op("Squeeze", new[] { outs[1], g.Longs("axes", 0) });
    }
}
