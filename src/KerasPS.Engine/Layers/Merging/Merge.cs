using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Merging;

/// <summary>
/// A Keras merge layer (<c>keras.layers.Merge</c>): applied to several tensors in a functional model, never stacked in a
/// Sequential. Shapes exclude the batch axis.
/// </summary>
public abstract class MergeLayer : Layer
{
    protected MergeLayer(string? name) : base(name, null) { }

    public override bool TakesSeveralInputs => true;

    /// <summary>The fewest inputs the layer takes (2 for every merge; Subtract and Dot take exactly 2).</summary>
    protected virtual int MaxInputs => int.MaxValue;

    public override int[] ComputeOutputShape(int[] inputShape) => throw NeedsSeveral(1);

    public override Tensor Forward(Tensor x, bool training) => throw NeedsSeveral(1);

    public override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count < 2 || inputShapes.Count > MaxInputs) throw NeedsSeveral(inputShapes.Count);
        return MergedShape(inputShapes);
    }

    protected abstract int[] MergedShape(IReadOnlyList<int[]> shapes);

    private KerasException NeedsSeveral(int count) => KerasException.BadArgument("LayerInputCount",
        $"{ClassName} merges {(MaxInputs == 2 ? "exactly 2" : "2 or more")} tensors; {count} "
            + $"{(count == 1 ? "was" : "were")} given. Apply it to tensors from New-ModelInput or other layers "
            + "(a Sequential model cannot hold a merge layer).", count);

    protected KerasException ShapeError(IReadOnlyList<int[]> shapes, string rule) => KerasException.BadArgument("MergeShapeMismatch",
        $"{ClassName} cannot merge inputs of shapes {string.Join(", ", shapes.Select(Shapes.Format))}: {rule}");

    protected override void WriteConfig(IDictionary<string, object?> config) { }
}

/// <summary>The element-wise merges (Add, Subtract, Multiply, Average, Maximum, Minimum): Keras broadcasts axes of size 1.</summary>
public abstract class ElementwiseMerge : MergeLayer, IOnnxLowering
{
    protected ElementwiseMerge(string? name) : base(name) { }

    protected override int[] MergedShape(IReadOnlyList<int[]> shapes)
    {
        var result = (int[])shapes[0].Clone();
        foreach (var s in shapes.Skip(1))
        {
            if (s.Length != result.Length) throw ShapeError(shapes, "element-wise merges need inputs of the same rank.");
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] == result[i] || s[i] == 1) continue;
                if (result[i] == 1) result[i] = s[i];
                else throw ShapeError(shapes, $"axis {i + 1} has sizes {result[i]} and {s[i]} (they must be equal, or one of them 1).");
            }
        }
        return result;
    }

    /// <summary>Keras's merge layers support masking: the output's mask is the OR of the inputs' masks, or none when an input
    /// has none.</summary>
    public override bool SupportsMasking => true;

    public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
    {
        if (masks.Any(m => m is null)) return null;
        var mask = masks[0]!.to_type(ScalarType.Bool);
        foreach (var m in masks.Skip(1)) mask = mask.logical_or(m!.to_type(ScalarType.Bool));
        return mask;
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        var y = inputs[0];
        for (int i = 1; i < inputs.Count; i++) y = Combine(y, inputs[i]);
        return Finish(y, inputs.Count);
    }

    protected abstract Tensor Combine(Tensor a, Tensor b);
    protected virtual Tensor Finish(Tensor y, int count) => y;

    /// <summary>The ONNX operator that combines two values (Add, Sub, Mul, Max, Min).</summary>
    protected abstract string OnnxOp { get; }

    IReadOnlyList<string> IOnnxLowering.LowerToOnnx(OnnxGraph graph, IReadOnlyList<string> inputs)
    {
        var y = inputs[0];
        for (int i = 1; i < inputs.Count; i++) y = graph.Op(OnnxOp, new[] { y, inputs[i] });
        return new[] { FinishOnnx(graph, y, inputs.Count) };
    }

    private protected virtual string FinishOnnx(OnnxGraph graph, string y, int count) => y;
}

/// <summary>keras.layers.Add: the sum of the inputs.</summary>
[KerasLayer("Add")]
public sealed class Add : ElementwiseMerge, IKerasLayer<Add>
{
    public Add(string? name = null) : base(name) { }
    protected override Tensor Combine(Tensor a, Tensor b) => a.Plus(b);
    protected override string OnnxOp => "Add";
    public static Add FromConfig(ConfigReader c) => new(c.Name);
}

/// <summary>keras.layers.Subtract: the first input minus the second (exactly two).</summary>
[KerasLayer("Subtract")]
public sealed class Subtract : ElementwiseMerge, IKerasLayer<Subtract>
{
    public Subtract(string? name = null) : base(name) { }
    protected override int MaxInputs => 2;
    protected override Tensor Combine(Tensor a, Tensor b) => a - b;
    protected override string OnnxOp => "Sub";
    public static Subtract FromConfig(ConfigReader c) => new(c.Name);
}

/// <summary>keras.layers.Multiply: the element-wise product of the inputs.</summary>
[KerasLayer("Multiply")]
public sealed class Multiply : ElementwiseMerge, IKerasLayer<Multiply>
{
    public Multiply(string? name = null) : base(name) { }
    protected override Tensor Combine(Tensor a, Tensor b) => a * b;
    protected override string OnnxOp => "Mul";
    public static Multiply FromConfig(ConfigReader c) => new(c.Name);
}

/// <summary>keras.layers.Average: the element-wise mean of the inputs.</summary>
[KerasLayer("Average")]
public sealed class Average : ElementwiseMerge, IKerasLayer<Average>
{
    public Average(string? name = null) : base(name) { }
    protected override Tensor Combine(Tensor a, Tensor b) => a.Plus(b);
    protected override Tensor Finish(Tensor y, int count) => y.div(Scalars.Of(count));
    protected override string OnnxOp => "Add";
    private protected override string FinishOnnx(OnnxGraph graph, string y, int count) =>
        graph.Op("Div", new[] { y, graph.Constant("count", new[] { (float)count }, Array.Empty<long>()) });
    public static Average FromConfig(ConfigReader c) => new(c.Name);
}

/// <summary>keras.layers.Maximum: the element-wise maximum of the inputs.</summary>
[KerasLayer("Maximum")]
public sealed class Maximum : ElementwiseMerge, IKerasLayer<Maximum>
{
    public Maximum(string? name = null) : base(name) { }
    protected override Tensor Combine(Tensor a, Tensor b) => torch.maximum(a, b);
    protected override string OnnxOp => "Max";
    public static Maximum FromConfig(ConfigReader c) => new(c.Name);
}

/// <summary>keras.layers.Minimum: the element-wise minimum of the inputs.</summary>
[KerasLayer("Minimum")]
public sealed class Minimum : ElementwiseMerge, IKerasLayer<Minimum>
{
    public Minimum(string? name = null) : base(name) { }
    protected override Tensor Combine(Tensor a, Tensor b) => torch.minimum(a, b);
    protected override string OnnxOp => "Min";
    public static Minimum FromConfig(ConfigReader c) => new(c.Name);
}

/// <summary>keras.layers.Concatenate: joins the inputs along <c>axis</c> (Keras counts the batch axis; -1 is the last).</summary>
[KerasLayer("Concatenate")]
public sealed class Concatenate : MergeLayer, IKerasLayer<Concatenate>, IOnnxLowering
{
    public const int DefaultAxis = -1;

    public Concatenate(int axis = DefaultAxis, string? name = null) : base(name)
    {
        if (axis == 0)
            throw KerasException.BadArgument("InvalidAxis",
                "Concatenate cannot join along axis 0, the batch axis. Use -Axis -1 or 1 and up.");
        Axis = axis;
    }

    public int Axis { get; }

    /// <summary>The axis as an index into a shape without the batch axis.</summary>
    private int AxisIn(int rank, IReadOnlyList<int[]> shapes)
    {
        int a = Axis < 0 ? rank + 1 + Axis : Axis;
        if (a < 1 || a > rank) throw ShapeError(shapes, $"axis {Axis} does not exist for inputs of rank {rank + 1} (with the batch axis).");
        return a - 1;
    }

    protected override int[] MergedShape(IReadOnlyList<int[]> shapes)
    {
        int rank = shapes[0].Length;
        if (shapes.Any(s => s.Length != rank)) throw ShapeError(shapes, "Concatenate needs inputs of the same rank.");
        int axis = AxisIn(rank, shapes);
        var result = (int[])shapes[0].Clone();
        foreach (var s in shapes.Skip(1))
        {
            for (int i = 0; i < rank; i++)
                if (i != axis && s[i] != result[i])
                    throw ShapeError(shapes, $"all axes but the concatenation axis ({Axis}) must match.");
            result[axis] += s[axis];
        }
        return result;
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training) =>
        torch.cat(inputs.ToArray(), AxisIn(InputShape!.Length, InputShapes!) + 1);

    /// <summary>Keras's Concatenate supports masking.</summary>
    public override bool SupportsMasking => true;

    /// <summary>
    /// Keras's <c>Concatenate.compute_mask</c>: each mask broadcast to its input's shape (an input without a mask counts as
    /// all true), joined along the axis, then true where any value of the last axis is.
    /// </summary>
    public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
    {
        if (masks.All(m => m is null)) return null;
        var full = inputs.Select((x, i) => masks[i] is not { } m ? torch.ones_like(x, dtype: ScalarType.Bool)
            : m.dim() < x.dim() ? m.to_type(ScalarType.Bool).unsqueeze(-1).expand(x.shape) : m.to_type(ScalarType.Bool)).ToArray();
        return torch.cat(full, AxisIn(InputShape!.Length, InputShapes!) + 1).any(-1);
    }

    protected override void WriteConfig(IDictionary<string, object?> config) => config["axis"] = Axis;

    public static Concatenate FromConfig(ConfigReader c) => new(c.Int("axis", DefaultAxis), c.Name);

    IReadOnlyList<string> IOnnxLowering.LowerToOnnx(OnnxGraph graph, IReadOnlyList<string> inputs) =>
        new[] { graph.Op("Concat", inputs.ToArray(), A("axis", (long)AxisIn(InputShape!.Length, InputShapes!) + 1)) };
}

/// <summary>
/// keras.layers.Dot: the dot product of two tensors along one axis each (Keras's batch_dot), optionally of their
/// L2-normalised forms (cosine similarity). Two vectors of n values give one value per row, shape (1).
/// </summary>
[KerasLayer("Dot")]
public sealed class Dot : MergeLayer, IKerasLayer<Dot>, IOnnxLowering
{
    public Dot(int[] axes, bool normalize = false, string? name = null) : base(name)
    {
        if (axes is null || axes.Length is < 1 or > 2 || axes.Contains(0))
            throw KerasException.BadArgument("InvalidAxis",
                "Dot takes one axis, or one per input, counted with the batch axis (1 and up, or negative). Axis 0 is the batch.");
        Axes = axes.Length == 1 ? new[] { axes[0], axes[0] } : (int[])axes.Clone();
        Normalize = normalize;
    }

    public int[] Axes { get; }
    public bool Normalize { get; }
    protected override int MaxInputs => 2;

    private static int Resolve(int axis, int rank) => (axis < 0 ? rank + 1 + axis : axis) - 1;

    private (int A, int B) AxesFor(IReadOnlyList<int[]> shapes)
    {
        int a = Resolve(Axes[0], shapes[0].Length), b = Resolve(Axes[1], shapes[1].Length);
        if (a < 0 || a >= shapes[0].Length || b < 0 || b >= shapes[1].Length)
            throw ShapeError(shapes, $"axes ({Axes[0]}, {Axes[1]}) do not exist for these inputs.");
        if (shapes[0][a] != shapes[1][b])
            throw ShapeError(shapes, $"the dot axes have sizes {shapes[0][a]} and {shapes[1][b]}; they must be equal.");
        return (a, b);
    }

    protected override int[] MergedShape(IReadOnlyList<int[]> shapes)
    {
        var (a, b) = AxesFor(shapes);
        var rest = shapes[0].Where((_, i) => i != a).Concat(shapes[1].Where((_, i) => i != b)).ToArray();
        return rest.Length == 0 ? new[] { 1 } : rest;
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        var (a, b) = AxesFor(InputShapes!);
        var x = inputs[0];
        var y = inputs[1];
        if (Normalize)
        {
            // Keras's l2_normalize: x / sqrt(max(sum(x^2), 1e-12)).
            x = x / x.Squared().sum(new long[] { a + 1 }, keepdim: true).clamp_min(Scalars.Of(1e-12)).sqrt();
            y = y / y.Squared().sum(new long[] { b + 1 }, keepdim: true).clamp_min(Scalars.Of(1e-12)).sqrt();
        }
        long n = x.shape[0];
        int k = InputShapes![0][a];
        // (batch, rest of x, k) @ (batch, k, rest of y), then the rest axes unfolded again.
        var xm = x.movedim(new long[] { a + 1 }, new long[] { -1 }).reshape(n, -1, k);
        var ym = y.movedim(new long[] { b + 1 }, new long[] { 1 }).reshape(n, k, -1);
        return torch.bmm(xm, ym).reshape(new long[] { n }.Concat(OutputShape!.Select(d => (long)d)).ToArray());
    }

    protected override void WriteConfig(IDictionary<string, object?> config)
    {
        config["axes"] = Axes[0] == Axes[1] ? Axes[0] : Axes;
        config["normalize"] = Normalize;
    }

    /// <summary>The ONNX form covers Dot of two vectors (one value per sample), the common case (similarities, scores).</summary>
    void IOnnxLowering.CheckOnnxExport()
    {
        if (InputShapes!.Any(s => s.Length != 1))
            throw new KerasException("OnnxUnsupportedLayer", ErrorKind.InvalidOperation,
                $"Layer '{Name}' (Dot) multiplies inputs of rank above 1; its ONNX form covers two vectors only.") { Target = Name };
    }

    IReadOnlyList<string> IOnnxLowering.LowerToOnnx(OnnxGraph graph, IReadOnlyList<string> inputs)
    {
        string Norm(string v)
        {
            if (!Normalize) return v;
            var sum = graph.Op("ReduceSum", new[] { graph.Op("Mul", new[] { v, v }), graph.Longs("axes", 1) }, A("keepdims", 1L));
            var floor = graph.Scalar("epsilon", 1e-12f);
            return graph.Op("Div", new[] { v, graph.Op("Sqrt", new[] { graph.Op("Max", new[] { sum, floor }) }) });
        }
        var product = graph.Op("Mul", new[] { Norm(inputs[0]), Norm(inputs[1]) });
        return new[] { graph.Op("ReduceSum", new[] { product, graph.Longs("axes", 1) }, A("keepdims", 1L)) };
    }

    public static Dot FromConfig(ConfigReader c)
    {
        var axes = c.Raw("axes") is List<object?> ? c.IntArray("axes")! : new[] { c.Int("axes") };
        return new Dot(axes, c.Bool("normalize", false), c.Name);
    }
}
