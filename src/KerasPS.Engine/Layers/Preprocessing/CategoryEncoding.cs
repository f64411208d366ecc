using static TorchSharp.torch;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>
/// keras.layers.CategoryEncoding: integer category ids in 0..num_tokens-1 become <c>one_hot</c> rows, or one
/// <c>multi_hot</c> or <c>count</c> row per sample. Ids arrive as floats (the model's input is float) and are rounded to
/// the nearest integer, as Embedding does; an id outside the range is refused, as Keras says it is. No weights.
/// </summary>
[KerasLayer("CategoryEncoding")]
public sealed class CategoryEncoding : Layer, IKerasLayer<CategoryEncoding>, IOnnxSingleLowering
{
    public CategoryEncoding(int numTokens, string outputMode = CategoricalOutput.MultiHot, string? name = null, int[]? inputShape = null)
        : base(name, inputShape)
    {
        if (numTokens < 1)
            throw KerasException.BadArgument("InvalidNumTokens",
                $"num_tokens must be >= 1. Received: num_tokens={numTokens}.", numTokens);
        NumTokens = numTokens;
        OutputMode = CategoricalOutput.CheckMode(outputMode == "binary" ? CategoricalOutput.MultiHot : outputMode, "CategoryEncoding",
            CategoricalOutput.OneHot, CategoricalOutput.MultiHot, CategoricalOutput.Count);
    }

    public static CategoryEncoding FromConfig(ConfigReader c)
    {
        c.RequireDefault("sparse", false, "CategoryEncoding");
        return new(c.Int("num_tokens"), c.String("output_mode") ?? CategoricalOutput.MultiHot, c.Name, c.InputShape);
    }

    public int NumTokens { get; }
    public string OutputMode { get; }

    public override int[] ComputeOutputShape(int[] inputShape) => CategoricalOutput.Shape(inputShape, OutputMode, NumTokens, Name);

    public override Tensor Forward(Tensor x, bool training)
    {
        using var ids = x.dtype == ScalarType.Int64 ? x.alias() : x.round().to_type(ScalarType.Int64);
        if (ids.numel() > 0)
        {
            long lo = ids.min().item<long>(), hi = ids.max().item<long>();
            if (lo < 0 || hi >= NumTokens)
                throw KerasException.BadData("InvalidTokenIndex",
                    $"CategoryEncoding '{Name}' has num_tokens={NumTokens}, so ids must be in 0..{NumTokens - 1}; "
                        + $"the input holds ids from {lo} to {hi}. Raise -NumTokens or re-encode the categories.", hi);
        }
        return CategoricalOutput.Encode(ids, OutputMode, NumTokens);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["num_tokens"] = NumTokens;
        c["output_mode"] = OutputMode;
        c["sparse"] = false;
    }

    public override string? Details => $"num_tokens={NumTokens}, {OutputMode}";

    /// <summary><c>Round</c>, <c>Cast</c> to int64, then the encoding (an id out of range sets no position).</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) =>
        CategoricalOutput.Lower(g, g.Op("Cast", new[] { g.Op("Round", new[] { x }) }, A("to", 7L)), InputShape!, OutputMode, NumTokens);
}
