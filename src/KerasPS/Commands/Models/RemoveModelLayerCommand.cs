using System.Management.Automation;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Removes the last layer of a model (Keras's Sequential.pop) and writes the model, e.g. to put a new head on a
/// trained base.</para>
/// <para type="description">The other layers keep their weights. A compiled model keeps its optimizer settings; the optimizer's state
/// starts over, since it belonged to the old weights. A model without layers is an EmptyModel error.</para>
/// </summary>
/// <example><code>$model | Copy-Model -Name retrain | Remove-ModelLayer | Add-DenseLayer 3 -Activation softmax</code></example>
/// <example><code>$model | Remove-ModelLayer -WhatIf</code></example>
[Cmdlet(VerbsCommon.Remove, "ModelLayer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Model))]
public sealed class RemoveModelLayerCommand : KerasCmdlet
{
    /// <summary>The model, usually piped.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    protected override object? DefaultTarget => Model;

    protected override void Process()
    {
        var last = Model.Engine.Layers.LastOrDefault();
        if (last is not null && !ShouldProcess(Model.Name, $"Remove the last layer, '{last.Name}'")) { WriteObject(Model); return; }
        Model.Engine.Pop();
        WriteObject(Model);
    }
}
