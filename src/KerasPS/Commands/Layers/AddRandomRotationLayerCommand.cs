using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a RandomRotation layer (Keras RandomRotation): rotates each training image by a random angle.</para>
/// <para type="description">The angle is -Factor x 2 pi radians, drawn uniformly from (-f, f) for one number f or (low, high) for two;
/// positive is counter-clockwise. Active only while training (Invoke-ModelFit), drawn from the fit's seed for each epoch as Dropout
/// draws, so the same -Seed gives the same images; prediction and evaluation pass images through unchanged, and the ONNX export leaves
/// it out. Input (batch, height, width, channels), channels_last.</para>
/// </summary>
/// <example><code>$model | Add-RandomFlipLayer horizontal | Add-RandomRotationLayer 0.1</code></example>
/// <example><code>$model | Add-RandomRotationLayer -Factor -0.05, 0.05 -FillMode constant -FillValue 0</code></example>
[Cmdlet(VerbsCommon.Add, "RandomRotationLayer")]
[OutputType(typeof(Model))]
public sealed class AddRandomRotationLayerCommand : AddImageTransformLayerCommandBase
{
    /// <summary>The rotation as a fraction of a full turn: one number f for (-f, f), or two (low, high).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public double[] Factor { get; set; } = null!;

    protected override Layer CreateLayer() => new RandomRotation(Factor, FillMode, Interpolation, FillValue, Name, InputShape);
}
