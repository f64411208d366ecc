using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Normalization;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a LayerNormalization layer (Keras LayerNormalization): each sample normalized over its last axis, then scaled
/// by gamma and shifted by beta.</para>
/// <para type="description">Behaves the same in training and inference; 2 x features parameters.</para>
/// </summary>
/// <example><code>$model | Add-DenseLayer 64 | Add-LayerNormalizationLayer</code></example>
/// <example><code>New-Model -InputShape 20,32 | Add-LSTMLayer 32 -ReturnSequences |
///     Add-LayerNormalizationLayer -Epsilon 0.00001</code></example>
[Cmdlet(VerbsCommon.Add, "LayerNormalizationLayer")]
[OutputType(typeof(Model))]
public sealed class AddLayerNormalizationLayerCommand : AddLayerCommandBase
{
    /// <summary>Added to the variance to avoid dividing by zero (0.001, Keras's default).</summary>
    [Parameter]
    public double Epsilon { get; set; } = LayerNormalization.DefaultEpsilon;

    /// <summary>Whether to add the learned offset beta (on by default).</summary>
    [Parameter]
    public SwitchParameter Center { get; set; }

    /// <summary>Whether to multiply by the learned scale gamma (on by default).</summary>
    [Parameter]
    public SwitchParameter Scale { get; set; }

    protected override Layer CreateLayer() =>
        new LayerNormalization(Epsilon, !IsBound(nameof(Center)) || Center.IsPresent, !IsBound(nameof(Scale)) || Scale.IsPresent, Name,
            InputShape);
}
