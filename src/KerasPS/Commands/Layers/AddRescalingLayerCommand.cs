using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Rescaling layer (Keras Rescaling): multiplies inputs by -Scale and adds -Offset, such as 1/255 for
/// pixels.</para>
/// <para type="description">Output x * scale + offset, the shape unchanged. Put it first in an image model, so that Import-ImageData's
/// 0-255 pixels reach the network in [0, 1] (-Scale (1/255)) or [-1, 1] (-Scale (1/127.5) -Offset -1), and the model takes raw pixels
/// at prediction too.</para>
/// </summary>
/// <example><code>New-Model -InputShape 64,64,3 | Add-RescalingLayer -Scale (1/255) |
///     Add-Conv2DLayer 16 3 -Activation relu</code></example>
/// <example><code>$model | Add-RescalingLayer (1/127.5) -Offset -1</code></example>
[Cmdlet(VerbsCommon.Add, "RescalingLayer")]
[OutputType(typeof(Model))]
public sealed class AddRescalingLayerCommand : AddLayerCommandBase
{
    /// <summary>The factor inputs are multiplied by.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public double Scale { get; set; }

    /// <summary>The value added after scaling (default 0).</summary>
    [Parameter]
    public double Offset { get; set; }

    protected override Layer CreateLayer() => new Rescaling(Scale, Offset, Name, InputShape);
}
