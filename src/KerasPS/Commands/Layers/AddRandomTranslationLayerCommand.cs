using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a RandomTranslation layer (Keras RandomTranslation): shifts each training image at random.</para>
/// <para type="description">The shift is a draw from -HeightFactor times the height (down for positive) and from -WidthFactor times the
/// width (right for positive); one number f draws from (-f, f), two from (low, high). Active only while training (Invoke-ModelFit),
/// drawn from the fit's seed for each epoch as Dropout draws, so the same -Seed gives the same images; prediction and evaluation pass
/// images through unchanged, and the ONNX export leaves it out. Input (batch, height, width, channels), channels_last.</para>
/// </summary>
/// <example><code>$model | Add-RandomTranslationLayer 0.1 0.1</code></example>
/// <example><code>$model | Add-RandomTranslationLayer -HeightFactor -0.2, 0.3 -WidthFactor 0.1 -FillMode constant</code></example>
[Cmdlet(VerbsCommon.Add, "RandomTranslationLayer")]
[OutputType(typeof(Model))]
public sealed class AddRandomTranslationLayerCommand : AddImageTransformLayerCommandBase
{
    /// <summary>The vertical shift as a fraction of the height: one number f for (-f, f), or two (low, high).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public double[] HeightFactor { get; set; } = null!;

    /// <summary>The horizontal shift as a fraction of the width: one number f for (-f, f), or two (low, high).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public double[] WidthFactor { get; set; } = null!;

    protected override Layer CreateLayer() =>
        new RandomTranslation(HeightFactor, WidthFactor, FillMode, Interpolation, FillValue, Name, InputShape);
}
