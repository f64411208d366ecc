using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Regularization;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds an ActivityRegularization layer (Keras ActivityRegularization): passes its input through and adds l1*sum|x| +
/// l2*sum(x^2) (per sample) to the training loss.</para>
/// <para type="description">The penalty is divided by the batch size as in Keras 3, and shows up in the loss that Invoke-ModelFit
/// reports.</para>
/// </summary>
/// <example><code>$model | Add-DenseLayer 64 -Activation relu | Add-ActivityRegularizationLayer -L1 0.001</code></example>
/// <example><code>New-Model -InputShape 20 | Add-DenseLayer 16 | Add-ActivityRegularizationLayer -L1 0.0001 -L2 0.001</code></example>
[Cmdlet(VerbsCommon.Add, "ActivityRegularizationLayer")]
[OutputType(typeof(Model))]
public sealed class AddActivityRegularizationLayerCommand : AddLayerCommandBase
{
    /// <summary>L1 factor (0 by default).</summary>
    [Parameter]
    public double L1 { get; set; }

    /// <summary>L2 factor (0 by default).</summary>
    [Parameter]
    public double L2 { get; set; }

    protected override Layer CreateLayer() =>
        new ActivityRegularization(L1, L2, Name, InputShape);
}
