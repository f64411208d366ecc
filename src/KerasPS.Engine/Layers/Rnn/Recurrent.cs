using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Activations;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Rnn;

/// <summary>
/// Shared loop of keras.layers.SimpleRNN, LSTM and GRU over inputs (timesteps, features). Weights are named and
/// laid out as Keras's: <c>kernel</c> (in, gates*units), <c>recurrent_kernel</c> (units, gates*units), <c>bias</c>;
/// gate order i, f, c, o (LSTM) and z, r, h (GRU). The input projection runs once for all timesteps.
/// </summary>
public abstract class RecurrentBase : Layer, IOnnxSingleLowering
{
    private Weight? kernel, recurrentKernel, bias;

    protected RecurrentBase(int units, string? activation, string? recurrentActivation, bool useBias, bool returnSequences,
        bool goBackwards, Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer, string? name,
        int[]? inputShape)
        : base(name, inputShape)
    {
        if (units <= 0)
            throw KerasException.BadArgument("InvalidUnits", $"{ClassName} units must be a positive integer. Received: units={units}.",
                units);
        Units = units;
        Activation = ActivationFunctions.Normalize(activation ?? "tanh");
        RecurrentActivation = ActivationFunctions.Normalize(recurrentActivation ?? "sigmoid");
        UseBias = useBias;
        ReturnSequences = returnSequences;
        GoBackwards = goBackwards;
        KernelInitializer = kernelInitializer ?? new Initializer("glorot_uniform");
        RecurrentInitializer = recurrentInitializer ?? new Initializer("orthogonal");
        BiasInitializer = biasInitializer ?? new Initializer("zeros");
    }

    public int Units { get; }
    public string Activation { get; }
    public string RecurrentActivation { get; }
    public bool UseBias { get; }
    public bool ReturnSequences { get; }
    public bool GoBackwards { get; }
    public Initializer KernelInitializer { get; }
    public Initializer RecurrentInitializer { get; }
    public Initializer BiasInitializer { get; }

    /// <summary>
    /// Keras's <c>dropout</c>: the fraction of input features zeroed while training, one mask per sequence (the same at
    /// every timestep); none at inference.
    /// </summary>
    public double Dropout
    {
        get => dropout;
        init => dropout = CheckRate("dropout", value);
    }

    /// <summary>Keras's <c>recurrent_dropout</c>: the same for the previous output <c>h</c> as it enters the recurrent kernel.</summary>
    public double RecurrentDropout
    {
        get => recurrentDropout;
        init => recurrentDropout = CheckRate("recurrent_dropout", value);
    }

    private readonly double dropout, recurrentDropout;

    private double CheckRate(string key, double rate) => rate >= 0 && rate < 1 ? rate
        : throw KerasException.BadArgument("InvalidRate", $"{ClassName} {key} must be in [0, 1). Received: {key}={F(rate)}.", rate);

    /// <summary>
    /// How many dropout masks Keras draws per sequence: one per gate when recurrent_dropout is set (Keras then runs the cell's
    /// implementation 1, which projects each gate separately), else one shared by all gates.
    /// </summary>
    private int MaskCount => RecurrentDropout > 0 ? Gates : 1;

    /// <summary>The recurrent dropout masks of the sequence being run while training (one per gate or one), else null.</summary>
    private Tensor[]? recurrentMasks;

    /// <summary>1 for SimpleRNN, 4 for LSTM, 3 for GRU.</summary>
    protected abstract int Gates { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (inputShape.Length != 2)
            throw KerasException.BadArgument("InvalidInputShape",
                $"{ClassName} takes 3-D inputs (batch, timesteps, features); received {Shapes.Format(inputShape)}. "
                    + "Reshape the input first (Add-ReshapeLayer -TargetShape <timesteps>,<features>) or start with Add-EmbeddingLayer.",
                    inputShape);
        return ReturnSequences ? new[] { inputShape[0], Units } : new[] { Units };
    }

    protected virtual int[] BiasShape => new[] { Gates * Units };
    protected virtual float[] BiasValues(MersenneTwister rng) => BiasInitializer.Create(BiasShape, rng);

    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        kernel = AddWeight("kernel", new[] { inputShape[1], Gates * Units }, KernelInitializer, rng);
        recurrentKernel = AddWeight("recurrent_kernel", new[] { Units, Gates * Units }, RecurrentInitializer, rng);
        bias = UseBias ? AddWeight("bias", BiasShape, BiasValues(rng)) : null;
    }

    protected Tensor Act(Tensor x) => ActivationFunctions.Apply(Activation, x);
    protected Tensor RecAct(Tensor x) => ActivationFunctions.Apply(RecurrentActivation, x);

    /// <summary>One step: the input projection of this timestep, the previous state; returns the new state (h first).</summary>
    protected abstract Tensor[] Step(Tensor projected, Tensor[] state, Tensor recurrentKernel, Tensor? bias);

    protected abstract Tensor? InputBias(Tensor? bias);

    /// <summary>
    /// The libtorch kernel that computes exactly this layer's recurrence, or null where Keras's options (a non-default
    /// activation, GRU without reset_after) need the step loop.
    /// </summary>
    private protected abstract FusedRecurrence.Kind? FusedKind { get; }

    private FusedRecurrence? fused;

    public override Tensor Forward(Tensor x, bool training)
    {
        if (GoBackwards) x = x.flip(1);
        if (training && (Dropout > 0 || RecurrentDropout > 0)) return RunSteps(x, dropped: true, mask: null);
        if (FusedKind is { } kind && x.dtype == ScalarType.Float32)
        {
            fused ??= new FusedRecurrence(kind, x.shape[2], Units, UseBias);
            return fused.Forward(x, kernel!.Value, recurrentKernel!.Value, bias?.Value, ReturnSequences);
        }
        return StepLoop(x);
    }

    /// <summary>The recurrence as a loop of tensor calls per timestep (any activation).</summary>
    private Tensor StepLoop(Tensor x) => RunSteps(x, dropped: false, mask: null);

    /// <summary>
    /// Keras's <c>zero_output_for_mask</c>: a masked timestep outputs zeros instead of the previous output (the state is
    /// kept either way). Bidirectional sets it on its layers when they return sequences, as Keras does.
    /// </summary>
    public bool ZeroOutputForMask { get; internal set; }

    /// <summary>
    /// With a mask (Keras's backend <c>rnn</c>): a masked timestep keeps the previous state and outputs the previous
    /// output (zeros with zero_output_for_mask); go_backwards reverses the mask with the input. The step loop runs it,
    /// because the fused kernel cannot skip timesteps in the middle of a sequence; without a mask the fused kernel runs.
    /// </summary>
    public override Tensor Forward(Tensor x, Tensor? mask, bool training)
    {
        if (mask is null) return Forward(x, training);
        if (mask.dim() != 2 || mask.shape[0] != x.shape[0] || mask.shape[1] != x.shape[1])
            throw KerasException.BadArgument("MaskShapeMismatch",
                $"{ClassName} layer '{Name}' received a mask of shape ({string.Join(", ", mask.shape)}) for an input of shape "
                    + $"({string.Join(", ", x.shape)}); a mask holds one value per sample and timestep.");
        if (mask.dtype != ScalarType.Bool) mask = mask.to_type(ScalarType.Bool);
        if (GoBackwards)
        {
            x = x.flip(1);
            mask = mask.flip(1);
        }
        return RunSteps(x, training && (Dropout > 0 || RecurrentDropout > 0), mask);
    }

    /// <summary>
    /// The recurrence as a loop of tensor calls per timestep. With <paramref name="dropped"/>, Keras's
    /// training-time dropout: masks drawn once for the sequence, applied to the inputs and to <c>h</c> at every step.
    /// With <paramref name="mask"/> (batch, steps), a masked step keeps the state (see <see cref="Forward(Tensor, Tensor?, bool)"/>).
    /// </summary>
    private Tensor RunSteps(Tensor x, bool dropped, Tensor? mask)
    {
        long n = x.shape[0], steps = x.shape[1];
        Tensor projected;
        if (dropped && Dropout > 0)
        {
            var first = x.select(1, 0);
            var parts = Enumerable.Range(0, MaskCount).Select(g => (x * Training.RandomContext.DropoutMask(first, Dropout).unsqueeze(1))
                .matmul(MaskCount == 1 ? kernel!.Value : kernel!.Value.narrow(1, g * Units, Units))).ToArray();
            projected = parts.Length == 1 ? parts[0] : torch.cat(parts, 2);
        }
        else projected = x.matmul(kernel!.Value);
        recurrentMasks = dropped && RecurrentDropout > 0
            ? Enumerable.Range(0, MaskCount)
                .Select(_ => Training.RandomContext.DropoutMask(torch.empty(n, Units, dtype: x.dtype), RecurrentDropout)).ToArray()
            : null;
        if (InputBias(bias?.Value) is { } ib) projected = projected.Plus(ib);
        var h = torch.zeros(n, Units, dtype: x.dtype);
        Tensor[] state = Gates == 4 ? new[] { h, torch.zeros(n, Units, dtype: x.dtype) } : new[] { h };
        var outputs = ReturnSequences ? new List<Tensor>((int)steps) : null;
        var output = state[0];
        var zeros = mask is not null && ZeroOutputForMask ? torch.zeros(n, Units, dtype: x.dtype, device: x.device) : null;
        for (long t = 0; t < steps; t++)
        {
            var next = Step(projected.select(1, t), state, recurrentKernel!.Value, bias?.Value);
            if (mask is null) state = next;
            else
            {
                var keep = mask.select(1, t).unsqueeze(1);
                state = next.Select((s, k) => torch.where(keep, s, state[k])).ToArray();
                if (zeros is not null) next[0] = torch.where(keep, next[0], zeros);
                else next[0] = state[0];
            }
            output = next[0];
            outputs?.Add(output);
        }
        recurrentMasks = null;
        return outputs is null ? output : torch.stack(outputs, 1);
    }

    /// <summary>
    /// <c>h</c> times the recurrent kernel's gate blocks <paramref name="firstGate"/> .. + <paramref name="gates"/>, each
    /// block's <c>h</c> multiplied by its recurrent dropout mask while a dropped sequence runs.
    /// </summary>
    protected Tensor RecurrentProjection(Tensor h, Tensor u, int firstGate, int gates)
    {
        if (recurrentMasks is null)
            return h.matmul(gates == Gates ? u : u.narrow(1, firstGate * Units, gates * Units));
        var parts = Enumerable.Range(firstGate, gates)
            .Select(g => (h * recurrentMasks[recurrentMasks.Length == 1 ? 0 : g]).matmul(u.narrow(1, g * Units, Units))).ToArray();
        return parts.Length == 1 ? parts[0] : torch.cat(parts, 1);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["units"] = Units;
        c["activation"] = Activation;
        if (Gates > 1) c["recurrent_activation"] = RecurrentActivation;
        c["use_bias"] = UseBias;
        c["return_sequences"] = ReturnSequences;
        c["go_backwards"] = GoBackwards;
        c["kernel_initializer"] = KernelInitializer.GetConfig();
        c["recurrent_initializer"] = RecurrentInitializer.GetConfig();
        c["bias_initializer"] = BiasInitializer.GetConfig();
        // Options Keras has and KerasPS runs only at their defaults: written so Keras reads the same layer, and
        // checked on the way in (RecurrentConfig.Read) so a Keras file that uses them is refused, not misread.
        c["dropout"] = Dropout;
        c["recurrent_dropout"] = RecurrentDropout;
        c["zero_output_for_mask"] = ZeroOutputForMask;
        foreach (var (key, value) in FixedOptions) c[key] = value;
    }

    private static readonly (string Key, object? Value)[] FixedOptions =
    {
        ("kernel_regularizer", null), ("recurrent_regularizer", null), ("bias_regularizer", null), ("activity_regularizer", null),
        ("kernel_constraint", null), ("recurrent_constraint", null), ("bias_constraint", null),
        ("return_state", false), ("stateful", false), ("unroll", false), ("seed", null),
    };

    /// <summary>The settings every recurrent layer's config holds, read once for the subclasses' FromConfig.</summary>
    protected sealed record RecurrentConfig(int Units, string? Activation, string? RecurrentActivation, bool UseBias, bool ReturnSequences,
        bool GoBackwards, Initializer? KernelInitializer, Initializer? RecurrentInitializer, Initializer? BiasInitializer)
    {
        public double Dropout { get; init; }
        public double RecurrentDropout { get; init; }
        public bool ZeroOutputForMask { get; init; }

        public static RecurrentConfig Read(ConfigReader c, string className)
        {
            foreach (var (key, value) in FixedOptions) c.RequireDefault(key, value, className);
            return new(c.Int("units"), c.String("activation"), c.String("recurrent_activation"), c.Bool("use_bias", true),
                c.Bool("return_sequences", false), c.Bool("go_backwards", false), Initializer.Optional(c.Raw("kernel_initializer")),
                Initializer.Optional(c.Raw("recurrent_initializer")), Initializer.Optional(c.Raw("bias_initializer")))
            {
                Dropout = c.Double("dropout", 0),
                RecurrentDropout = c.Double("recurrent_dropout", 0),
                ZeroOutputForMask = c.Bool("zero_output_for_mask", false),
            };
        }
    }

    // ---------------------------------------------------------------- ONNX

    /// <summary>ONNX's operator for the cell: RNN, LSTM or GRU.</summary>
    private protected abstract string OnnxOperator { get; }

    /// <summary>Keras's gate block of each of ONNX's gate blocks (LSTM i,f,c,o becomes ONNX's i,o,f,c).</summary>
    private protected virtual int[] OnnxGateOrder => Enumerable.Range(0, Gates).ToArray();

    /// <summary>The settings the ONNX operator runs, each as (Keras key, activation name).</summary>
    private protected virtual (string Key, string Value)[] OnnxActivationSettings =>
        new[] { ("activation", Activation), ("recurrent_activation", RecurrentActivation) };

    /// <summary>The operator's <c>activations</c> attribute: ONNX's names in the operator's order.</summary>
    private protected abstract string[] OnnxActivationNames(string activation, string recurrentActivation);

    /// <summary>Attributes beyond hidden_size, direction and activations (GRU's linear_before_reset).</summary>
    private protected virtual OnnxAttribute[] OnnxExtraAttributes => Array.Empty<OnnxAttribute>();

    /// <summary>True when the bias holds a second (recurrent) row, ONNX's <c>Rb</c> (GRU with reset_after).</summary>
    private protected virtual bool OnnxRecurrentBias => false;

    void IOnnxLowering.CheckOnnxExport()
    {
        foreach (var (key, value) in OnnxActivationSettings)
            if (OnnxActivations.RecurrentName(value) is null)
                throw new KerasException("OnnxUnsupportedActivation", ErrorKind.InvalidOperation,
                    $"{ClassName} layer '{Name}' uses {key}='{value}', which ONNX's {OnnxOperator} operator cannot run. " +
                    "ONNX recurrent operators take tanh, sigmoid, relu, softsign or softplus.") { Target = Name };
    }

    /// <summary>
    /// ONNX's RNN, LSTM or GRU operator (time-major, one direction). Keras's gate blocks are reordered, kernels
    /// transposed to (gates*units, in), and go_backwards reverses the input first, so outputs come in Keras's
    /// (reversed) order; return_sequences takes Y, otherwise Y_h.
    /// </summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        int units = Units, features = InputShape![1];
        var order = OnnxGateOrder;
        int gates = order.Length;
        // Keras (rows, gates*units) -> ONNX (1, gates*units, rows), blocks in ONNX's order.
        float[] Reorder(float[] keras, int rows)
        {
            var onnx = new float[keras.Length];
            for (int gi = 0; gi < gates; gi++)
                for (int u = 0; u < units; u++)
                    for (int row = 0; row < rows; row++)
                        onnx[(gi * units + u) * rows + row] = keras[row * gates * units + order[gi] * units + u];
            return onnx;
        }
        float[] ReorderBias(float[] keras, int offset)
        {
            var onnx = new float[gates * units];
            for (int gi = 0; gi < gates; gi++)
                Array.Copy(keras, offset + order[gi] * units, onnx, gi * units, units);
            return onnx;
        }
        var w = g.Constant("W", Reorder(WeightOf(this, "kernel").ToArray(), features), 1, gates * units, features);
        var r = g.Constant("R", Reorder(WeightOf(this, "recurrent_kernel").ToArray(), units), 1, gates * units, units);
        var inputs = new List<string> { w, r };
        if (OptionalWeightOf(this, "bias") is { } bias)
        {
            var values = bias.ToArray();
            var wb = ReorderBias(values, 0);
            var rb = OnnxRecurrentBias ? ReorderBias(values, gates * units) : new float[gates * units];
            inputs.Add(g.Constant("B", wb.Concat(rb).ToArray(), 1, 2 * gates * units));
        }
        var activation = OnnxActivations.RecurrentName(Activation)!;
        var names = OnnxActivationNames(activation, OnnxActivations.RecurrentName(RecurrentActivation) ?? "");
        var attributes = new List<OnnxAttribute> { A("hidden_size", (long)units), A("direction", "forward"), A("activations", names) };
        attributes.AddRange(OnnxExtraAttributes);

        var timeMajor = g.Op("Transpose", new[] { x }, A("perm", new long[] { 1, 0, 2 }));
        if (GoBackwards)
        {
            var starts = g.Longs("starts", -1);
            var ends = g.Longs("ends", long.MinValue);
            timeMajor = g.Op("Slice", new[] { timeMajor, starts, ends, g.Longs("axes", 0), g.Longs("steps", -1) });
        }
        inputs.Insert(0, timeMajor);
        // Y (steps, 1, batch, units), Y_h (1, batch, units)
        var outs = g.OpMulti(OnnxOperator, inputs.ToArray(), 2, attributes.ToArray());
        if (ReturnSequences)
        {
            var y = g.Op("Squeeze", new[] { outs[0], g.Longs("axes", 1) });
            return g.Op("Transpose", new[] { y }, A("perm", new long[] { 1, 0, 2 }));
        }
        return g.Op("Squeeze", new[] { outs[1], g.Longs("axes", 0) });
    }

    public override string? Details => DetailText.Join(ReturnSequences ? "return_sequences" : null, GoBackwards ? "go_backwards" : null,
        Activation != "tanh" ? $"activation={Activation}" : null, Dropout > 0 ? $"dropout={F(Dropout)}" : null,
        RecurrentDropout > 0 ? $"recurrent_dropout={F(RecurrentDropout)}" : null);
}

/// <summary>keras.layers.SimpleRNN: <c>h = activation(x W + h U + b)</c>.</summary>
[KerasLayer("SimpleRNN")]
public sealed class SimpleRNN : RecurrentBase, IKerasLayer<SimpleRNN>
{
    public SimpleRNN(int units, string? activation = null, bool useBias = true, bool returnSequences = false, bool goBackwards = false,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        string? name = null, int[]? inputShape = null)
        : base(units, activation, null, useBias, returnSequences, goBackwards, kernelInitializer, recurrentInitializer, biasInitializer,
            name, inputShape) { }

    public static SimpleRNN FromConfig(ConfigReader c)
    {
        var r = RecurrentConfig.Read(c, "SimpleRNN");
        return new(r.Units, r.Activation, r.UseBias, r.ReturnSequences, r.GoBackwards, r.KernelInitializer, r.RecurrentInitializer,
            r.BiasInitializer, c.Name, c.InputShape) { Dropout = r.Dropout, RecurrentDropout = r.RecurrentDropout,
            ZeroOutputForMask = r.ZeroOutputForMask };
    }

    protected override int Gates => 1;
    private protected override string OnnxOperator => "RNN";
    private protected override (string Key, string Value)[] OnnxActivationSettings => new[] { ("activation", Activation) };
    private protected override string[] OnnxActivationNames(string activation, string recurrentActivation) => new[] { activation };
    private protected override FusedRecurrence.Kind? FusedKind => Activation switch
    {
        "tanh" => FusedRecurrence.Kind.SimpleRnnTanh,
        "relu" => FusedRecurrence.Kind.SimpleRnnRelu,
        _ => null,
    };
    protected override Tensor? InputBias(Tensor? bias) => bias;
    protected override Tensor[] Step(Tensor p, Tensor[] s, Tensor u, Tensor? b) =>
        new[] { Act(p.Plus(RecurrentProjection(s[0], u, 0, 1))) };
}

/// <summary>keras.layers.LSTM: input, forget, cell and output gates (order i, f, c, o); <c>unit_forget_bias</c> starts the forget bias at
/// 1.</summary>
[KerasLayer("LSTM")]
public sealed class LSTM : RecurrentBase, IKerasLayer<LSTM>
{
    public LSTM(int units, string? activation = null, string? recurrentActivation = null, bool useBias = true, bool returnSequences = false,
        bool goBackwards = false, bool unitForgetBias = true, Initializer? kernelInitializer = null,
        Initializer? recurrentInitializer = null, Initializer? biasInitializer = null, string? name = null, int[]? inputShape = null)
        : base(units, activation, recurrentActivation, useBias, returnSequences, goBackwards, kernelInitializer, recurrentInitializer,
            biasInitializer, name, inputShape)
        => UnitForgetBias = unitForgetBias;

    public bool UnitForgetBias { get; }
    protected override int Gates => 4;
    private protected override string OnnxOperator => "LSTM";
    private protected override int[] OnnxGateOrder => new[] { 0, 3, 1, 2 };
    private protected override string[] OnnxActivationNames(string activation, string recurrentActivation) =>
        new[] { recurrentActivation, activation, activation };
    private protected override FusedRecurrence.Kind? FusedKind =>
        Activation == "tanh" && RecurrentActivation == "sigmoid" ? FusedRecurrence.Kind.Lstm : null;
    protected override Tensor? InputBias(Tensor? bias) => bias;

    protected override float[] BiasValues(MersenneTwister rng)
    {
        var b = base.BiasValues(rng);
        if (UnitForgetBias) Array.Fill(b, 1f, Units, Units);
        return b;
    }

    protected override Tensor[] Step(Tensor p, Tensor[] s, Tensor u, Tensor? b)
    {
        var z = p.Plus(RecurrentProjection(s[0], u, 0, 4)).chunk(4, 1);
        var i = RecAct(z[0]);
        var f = RecAct(z[1]);
        var c = (f * s[1]).Plus(i * Act(z[2]));
        var o = RecAct(z[3]);
        return new[] { o * Act(c), c };
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        base.WriteConfig(c);
        c["unit_forget_bias"] = UnitForgetBias;
    }

    public static LSTM FromConfig(ConfigReader c)
    {
        var r = RecurrentConfig.Read(c, "LSTM");
        return new(r.Units, r.Activation, r.RecurrentActivation, r.UseBias, r.ReturnSequences, r.GoBackwards,
            c.Bool("unit_forget_bias", true), r.KernelInitializer, r.RecurrentInitializer, r.BiasInitializer, c.Name, c.InputShape)
        { Dropout = r.Dropout, RecurrentDropout = r.RecurrentDropout,
            ZeroOutputForMask = r.ZeroOutputForMask };
    }
}

/// <summary>
/// keras.layers.GRU: update and reset gates (order z, r, h). With <c>reset_after</c> (Keras 3's default) the reset
/// gate applies after the recurrent projection and the bias is (2, 3*units): input bias and recurrent bias.
/// </summary>
[KerasLayer("GRU")]
public sealed class GRU : RecurrentBase, IKerasLayer<GRU>
{
    public GRU(int units, string? activation = null, string? recurrentActivation = null, bool useBias = true, bool returnSequences = false,
        bool goBackwards = false, bool resetAfter = true, Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null,
        Initializer? biasInitializer = null, string? name = null, int[]? inputShape = null)
        : base(units, activation, recurrentActivation, useBias, returnSequences, goBackwards, kernelInitializer, recurrentInitializer,
            biasInitializer, name, inputShape)
        => ResetAfter = resetAfter;

    public bool ResetAfter { get; }
    protected override int Gates => 3;
    private protected override string OnnxOperator => "GRU";
    private protected override string[] OnnxActivationNames(string activation, string recurrentActivation) =>
        new[] { recurrentActivation, activation };
    private protected override OnnxAttribute[] OnnxExtraAttributes => new[] { A("linear_before_reset", ResetAfter ? 1L : 0L) };
    private protected override bool OnnxRecurrentBias => ResetAfter;   // bias (2, 3*units): input bias, then recurrent bias
    private protected override FusedRecurrence.Kind? FusedKind =>
        ResetAfter && Activation == "tanh" && RecurrentActivation == "sigmoid" ? FusedRecurrence.Kind.GruResetAfter : null;
    protected override int[] BiasShape => ResetAfter ? new[] { 2, 3 * Units } : new[] { 3 * Units };
    protected override Tensor? InputBias(Tensor? bias) => bias is null ? null : ResetAfter ? bias[0] : bias;

    protected override Tensor[] Step(Tensor p, Tensor[] s, Tensor u, Tensor? b)
    {
        var h = s[0];
        var x = p.chunk(3, 1);
        Tensor hh;
        Tensor z, r;
        if (ResetAfter)
        {
            var inner = RecurrentProjection(h, u, 0, 3);
            if (b is not null) inner = inner.Plus(b[1]);
            var g = inner.chunk(3, 1);
            z = RecAct(x[0].Plus(g[0]));
            r = RecAct(x[1].Plus(g[1]));
            hh = Act(x[2].Plus(r * g[2]));
        }
        else
        {
            var g = RecurrentProjection(h, u, 0, 2).chunk(2, 1);
            z = RecAct(x[0].Plus(g[0]));
            r = RecAct(x[1].Plus(g[1]));
            hh = Act(x[2].Plus(RecurrentProjection(r * h, u, 2, 1)));
        }
        return new[] { (z * h).Plus(z.OneMinus() * hh) };
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        base.WriteConfig(c);
        c["reset_after"] = ResetAfter;
    }

    public static GRU FromConfig(ConfigReader c)
    {
        var r = RecurrentConfig.Read(c, "GRU");
        return new(r.Units, r.Activation, r.RecurrentActivation, r.UseBias, r.ReturnSequences, r.GoBackwards, c.Bool("reset_after", true),
            r.KernelInitializer, r.RecurrentInitializer, r.BiasInitializer, c.Name, c.InputShape)
        { Dropout = r.Dropout, RecurrentDropout = r.RecurrentDropout,
            ZeroOutputForMask = r.ZeroOutputForMask };
    }
}
