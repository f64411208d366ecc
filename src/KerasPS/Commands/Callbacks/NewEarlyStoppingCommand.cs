using KerasPS.Commands.Experiments;
using System.Management.Automation;
using KerasPS.Engine.Training.Callbacks;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Callbacks;

/// <summary>
/// <para type="synopsis">Creates an EarlyStopping callback for Invoke-ModelFit -Callbacks (keras.callbacks.EarlyStopping).</para>
/// <para type="description">Stops training when -Monitor has not improved by more than -MinDelta for -Patience epochs. -Mode auto minimises
/// a loss and follows a metric's own direction (accuracy, auc, precision and recall are maximised, mse and mae minimised; val_auc as auc),
/// and minimises anything else. With -RestoreBestWeights the model ends with the weights of the best epoch, also when patience never ran
/// out. The object can be reused across fits: its state resets when a fit begins. After a fit, StoppedEpoch and BestEpoch tell what
/// happened.</para>
/// </summary>
/// <example><code>$es = New-EarlyStopping -Monitor val_loss -Patience 4 -RestoreBestWeights
/// $model | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 100 -Callbacks $es</code></example>
/// <example><code>New-EarlyStopping -Monitor val_accuracy -Patience 10 -MinDelta 0.001 -StartFromEpoch 5</code></example>
[Cmdlet(VerbsCommon.New, "EarlyStopping")]
[OutputType(typeof(EarlyStopping))]
public sealed class NewEarlyStoppingCommand : KerasCmdlet
{
    /// <summary>History value to watch: val_loss (default), loss, val_accuracy, ...</summary>
    [Parameter(Position = 0)] [ArgumentCompleter(typeof(MonitorCompleter))]
    public string Monitor { get; set; } = EarlyStopping.DefaultMonitor;
    /// <summary>Epochs without improvement before stopping (default 0).</summary>
    [Parameter] public int Patience { get; set; }
    /// <summary>Smallest change that counts as an improvement.</summary>
    [Parameter] public double MinDelta { get; set; }
    /// <summary>auto (default), min or max.</summary>
    [Parameter] public MonitorMode Mode { get; set; } = MonitorMode.Auto;
    /// <summary>Value the monitored quantity must beat; training stops if it does not within Patience epochs.</summary>
    [Parameter] public double? Baseline { get; set; }
    /// <summary>End with the weights of the best epoch.</summary>
    [Parameter] public SwitchParameter RestoreBestWeights { get; set; }
    /// <summary>Epochs (0-based count) to wait before watching starts, as a warm-up.</summary>
    [Parameter] public int StartFromEpoch { get; set; }

    protected override void Process() =>
        WriteObject(new EarlyStopping(Monitor, MinDelta, Patience, Mode, Baseline, RestoreBestWeights, StartFromEpoch));
}
