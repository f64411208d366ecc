using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a CenterCrop layer (Keras CenterCrop): keeps the centred -Height x -Width window of each image.</para>
/// <para type="description">Input (batch, height, width, channels), channels_last; output (batch, Height, Width, channels). The window
/// starts at ((height - Height) // 2, (width - Width) // 2); an image smaller than the target is cropped to the target's aspect ratio
/// and resized bilinearly instead, as Keras 3 does.</para>
/// </summary>
/// <example><code>New-Model -InputShape 72,72,3 | Add-CenterCropLayer 64 64</code></example>
/// <example><code>$model | Add-CenterCropLayer -Height 28 -Width 28</code></example>
[Cmdlet(VerbsCommon.Add, "CenterCropLayer")]
[OutputType(typeof(Model))]
public sealed class AddCenterCropLayerCommand : AddLayerCommandBase
{
    /// <summary>Rows of the window.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int Height { get; set; }

    /// <summary>Columns of the window.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public int Width { get; set; }

    protected override Layer CreateLayer() => new CenterCrop(Height, Width, Name, InputShape);
}
