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
public sealed class Attention : DenseAttentionBase, IKerasLayer<Attention>
{
    private Weight? scale;
    private Weight? concatScoreWeight;

    public Attention(bool useScale = false, string scoreMode = "dot", double dropout = 0, bool useCausalMask = false,
        string? name = null) : base(dropout, useCausalMask, name)
    {
        if (scoreMode is not ("dot" or "concat"))
            throw KerasException.BadArgument("InvalidScoreMode",
                $"Attention score_mode must be 'dot' or 'concat'. Received: score_mode='{scoreMode}'.", scoreMode);
        UseScale = useScale;
        ScoreMode = scoreMode;
    }

    public bool UseScale { get; }
    public string ScoreMode { get; }

    protected override void BuildCore(IReadOnlyList<int[]> inputShapes, MersenneTwister rng)
    {
        scale = UseScale ? AddWeight("scale", Array.Empty<int>(), new[] { 1f }) : null;
        concatScoreWeight = ScoreMode == "concat" ? AddWeight("concat_score_weight", Array.Empty<int>(), new[] { 1f }) : null;
    }

    private protected override Tensor Scores(Tensor q, Tensor k)
    {
        if (ScoreMode == "dot")
        {
            var scores = torch.matmul(q, k.transpose(-2, -1));
            return scale is null ? scores : scores * scale.Value;
        }
        var sum = q.unsqueeze(-2).Plus(k.unsqueeze(-3));
        if (scale is not null) sum = sum * scale.Value;
        return concatScoreWeight!.Value * sum.tanh().sum(-1);
    }

    private protected override string OnnxScores(OnnxGraph graph, string q, string k)
    {
        if (ScoreMode == "dot")
        {
            var scores = graph.Op("MatMul", new[] { q, graph.Op("Transpose", new[] { k }, A("perm", new long[] { 0, 2, 1 })) });
            return scale is null ? scores : graph.Op("Mul", new[] { scores, graph.Constant(scale) });
        }
        var sum = graph.Op("Add", new[]
        {
            graph.Op("Unsqueeze", new[] { q, graph.Longs("axes", 2) }),
            graph.Op("Unsqueeze", new[] { k, graph.Longs("axes", 1) }),
        });
        if (scale is not null) sum = graph.Op("Mul", new[] { sum, graph.Constant(scale) });
        var total = graph.Op("ReduceSum", new[] { graph.Op("Tanh", new[] { sum }), graph.Longs("axes", -1) }, A("keepdims", 0L));
        return graph.Op("Mul", new[] { total, graph.Constant(concatScoreWeight!) });
    }

    protected override void WriteConfig(IDictionary<string, object?> config)
    {
        config["use_scale"] = UseScale;
        config["score_mode"] = ScoreMode;
        config["dropout"] = Dropout;
        config["seed"] = null;
    }

    public override string? Details =>
        $"score_mode={ScoreMode}" + (UseScale ? ", use_scale" : "") + (UseCausalMask ? ", use_causal_mask" : "")
            + (Dropout > 0 ? $", dropout={F(Dropout)}" : "");

    /// <summary>Keras 3's config; Keras 2.x's <c>causal</c> (its form of use_causal_mask) is read too.</summary>
    public static Attention FromConfig(ConfigReader c) =>
        new(c.Bool("use_scale", false), c.String("score_mode") ?? "dot", c.Double("dropout", 0), c.Bool("causal", false), c.Name);
}
