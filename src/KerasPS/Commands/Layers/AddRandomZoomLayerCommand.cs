using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a RandomZoom layer (Keras RandomZoom): zooms each training image in or out at random.</para>
/// <para type="description">The zoom is 1 plus a draw from -HeightFactor (one number f: (-f, f); two: (low, high)); positive zooms out,
/// negative zooms in. -WidthFactor draws the width apart; without it the width zooms as the height. Active only while training
/// (Invoke-ModelFit), drawn from the fit's seed for each epoch as Dropout draws, so the same -Seed gives the same images; prediction
/// and evaluation pass images through unchanged, and the ONNX export leaves it out. Input (batch, height, width, channels),
/// channels_last.</para>
/// </summary>
/// <example><code>$model | Add-RandomZoomLayer 0.2</code></example>
/// <example><code>$model | Add-RandomZoomLayer -HeightFactor -0.3, -0.1 -WidthFactor -0.2, 0 -FillMode nearest</code></example>
[Cmdlet(VerbsCommon.Add, "RandomZoomLayer")]
[OutputType(typeof(Model))]
public sealed class AddRandomZoomLayerCommand : AddImageTransformLayerCommandBase
{
    /// <summary>The vertical zoom: one number f for (-f, f), or two (low, high); positive zooms out.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public double[] HeightFactor { get; set; } = null!;

    /// <summary>The horizontal zoom, drawn apart; by default the same as the vertical.</summary>
    [Parameter(Position = 1)]
    public double[]? WidthFactor { get; set; }

    protected override Layer CreateLayer() =>
        new RandomZoom(HeightFactor, WidthFactor, FillMode, Interpolation, FillValue, Name, InputShape);
}
