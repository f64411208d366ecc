using static TorchSharp.torch;
using KerasPS.Engine.Constraints;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Regularizers;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Core;

/// <summary>
/// keras.layers.Embedding: turns integer token ids in [0, input_dim) into dense vectors of output_dim; the
/// table is the weight <c>embeddings</c> (input_dim, output_dim). Inputs arrive as float features and are
/// rounded to the nearest integer id.
/// </summary>
[KerasLayer("Embedding")]
public sealed class Embedding : Layer, IKerasLayer<Embedding>, IOnnxSingleLowering
{
    private Weight? embeddings;

    public Embedding(int inputDim, int outputDim, Initializer? embeddingsInitializer = null, Regularizer? embeddingsRegularizer = null,
        Constraint? embeddingsConstraint = null, string? name = null, int[]? inputShape = null, bool maskZero = false)
        : base(name, inputShape)
    {
        if (inputDim <= 0)
            throw KerasException.BadArgument("InvalidInputDim",
                $"Embedding input_dim (the vocabulary size) must be a positive integer. Received: input_dim={inputDim}.", inputDim);
        if (outputDim <= 0)
            throw KerasException.BadArgument("InvalidOutputDim",
                $"Embedding output_dim must be a positive integer. Received: output_dim={outputDim}.", outputDim);
        InputDim = inputDim;
        OutputDim = outputDim;
        // Keras's default "uniform" is RandomUniform(-0.05, 0.05).
        EmbeddingsInitializer = embeddingsInitializer ?? new Initializer("random_uniform");
        EmbeddingsRegularizer = embeddingsRegularizer;
        EmbeddingsConstraint = embeddingsConstraint;
        MaskZero = maskZero;
    }

    /// <summary>
    /// Keras's <c>mask_zero</c>: token id 0 is padding. The output carries a mask (batch, steps), true where the id is not 0,
    /// that the layers after it read (recurrent layers skip the padded steps, GlobalAveragePooling1D leaves them out).
    /// Id 0 still has its row in the table, as in Keras.
    /// </summary>
    public bool MaskZero { get; }

    /// <summary>Keras's <c>compute_mask</c>: <c>inputs != 0</c> with mask_zero, else no mask.</summary>
    public override Tensor? ComputeMask(Tensor input, Tensor? mask) =>
        MaskZero ? (input.dtype == ScalarType.Int64 ? input : input.round()).ne(Scalars.Zero) : null;

    public int InputDim { get; }
    public int OutputDim { get; }
    public Initializer EmbeddingsInitializer { get; }
    public Regularizer? EmbeddingsRegularizer { get; }
    public Constraint? EmbeddingsConstraint { get; }

    public override int[] ComputeOutputShape(int[] inputShape) => inputShape.Append(OutputDim).ToArray();

    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        embeddings = AddWeight("embeddings", new[] { InputDim, OutputDim }, EmbeddingsInitializer, rng,
            regularizer: EmbeddingsRegularizer, constraint: EmbeddingsConstraint);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var ids = x.dtype == ScalarType.Int64 ? x : x.round().to_type(ScalarType.Int64);
        if (ids.numel() > 0)
        {
            long lo = ids.min().item<long>(), hi = ids.max().item<long>();
            if (lo < 0 || hi >= InputDim)
                throw KerasException.BadData("InvalidTokenIndex",
                    $"Embedding '{Name}' has input_dim={InputDim}, so token ids must be in 0..{InputDim - 1}; "
                        + $"the input holds ids from {lo} to {hi}. Raise -InputDim or re-encode the tokens.", hi);
        }
        var flat = embeddings!.Value.index_select(0, ids.reshape(-1));
        return flat.reshape(ids.shape.Append(OutputDim).ToArray());
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["input_dim"] = InputDim;
        c["output_dim"] = OutputDim;
        c["embeddings_initializer"] = EmbeddingsInitializer.GetConfig();
        c["embeddings_regularizer"] = EmbeddingsRegularizer?.GetConfig();
        c["embeddings_constraint"] = EmbeddingsConstraint?.GetConfig();
        c["mask_zero"] = MaskZero;
    }

    public static Embedding FromConfig(ConfigReader c) => new(c.Int("input_dim"), c.Int("output_dim"),
        Initializer.Optional(c.Raw("embeddings_initializer")), Regularizer.FromConfig(c.Raw("embeddings_regularizer")),
        Constraint.FromConfig(c.Raw("embeddings_constraint")), c.Name, c.InputShape, c.Bool("mask_zero", false));

    public override string? Details => DetailText.Join($"vocabulary={InputDim}", MaskZero ? "mask_zero" : null,
        EmbeddingsRegularizer is null ? null : $"embeddings_regularizer={EmbeddingsRegularizer}",
        EmbeddingsConstraint is null ? null : $"embeddings_constraint={EmbeddingsConstraint}");

    /// <summary>With mask_zero the layers after the embedding read its mask, which ONNX cannot carry: refused by name.</summary>
    void IOnnxLowering.CheckOnnxExport()
    {
        if (MaskZero)
            throw new KerasException("OnnxUnsupportedLayer", ErrorKind.InvalidOperation,
                $"Layer '{Name}' (Embedding) sets mask_zero, whose mask the layers after it read (recurrent layers skip padded steps); "
                    + "ONNX has no mask beside a tensor, so the exported model would compute something else. Export a model "
                    + "without mask_zero or use Invoke-ModelPredict.") { Target = Name };
    }

    /// <summary>Token ids arrive as floats (the model's input is float): Round, Cast to int64, Gather from the table.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var ids = g.Op("Cast", new[] { g.Op("Round", new[] { x }) }, A("to", 7L));
        return g.Op("Gather", new[] { g.Constant(WeightOf(this, "embeddings")), ids }, A("axis", 0L));
    }
}
