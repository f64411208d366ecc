using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>
/// Keras's <c>numerical_utils.encode_categorical_inputs</c>, shared by Discretization, CategoryEncoding and Hashing:
/// integer indices become themselves (<c>int</c>), one row of <c>depth</c> per value (<c>one_hot</c>; a last axis of size
/// 1 is encoded in place), or one row per sample marking (<c>multi_hot</c>) or counting (<c>count</c>) the indices it
/// holds. An index outside 0..depth-1 sets no position, as TensorFlow's one_hot does.
/// </summary>
internal static class CategoricalOutput
{
    public const string Int = "int";
    public const string OneHot = "one_hot";
    public const string MultiHot = "multi_hot";
    public const string Count = "count";

    /// <summary>Checks an output mode against the ones a layer accepts (the message names the allowed values and the one
    /// received).</summary>
    public static string CheckMode(string? mode, string className, params string[] allowed)
    {
        if (mode is null || !allowed.Contains(mode))
            throw KerasException.BadArgument("InvalidOutputMode",
                $"{className} output_mode must be one of {string.Join(", ", allowed)}. Received: output_mode={mode ?? "null"}.", mode);
        return mode;
    }

    /// <summary>The output shape (without the batch axis) for an input shape (without the batch axis).</summary>
    public static int[] Shape(int[] inputShape, string mode, int depth, string layer)
    {
        switch (mode)
        {
            case Int:
                return (int[])inputShape.Clone();
            case OneHot:
                return (inputShape[^1] == 1 ? inputShape[..^1] : inputShape).Append(depth).ToArray();
            default:
                if (inputShape.Length != 1)
                    throw KerasException.BadArgument("UnsupportedInputRank",
                        $"Layer '{layer}' with output_mode={mode} encodes one axis of values per sample; the input "
                            + $"{Shapes.Format(inputShape)} has {inputShape.Length}. Flatten or reshape it to one axis first.", mode);
                return new[] { depth };
        }
    }

    /// <summary>Encodes int64 indices of shape (batch, ...) as float32.</summary>
    public static Tensor Encode(Tensor ids, string mode, int depth)
    {
        if (mode == Int) return ids.to_type(ScalarType.Float32);
        using var range = torch.arange(Scalars.Zero, Scalars.Of(depth), Scalars.One, dtype: ScalarType.Int64, device: ids.device);
        var column = mode == OneHot && ids.shape[^1] == 1 ? ids : ids.unsqueeze(-1);
        var hot = column.eq(range).to_type(ScalarType.Float32);
        return mode switch
        {
            OneHot => hot,
            MultiHot => hot.amax(1),
            _ => hot.sum(1),
        };
    }

    /// <summary>The same encoding in ONNX, on an int64 tensor of indices.</summary>
    public static string Lower(OnnxGraph g, string ids, int[] inputShape, string mode, int depth)
    {
        if (mode == Int) return g.Op("Cast", new[] { ids }, A("to", 1L));
        var range = g.Longs("range", Enumerable.Range(0, depth).Select(i => (long)i).ToArray());
        var column = mode == OneHot && inputShape[^1] == 1 ? ids : g.Op("Unsqueeze", new[] { ids, g.Longs("axes", -1) });
        var hot = g.Op("Cast", new[] { g.Op("Equal", new[] { column, range }) }, A("to", 1L));
        return mode switch
        {
            OneHot => hot,
            MultiHot => g.Op("ReduceMax", new[] { hot }, A("axes", new long[] { 1 }), A("keepdims", 0L)),
            _ => g.Op("ReduceSum", new[] { hot, g.Longs("axes", 1) }, A("keepdims", 0L)),
        };
    }
}
