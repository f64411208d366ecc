using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a RandomBrightness layer (Keras RandomBrightness): brightens or darkens each training image at random.</para>
/// <para type="description">Adds a draw from -Factor (one number f: (-f, f); two: (low, high); each in [-1, 1]) times the width of
/// -ValueRange to every pixel, and clips to -ValueRange. Active only while training (Invoke-ModelFit), drawn from the fit's seed for
/// each epoch as Dropout draws, so the same -Seed gives the same images; prediction and evaluation pass images through unchanged, and
/// the ONNX export leaves it out. Input (batch, height, width, channels), channels_last.</para>
/// </summary>
/// <example><code>$model | Add-RandomBrightnessLayer 0.2</code></example>
/// <example><code>$model | Add-RandomBrightnessLayer -Factor -0.1, 0.2 -ValueRange 0, 1</code></example>
[Cmdlet(VerbsCommon.Add, "RandomBrightnessLayer")]
[OutputType(typeof(Model))]
public sealed class AddRandomBrightnessLayerCommand : AddLayerCommandBase
{
    /// <summary>The change as a fraction of the value range: one number f for (-f, f), or two (low, high), each in [-1, 1].</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public double[] Factor { get; set; } = null!;

    /// <summary>The range of the pixel values, results clipped to it (default 0, 255; 0, 1 after Rescaling by 1/255).</summary>
    [Parameter]
    [ValidateCount(2, 2)]
    public double[]? ValueRange { get; set; }

    protected override Layer CreateLayer() => new RandomBrightness(Factor, ValueRange, Name, InputShape);
}
