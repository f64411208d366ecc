using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Reshaping;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Reshape layer (Keras Reshape): gives each sample a new shape with the same number of values.</para>
/// <para type="description">The target shape excludes the batch axis; one dimension may be -1 and is inferred. Use it to turn flat features
/// (a CSV row of 64 pixels) into images (8,8,1) for Add-Conv2DLayer.</para>
/// </summary>
/// <example><code>New-Model -InputShape 64 | Add-ReshapeLayer -TargetShape 8,8,1 | Add-Conv2DLayer 8 3 -Activation relu</code></example>
/// <example><code>$model | Add-ReshapeLayer -TargetShape -1,4</code></example>
[Cmdlet(VerbsCommon.Add, "ReshapeLayer")]
[OutputType(typeof(Model))]
public sealed class AddReshapeLayerCommand : AddLayerCommandBase
{
    /// <summary>New shape without the batch axis, e.g. 8,8,1; one dimension may be -1.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int[] TargetShape { get; set; } = null!;

    protected override Layer CreateLayer() =>
        new Reshape(TargetShape, Name, InputShape);
}
