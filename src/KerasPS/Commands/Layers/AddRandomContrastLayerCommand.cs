using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a RandomContrast layer (Keras RandomContrast): changes the contrast of each training image at random.</para>
/// <para type="description">Per image and channel, (x - mean) * c + mean, c drawn from [1 - lower, 1 + upper] (one number f: both f),
/// the mean over the image; the result is clipped to -ValueRange. Active only while training (Invoke-ModelFit), drawn from the fit's
/// seed for each epoch as Dropout draws, so the same -Seed gives the same images; prediction and evaluation pass images through
/// unchanged, and the ONNX export leaves it out. Input (batch, height, width, channels), channels_last.</para>
/// </summary>
/// <example><code>$model | Add-RandomContrastLayer 0.2</code></example>
/// <example><code>$model | Add-RescalingLayer (1/255) | Add-RandomContrastLayer -Factor 0.1, 0.3 -ValueRange 0, 1</code></example>
[Cmdlet(VerbsCommon.Add, "RandomContrastLayer")]
[OutputType(typeof(Model))]
public sealed class AddRandomContrastLayerCommand : AddLayerCommandBase
{
    /// <summary>How far contrast changes: one number f in [0, 1] for c in [1 - f, 1 + f], or two (lower, upper).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public double[] Factor { get; set; } = null!;

    /// <summary>The range of the pixel values, results clipped to it (default 0, 255; 0, 1 after Rescaling by 1/255).</summary>
    [Parameter]
    [ValidateCount(2, 2)]
    public double[]? ValueRange { get; set; }

    protected override Layer CreateLayer() => new RandomContrast(Factor, ValueRange, Name, InputShape);
}
