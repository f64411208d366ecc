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
public sealed class AdditiveAttention : DenseAttentionBase, IKerasLayer<AdditiveAttention>
{
    private Weight? scale;

    public AdditiveAttention(bool useScale = true, double dropout = 0, bool useCausalMask = false, string? name = null)
        : base(dropout, useCausalMask, name) => UseScale = useScale;

    public bool UseScale { get; }

    protected override void BuildCore(IReadOnlyList<int[]> inputShapes, MersenneTwister rng) =>
        scale = UseScale ? AddWeight("scale", new[] { inputShapes[0][^1] }, new GlorotUniform(), rng) : null;

    /// <summary>Keras 3's <c>sum(scale * tanh(q + k), -1)</c> over the features.</summary>
    private protected override Tensor Scores(Tensor q, Tensor k)
    {
        var terms = q.unsqueeze(-2).Plus(k.unsqueeze(-3)).tanh();   // (batch, Tq, Tv, dim)
        if (scale is not null) terms = terms * scale.Value;
        return terms.sum(-1);
    }

    private protected override string OnnxScores(OnnxGraph graph, string q, string k)
    {
        var sum = graph.Op("Add", new[]
        {
            graph.Op("Unsqueeze", new[] { q, graph.Longs("axes", 2) }),
            graph.Op("Unsqueeze", new[] { k, graph.Longs("axes", 1) }),
        });
        var terms = graph.Op("Tanh", new[] { sum });
        if (scale is not null) terms = graph.Op("Mul", new[] { terms, graph.Constant(scale) });
        return graph.Op("ReduceSum", new[] { terms, graph.Longs("axes", -1) }, A("keepdims", 0L));
    }

    protected override void WriteConfig(IDictionary<string, object?> config)
    {
        config["use_scale"] = UseScale;
        config["dropout"] = Dropout;
        config["seed"] = null;
    }

    public override string? Details =>
        (UseScale ? "use_scale" : "no scale") + (UseCausalMask ? ", use_causal_mask" : "") + (Dropout > 0 ? $", dropout={F(Dropout)}" : "");

    /// <summary>Keras 3's config (use_scale defaults to True); Keras 2.x's <c>causal</c> (its form of use_causal_mask) is read
    /// too.</summary>
    public static AdditiveAttention FromConfig(ConfigReader c) =>
        new(c.Bool("use_scale", true), c.Double("dropout", 0), c.Bool("causal", false), c.Name);
}
