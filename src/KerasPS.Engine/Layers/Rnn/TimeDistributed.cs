using static TorchSharp.torch;
using KerasPS.Engine.Onnx;

namespace KerasPS.Engine.Layers.Rnn;

/// <summary>
/// keras.layers.TimeDistributed: one layer (its weights shared) applied to every timestep of (batch, timesteps, ...):
/// the batch and time axes folded into one, the layer run, and unfolded. Weights: the wrapped layer's.
/// </summary>
[KerasLayer("TimeDistributed")]
public sealed class TimeDistributed : Layer, IKerasLayer<TimeDistributed>, IOnnxSingleLowering
{
    public TimeDistributed(Layer layer, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.TakesSeveralInputs || layer is Models.NestedModel)
            throw KerasException.BadArgument("InvalidWrappedLayer",
                $"TimeDistributed wraps a layer of one input; received {layer.ClassName} '{layer.Name}'.", layer.ClassName);
        Inner = layer;
        Inner.Container = this;
    }

    /// <summary>The layer applied at every timestep.</summary>
    public Layer Inner { get; }

    public override IReadOnlyList<Weight> Weights => Inner.Weights;
    public override long TrainableParamCount => Trainable ? Inner.TrainableParamCount : 0;
    public override bool HasRegularization => Inner.HasRegularization;
    public override Tensor? RegularizationLoss() => Inner.RegularizationLoss();

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (inputShape.Length < 2)
            throw KerasException.BadArgument("InvalidInputShape",
                $"TimeDistributed takes inputs of at least 3 dimensions (batch, timesteps, ...); received {Shapes.Format(inputShape)}.",
                inputShape);
        return new[] { inputShape[0] }.Concat(Inner.ComputeOutputShape(inputShape[1..])).ToArray();
    }

    protected override void BuildCore(int[] inputShape, MersenneTwister rng) => Inner.Build(inputShape[1..], rng);

    public override Tensor Forward(Tensor x, bool training)
    {
        long batch = x.shape[0], steps = x.shape[1];
        var folded = x.reshape(new[] { batch * steps }.Concat(x.shape[2..]).ToArray());
        var y = Inner.Forward(folded, training);
        return y.reshape(new[] { batch, steps }.Concat(y.shape[1..]).ToArray());
    }

    /// <summary>
    /// Keras 3's TimeDistributed hands each timestep's slice of the mask to a wrapped layer that reads masks and gives its
    /// own output none. A wrapped layer that ignores masks (Dense, Conv) computes the same here; one that reads them
    /// (recurrent layers, BatchNormalization, pooling, nested models) is refused by name rather than run without it.
    /// </summary>
    public override Tensor Forward(Tensor x, Tensor? mask, bool training)
    {
        if (mask is not null && ReadsMasks(Inner))
            throw KerasException.BadArgument("MaskNotSupported",
                $"TimeDistributed layer '{Name}' receives a mask (from Masking or Embedding mask_zero) and wraps {Inner.ClassName}, "
                    + "which Keras would run on each timestep's slice of that mask; KerasPS does not. Put the Masking after the "
                    + "TimeDistributed layer, or wrap a layer that ignores masks (Dense, Conv1D).", Name);
        return Forward(x, training);
    }

    private static bool ReadsMasks(Layer layer) => layer is Models.NestedModel
        || layer.GetType().GetMethod(nameof(Forward), new[] { typeof(Tensor), typeof(Tensor), typeof(bool) })?.DeclaringType
            != typeof(Layer);

    protected override void WriteConfig(IDictionary<string, object?> c) => c["layer"] = Inner.Serialize();

    public static TimeDistributed FromConfig(ConfigReader c) => c.Raw("layer") is IDictionary<string, object?> d
        ? new(LayerRegistry.Deserialize(d, c.AllowUnsafeCode), c.Name, c.InputShape)
        : throw KerasException.BadData("InvalidLayerConfig", $"TimeDistributed '{c.Name}' has no 'layer' config.", c.Name);

    public override string? Details => $"{Inner.ClassName}({Inner.Name})";

    void IOnnxLowering.CheckOnnxExport()
    {
        if (Inner is not IOnnxSingleLowering inner)
            throw new KerasException("OnnxUnsupportedLayer", ErrorKind.InvalidOperation,
                $"TimeDistributed layer '{Name}' wraps {Inner.ClassName}, which has no ONNX form.") { Target = Name };
        inner.CheckOnnxExport();
    }

    /// <summary>Reshape to (batch·timesteps, ...), the wrapped layer's nodes, Reshape back to (batch, timesteps, ...).</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var inner = InputShape!.Skip(1).Select(d => (long)d);
        var folded = g.Op("Reshape", new[] { x, g.Longs("shape", new long[] { -1 }.Concat(inner).ToArray()) });
        var y = ((IOnnxSingleLowering)Inner).LowerToOnnx(g, folded);
        var outShape = OutputShape!.Select(d => (long)d);
        return g.Op("Reshape", new[] { y, g.Longs("shape", new long[] { -1 }.Concat(outShape).ToArray()) });
    }
}
