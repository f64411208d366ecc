using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Reshaping;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds an UpSampling2D layer (Keras UpSampling2D): enlarges an image by whole factors.</para>
/// <para type="description">Input (batch, height, width, channels), channels_last; output (batch, height * size[0], width * size[1],
/// channels). nearest (the default) repeats rows and columns; bilinear interpolates as keras.ops.image.resize does (half-pixel
/// centres, edges clamped).</para>
/// </summary>
/// <example><code>$model | Add-Conv2DLayer 8 3 -Padding same | Add-UpSampling2DLayer -Size 2 -Interpolation bilinear</code></example>
/// <example><code># functional: double the height and width, nearest neighbour
/// $x = New-ModelInput -Shape 14,14,8
/// $y = $x | Add-UpSampling2DLayer -Size 2</code></example>
[Cmdlet(VerbsCommon.Add, "UpSampling2DLayer")]
[OutputType(typeof(Model))]
public sealed class AddUpSampling2DLayerCommand : AddLayerCommandBase
{
    /// <summary>The factors for height and width: one value for both, or two (default 2, 2).</summary>
    [Parameter(Position = 0)]
    public int[]? Size { get; set; }

    /// <summary>nearest (default) or bilinear.</summary>
    [Parameter]
    [ValidateSet("nearest", "bilinear")]
    public string? Interpolation { get; set; }

    protected override Layer CreateLayer() => new UpSampling2D(Size, Interpolation, Name, InputShape);
}
