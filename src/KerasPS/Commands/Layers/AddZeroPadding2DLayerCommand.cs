using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Reshaping;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a ZeroPadding2D layer (Keras ZeroPadding2D): zero rows and columns around an image.</para>
/// <para type="description">Input (batch, height, width, channels), channels_last; output with top + bottom rows and left + right
/// columns of zeros added. By default one on each side.</para>
/// </summary>
/// <example><code>$model | Add-ZeroPadding2DLayer -Padding 1,2 | Add-Conv2DLayer 16 3</code></example>
/// <example><code># functional: a border of 3 zeros around a 28x28 image
/// $x = New-ModelInput -Shape 28,28,1
/// $y = $x | Add-ZeroPadding2DLayer -Padding 3</code></example>
[Cmdlet(VerbsCommon.Add, "ZeroPadding2DLayer")]
[OutputType(typeof(Model))]
public sealed class AddZeroPadding2DLayerCommand : AddLayerCommandBase
{
    /// <summary>Zeros to add: one value for every side, two (height, width) for both sides of each axis, or four (top, bottom,
    /// left, right). Default 1.</summary>
    [Parameter(Position = 0)]
    public int[]? Padding { get; set; }

    protected override Layer CreateLayer() => new ZeroPadding2D(Padding, Name, InputShape);
}
