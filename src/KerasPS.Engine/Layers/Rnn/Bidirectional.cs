using static TorchSharp.torch;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Rnn;

/// <summary>
/// keras.layers.Bidirectional: a recurrent layer run forwards (<c>forward_&lt;name&gt;</c>) and a copy of it run backwards
/// (<c>backward_&lt;name&gt;</c>, go_backwards, or the <c>backward_layer</c> given), their outputs merged by
/// <c>merge_mode</c> (concat, sum, mul, ave). With return_sequences the backward layer's outputs are put back in time
/// order before merging, as Keras does. Weights: the forward layer's, then the backward layer's.
/// </summary>
[KerasLayer("Bidirectional")]
public sealed class Bidirectional : Layer, IKerasLayer<Bidirectional>, IOnnxSingleLowering
{
    /// <summary>Keras's default merge_mode.</summary>
    public const string DefaultMergeMode = "concat";

    private static readonly string[] MergeModes = { "concat", "sum", "mul", "ave" };

    public Bidirectional(RecurrentBase layer, string? mergeMode = DefaultMergeMode, RecurrentBase? backwardLayer = null,
        string? name = null, int[]? inputShape = null)
        : base(name, inputShape)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (mergeMode is null || mergeMode == "None")
            throw KerasException.BadData("UnsupportedLayerOption",
                $"Bidirectional '{Name}' sets merge_mode=None, which gives two outputs; KerasPS layers have one. "
                    + "Use concat, sum, mul or ave.", mergeMode);
        if (!MergeModes.Contains(mergeMode))
            throw KerasException.BadArgument("InvalidMergeMode",
                $"Bidirectional merge_mode must be one of {string.Join(", ", MergeModes)}. Received: merge_mode={mergeMode}.", mergeMode);
        MergeMode = mergeMode;
        ForwardLayer = Copy(layer, $"forward_{StripPrefix(layer.Name, "forward_")}", layer.GoBackwards);
        BackwardLayer = backwardLayer ?? Copy(layer, $"backward_{StripPrefix(layer.Name, "backward_")}", goBackwards: true);
        if (ForwardLayer.GoBackwards == BackwardLayer.GoBackwards)
            throw KerasException.BadArgument("InvalidBackwardLayer",
                $"Bidirectional '{Name}': the forward and backward layers must differ in go_backwards. "
                    + $"Received: {ForwardLayer.GoBackwards} for both.", backwardLayer);
        if (ForwardLayer.ReturnSequences != BackwardLayer.ReturnSequences)
            throw KerasException.BadArgument("InvalidBackwardLayer",
                $"Bidirectional '{Name}': the forward and backward layers must agree on return_sequences. "
                    + $"Received: {ForwardLayer.ReturnSequences} and {BackwardLayer.ReturnSequences}.", backwardLayer);
        ForwardLayer.Container = this;
        BackwardLayer.Container = this;
        // Keras forces zero_output_for_mask to return_sequences on both layers: a masked step of either direction outputs zeros.
        ForwardLayer.ZeroOutputForMask = ForwardLayer.ReturnSequences;
        BackwardLayer.ZeroOutputForMask = BackwardLayer.ReturnSequences;
    }

    public RecurrentBase ForwardLayer { get; }
    public RecurrentBase BackwardLayer { get; }
    public string MergeMode { get; }

    private static string StripPrefix(string name, string prefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;

    /// <summary>Keras's copy through the layer's config: the same settings under a new name, go_backwards as given.</summary>
    private static RecurrentBase Copy(RecurrentBase layer, string name, bool goBackwards)
    {
        var config = layer.GetConfig();
        config["name"] = name;
        config["go_backwards"] = goBackwards;
        config.Remove("input_shape");
        config.Remove("batch_shape");
        return (RecurrentBase)LayerRegistry.FromConfig(layer.ClassName, config);
    }

    public override IReadOnlyList<Weight> Weights => ForwardLayer.Weights.Concat(BackwardLayer.Weights).ToList();
    public override long TrainableParamCount => Trainable ? ForwardLayer.TrainableParamCount + BackwardLayer.TrainableParamCount : 0;

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var shape = ForwardLayer.ComputeOutputShape(inputShape);
        var backward = BackwardLayer.ComputeOutputShape(inputShape);
        if (MergeMode == "concat") shape[^1] += backward[^1];
        return shape;
    }

    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        ForwardLayer.Build(inputShape, rng);
        BackwardLayer.Build(inputShape, rng);
    }

    public override Tensor Forward(Tensor x, bool training) => Forward(x, null, training);

    /// <summary>Both directions read the mask; the backward layer (go_backwards) reverses it with the input, as Keras's do.</summary>
    public override Tensor Forward(Tensor x, Tensor? mask, bool training)
    {
        var y = ForwardLayer.Forward(x, mask, training);
        var yRev = BackwardLayer.Forward(x, mask, training);
        if (BackwardLayer.ReturnSequences) yRev = yRev.flip(1);
        return MergeMode switch
        {
            "concat" => cat(new[] { y, yRev }, -1),
            "sum" => y.Plus(yRev),
            "mul" => y * yRev,
            _ => y.Plus(yRev).div(Scalars.Of(2L)),
        };
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["merge_mode"] = MergeMode;
        c["layer"] = ForwardLayer.Serialize();
        c["backward_layer"] = BackwardLayer.Serialize();
    }

    public static Bidirectional FromConfig(ConfigReader c)
    {
        RecurrentBase Inner(string key) => c.Raw(key) is IDictionary<string, object?> d
            ? LayerRegistry.Deserialize(d) as RecurrentBase
                ?? throw KerasException.BadData("UnsupportedLayerOption",
                    $"Bidirectional '{c.Name}' wraps a {d.Value("class_name")} layer; KerasPS's Bidirectional wraps SimpleRNN, LSTM "
                        + "or GRU.", d.Value("class_name"))
            : throw KerasException.BadData("InvalidLayerConfig", $"Bidirectional '{c.Name}' has no '{key}' layer config.", key);
        var backward = c.Raw("backward_layer") is null ? null : Inner("backward_layer");
        // A Keras file's merge_mode None (JSON null) is refused by name where the file is read (KerasConfigTranslator).
        return new(Inner("layer"), c.String("merge_mode") ?? DefaultMergeMode, backward, c.Name, c.InputShape);
    }

    public override string? Details => $"merge_mode={MergeMode}, {ForwardLayer.ClassName}({ForwardLayer.Units})";

    void IOnnxLowering.CheckOnnxExport()
    {
        ((IOnnxLowering)ForwardLayer).CheckOnnxExport();
        ((IOnnxLowering)BackwardLayer).CheckOnnxExport();
    }

    /// <summary>Each direction as its own ONNX recurrent operator (the backward one reverses its input), the backward
    /// sequence put back in time order, then the merge.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var y = ((IOnnxSingleLowering)ForwardLayer).LowerToOnnx(g, x);
        var yRev = ((IOnnxSingleLowering)BackwardLayer).LowerToOnnx(g, x);
        if (BackwardLayer.ReturnSequences)
            yRev = g.Op("Slice", new[] { yRev, g.Longs("starts", -1), g.Longs("ends", long.MinValue), g.Longs("axes", 1),
                g.Longs("steps", -1) });
        return MergeMode switch
        {
            "concat" => g.Op("Concat", new[] { y, yRev }, A("axis", -1L)),
            "sum" => g.Op("Add", new[] { y, yRev }),
            "mul" => g.Op("Mul", new[] { y, yRev }),
            _ => g.Op("Mul", new[] { g.Op("Add", new[] { y, yRev }), g.Scalar("half", 0.5f) }),
        };
    }
}
