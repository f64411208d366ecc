using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Normalization;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a BatchNormalization layer (Keras BatchNormalization) over the last axis.</para>
/// <para type="description">While training it normalizes with each batch's mean and variance and updates the moving mean and variance
/// (moving = moving * momentum + batch * (1 - momentum)); in prediction and evaluation it uses the moving statistics. gamma and beta are
/// trainable; moving_mean and moving_variance are non-trainable weights (4 x features parameters, 2 x features non-trainable, as in
/// Keras).</para>
/// </summary>
/// <example><code>New-Model -InputShape 93 | Add-DenseLayer 128 | Add-BatchNormalizationLayer | Add-ActivationLayer relu</code></example>
/// <example><code>$model | Add-Conv2DLayer 32 3 | Add-BatchNormalizationLayer -Momentum 0.9 -Epsilon 0.001</code></example>
[Cmdlet(VerbsCommon.Add, "BatchNormalizationLayer")]
[OutputType(typeof(Model))]
public sealed class AddBatchNormalizationLayerCommand : AddLayerCommandBase
{
    /// <summary>Momentum of the moving statistics (0.99, Keras's default).</summary>
    [Parameter]
    public double Momentum { get; set; } = BatchNormalization.DefaultMomentum;

    /// <summary>Added to the variance to avoid dividing by zero (0.001, Keras's default).</summary>
    [Parameter]
    public double Epsilon { get; set; } = BatchNormalization.DefaultEpsilon;

    /// <summary>Whether to add the learned offset beta (on by default; -Center:$false turns it off).</summary>
    [Parameter]
    public SwitchParameter Center { get; set; }

    /// <summary>Whether to multiply by the learned scale gamma (on by default; -Scale:$false turns it off).</summary>
    [Parameter]
    public SwitchParameter Scale { get; set; }

    protected override Layer CreateLayer() =>
        new BatchNormalization(Momentum, Epsilon, !IsBound(nameof(Center)) || Center.IsPresent, !IsBound(nameof(Scale)) || Scale.IsPresent,
            Name, InputShape);
}
