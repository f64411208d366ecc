using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.AttentionLayers;

/// <summary>
/// keras.layers.MultiHeadAttention over sequences (steps, features), with Keras's default attention axes: the query, key and
/// value are projected per head by EinsumDense kernels (dim, num_heads, key_dim) (value: value_dim) with biases
/// (num_heads, key_dim); scores are the scaled dot products (1 / sqrt(key_dim)) softmaxed over the key steps; the heads'
/// weighted values go through the output kernel (num_heads, value_dim, output_dim) and bias (output_dim). The weights are
/// stored as Keras stores them: query, key, value and attention_output kernels and biases, in that order.
/// </summary>
[KerasLayer("MultiHeadAttention")]
public sealed class MultiHeadAttention : Layer, IKerasLayer<MultiHeadAttention>, IOnnxLowering
{
    private const float MaskPenalty = 1e9f;

    public MultiHeadAttention(int numHeads, int keyDim, int? valueDim = null, double dropout = 0, bool useBias = true,
        int? outputShape = null, bool useCausalMask = false, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
        string? name = null) : base(name, null)
    {
        if (numHeads < 1 || keyDim < 1 || valueDim is < 1 || outputShape is < 1)
            throw KerasException.BadArgument("InvalidAttentionSize",
                $"MultiHeadAttention needs num_heads, key_dim, value_dim and output_shape of 1 or more. Received: num_heads={numHeads}, "
                    + $"key_dim={keyDim}.", numHeads);
        if (!(dropout >= 0 && dropout < 1))
            throw KerasException.BadArgument("InvalidRate",
                $"MultiHeadAttention dropout must be in [0, 1). Received: dropout={F(dropout)}.", dropout);
        NumHeads = numHeads;
        KeyDim = keyDim;
        ValueDim = valueDim ?? keyDim;
        Dropout = dropout;
        UseBias = useBias;
        OutputDim = outputShape;
        UseCausalMask = useCausalMask;
        KernelInitializer = kernelInitializer ?? Initializer.FromConfig("glorot_uniform");
        BiasInitializer = biasInitializer ?? Initializer.FromConfig("zeros");
    }

    public int NumHeads { get; }
    public int KeyDim { get; }
    public int ValueDim { get; }
    public double Dropout { get; }
    public bool UseBias { get; }

    /// <summary>Keras's output_shape: the size of the output's last axis; null keeps the query's.</summary>
    public int? OutputDim { get; }
    public Initializer KernelInitializer { get; }
    public Initializer BiasInitializer { get; }

    /// <summary>Keras 3's call argument <c>use_causal_mask</c>: query position i attends to key positions up to i only.</summary>
    public bool UseCausalMask { get; private set; }

    public override bool TakesSeveralInputs => true;

    public override int[] ComputeOutputShape(int[] inputShape) => throw InputCount(1);

    public override Tensor Forward(Tensor x, bool training) => throw InputCount(1);

    private static Tensor? Mask(IReadOnlyList<Tensor?> masks, int i) =>
        i < masks.Count && masks[i] is { } m ? m.to_type(ScalarType.Bool) : null;

    private KerasException InputCount(int count) => KerasException.BadArgument("LayerInputCount",
        $"{ClassName} takes [query, value] or [query, value, key]; {count} tensor{(count == 1 ? " was" : "s were")} given. "
            + "Pipe the query and give -Value (and -Key), e.g. $x | Add-MultiHeadAttentionLayer 2 16 -Value $x.", count);

    public override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count is < 2 or > 3) throw InputCount(inputShapes.Count);
        var q = inputShapes[0];
        var v = inputShapes[1];
        var k = inputShapes.Count > 2 ? inputShapes[2] : v;
        if (q.Length != 2 || v.Length != 2 || k.Length != 2)
            throw KerasException.BadArgument("AttentionShapeMismatch",
                $"{ClassName} takes query, value and key of shape (steps, features) per sample; received "
                    + $"{string.Join(", ", inputShapes.Select(Shapes.Format))}. Other attention_axes are not supported.");
        if (k[0] != v[0])
            throw KerasException.BadArgument("AttentionShapeMismatch",
                $"{ClassName}: the key has {k[0]} steps and the value {v[0]}; they must be equal.");
        return new[] { q[0], OutputDim ?? q[1] };
    }

    protected override void BuildCore(IReadOnlyList<int[]> inputShapes, MersenneTwister rng)
    {
        var q = inputShapes[0];
        var v = inputShapes[1];
        var k = inputShapes.Count > 2 ? inputShapes[2] : v;
        void Dense(string name, int[] kernel, int[] bias)
        {
            AddWeight($"{name}/kernel", kernel, KernelInitializer, rng);
            if (UseBias) AddWeight($"{name}/bias", bias, BiasInitializer, rng);
        }
        Dense("query", new[] { q[1], NumHeads, KeyDim }, new[] { NumHeads, KeyDim });
        Dense("key", new[] { k[1], NumHeads, KeyDim }, new[] { NumHeads, KeyDim });
        Dense("value", new[] { v[1], NumHeads, ValueDim }, new[] { NumHeads, ValueDim });
        Dense("attention_output", new[] { NumHeads, ValueDim, OutputDim ?? q[1] }, new[] { OutputDim ?? q[1] });
    }

    /// <summary>Keras 3's groups of the weights in model.weights.h5, below the layer's own path (saving_lib names them by
    /// attribute: <c>_query_dense/vars/0</c> the kernel, <c>/1</c> the bias); the softmax and dropout sublayers hold none.</summary>
    internal IReadOnlyList<(string Group, Weight[] Weights)> Keras3Groups =>
        new[] { ("_query_dense", "query"), ("_key_dense", "key"), ("_value_dense", "value"), ("_output_dense", "attention_output") }
            .Select(g => (g.Item1, Weights.Where(w => w.Name.StartsWith(g.Item2 + "/", StringComparison.Ordinal)).ToArray()))
            .Append(("_softmax", Array.Empty<Weight>())).Append(("_dropout_layer", Array.Empty<Weight>())).ToList();

    private Tensor W(string name) => Weights.First(w => w.Name == name).Value;

    /// <summary>EinsumDense "abc,cde->abde": (batch, steps, dim) to (batch, steps, heads, size).</summary>
    private Tensor Project(Tensor x, string name)
    {
        var y = torch.einsum("abc,cde->abde", x, W($"{name}/kernel"));
        return UseBias ? y.Plus(W($"{name}/bias")) : y;
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training) =>
        Forward(inputs, new Tensor?[inputs.Count], training);

    /// <summary>Keras 3 supports masking here: the output carries the query's mask.</summary>
    public override bool SupportsMasking => true;

    public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks) => masks[0];

    /// <summary>
    /// With masks (Keras 3's <c>_compute_attention_mask</c> and masked softmax): the attention mask (batch, Tq, Tv) is the
    /// query's mask (batch, Tq, 1) and the value's and key's masks (batch, 1, Tv), and with use_causal_mask the causal
    /// mask; scores where it is false become -1e9 before the softmax and their weights 0 after it (a query step that is
    /// masked attends to nothing, so its output is the output bias).
    /// </summary>
    public override Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks, bool training)
    {
        var v = inputs[1];
        var k = inputs.Count > 2 ? inputs[2] : v;
        var query = Project(inputs[0], "query").mul(Scalars.Of(1.0 / Math.Sqrt(KeyDim)));
        var key = Project(k, "key");
        var value = Project(v, "value");
        var scores = torch.einsum("aecd,abcd->acbe", key, query);   // (batch, heads, Tq, Tv)
        Tensor? allowed = null;
        foreach (var (m, axis) in new[] { (Mask(masks, 0), -1L), (Mask(masks, 1), -2L), (Mask(masks, 2), -2L) })
            if (m is not null) allowed = allowed is null ? m.unsqueeze(axis) : allowed.logical_and(m.unsqueeze(axis));
        Tensor weights;
        if (allowed is not null)
        {
            if (UseCausalMask)
                allowed = allowed.logical_and(
                    torch.ones(scores.shape[2], scores.shape[3], device: scores.device).tril().to_type(ScalarType.Bool));
            allowed = allowed.unsqueeze(1);   // (batch, 1, Tq, Tv): the same for every head
            weights = torch.softmax(torch.where(allowed, scores, torch.full_like(scores, Scalars.Of(-(double)MaskPenalty))), -1);
            weights = torch.where(allowed, weights, torch.zeros_like(weights));
        }
        else
        {
            if (UseCausalMask)
            {
                long tq = scores.shape[2], tv = scores.shape[3];
                scores = scores - torch.ones(tq, tv).triu(1).mul(Scalars.Of(MaskPenalty)).to(scores.device);
            }
            weights = torch.softmax(scores, -1);
        }
        if (training && Dropout > 0) weights = weights * Training.RandomContext.DropoutMask(weights, Dropout);
        var context = torch.einsum("acbe,aecd->abcd", weights, value);   // (batch, Tq, heads, value_dim)
        var output = torch.einsum("abcd,cde->abe", context, W("attention_output/kernel"));
        return UseBias ? output.Plus(W("attention_output/bias")) : output;
    }

    protected override void WriteConfig(IDictionary<string, object?> config)
    {
        config["num_heads"] = NumHeads;
        config["key_dim"] = KeyDim;
        config["value_dim"] = ValueDim;
        config["dropout"] = Dropout;
        config["use_bias"] = UseBias;
        config["output_shape"] = OutputDim;
        config["attention_axes"] = null;
        config["kernel_initializer"] = KernelInitializer.GetConfig();
        config["bias_initializer"] = BiasInitializer.GetConfig();
        config["kernel_regularizer"] = null;
        config["bias_regularizer"] = null;
        config["activity_regularizer"] = null;
        config["kernel_constraint"] = null;
        config["bias_constraint"] = null;
        config["seed"] = null;
    }

    public override void WriteCallArguments(IDictionary<string, object?> kwargs)
    {
        if (UseCausalMask) kwargs["use_causal_mask"] = true;
    }

    public override void ReadCallArguments(ConfigReader kwargs)
    {
        if (kwargs.Bool("return_attention_scores", false))
            throw KerasException.BadArgument("AttentionScoresUnsupported",
                $"Layer '{Name}' ({ClassName}) is called with return_attention_scores=True, which KerasPS does not support; "
                    + "save the model from Keras with the scores left out.", Name);
        if (kwargs.Bool("use_causal_mask", false)) UseCausalMask = true;
    }

    public override string? Details => $"num_heads={NumHeads}, key_dim={KeyDim}" + (ValueDim != KeyDim ? $", value_dim={ValueDim}" : "")
        + (UseCausalMask ? ", use_causal_mask" : "");

    public static MultiHeadAttention FromConfig(ConfigReader c)
    {
        if (c.Raw("attention_axes") is { } axes && !(axes is List<object?> l && l.Count == 1 && Convert.ToInt32(l[0]) is 1 or -2))
            throw KerasException.BadArgument("UnsupportedAttentionAxes",
                $"MultiHeadAttention '{c.Name}' attends over attention_axes={CheckpointAxes(axes)}; KerasPS supports the default "
                    + "(the steps axis of (steps, features) inputs) only.", c.Name);
        int? output = c.Raw("output_shape") switch
        {
            null => null,
            List<object?> { Count: 1 } one => Convert.ToInt32(one[0], System.Globalization.CultureInfo.InvariantCulture),
            List<object?> => throw KerasException.BadArgument("UnsupportedAttentionOutput",
                $"MultiHeadAttention '{c.Name}' has a multi-axis output_shape; KerasPS supports one output size only.", c.Name),
            _ => c.Int("output_shape"),
        };
        return new(c.Int("num_heads"), c.Int("key_dim"), c.NullableInt("value_dim"), c.Double("dropout", 0), c.Bool("use_bias", true),
            output, false, Initializer.Optional(c.Raw("kernel_initializer")), Initializer.Optional(c.Raw("bias_initializer")), c.Name);
    }

    /// <summary>ONNX's Einsum with the equations of the forward pass; the causal mask as a constant penalty.</summary>
    IReadOnlyList<string> IOnnxLowering.LowerToOnnx(OnnxGraph graph, IReadOnlyList<string> inputs)
    {
        var v = inputs[1];
        var k = inputs.Count > 2 ? inputs[2] : v;
        string Project(string x, string name)
        {
            var y = graph.Op("Einsum", new[] { x, graph.Constant(WeightOf(this, $"{name}/kernel")) }, A("equation", "abc,cde->abde"));
            return UseBias ? graph.Op("Add", new[] { y, graph.Constant(WeightOf(this, $"{name}/bias")) }) : y;
        }
        var query = graph.Op("Mul", new[] { Project(inputs[0], "query"), graph.Scalar("scale", (float)(1.0 / Math.Sqrt(KeyDim))) });
        var scores = graph.Op("Einsum", new[] { Project(k, "key"), query }, A("equation", "aecd,abcd->acbe"));
        if (UseCausalMask)
        {
            int tq = InputShapes![0][0], tv = InputShapes[1][0];
            var penalty = new float[tq * tv];
            for (int i = 0; i < tq; i++) for (int j = i + 1; j < tv; j++) penalty[i * tv + j] = MaskPenalty;
            scores = graph.Op("Sub", new[] { scores, graph.Constant("causal_penalty", penalty, tq, tv) });
        }
        var weights = graph.Op("Softmax", new[] { scores }, A("axis", -1L));
        var context = graph.Op("Einsum", new[] { weights, Project(v, "value") }, A("equation", "acbe,aecd->abcd"));
        var output = graph.Op("Einsum", new[] { context, graph.Constant(WeightOf(this, "attention_output/kernel")) },
            A("equation", "abcd,cde->abe"));
        return new[] { UseBias ? graph.Op("Add", new[] { output, graph.Constant(WeightOf(this, "attention_output/bias")) }) : output };
    }

    private static string CheckpointAxes(object axes) => axes is List<object?> l ? $"({string.Join(", ", l)})" : $"{axes}";
}
