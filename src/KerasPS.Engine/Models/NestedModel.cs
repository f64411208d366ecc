using KerasPS.Engine.Layers;
using KerasPS.Engine.Onnx;
using static TorchSharp.torch;

namespace KerasPS.Engine.Models;

/// <summary>
/// A model used as one layer of another model (Keras: a <c>Functional</c> or <c>Sequential</c> called on a tensor). Its
/// layers stay the inner model's: training the outer model trains them (unless this layer is frozen), and the inner
/// model sees the changed weights. Weight paths carry the inner model's name (<c>trunk/dense/kernel</c>).
/// </summary>
public abstract class NestedModel : Layer, IOnnxLowering
{
    private protected NestedModel(KerasModel inner) : base(inner.Name, null)
    {
        Inner = inner;
        foreach (var l in inner.Layers) l.Container = this;
    }

    public KerasModel Inner { get; }

    public override IReadOnlyList<Weight> Weights => Inner.Weights.ToList();
    public override long TrainableParamCount => Trainable ? Inner.TrainableParamCount : 0;
    public override bool TakesSeveralInputs => Inner.Inputs.Count > 1;
    public override bool HasRegularization => Inner.Layers.Any(l => l.HasRegularization);
    public override bool IsUnsafeToDeserialize => Inner.IsUnsafeToDeserialize;

    public override int[] ComputeOutputShape(int[] inputShape) => ComputeOutputShape(new[] { inputShape });

    public override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        var expected = Inner.IsFunctional ? Inner.Inputs.Select(t => t.Shape).ToArray() : new[] { Inner.InputShape! };
        if (expected.Length != inputShapes.Count || expected.Zip(inputShapes).Any(p => !Shapes.SameAs(p.First, p.Second)))
            throw KerasException.BadArgument("InputShapeMismatch",
                $"Model '{Name}' takes input {string.Join(", ", expected.Select(Shapes.Format))}; it was applied to "
                    + $"{string.Join(", ", inputShapes.Select(Shapes.Format))}.");
        if (Inner.IsFunctional && Inner.Outputs.Count != 1)
            throw KerasException.BadArgument("NestedModelOutputs",
                $"Model '{Name}' has {Inner.Outputs.Count} outputs; a model used as a layer must have one output in this version.");
        return Inner.OutputShape!;
    }

    /// <summary>The inner model keeps the weights it has (a pretrained trunk); only an unbuilt one gets new ones.</summary>
    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        if (!Inner.IsBuilt) Inner.Build(inputShape);
    }

    public override Tensor Forward(Tensor x, bool training) => Inner.Forward(x, training);
    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training) => Inner.ForwardAll(inputs, training)[0];

    /// <summary>Keras runs a nested model with the mask of its input and gives its output the inner output's mask.</summary>
    internal override (Tensor Output, Tensor? Mask) Call(Tensor x, Tensor? mask, bool training) =>
        Inner.ForwardMasked(x, mask, training);

    internal override (Tensor Output, Tensor? Mask) Call(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks, bool training)
    {
        var (outputs, outputMasks) = Inner.ForwardAllMasked(inputs, masks, training);
        return (outputs[0], outputMasks[0]);
    }

    public override Tensor? RegularizationLoss()
    {
        Tensor? total = null;
        foreach (var l in Inner.Layers)
            if (l.RegularizationLoss() is { } r) total = total is null ? r : total.Plus(r);
        return total;
    }

    /// <summary>The inner model's own config (its layers, and for a functional model its inputs and outputs), as Keras nests it.</summary>
    protected override void WriteConfig(IDictionary<string, object?> config)
    {
        var inner = (IDictionary<string, object?>)Inner.GetConfig()["config"]!;
        foreach (var kv in inner)
            if (kv.Key != "name") config[kv.Key] = kv.Value;
    }

    void IOnnxLowering.CheckOnnxExport() => OnnxExporter.CheckExportable(Inner);

    IReadOnlyList<string> IOnnxLowering.LowerToOnnx(OnnxGraph graph, IReadOnlyList<string> inputs) =>
        OnnxExporter.LowerModel(Inner, graph, inputs, graph.Scope);

    /// <summary>The inner model from the nested config; its weights are checked against a file under its name
    /// (trunk/dense/kernel).</summary>
    private protected static Layer FromInnerConfig(ConfigReader c, string className)
    {
        using var scope = WeightBudget.Scope(c.Raw("name") as string ?? className.ToLowerInvariant());
        return KerasModel.FromConfig(InnerConfig(c, className), c.AllowUnsafeCode).AsLayer();
    }

    private static Dictionary<string, object?> InnerConfig(ConfigReader c, string className)
    {
        var config = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var key in new[] { "name", "seed", "input_shape", "layers", "input_layers", "output_layers" })
            if (c.Raw(key) is { } v) config[key] = v;
        return new Dictionary<string, object?> { ["class_name"] = className, ["config"] = config };
    }
}

/// <summary>A functional model used as a layer (Keras writes it as class <c>Functional</c>).</summary>
[KerasLayer("Functional", Module = "keras.src.models.functional")]
public sealed class FunctionalLayer : NestedModel, IKerasLayer<FunctionalLayer>
{
    internal FunctionalLayer(KerasModel inner) : base(inner) { }

    public static FunctionalLayer FromConfig(ConfigReader c) => (FunctionalLayer)FromInnerConfig(c, "Functional");
}

/// <summary>A Sequential model used as a layer (Keras writes it as class <c>Sequential</c>).</summary>
[KerasLayer("Sequential", Module = "keras")]
public sealed class SequentialLayer : NestedModel, IKerasLayer<SequentialLayer>
{
    internal SequentialLayer(KerasModel inner) : base(inner) { }

    public static SequentialLayer FromConfig(ConfigReader c) => (SequentialLayer)FromInnerConfig(c, "Sequential");
}
