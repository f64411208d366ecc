using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Data;
using KerasPS.Engine.Training;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Computes the loss and every compiled metric of a model on data (Keras evaluate), without gradients.</para>
/// <para type="description">The result has Loss and one property per metric, named as in the fit's history. For a model with several
/// outputs it also has each output's loss (ClassLoss, PriceLoss: multiplied by its loss weight, as Keras 3 records it) and the
/// metrics carry the output's name (ClassAccuracy, PriceMae); Loss is their sum plus any regularization. A streamed dataset
/// (Import-ModelData -Stream) is read once, batch by batch.</para>
/// </summary>
/// <example><code>$model | Invoke-ModelEvaluate -Data $split.Test</code></example>
/// <example><code>$model | Invoke-ModelEvaluate -X $x -Y $y -BatchSize 256</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "ModelEvaluate", DefaultParameterSetName = DataSet)]
[OutputType("KerasPS.Evaluation")]
public sealed class InvokeModelEvaluateCommand : ModelDataCommandBase
{

    /// <summary>Targets: class labels, numbers, or rows of numbers; for several outputs a hashtable of them by output name.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ArraySet)]
    public object Y { get; set; } = null!;

    /// <summary>Rows per forward pass (default 1024); it changes memory use, not the result.</summary>
    [Parameter] public int BatchSize { get; set; } = 1024;

    protected override void Process()
    {
        var stream = ParameterSetName == DataSet ? Data.Stream : null;
        EncodedData? data = stream is null ? GetData(Y) : null;
        var (loss, metrics) = stream is null ? Trainer.Evaluate(Model.Engine, data!, BatchSize)
            : Trainer.Evaluate(Model.Engine, stream, BatchSize);
        var o = new PSObject();
        o.TypeNames.Insert(0, "KerasPS.Evaluation");
        o.Properties.Add(new PSNoteProperty("Model", Model.Name));
        o.Properties.Add(new PSNoteProperty("Loss", loss));
        foreach (var kv in metrics) o.Properties.Add(new PSNoteProperty(KerasNames.ToPascal(kv.Key), kv.Value));
        o.Properties.Add(new PSNoteProperty("Samples", stream?.Count ?? data!.Count));
        WriteObject(o);
    }
}
