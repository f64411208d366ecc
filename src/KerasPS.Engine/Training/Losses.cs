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
/// A loss registers with <c>[KerasObject("keras.losses", ClassName, names...)]</c>; the first name is the one a
/// compile config records.
/// </summary>
public abstract class Loss
{
    private string? name;

    /// <summary>The name a compile config records (categorical_crossentropy, mean_squared_error, ...).</summary>
    public string Name => name ??= KerasObjects.Losses.EntryFor(this).Name;

    /// <summary>The activation this loss can absorb (softmax, sigmoid), or null.</summary>
    public virtual string? FusableActivation => null;

    public abstract TargetForm TargetForm { get; }

    /// <summary>Mean loss over the batch; <paramref name="weights"/> (per sample) may be null.</summary>
    public abstract Tensor Compute(Tensor output, Tensor target, Tensor? weights, bool fromLogits);

    /// <summary>
    /// The loss of an output that carries a mask (batch, steps): Keras 3 applies the mask as a sample weight per timestep,
    /// scaled so the mean runs over the unmasked steps only (<c>losses.loss.apply_mask</c>:
    /// <c>sum(loss * mask * sample_weight) / count(mask)</c>). Without a mask, <see cref="Compute(Tensor, Tensor, Tensor?, bool)"/>.
    /// </summary>
    public Tensor Compute(Tensor output, Tensor target, Tensor? weights, bool fromLogits, Tensor? mask)
    {
        if (mask is null) return Compute(output, target, weights, fromLogits);
        if (mask.dim() != 2 || output.dim() < 3 || mask.shape[0] != output.shape[0] || mask.shape[1] != output.shape[1])
            throw KerasException.BadArgument("MaskShapeMismatch",
                $"The model's output has shape ({string.Join(", ", output.shape)}) and carries a mask of shape "
                    + $"({string.Join(", ", mask.shape)}); a loss reads a mask (batch, steps) over an output (batch, steps, ...).");
        long n = mask.shape[0], steps = mask.shape[1];
        var m = mask.to_type(ScalarType.Float32);
        var valid = m.sum();
        // divide_no_nan(total, valid): a batch with every step masked weighs nothing.
        using var total = ((double)(n * steps)).ToScalar();   // kept alive through the calls (Scalars)
        var scale = torch.where(valid.gt(Scalars.Zero), torch.full_like(valid, total).div(valid.clamp_min(Scalars.One)),
            torch.zeros_like(valid));
        var w = m * scale;
        if (weights is not null) w = w * weights.reshape(n, 1).to_type(ScalarType.Float32);
        return Compute(output.flatten(0, 1), target.flatten(0, 1), w.reshape(-1), fromLogits);
    }

    protected static Tensor Reduce(Tensor perSample, Tensor? weights) =>
        weights is null ? perSample.mean() : (perSample * weights).mean();

    /// <summary>Averages an elementwise loss over every axis but the batch, then reduces over the batch.</summary>
    protected static Tensor ReducePerSample(Tensor elementwise, Tensor? weights) =>
        Reduce(elementwise.reshape(new long[] { elementwise.shape[0], -1 }).mean(new long[] { 1 }), weights);

    protected const double Epsilon = 1e-7;
}

/// <summary>
/// categorical_crossentropy: targets are class indices (encoded once from the labels) or probability rows.
/// The sparse form differs only in the targets Keras expects; KerasPS encodes both the same way.
/// </summary>
[KerasObject("keras.losses", "CategoricalCrossentropy", "categorical_crossentropy")]
public class CategoricalCrossentropy : Loss, IKerasObject<CategoricalCrossentropy>
{
    public static CategoricalCrossentropy FromConfig(ConfigReader config) => new();

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
        var logp = p.clamp(Scalars.Of(Epsilon), Scalars.Of(1 - Epsilon)).log();
        var perSample = soft ? -(target * logp).sum(-1) : -logp.gather(-1, target.unsqueeze(-1)).squeeze(-1);
        return Reduce(perSample, weights);
    }
}

/// <summary>sparse_categorical_crossentropy: categorical cross-entropy on class-index targets.</summary>
[KerasObject("keras.losses", "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy")]
public sealed class SparseCategoricalCrossentropy : CategoricalCrossentropy, IKerasObject<SparseCategoricalCrossentropy>
{
    public static new SparseCategoricalCrossentropy FromConfig(ConfigReader config) => new();
}

/// <summary>binary_crossentropy on a sigmoid output (fused with it when the model ends in sigmoid).</summary>
[KerasObject("keras.losses", "BinaryCrossentropy", "binary_crossentropy")]
public sealed class BinaryCrossentropy : Loss, IKerasObject<BinaryCrossentropy>
{
    public static BinaryCrossentropy FromConfig(ConfigReader config) => new();

    public override string? FusableActivation => "sigmoid";
    public override TargetForm TargetForm => TargetForm.Values;

    public override Tensor Compute(Tensor output, Tensor target, Tensor? weights, bool fromLogits)
    {
        Tensor elementwise;
        if (fromLogits) elementwise = F.binary_cross_entropy_with_logits(output, target, reduction: nn.Reduction.None);
        else
        {
            var p = output.clamp(Scalars.Of(Epsilon), Scalars.Of(1 - Epsilon));
            elementwise = (target * p.log()).Plus(target.OneMinus() * p.OneMinus().log()).neg();
        }
        return ReducePerSample(elementwise, weights);
    }
}

/// <summary>mean_squared_error (mse), averaged over the last axis then the batch.</summary>
[KerasObject("keras.losses", "MeanSquaredError", "mean_squared_error", "mse")]
public sealed class MeanSquaredError : Loss, IKerasObject<MeanSquaredError>
{
    public static MeanSquaredError FromConfig(ConfigReader config) => new();
    public override TargetForm TargetForm => TargetForm.Values;
    public override Tensor Compute(Tensor output, Tensor target, Tensor? weights, bool fromLogits) =>
        ReducePerSample((output - target).Squared(), weights);
}

/// <summary>mean_absolute_error (mae), averaged over the last axis then the batch.</summary>
[KerasObject("keras.losses", "MeanAbsoluteError", "mean_absolute_error", "mae")]
public sealed class MeanAbsoluteError : Loss, IKerasObject<MeanAbsoluteError>
{
    public static MeanAbsoluteError FromConfig(ConfigReader config) => new();
    public override TargetForm TargetForm => TargetForm.Values;
    public override Tensor Compute(Tensor output, Tensor target, Tensor? weights, bool fromLogits) =>
        ReducePerSample((output - target).abs(), weights);
}

/// <summary>huber (delta 1): quadratic below 1, linear above, averaged over the last axis then the batch.</summary>
[KerasObject("keras.losses", "Huber", "huber")]
public sealed class Huber : Loss, IKerasObject<Huber>
{
    /// <summary>Keras's delta: the error size where the loss turns from quadratic to linear.</summary>
    public const double Delta = 1.0;

    public static Huber FromConfig(ConfigReader config) => new();
    public override TargetForm TargetForm => TargetForm.Values;

    public override Tensor Compute(Tensor output, Tensor target, Tensor? weights, bool fromLogits)
    {
        var d = output - target;
        var a = d.abs();
        var small = d.Squared().mul(Scalars.Of(0.5));
        var large = a.sub(Scalars.Of(0.5 * Delta)).mul(Scalars.Of(Delta));
        return ReducePerSample(torch.where(a.le(Scalars.Of(Delta)), small, large), weights);
    }
}
