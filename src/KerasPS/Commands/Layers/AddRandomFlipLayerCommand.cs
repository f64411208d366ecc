using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a RandomFlip layer (Keras RandomFlip): flips each training image left-right and/or top-bottom at
/// random.</para>
/// <para type="description">Each image is flipped on each axis of -Mode with probability 1/2. Active only while training
/// (Invoke-ModelFit), drawn from the fit's seed for each epoch as Dropout draws, so the same -Seed gives the same images; prediction
/// and evaluation pass images through unchanged, and the ONNX export leaves it out. Input (batch, height, width, channels),
/// channels_last.</para>
/// </summary>
/// <example><code>New-Model -InputShape 64,64,3 | Add-RandomFlipLayer horizontal | Add-RandomRotationLayer 0.1</code></example>
/// <example><code>$model | Add-RandomFlipLayer -Mode horizontal_and_vertical</code></example>
[Cmdlet(VerbsCommon.Add, "RandomFlipLayer")]
[OutputType(typeof(Model))]
public sealed class AddRandomFlipLayerCommand : AddLayerCommandBase
{
    /// <summary>horizontal, vertical or horizontal_and_vertical (default).</summary>
    [Parameter(Position = 0)]
    [ValidateSet("horizontal", "vertical", "horizontal_and_vertical")]
    public string? Mode { get; set; }

    protected override Layer CreateLayer() => new RandomFlip(Mode, Name, InputShape);
}
