using System.Globalization;
using KerasPS.Engine.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Training.Optimizers;

/// <summary>One state tensor of an optimizer: the weight it belongs to, the slot's Keras-style name (m, v, momentum...) and its
/// values.</summary>
public sealed record OptimizerSlot(Weight Weight, string Slot, Tensor Value);

/// <summary>What <see cref="Optimizer.GetState"/> returns: the step count, learning rate, the optimizer's own scalars and its
/// slots.</summary>
public sealed record OptimizerState(long Iterations, double LearningRate, IReadOnlyDictionary<string, double> Variables,
    IReadOnlyList<OptimizerSlot> Slots);

/// <summary>
/// A Keras optimizer with Keras's update rules and defaults, updating weights in place under no-grad.
/// State (moments, step count) lives in named slots so that checkpoints can save and restore it.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Rebuilds an optimizer from <see cref="GetConfig"/> (its <c>name</c> says which), through the registry.</summary>
    public static Optimizer FromConfig(IDictionary<string, object?> config) =>
        KerasObjects.Optimizers.FromConfig(new ConfigReader(config).String("name"), config);

    /// <summary>
    /// The config options an optimizer reads (Keras's names: learning_rate, momentum, beta_1, ...), so that a caller
    /// can refuse the others instead of silently ignoring them: the keys of its default config, and the clipping
    /// options every optimizer takes. Throws UnknownOptimizer for an unknown name.
    /// </summary>
    public static IReadOnlyList<string> OptionsOf(string name) =>
        KerasObjects.Optimizers.Create(name).GetConfig().Keys.Where(k => k != "name")
            .Append("clipnorm").Append("clipvalue").Distinct().ToArray();

    // Optimizer state lives in flat tensors shaped like the model's ParameterBuffer; per-weight views of them are
    // what checkpoints save (GetState/SetState), so the flat layout is an implementation detail.
    private readonly Dictionary<string, Tensor> slots = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Index, string Slot), float[]> pending = new();
    private ParameterBuffer? buffer;
    private int currentIndex = -1;

    protected Optimizer(double learningRate, double? clipNorm, double? clipValue)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            throw KerasException.BadArgument("InvalidLearningRate",
                "The learning rate must be a positive number. Received: "
                + $"learning_rate={learningRate.ToString(CultureInfo.InvariantCulture)}.", learningRate);
        if (clipNorm is <= 0)
            throw KerasException.BadArgument("InvalidClipNorm", $"ClipNorm must be positive. Received: {clipNorm}.", clipNorm);
        if (clipValue is <= 0)
            throw KerasException.BadArgument("InvalidClipValue", $"ClipValue must be positive. Received: {clipValue}.", clipValue);
        LearningRate = learningRate;
        ClipNorm = clipNorm;
        ClipValue = clipValue;
    }

    /// <summary>Keras's default learning rate (SGD's is its own, 0.01).</summary>
    public const double DefaultLearningRate = 0.001;

    /// <summary>Keras's default epsilon (<c>keras.backend.epsilon()</c>).</summary>
    public const double DefaultEpsilon = 1e-7;

    /// <summary>Keras's default decay of the first and second moment averages (the Adam family).</summary>
    public const double DefaultBeta1 = 0.9, DefaultBeta2 = 0.999;

    private string? name;

    /// <summary>The name KerasPS shows and writes (sgd, adam, ...): the first alias of the class's <c>[KerasObject]</c>.</summary>
    public string Name => name ??= KerasObjects.Optimizers.EntryFor(this).Name;

    /// <summary>Current learning rate; callbacks (schedulers, ReduceLROnPlateau) change it between epochs.</summary>
    public double LearningRate { get; set; }
    public double? ClipNorm { get; }
    public double? ClipValue { get; }

    /// <summary>Steps taken (Keras's <c>iterations</c>).</summary>
    public long Iterations { get; set; }

    /// <summary>Hyperparameters for configs and display.</summary>
    public Dictionary<string, object?> GetConfig()
    {
        var c = new Dictionary<string, object?> { ["name"] = Name, ["learning_rate"] = LearningRate };
        WriteConfig(c);
        if (ClipNorm is not null) c["clipnorm"] = ClipNorm;
        if (ClipValue is not null) c["clipvalue"] = ClipValue;
        return c;
    }

    protected abstract void WriteConfig(IDictionary<string, object?> config);

    /// <summary>
    /// Attaches the optimizer to a model's trainable weights, moving them into one flat buffer (kept across fits
    /// while the set of trainable weights stays the same). State restored before attaching is applied now.
    /// </summary>
    public void Attach(IReadOnlyList<Weight> trainable)
    {
        if (buffer is not null && buffer.Covers(trainable))
        {
            buffer.AttachGrads();
        }
        else
        {
            if (buffer is not null && slots.Count > 0)
            {
                // The trainable set changed (a layer was frozen or added): state no longer lines up; start fresh.
                foreach (var t in slots.Values) t.Dispose();
                slots.Clear();
            }
            buffer?.Dispose();
            buffer = ParameterBuffer.Create(trainable);
        }
        foreach (var ((index, slot), values) in pending) WriteSlot(index, slot, values);
        pending.Clear();
    }

    private Tensor FlatSlot(string name, double initial)
    {
        if (!slots.TryGetValue(name, out var t))
        {
            using var noGrad = torch.no_grad();
            t = initial == 0 ? torch.zeros_like(buffer!.Values) : torch.full_like(buffer!.Values, Scalars.Of(initial));
            t.DetachFromDisposeScope();
            slots[name] = t;
        }
        return t;
    }

    /// <summary>The state tensor <paramref name="name"/> for the weight being updated (the flat state in a flat update).</summary>
    protected Tensor Slot(Tensor p, string name, double initial = 0)
    {
        var flat = FlatSlot(name, initial);
        return currentIndex < 0 ? flat : View(flat, currentIndex);
    }

    private Tensor View(Tensor flat, int index) =>
        flat.narrow(0, buffer!.Offsets[index], buffer.Weights[index].Count).view(buffer.Weights[index].Shape);

    /// <summary>All state tensors, per attached weight and slot name (for <see cref="GetState"/>).</summary>
    private IEnumerable<(Weight Weight, string Slot, Tensor Value)> GetSlots()
    {
        if (buffer is null) yield break;
        foreach (var kv in slots.OrderBy(k => k.Key, StringComparer.Ordinal))
            for (int i = 0; i < buffer.ValueViews.Length; i++)
                yield return (buffer.Weights[i], kv.Key, View(kv.Value, i));
    }

    /// <summary>Restores one state tensor (before or after the optimizer is attached).</summary>
    private void SetSlot(int index, string slot, float[] values)
    {
        if (buffer is null) { pending[(index, slot)] = values; return; }
        WriteSlot(index, slot, values);
    }

    private void WriteSlot(int index, string slot, float[] values)
    {
        if (index < 0 || index >= buffer!.ValueViews.Length)
            throw KerasException.BadData("InvalidOptimizerState",
                $"Optimizer state names weight {index}, but the model has {buffer!.ValueViews.Length} trainable weights.");
        using var noGrad = torch.no_grad();
        using var view = View(FlatSlot(slot, 0), index);
        if (view.numel() != values.LongLength)
            throw KerasException.BadData("InvalidOptimizerState",
                $"Optimizer slot '{slot}' of weight {index} has {values.LongLength} values; {view.numel()} expected.");
        using var src = torch.tensor(values, view.shape);
        view.copy_(src);
    }

    /// <summary>
    /// Names of the optimizer's own scalar state besides iterations and learning rate (Nadam's momentum product);
    /// <see cref="GetState"/> reports them and <see cref="SetState"/> takes them back.
    /// </summary>
    public virtual IReadOnlyList<string> StateVariableNames => Array.Empty<string>();

    /// <summary>Reads the optimizer's own scalar state (one entry per <see cref="StateVariableNames"/>).</summary>
    protected virtual void WriteStateVariables(IDictionary<string, double> variables) { }

    /// <summary>Restores the optimizer's own scalar state; absent names keep their fresh values.</summary>
    protected virtual void ReadStateVariables(IReadOnlyDictionary<string, double> variables) { }

    /// <summary>
    /// Everything a fit needs to continue exactly (Keras's optimizer variables): the step count, the current learning
    /// rate, the optimizer's own scalars and one tensor per trainable weight and slot. The tensors are views of the
    /// live state: copy them out before the next step.
    /// </summary>
    public OptimizerState GetState()
    {
        var variables = new Dictionary<string, double>(StringComparer.Ordinal);
        WriteStateVariables(variables);
        return new OptimizerState(Iterations, LearningRate, variables,
            GetSlots().Select(s => new OptimizerSlot(s.Weight, s.Slot, s.Value)).ToList());
    }

    /// <summary>
    /// The inverse of <see cref="GetState"/>: starts fresh, attaches to <paramref name="trainable"/> (the same weights in
    /// the same order as the trainer attaches them) and restores the step count, learning rate (when given), scalars
    /// and slot values (by index into <paramref name="trainable"/>). The caller checks names and shapes first.
    /// </summary>
    public void SetState(IReadOnlyList<Weight> trainable, long iterations, double? learningRate,
        IReadOnlyDictionary<string, double> variables, IEnumerable<(int Index, string Slot, float[] Values)> slots)
    {
        Reset();
        Attach(trainable);
        foreach (var (index, slot, values) in slots) SetSlot(index, slot, values);
        Iterations = iterations;
        if (learningRate is double rate) LearningRate = rate;
        ReadStateVariables(variables);
    }

    /// <summary>Clears moments and the step count (a fresh start).</summary>
    public void Reset()
    {
        foreach (var t in slots.Values) t.Dispose();
        slots.Clear();
        pending.Clear();
        Iterations = 0;
        OnReset();
    }

    protected virtual void OnReset() { }

    private readonly List<Scalar> stepScalars = new();

    /// <summary>
    /// A Scalar that lives until the step ends. libtorch reads a Scalar during the native call, and TorchSharp does not keep
    /// the managed one alive meanwhile: a temporary (an implicit double conversion) can be finalized, and its native value
    /// freed, by a garbage collection that another thread starts (the streamed-data reader, a parallel trial), which crashed
    /// Adam's addcmul_/addcdiv_ ("toFloat") in streamed fits.
    /// </summary>
    protected Scalar S(double value)
    {
        var s = value.ToScalar();
        stepScalars.Add(s);
        return s;
    }

    /// <summary>One update of every attached weight from its gradient; call under a dispose scope.</summary>
    public void Step()
    {
        try { StepCore(); }
        finally
        {
            foreach (var s in stepScalars) s.Dispose();
            stepScalars.Clear();
        }
    }

    private void StepCore()
    {
        if (buffer is null) throw KerasException.BadOperation("OptimizerNotAttached", "The optimizer is not attached to a model.");
        Iterations++;
        if (ClipValue is double cv) buffer.Grads.clamp_(S(-cv), S(cv));
        if (ClipNorm is not double cn)
        {
            // The flat buffers do not require grad themselves (only their views do), so in-place updates on them
            // need no no_grad scope.
            currentIndex = -1;
            Update(buffer.Values, buffer.Grads);
            return;
        }
        using var noGrad = torch.no_grad();
        // Keras clipnorm: each gradient is rescaled so that its own L2 norm is at most cn, so update weight by weight.
        for (int i = 0; i < buffer.ValueViews.Length; i++)
        {
            var g = buffer.GradViews[i];
            var norm = g.norm(2f);
            g.mul_(torch.clamp_max(norm.add(S(1e-12), Scalars.One).reciprocal_().mul_(S(cn)), S(1.0)));
            currentIndex = i;
            try { Update(buffer.ValueViews[i], g); }
            finally { currentIndex = -1; }
        }
    }

    /// <summary>The rule for one weight; <paramref name="g"/> may be modified in place.</summary>
    protected abstract void Update(Tensor p, Tensor g);

    /// <summary>Zeroes every gradient (one call on the flat gradient buffer).</summary>
    public void ZeroGrad() => buffer?.Grads.zero_();

    protected static string Fmt(double d) => d.ToString("G", CultureInfo.InvariantCulture);
}
