using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Resizing layer (Keras Resizing): resizes images to -Height x -Width.</para>
/// <para type="description">Input (batch, height, width, channels), channels_last; output (batch, Height, Width, channels). Resamples
/// as keras.ops.image.resize without antialiasing: bilinear with half-pixel centres (the default) or nearest. -CropToAspectRatio crops
/// the largest centred box of the target's aspect ratio first, so images are not distorted.</para>
/// </summary>
/// <example><code>New-Model -InputShape 128,128,3 | Add-ResizingLayer 64 64 | Add-RescalingLayer (1/255)</code></example>
/// <example><code>$model | Add-ResizingLayer -Height 32 -Width 48 -Interpolation nearest -CropToAspectRatio</code></example>
[Cmdlet(VerbsCommon.Add, "ResizingLayer")]
[OutputType(typeof(Model))]
public sealed class AddResizingLayerCommand : AddLayerCommandBase
{
    /// <summary>Rows of the output images.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int Height { get; set; }

    /// <summary>Columns of the output images.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public int Width { get; set; }

    /// <summary>bilinear (default) or nearest.</summary>
    [Parameter]
    [ValidateSet("bilinear", "nearest")]
    public string? Interpolation { get; set; }

    /// <summary>Crop the centre to the target's aspect ratio before resizing.</summary>
    [Parameter]
    public SwitchParameter CropToAspectRatio { get; set; }

    protected override Layer CreateLayer() => new Resizing(Height, Width, Interpolation, CropToAspectRatio.IsPresent, Name, InputShape);
}
