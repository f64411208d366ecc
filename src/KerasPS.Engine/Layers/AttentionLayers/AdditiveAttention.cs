using static TorchSharp.torch;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.AttentionLayers;

/// <summary>
/// keras.layers.AdditiveAttention (Bahdanau style): scores of a query (Tq, dim) against a key (Tv, dim) as
/// <c>sum(scale * tanh(q + k))</c> over the features, with a learned <c>scale</c> vector of the query's dim
/// (<c>use_scale</c>, Keras's default; glorot_uniform), else a plain sum; their softmax over Tv weighs the value (Tv, dv).
/// Applied to [query, value] or [query, value, key] (key defaults to value) in the functional API; the output is (Tq, dv).
/// <c>use_causal_mask</c> (a call argument in Keras 3, kept in the node's kwargs) stops position i from attending to
/// positions after i, with Keras's 1e9 penalty (keras/src/layers/attention/additive_attention.py and attention.py).
/// </summary>
[KerasLayer("AdditiveAttention")]
public sealed class AdditiveAttention : Layer, IKerasLayer<AdditiveAttention>, IOnnxLowering
{
    /// <summary>What Keras subtracts from masked scores before the softmax (float32).</summary>
    private const float MaskPenalty = 1e9f;

    private Weight? scale;

    public AdditiveAttention(bool useScale = true, double dropout = 0, bool useCausalMask = false, string? name = null)
        : base(name, null)
    {
        if (!(dropout >= 0 && dropout < 1))
            throw KerasException.BadArgument("InvalidRate",
                $"AdditiveAttention dropout must be in [0, 1). Received: dropout={F(dropout)}.", dropout);
        UseScale = useScale;
        Dropout = dropout;
        UseCausalMask = useCausalMask;
    }

    public bool UseScale { get; }
    public double Dropout { get; }

    /// <summary>Keras 3's call argument <c>use_causal_mask</c>: query position i attends to value positions up to i only.</summary>
    public bool UseCausalMask { get; private set; }

    public override bool TakesSeveralInputs => true;

    public override int[] ComputeOutputShape(int[] inputShape) => throw InputCount(1);

    public override Tensor Forward(Tensor x, bool training) => throw InputCount(1);

    private KerasException InputCount(int count) => KerasException.BadArgument("LayerInputCount",
        $"{ClassName} takes [query, value] or [query, value, key]; {count} tensor{(count == 1 ? " was" : "s were")} given. "
            + "Pipe the query and give -Value (and -Key), e.g. $q | Add-AdditiveAttentionLayer -Value $v.", count);

    private KerasException ShapeError(IReadOnlyList<int[]> shapes, string rule) => KerasException.BadArgument("AttentionShapeMismatch",
        $"{ClassName} cannot attend over inputs of shapes {string.Join(", ", shapes.Select(Shapes.Format))}: {rule}");

    public override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count is < 2 or > 3) throw InputCount(inputShapes.Count);
        var q = inputShapes[0];
        var v = inputShapes[1];
        var k = inputShapes.Count > 2 ? inputShapes[2] : v;
        if (q.Length != 2 || v.Length != 2 || k.Length != 2)
            throw ShapeError(inputShapes, "query, value and key must each be (steps, features) per sample.");
        if (q[1] != k[1])
            throw ShapeError(inputShapes, $"the query has {q[1]} features and the key {k[1]}; they must be equal (they are added).");
        if (k[0] != v[0])
            throw ShapeError(inputShapes, $"the key has {k[0]} steps and the value {v[0]}; they must be equal.");
        return new[] { q[0], v[1] };
    }

    protected override void BuildCore(IReadOnlyList<int[]> inputShapes, MersenneTwister rng) =>
        scale = UseScale ? AddWeight("scale", new[] { inputShapes[0][^1] }, new GlorotUniform(), rng) : null;

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training) =>
        Forward(inputs, new Tensor?[inputs.Count], training);

    /// <summary>Keras 3 supports masking here (AdditiveAttention is an Attention): the output carries the query's mask.</summary>
    public override bool SupportsMasking => true;

    public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks) => masks[0];

    /// <summary>
    /// Keras 3's scores <c>sum(scale * tanh(q + k), -1)</c>, then Attention's <c>_apply_scores</c>: the value's mask and
    /// the causal mask rule scores out, the query's mask zeroes the rows of masked query steps.
    /// </summary>
    public override Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks, bool training)
    {
        var q = inputs[0];
        var v = inputs[1];
        var k = inputs.Count > 2 ? inputs[2] : v;
        var terms = q.unsqueeze(-2).Plus(k.unsqueeze(-3)).tanh();   // (batch, Tq, Tv, dim)
        if (scale is not null) terms = terms * scale.Value;
        return Attention.ApplyScores(terms.sum(-1), v, masks, UseCausalMask, Dropout, training);
    }

    protected override void WriteConfig(IDictionary<string, object?> config)
    {
        config["use_scale"] = UseScale;
        config["dropout"] = Dropout;
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

    public override string? Details =>
        (UseScale ? "use_scale" : "no scale") + (UseCausalMask ? ", use_causal_mask" : "") + (Dropout > 0 ? $", dropout={F(Dropout)}" : "");

    /// <summary>Keras 3's config (use_scale defaults to True); Keras 2.x's <c>causal</c> (its form of use_causal_mask) is read
    /// too.</summary>
    public static AdditiveAttention FromConfig(ConfigReader c) =>
        new(c.Bool("use_scale", true), c.Double("dropout", 0), c.Bool("causal", false), c.Name);

    IReadOnlyList<string> IOnnxLowering.LowerToOnnx(OnnxGraph graph, IReadOnlyList<string> inputs)
    {
        var q = inputs[0];
        var v = inputs[1];
        var k = inputs.Count > 2 ? inputs[2] : v;
        var sum = graph.Op("Add", new[]
        {
            graph.Op("Unsqueeze", new[] { q, graph.Longs("axes", 2) }),
            graph.Op("Unsqueeze", new[] { k, graph.Longs("axes", 1) }),
        });
        var terms = graph.Op("Tanh", new[] { sum });
        if (scale is not null) terms = graph.Op("Mul", new[] { terms, graph.Constant(scale) });
        var scores = graph.Op("ReduceSum", new[] { terms, graph.Longs("axes", -1) }, A("keepdims", 0L));
        if (UseCausalMask)
        {
            int tq = InputShapes![0][0], tv = InputShapes[1][0];
            var penalty = new float[tq * tv];
            for (int i = 0; i < tq; i++)
                for (int j = i + 1; j < tv; j++) penalty[i * tv + j] = MaskPenalty;
            scores = graph.Op("Sub", new[] { scores, graph.Constant("causal_penalty", penalty, tq, tv) });
        }
        var weights = graph.Op("Softmax", new[] { scores }, A("axis", -1L));
        return new[] { graph.Op("MatMul", new[] { weights, v }) };
    }
}
