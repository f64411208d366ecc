using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Reshaping;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Cropping2D layer (Keras Cropping2D): drops rows and columns at the edges of an image.</para>
/// <para type="description">Input (batch, height, width, channels), channels_last; output with top + bottom rows and left + right
/// columns removed. By default nothing is cropped.</para>
/// </summary>
/// <example><code>$model | Add-Cropping2DLayer -Cropping 2,2,4,4 | Add-Conv2DLayer 16 3</code></example>
/// <example><code># functional: crop 2 pixels from every side of a 32x32 image
/// $x = New-ModelInput -Shape 32,32,3
/// $y = $x | Add-Cropping2DLayer -Cropping 2</code></example>
[Cmdlet(VerbsCommon.Add, "Cropping2DLayer")]
[OutputType(typeof(Model))]
public sealed class AddCropping2DLayerCommand : AddLayerCommandBase
{
    /// <summary>Amounts to crop: one value for every side, two (height, width) for both sides of each axis, or four (top,
    /// bottom, left, right). Default 0.</summary>
    [Parameter(Position = 0)]
    public int[]? Cropping { get; set; }

    protected override Layer CreateLayer() => new Cropping2D(Cropping, Name, InputShape);
}
