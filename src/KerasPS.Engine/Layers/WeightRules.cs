using static TorchSharp.torch;
using KerasPS.Engine.Constraints;
using KerasPS.Engine.Regularizers;

namespace KerasPS.Engine.Layers;

/// <summary>
/// The regularizers and constraints a layer attaches to its weights and output (Keras's kernel_regularizer,
/// bias_constraint, activity_regularizer, ...). The activity term uses the output of the latest forward pass,
/// divided by the batch size as Keras 3 does; the trainer asks for it once per batch, right after the forward pass.
/// </summary>
public sealed class WeightRules
{
    private readonly List<(Weight Weight, Regularizer? Regularizer, Constraint? Constraint)> rules = new();
    private Tensor? lastOutput;

    public Regularizer? ActivityRegularizer { get; init; }

    public void Clear() => rules.Clear();

    public void Attach(Weight? w, Regularizer? regularizer, Constraint? constraint)
    {
        if (w is not null && (regularizer is not null || constraint is not null)) rules.Add((w, regularizer, constraint));
    }

    /// <summary>Keeps the layer's output for the activity regularizer (a no-op without one).</summary>
    public Tensor Observe(Tensor output)
    {
        if (ActivityRegularizer is not null) lastOutput = output;
        return output;
    }

    public Tensor? Loss()
    {
        Tensor? total = null;
        foreach (var (w, r, _) in rules)
            if (r is not null) { var t = r.Compute(w.Value); total = total is null ? t : total + t; }
        if (ActivityRegularizer is not null && lastOutput is not null && !lastOutput.IsInvalid)
        {
            var a = ActivityRegularizer.Compute(lastOutput).div(Math.Max(1, lastOutput.shape[0]));
            total = total is null ? a : total + a;
        }
        lastOutput = null;
        return total;
    }

    public void ApplyConstraints()
    {
        foreach (var (w, _, c) in rules) c?.Apply(w.Value);
    }

    public bool HasConstraints => rules.Any(r => r.Constraint is not null);
}
