using System.Collections;
using System.Management.Automation;
using KerasPS.Engine.Training.Callbacks;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Callbacks;

/// <summary>
/// <para type="synopsis">Creates a callback from script blocks (Keras LambdaCallback): run your own code at the start and end of training
/// and of each epoch.</para>
/// <para type="description">-OnEpochEnd gets the epoch (0-based, as Keras passes it) and a hashtable of the epoch's values by Keras name
/// (loss, accuracy, val_loss, ...); -OnEpochBegin gets the epoch; -OnTrainBegin and -OnTrainEnd get nothing. The blocks run on the thread
/// of the fit, in the caller's session. If a block throws, the error is written as a warning and training stops cleanly after that epoch:
/// the history so far is kept and the model is left as trained.</para>
/// </summary>
/// <example><code>$post = New-LambdaCallback -OnEpochEnd { param($epoch, $logs)
///     Invoke-RestMethod $webhook -Method Post -Body (@{ text = "epoch $epoch val_loss $($logs.val_loss)" } | ConvertTo-Json) }
/// $model | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 20 -Callbacks $post</code></example>
/// <example><code>New-LambdaCallback -OnEpochEnd { param($epoch, $logs) "$epoch,$($logs.loss)" | Add-Content ./log.csv }</code></example>
[Cmdlet(VerbsCommon.New, "LambdaCallback")]
[OutputType(typeof(LambdaCallback))]
public sealed class NewLambdaCallbackCommand : KerasCmdlet
{
    /// <summary>param($epoch, $logs): after each epoch ($epoch 0-based; $logs a hashtable of the epoch's values).</summary>
    [Parameter(Position = 0)] public ScriptBlock? OnEpochEnd { get; set; }

    /// <summary>param($epoch): before each epoch (0-based).</summary>
    [Parameter] public ScriptBlock? OnEpochBegin { get; set; }

    /// <summary>Before the first epoch.</summary>
    [Parameter] public ScriptBlock? OnTrainBegin { get; set; }

    /// <summary>After training, however it ended.</summary>
    [Parameter] public ScriptBlock? OnTrainEnd { get; set; }

    protected override void Process()
    {
        var end = OnEpochEnd;
        var begin = OnEpochBegin;
        var trainBegin = OnTrainBegin;
        var trainEnd = OnTrainEnd;
        WriteObject(new LambdaCallback(
            begin is null ? null : epoch => begin.Invoke(epoch),
            end is null ? null : (epoch, values) => end.Invoke(epoch,
                new Hashtable(values.ToDictionary(kv => kv.Key, kv => (object)kv.Value), StringComparer.OrdinalIgnoreCase)),
            trainBegin is null ? null : () => trainBegin.Invoke(),
            trainEnd is null ? null : () => trainEnd.Invoke()));
    }
}
