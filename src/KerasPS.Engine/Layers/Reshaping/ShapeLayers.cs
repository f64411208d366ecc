using static TorchSharp.torch;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Reshaping;

/// <summary>keras.layers.Flatten: (batch, d1, d2, ...) to (batch, d1*d2*...), in row-major (channels_last) order.</summary>
[KerasLayer("Flatten")]
public sealed class Flatten : Layer, IKerasLayer<Flatten>, IOnnxSingleLowering
{
    public Flatten(string? name = null, int[]? inputShape = null) : base(name, inputShape) { }
    public override int[] ComputeOutputShape(int[] inputShape) => new[] { (int)Shapes.Product(inputShape) };
    public override Tensor Forward(Tensor x, bool training) => x.reshape(x.shape[0], -1);
    protected override void WriteConfig(IDictionary<string, object?> c) => c["data_format"] = "channels_last";
    public static Flatten FromConfig(ConfigReader c) => new(c.Name, c.InputShape);

    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) => g.Op("Flatten", new[] { x }, A("axis", 1L));
}

/// <summary>keras.layers.Reshape: to <c>target_shape</c> (batch axis excluded); one dimension may be -1 and is inferred.</summary>
[KerasLayer("Reshape")]
public sealed class Reshape : Layer, IKerasLayer<Reshape>, IOnnxSingleLowering
{
    public Reshape(int[] targetShape, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (targetShape is null || targetShape.Length == 0)
            throw KerasException.BadArgument("InvalidTargetShape",
                "Reshape needs a target shape without the batch axis, for example -TargetShape 28,28,1.");
        if (targetShape.Count(d => d == -1) > 1 || targetShape.Any(d => d == 0 || d < -1))
            throw KerasException.BadArgument("InvalidTargetShape",
                $"A target shape takes positive sizes and at most one -1 (inferred). Received: ({string.Join(", ", targetShape)}).",
                    targetShape);
        TargetShape = (int[])targetShape.Clone();
    }

    public int[] TargetShape { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        long total = Shapes.Product(inputShape);
        long known = TargetShape.Where(d => d > 0).Aggregate(1L, (a, d) => a * d);
        var r = (int[])TargetShape.Clone();
        int unknown = Array.IndexOf(r, -1);
        if (unknown >= 0)
        {
            if (total % known != 0)
                throw KerasException.BadArgument("InvalidTargetShape",
                    $"Reshape cannot fit input {Shapes.Format(inputShape)} ({total} values) into ({string.Join(", ", TargetShape)}): "
                        + $"{total} is not a multiple of {known}.", TargetShape);
            r[unknown] = (int)(total / known);
        }
        else if (known != total)
            throw KerasException.BadArgument("InvalidTargetShape",
                $"Reshape target ({string.Join(", ", TargetShape)}) holds {known} values, "
                    + $"but the input {Shapes.Format(inputShape)} has {total}. Choose a shape with the same number of values, "
                    + "or use -1 for one dimension.", TargetShape);
        return r;
    }

    public override Tensor Forward(Tensor x, bool training) =>
        x.reshape(new[] { x.shape[0] }.Concat(OutputShape!.Select(d => (long)d)).ToArray());

    protected override void WriteConfig(IDictionary<string, object?> c) => c["target_shape"] = TargetShape;
    public static Reshape FromConfig(ConfigReader c) => new(c.IntArray("target_shape")!, c.Name, c.InputShape);
    public override string? Details => $"target_shape=({string.Join(", ", TargetShape)})";

    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) =>
        g.Op("Reshape", new[] { x, g.Longs("shape", new long[] { -1 }.Concat(Longs(OutputShape!)).ToArray()) });
}

/// <summary>keras.layers.Permute: reorders the non-batch axes; <c>dims</c> is 1-based (Keras: (2, 1) swaps the first two).</summary>
[KerasLayer("Permute")]
public sealed class Permute : Layer, IKerasLayer<Permute>, IOnnxSingleLowering
{
    public Permute(int[] dims, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (dims is null || dims.Length == 0 || !dims.OrderBy(d => d).SequenceEqual(Enumerable.Range(1, dims.Length)))
            throw KerasException.BadArgument("InvalidPermutation",
                "Permute dims must be a permutation of 1..n (1-based, batch axis excluded), for example 2,1. Received: "
                    + $"({string.Join(", ", dims ?? Array.Empty<int>())}).", dims);
        Dims = (int[])dims.Clone();
    }

    public int[] Dims { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (inputShape.Length != Dims.Length)
            throw KerasException.BadArgument("InvalidInputShape",
                $"Permute dims ({string.Join(", ", Dims)}) name {Dims.Length} axes, "
                    + $"but the input {Shapes.Format(inputShape)} has {inputShape.Length}.", inputShape);
        return Dims.Select(d => inputShape[d - 1]).ToArray();
    }

    public override Tensor Forward(Tensor x, bool training) => x.permute(new long[] { 0 }.Concat(Dims.Select(d => (long)d)).ToArray());
    protected override void WriteConfig(IDictionary<string, object?> c) => c["dims"] = Dims;
    public static Permute FromConfig(ConfigReader c) => new(c.IntArray("dims")!, c.Name, c.InputShape);
    public override string? Details => $"dims=({string.Join(", ", Dims)})";

    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) =>
        g.Op("Transpose", new[] { x }, A("perm", new long[] { 0 }.Concat(Longs(Dims)).ToArray()));
}

/// <summary>keras.layers.RepeatVector: (batch, features) to (batch, n, features).</summary>
[KerasLayer("RepeatVector")]
public sealed class RepeatVector : Layer, IKerasLayer<RepeatVector>, IOnnxSingleLowering
{
    public RepeatVector(int n, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (n <= 0)
            throw KerasException.BadArgument("InvalidRepeatCount", $"RepeatVector needs a positive repeat count. Received: n={n}.", n);
        N = n;
    }

    public int N { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (inputShape.Length != 1)
            throw KerasException.BadArgument("InvalidInputShape",
                $"RepeatVector takes 1-D inputs (batch, features); received {Shapes.Format(inputShape)}. Add a Flatten layer first.",
                inputShape);
        return new[] { N, inputShape[0] };
    }

    public override Tensor Forward(Tensor x, bool training) => x.unsqueeze(1).expand(x.shape[0], N, x.shape[1]);
    protected override void WriteConfig(IDictionary<string, object?> c) => c["n"] = N;
    public static RepeatVector FromConfig(ConfigReader c) => new(c.Int("n"), c.Name, c.InputShape);
    public override string? Details => $"n={N}";

    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) =>
        g.Op("Tile", new[] { g.Op("Unsqueeze", new[] { x, g.Longs("axes", 1) }), g.Longs("repeats", 1, N, 1) });
}
