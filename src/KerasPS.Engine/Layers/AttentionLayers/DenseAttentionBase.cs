using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.AttentionLayers;

/// <summary>
/// What Keras 3's Attention and AdditiveAttention share (AdditiveAttention is a subclass of Attention there): a query
/// (Tq, dim) scored against a key (Tv, dim) by the layer's own rule, then Keras's <c>_apply_scores</c> — the value's mask
/// and <c>use_causal_mask</c> (a call argument in Keras 3, kept in the node's kwargs) take <c>1e9</c> from the scores they
/// rule out, softmax over Tv, dropout while training, times the value (Tv, dv), and the query's mask zeroes the output
/// rows of masked query steps. Applied to [query, value] or [query, value, key] (key defaults to value); output (Tq, dv).
/// </summary>
public abstract class DenseAttentionBase : Layer, IOnnxLowering
{
    /// <summary>What Keras subtracts from masked scores before the softmax (float32).</summary>
    private const float MaskPenalty = 1e9f;

    private protected DenseAttentionBase(double dropout, bool useCausalMask, string? name) : base(name, null)
    {
        if (!(dropout >= 0 && dropout < 1))
            throw KerasException.BadArgument("InvalidRate",
                $"{ClassName} dropout must be in [0, 1). Received: dropout={F(dropout)}.", dropout);
        Dropout = dropout;
        UseCausalMask = useCausalMask;
    }

    public double Dropout { get; }

    /// <summary>Keras 3's call argument <c>use_causal_mask</c>: query position i attends to value positions up to i only.</summary>
    public bool UseCausalMask { get; private set; }

    public override bool TakesSeveralInputs => true;

    public override int[] ComputeOutputShape(int[] inputShape) => throw InputCount(1);

    public override Tensor Forward(Tensor x, bool training) => throw InputCount(1);

    private KerasException InputCount(int count) => KerasException.BadArgument("LayerInputCount",
        $"{ClassName} takes [query, value] or [query, value, key]; {count} tensor{(count == 1 ? " was" : "s were")} given. "
            + $"Pipe the query and give -Value (and -Key), e.g. $q | Add-{ClassName}Layer -Value $v.", count);

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

    /// <summary>The scores (batch, Tq, Tv) of the query against the key, by the layer's rule.</summary>
    private protected abstract Tensor Scores(Tensor q, Tensor k);

    /// <summary>The same scores as ONNX nodes.</summary>
    private protected abstract string OnnxScores(OnnxGraph graph, string q, string k);

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training) =>
        Forward(inputs, new Tensor?[inputs.Count], training);

    /// <summary>Keras 3 supports masking here: the output carries the query's mask.</summary>
    public override bool SupportsMasking => true;

    public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks) => masks[0];

    /// <summary>Keras's <c>_apply_scores</c> over the layer's scores, with the masks (the key's mask is not read, as in Keras).</summary>
    public override Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks, bool training)
    {
        var v = inputs[1];
        var scores = Scores(inputs[0], inputs.Count > 2 ? inputs[2] : v);
        var valueMask = masks.Count > 1 ? masks[1] : null;
        if (valueMask is not null)
        {
            // Keras's _calculate_score_mask and _apply_scores: scores - 1e9 where the value mask (and the causal mask) say no.
            var allowed = valueMask.to_type(ScalarType.Bool).unsqueeze(-2);
            if (UseCausalMask)
                allowed = allowed.logical_and(
                    torch.ones(scores.shape[^2], scores.shape[^1], device: scores.device).tril().to_type(ScalarType.Bool));
            scores = torch.where(allowed, scores, scores.sub(Scalars.Of(MaskPenalty)));
        }
        else if (UseCausalMask)
            scores = scores - torch.ones(scores.shape[^2], scores.shape[^1]).triu(1).mul(Scalars.Of(MaskPenalty)).to(scores.device);
        var weights = torch.softmax(scores, -1);
        if (training && Dropout > 0) weights = weights * Training.RandomContext.DropoutMask(weights, Dropout);
        var output = torch.matmul(weights, v);
        if (masks.Count > 0 && masks[0] is { } queryMask)
            output = torch.where(queryMask.to_type(ScalarType.Bool).unsqueeze(-1), output, torch.zeros_like(output));
        return output;
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

    IReadOnlyList<string> IOnnxLowering.LowerToOnnx(OnnxGraph graph, IReadOnlyList<string> inputs)
    {
        var v = inputs[1];
        var scores = OnnxScores(graph, inputs[0], inputs.Count > 2 ? inputs[2] : v);
        if (UseCausalMask)
        {
            int tq = InputShapes![0][0], tv = InputShapes[1][0];
            var penalty = new float[tq * tv];   // 0 where query step i may see value step j (j <= i), 1e9 elsewhere
            for (int i = 0; i < tq; i++)
                for (int j = i + 1; j < tv; j++) penalty[i * tv + j] = MaskPenalty;
            scores = graph.Op("Sub", new[] { scores, graph.Constant("causal_penalty", penalty, tq, tv) });
        }
        var weights = graph.Op("Softmax", new[] { scores }, A("axis", -1L));
        return new[] { graph.Op("MatMul", new[] { weights, v }) };
    }
}
