using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Training.Optimizers;

/// <summary>
/// A Keras optimizer with Keras's update rules and defaults, updating weights in place under no-grad.
/// State (moments, step count) lives in named slots so that checkpoints can save and restore it.
/// </summary>
public abstract class Optimizer
{
    private readonly Dictionary<Tensor, Dictionary<string, Tensor>> slots = new(ReferenceEqualityComparer.Instance);
    private List<Tensor> parameters = new();

    protected Optimizer(double learningRate, double? clipNorm, double? clipValue)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            throw KerasException.BadArgument("InvalidLearningRate", $"The learning rate must be a positive number. Received: learning_rate={learningRate.ToString(CultureInfo.InvariantCulture)}.", learningRate);
        if (clipNorm is <= 0) throw KerasException.BadArgument("InvalidClipNorm", $"ClipNorm must be positive. Received: {clipNorm}.", clipNorm);
        if (clipValue is <= 0) throw KerasException.BadArgument("InvalidClipValue", $"ClipValue must be positive. Received: {clipValue}.", clipValue);
        LearningRate = learningRate;
        ClipNorm = clipNorm;
        ClipValue = clipValue;
    }

    /// <summary>The Keras name: sgd, adam, ...</summary>
    public abstract string Name { get; }

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

    /// <summary>Attaches the optimizer to a model's trainable weights (slots are created lazily).</summary>
    public void Attach(IEnumerable<Tensor> trainable)
    {
        parameters = trainable.ToList();
        foreach (var stale in slots.Keys.Where(k => !parameters.Contains(k, ReferenceEqualityComparer.Instance)).ToList())
        {
            foreach (var t in slots[stale].Values) t.Dispose();
            slots.Remove(stale);
        }
    }

    protected Tensor Slot(Tensor p, string name, double initial = 0)
    {
        if (!slots.TryGetValue(p, out var s)) slots[p] = s = new Dictionary<string, Tensor>();
        if (!s.TryGetValue(name, out var t))
        {
            using var noGrad = torch.no_grad();
            t = initial == 0 ? torch.zeros_like(p) : torch.full_like(p, initial);
            t.DetachFromDisposeScope();
            s[name] = t;
        }
        return t;
    }

    /// <summary>All slot tensors, keyed by parameter index and slot name (for checkpoints).</summary>
    public IEnumerable<(int Index, string Slot, Tensor Value)> GetSlots()
    {
        for (int i = 0; i < parameters.Count; i++)
            if (slots.TryGetValue(parameters[i], out var s))
                foreach (var kv in s.OrderBy(k => k.Key, StringComparer.Ordinal))
                    yield return (i, kv.Key, kv.Value);
    }

    /// <summary>Restores a slot saved by <see cref="GetSlots"/>.</summary>
    public void SetSlot(int index, string slot, float[] values)
    {
        if (index < 0 || index >= parameters.Count)
            throw KerasException.BadData("InvalidOptimizerState", $"Optimizer state names parameter {index}, but the model has {parameters.Count} trainable weights.");
        var t = Slot(parameters[index], slot);
        if (t.numel() != values.LongLength)
            throw KerasException.BadData("InvalidOptimizerState", $"Optimizer slot '{slot}' of parameter {index} has {values.LongLength} values; {t.numel()} expected.");
        using var noGrad = torch.no_grad();
        using var src = torch.tensor(values, t.shape);
        t.copy_(src);
    }

    /// <summary>Clears moments and the step count (a fresh start).</summary>
    public void Reset()
    {
        foreach (var s in slots.Values) foreach (var t in s.Values) t.Dispose();
        slots.Clear();
        Iterations = 0;
    }

    /// <summary>One update of every attached weight from its gradient; call under a dispose scope.</summary>
    public void Step()
    {
        Iterations++;
        using var noGrad = torch.no_grad();
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            if (ClipValue is double cv) g.clamp_(-cv, cv);
            if (ClipNorm is double cn)
            {
                // Keras clipnorm: each gradient is rescaled so that its own L2 norm is at most cn.
                var norm = g.norm(2f);
                g.mul_(torch.clamp_max(norm.add(1e-12).reciprocal_().mul_(cn), 1.0));
            }
            Update(p, g);
        }
    }

    /// <summary>The rule for one weight; <paramref name="g"/> may be modified in place.</summary>
    protected abstract void Update(Tensor p, Tensor g);

    /// <summary>Sets gradients to none (cheaper than zeroing them).</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters)
        {
            using var g = p.grad;
            if (g is not null) p.grad = null;
        }
    }

    protected static string Fmt(double d) => d.ToString("G", CultureInfo.InvariantCulture);
}
