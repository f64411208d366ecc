using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace KerasPS.Engine.Training;

/// <summary>How a loss wants its targets: class indices, or values shaped like the output.</summary>
public enum TargetForm { ClassIndex, Values }

/// <summary>
/// A Keras loss with Keras's "sum over batch size" reduction: <c>mean(per_sample_loss * sample_weight)</c>.
/// Losses that pair with a final softmax/sigmoid are computed from logits when the model ends in that activation
/// (fused, numerically stable), and from probabilities (clipped to [1e-7, 1-1e-7], as Keras does) otherwise.
/// </summary>
public abstract class Loss
{
    public abstract string Name { get; }

    /// <summary>The activation this loss can absorb (softmax, sigmoid), or null.</summary>
    public virtual string? FusableActivation => null;

    public abstract TargetForm TargetForm { get; }

    /// <summary>Mean loss over the batch; <paramref name="weights"/> (per sample) may be null.</summary>
    public abstract Tensor Compute(Tensor output, Tensor target, Tensor? weights, bool fromLogits);

    protected static Tensor Reduce(Tensor perSample, Tensor? weights) =>
        weights is null ? perSample.mean() : (perSample * weights).mean();

    protected const double Epsilon = 1e-7;
}

/// <summary>categorical_crossentropy: targets are class indices (encoded once from the labels) or probability rows.</summary>
public sealed class CategoricalCrossentropy : Loss
{
    public CategoricalCrossentropy(bool sparse) => Sparse = sparse;
    public bool Sparse { get; }
    public override string Name => Sparse ? "sparse_categorical_crossentropy" : "categorical_crossentropy";
    public override string? FusableActivation => "softmax";
    public override TargetForm TargetForm => TargetForm.ClassIndex;

    public override Tensor Compute(Tensor output, Tensor target, Tensor? weights, bool fromLogits)
    {
        if (fromLogits)
        {
            if (weights is null) return F.cross_entropy(output, target);
            return Reduce(F.cross_entropy(output, target, reduction: nn.Reduction.None), weights);
        }
        bool soft = target.dtype == ScalarType.Float32;   // one-hot or probability targets given as a matrix
        var p = output / output.sum(-1, keepdim: true);
        var logp = p.clamp(Epsilon, 1 - Epsilon).log();
        var perSample = soft ? -(target * logp).sum(-1) : -logp.gather(-1, target.unsqueeze(-1)).squeeze(-1);
        return Reduce(perSample, weights);
    }
}

/// <summary>binary_crossentropy on a sigmoid output (fused with it when the model ends in sigmoid).</summary>
public sealed class BinaryCrossentropy : Loss
{
    public override string Name => "binary_crossentropy";
    public override string? FusableActivation => "sigmoid";
    public override TargetForm TargetForm => TargetForm.Values;

    public override Tensor Compute(Tensor output, Tensor target, Tensor? weights, bool fromLogits)
    {
        Tensor elementwise;
        if (fromLogits) elementwise = F.binary_cross_entropy_with_logits(output, target, reduction: nn.Reduction.None);
        else
        {
            var p = output.clamp(Epsilon, 1 - Epsilon);
            elementwise = -(target * p.log() + (1 - target) * (1 - p).log());
        }
        return Reduce(elementwise.reshape(new long[] { elementwise.shape[0], -1 }).mean(new long[] { 1 }), weights);
    }
}

/// <summary>mean_squared_error / mean_absolute_error / huber, averaged over the last axis then the batch.</summary>
public sealed class RegressionLoss : Loss
{
    private readonly string kind;
    public RegressionLoss(string kind) => this.kind = kind;
    public override string Name => kind;
    public override TargetForm TargetForm => TargetForm.Values;

    public override Tensor Compute(Tensor output, Tensor target, Tensor? weights, bool fromLogits)
    {
        var d = output - target;
        var e = kind switch
        {
            "mean_squared_error" => d.square(),
            "mean_absolute_error" => d.abs(),
            _ => Huber(d),
        };
        return Reduce(e.reshape(new long[] { e.shape[0], -1 }).mean(new long[] { 1 }), weights);
    }

    private static Tensor Huber(Tensor d)
    {
        var a = d.abs();
        return torch.where(a <= 1.0, 0.5 * d.square(), a - 0.5);
    }
}

public static class LossFactory
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["categorical_crossentropy"] = "categorical_crossentropy",
        ["sparse_categorical_crossentropy"] = "sparse_categorical_crossentropy",
        ["binary_crossentropy"] = "binary_crossentropy",
        ["mean_squared_error"] = "mean_squared_error",
        ["mse"] = "mean_squared_error",
        ["mean_absolute_error"] = "mean_absolute_error",
        ["mae"] = "mean_absolute_error",
        ["huber"] = "huber",
    };

    public static IReadOnlyList<string> Names { get; } = Aliases.Keys.ToArray();

    public static Loss Create(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || !Aliases.TryGetValue(name.Trim(), out var key))
            throw KerasException.BadArgument("UnknownLoss", $"Unknown loss '{name}'. Valid names: {string.Join(", ", Names)}.", name);
        return key switch
        {
            "categorical_crossentropy" => new CategoricalCrossentropy(false),
            "sparse_categorical_crossentropy" => new CategoricalCrossentropy(true),
            "binary_crossentropy" => new BinaryCrossentropy(),
            _ => new RegressionLoss(key),
        };
    }
}
