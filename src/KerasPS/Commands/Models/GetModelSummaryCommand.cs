using System.Management.Automation;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Describes a model's layers as Keras's model.summary() does: one object per layer with its output shape and
/// parameter count, and the model's totals.</para>
/// </summary>
/// <example><code>$model | Get-ModelSummary</code></example>
/// <example><code>($model | Get-ModelSummary)[0].TotalParams</code></example>
[Cmdlet(VerbsCommon.Get, "ModelSummary")]
[OutputType("KerasPS.LayerSummary")]
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
            o.Properties.Add(new PSNoteProperty("Model", m.Name));
            o.Properties.Add(new PSNoteProperty("Name", row.Name));
            o.Properties.Add(new PSNoteProperty("Type", row.Type));
            o.Properties.Add(new PSNoteProperty("OutputShape", row.OutputShape));
            o.Properties.Add(new PSNoteProperty("ParamCount", row.ParamCount));
            o.Properties.Add(new PSNoteProperty("Trainable", row.Trainable));
            o.Properties.Add(new PSNoteProperty("Details", row.Details));
            o.Properties.Add(new PSNoteProperty("TotalParams", total));
            o.Properties.Add(new PSNoteProperty("TrainableParams", trainable));
            o.Properties.Add(new PSNoteProperty("NonTrainableParams", total - trainable));
            WriteObject(o);
        }
    }
}
