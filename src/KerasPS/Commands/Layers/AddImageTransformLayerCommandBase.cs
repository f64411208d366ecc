using System.Management.Automation;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Parameters shared by Add-RandomRotationLayer, Add-RandomTranslationLayer and Add-RandomZoomLayer (Keras's fill_mode,
/// interpolation and fill_value): how an image moved by a random transform is sampled and filled.
/// </summary>
public abstract class AddImageTransformLayerCommandBase : AddLayerCommandBase
{
    /// <summary>How points outside the image are filled: reflect (default; the edge pixel repeated), nearest or constant.</summary>
    [Parameter]
    [ValidateSet("reflect", "nearest", "constant")]
    public string? FillMode { get; set; }

    /// <summary>bilinear (default) or nearest.</summary>
    [Parameter]
    [ValidateSet("bilinear", "nearest")]
    public string? Interpolation { get; set; }

    /// <summary>The value outside the image with -FillMode constant (default 0).</summary>
    [Parameter]
    public double FillValue { get; set; }
}
