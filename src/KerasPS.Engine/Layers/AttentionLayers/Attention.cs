using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.AttentionLayers;

/// <summary>
/// keras.layers.Attention (Luong-style): scores of a query (Tq, dim) against a key (Tv, dim), by dot product
/// (<c>score_mode="dot"</c>, times a learned <c>scale</c> with <c>use_scale</c>) or by
/// <c>concat_score_weight * sum(tanh(scale * (q + k)))</c> (<c>score_mode="concat"</c>); their softmax over Tv weighs the
/// value (Tv, dv). Applied to [query, value] or [query, value, key] (key defaults to value) in the functional API; the
/// output is (Tq, dv). <c>use_causal_mask</c> (a call argument in Keras 3, kept in the node's kwargs) stops position i
/// from attending to positions after i.
/// </summary>
[KerasLayer("Attention")]
public sealed class Attention : Layer, IKerasLayer<Attention>, IOnnxLowering
{
    /// <summary>What Keras subtracts from masked scores before the softmax (float32).</summary>
    private const float MaskPenalty = 1e9f;

    private Weight? scale;
    private Weight? concatScoreWeight;

    public Attention(bool useScale = false, string scoreMode = "dot", double dropout = 0, bool useCausalMask = false,
        string? name = null) : base(name, null)
    {
        if (scoreMode is not ("dot" or "concat"))
            throw KerasException.BadArgument("InvalidScoreMode",
                $"Attention score_mode must be 'dot' or 'concat'. Received: score_mode='{scoreMode}'.", scoreMode);
        if (!(dropout >= 0 && dropout < 1))
            throw KerasException.BadArgument("InvalidRate",
                $"Attention dropout must be in [0, 1). Received: dropout={F(dropout)}.", dropout);
        UseScale = useScale;
        ScoreMode = scoreMode;
        Dropout = dropout;
        UseCausalMask = useCausalMask;
    }

    public bool UseScale { get; }
    public string ScoreMode { get; }
    public double Dropout { get; }

    /// <summary>Keras 3's call argument <c>use_causal_mask</c>: query position i attends to value positions up to i only.</summary>
    public bool UseCausalMask { get; private set; }

    public override bool TakesSeveralInputs => true;

    public override int[] ComputeOutputShape(int[] inputShape) => throw InputCount(1);

    public override Tensor Forward(Tensor x, bool training) => throw InputCount(1);

    private KerasException InputCount(int count) => KerasException.BadArgument("LayerInputCount",
        $"{ClassName} takes [query, value] or [query, value, key]; {count} tensor{(count == 1 ? " was" : "s were")} given. "
            + "Pipe the query and give -Value (and -Key), e.g. $q | Add-AttentionLayer -Value $v.", count);

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
            throw ShapeError(inputShapes, $"the query has {q[1]} features and the key {k[1]}; they must be equal.");
        if (k[0] != v[0])
            throw ShapeError(inputShapes, $"the key has {k[0]} steps and the value {v[0]}; they must be equal.");
        return new[] { q[0], v[1] };
    }

    protected override void BuildCore(IReadOnlyList<int[]> inputShapes, MersenneTwister rng)
    {
        scale = UseScale ? AddWeight("scale", Array.Empty<int>(), new[] { 1f }) : null;
        concatScoreWeight = ScoreMode == "concat" ? AddWeight("concat_score_weight", Array.Empty<int>(), new[] { 1f }) : null;
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training) =>
        Forward(inputs, new Tensor?[inputs.Count], training);

    /// <summary>Keras 3 supports masking here: the output carries the query's mask.</summary>
    public override bool SupportsMasking => true;

    public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks) => masks[0];

    /// <summary>
    /// With masks (Keras 3's <c>Attention.call</c>): the value's mask (batch, Tv), and with use_causal_mask the causal
    /// mask too, take <c>1e9</c> from the scores of the positions they rule out; the query's mask (batch, Tq) sets the
    /// output rows of masked query steps to 0. The key's mask is not read, as in Keras.
    /// </summary>
    public override Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks, bool training)
    {
        var q = inputs[0];
        var v = inputs[1];
        var k = inputs.Count > 2 ? inputs[2] : v;
        Tensor scores;
        if (ScoreMode == "dot")
        {
            scores = torch.matmul(q, k.transpose(-2, -1));
            if (scale is not null) scores = scores * scale.Value;
        }
        else
        {
            var sum = q.unsqueeze(-2).Plus(k.unsqueeze(-3));
            if (scale is not null) sum = sum * scale.Value;
            scores = concatScoreWeight!.Value * sum.tanh().sum(-1);
        }
        return ApplyScores(scores, v, masks, UseCausalMask, Dropout, training);
    }

    /// <summary>
    /// Keras's <c>_apply_scores</c> shared by Attention and AdditiveAttention: the value's mask (batch, Tv), and with
    /// <paramref name="causal"/> the causal mask, take <c>1e9</c> from the scores they rule out; softmax; dropout while
    /// training; times the value; then the query's mask (batch, Tq) sets the output rows of masked query steps to 0.
    /// </summary>
    internal static Tensor ApplyScores(Tensor scores, Tensor v, IReadOnlyList<Tensor?> masks, bool causal, double dropout,
        bool training)
    {
        var valueMask = masks.Count > 1 ? masks[1] : null;
        if (valueMask is not null)
        {
            // Keras's _calculate_score_mask and _apply_scores: scores - 1e9 where the value mask (and the causal mask) say no.
            var allowed = valueMask.to_type(ScalarType.Bool).unsqueeze(-2);
            if (causal)
                allowed = allowed.logical_and(
                    torch.ones(scores.shape[^2], scores.shape[^1], device: scores.device).tril().to_type(ScalarType.Bool));
            scores = torch.where(allowed, scores, scores.sub(Scalars.Of(MaskPenalty)));
        }
        else if (causal)
            scores = scores - CausalPenalty(scores.shape[^2], scores.shape[^1]).to(scores.device);
        var weights = torch.softmax(scores, -1);
        if (training && dropout > 0) weights = weights * Training.RandomContext.DropoutMask(weights, dropout);
        var output = torch.matmul(weights, v);
        if (masks.Count > 0 && masks[0] is { } queryMask)
            output = torch.where(queryMask.to_type(ScalarType.Bool).unsqueeze(-1), output, torch.zeros_like(output));
        return output;
    }

    /// <summary>0 where query step i may see value step j (j &lt;= i), Keras's 1e9 elsewhere; shape (Tq, Tv).</summary>
    private static Tensor CausalPenalty(long tq, long tv) =>
        torch.ones(tq, tv).triu(1).mul(Scalars.Of(MaskPenalty));

    private static float[] CausalPenaltyValues(int tq, int tv)
    {
        var values = new float[tq * tv];
        for (int i = 0; i < tq; i++)
            for (int j = i + 1; j < tv; j++) values[i * tv + j] = MaskPenalty;
        return values;
    }

    protected override void WriteConfig(IDictionary<string, object?> config)
    {
        config["use_scale"] = UseScale;
        config["score_mode"] = ScoreMode;
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
        $"score_mode={ScoreMode}" + (UseScale ? ", use_scale" : "") + (UseCausalMask ? ", use_causal_mask" : "")
            + (Dropout > 0 ? $", dropout={F(Dropout)}" : "");

    /// <summary>Keras 3's config; Keras 2.x's <c>causal</c> (its form of use_causal_mask) is read too.</summary>
    public static Attention FromConfig(ConfigReader c) =>
        new(c.Bool("use_scale", false), c.String("score_mode") ?? "dot", c.Double("dropout", 0), c.Bool("causal", false), c.Name);

    IReadOnlyList<string> IOnnxLowering.LowerToOnnx(OnnxGraph graph, IReadOnlyList<string> inputs)
    {
        var q = inputs[0];
        var v = inputs[1];
        var k = inputs.Count > 2 ? inputs[2] : v;
        string scores;
        if (ScoreMode == "dot")
        {
            scores = graph.Op("MatMul", new[] { q, graph.Op("Transpose", new[] { k }, A("perm", new long[] { 0, 2, 1 })) });
            if (scale is not null) scores = graph.Op("Mul", new[] { scores, graph.Constant(scale) });
        }
        else
        {
            var sum = graph.Op("Add", new[]
            {
                graph.Op("Unsqueeze", new[] { q, graph.Longs("axes", 2) }),
                graph.Op("Unsqueeze", new[] { k, graph.Longs("axes", 1) }),
            });
            if (scale is not null) sum = graph.Op("Mul", new[] { sum, graph.Constant(scale) });
            var total = graph.Op("ReduceSum", new[] { graph.Op("Tanh", new[] { sum }), graph.Longs("axes", -1) }, A("keepdims", 0L));
            scores = graph.Op("Mul", new[] { total, graph.Constant(concatScoreWeight!) });
        }
        if (UseCausalMask)
        {
            int tq = InputShapes![0][0], tv = InputShapes[1][0];
            scores = graph.Op("Sub", new[] { scores, graph.Constant("causal_penalty", CausalPenaltyValues(tq, tv), tq, tv) });
        }
        var weights = graph.Op("Softmax", new[] { scores }, A("axis", -1L));
        return new[] { graph.Op("MatMul", new[] { weights, v }) };
    }
}
