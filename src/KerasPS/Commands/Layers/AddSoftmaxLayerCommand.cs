using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Activations;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Softmax layer (Keras Softmax): exponentials normalized to sum to 1 along an axis.</para>
/// <para type="description">Axis numbering is Keras's: -1 (default) is the last axis, 1 the first axis after the batch axis.</para>
/// </summary>
/// <example><code>$model | Add-DenseLayer 9 | Add-SoftmaxLayer</code></example>
/// <example><code>$model | Add-SoftmaxLayer -Axis 1</code></example>
[Cmdlet(VerbsCommon.Add, "SoftmaxLayer")]
[OutputType(typeof(Model))]
public sealed class AddSoftmaxLayerCommand : AddLayerCommandBase
{
    /// <summary>Axis to normalize (-1, the last, by default; 0 is the batch axis and not allowed).</summary>
    [Parameter]
    public int Axis { get; set; } = Softmax.DefaultAxis;

    protected override Layer CreateLayer() =>
        new Softmax(Axis, Name, InputShape);
}
