using System.Management.Automation;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Describes a model's layers as Keras's model.summary() does: one object per layer with its output shape and
/// parameter count, and the model's totals.</para>
/// <para type="description">For a functional model (New-Model -Inputs -Outputs) the rows are Keras's functional summary: every layer once,
/// input layers first, with a ConnectedTo column naming the tensors each layer was called on as layer[node][tensor] ("-" for an input
/// layer; every call of a shared layer). Those rows carry the type name KerasPS.FunctionalLayerSummary as well, whose table has the
/// Connected to column.</para>
/// </summary>
/// <example><code>$model | Get-ModelSummary</code></example>
/// <example><code>($model | Get-ModelSummary)[0].TotalParams</code></example>
/// <example><code>$functional | Get-ModelSummary | Select-Object Name, ConnectedTo</code></example>
[Cmdlet(VerbsCommon.Get, "ModelSummary")]
[OutputType("KerasPS.LayerSummary", "KerasPS.FunctionalLayerSummary")]
public sealed class GetModelSummaryCommand : KerasCmdlet
{
    /// <summary>The model, usually piped from New-Model, an Add-*Layer cmdlet or Build-Model.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
    public Model Model { get; set; } = null!;

    protected override object? DefaultTarget => Model;

    protected override void Process()
    {
        var m = Model.Engine;
        long total = m.ParamCount, trainable = m.TrainableParamCount;
        foreach (var row in m.Summary())
        {
            var o = new PSObject();
            o.TypeNames.Insert(0, "KerasPS.LayerSummary");
            if (m.IsFunctional) o.TypeNames.Insert(0, "KerasPS.FunctionalLayerSummary");
            o.Properties.Add(new PSNoteProperty("Model", m.Name));
            o.Properties.Add(new PSNoteProperty("Name", row.Name));
            o.Properties.Add(new PSNoteProperty("Type", row.Type));
            o.Properties.Add(new PSNoteProperty("OutputShape", row.OutputShape));
            o.Properties.Add(new PSNoteProperty("ParamCount", row.ParamCount));
            o.Properties.Add(new PSNoteProperty("Trainable", row.Trainable));
            o.Properties.Add(new PSNoteProperty("Details", row.Details));
            if (m.IsFunctional) o.Properties.Add(new PSNoteProperty("ConnectedTo", row.ConnectedTo));
            o.Properties.Add(new PSNoteProperty("TotalParams", total));
            o.Properties.Add(new PSNoteProperty("TrainableParams", trainable));
            o.Properties.Add(new PSNoteProperty("NonTrainableParams", total - trainable));
            WriteObject(o);
        }
    }
}
