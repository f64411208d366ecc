using KerasPS.Commands.Experiments;
using System.Management.Automation;
using KerasPS.Engine.Training.Callbacks;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Callbacks;

/// <summary>
/// <para type="synopsis">Creates a ReduceLROnPlateau callback (keras.callbacks.ReduceLROnPlateau): lowers the learning rate when the
/// monitored value stops improving.</para>
/// </summary>
/// <example><code>$reduce = New-ReduceLROnPlateau -Factor 0.5 -Patience 3
/// $model | Invoke-ModelFit -Data $train -ValidationSplit 0.15 -Epochs 50 -Callbacks $reduce</code></example>
/// <example><code>New-ReduceLROnPlateau -Monitor val_loss -Factor 0.2 -Patience 5 -MinLearningRate 0.00001 -Cooldown 2</code></example>
[Cmdlet(VerbsCommon.New, "ReduceLROnPlateau")]
[OutputType(typeof(ReduceLROnPlateau))]
public sealed class NewReduceLROnPlateauCommand : KerasCmdlet
{
    /// <summary>History value to watch: val_loss (default), loss, val_accuracy, ...</summary>
    [Parameter(Position = 0)] [ArgumentCompleter(typeof(MonitorCompleter))]
    public string Monitor { get; set; } = ReduceLROnPlateau.DefaultMonitor;
    /// <summary>Multiplier applied to the learning rate, in (0, 1) (default 0.1).</summary>
    [Parameter] public double Factor { get; set; } = ReduceLROnPlateau.DefaultFactor;
    /// <summary>Epochs without improvement before reducing (default 10).</summary>
    [Parameter] public int Patience { get; set; } = ReduceLROnPlateau.DefaultPatience;
    /// <summary>auto (default), min or max.</summary>
    [Parameter] public MonitorMode Mode { get; set; } = MonitorMode.Auto;
    /// <summary>Smallest change that counts as an improvement (default 1e-4).</summary>
    [Parameter] public double MinDelta { get; set; } = ReduceLROnPlateau.DefaultMinDelta;
    /// <summary>Epochs to wait after a reduction before watching again.</summary>
    [Parameter] public int Cooldown { get; set; }
    /// <summary>Lower bound of the learning rate.</summary>
    [Parameter] public double MinLearningRate { get; set; }

    protected override void Process() =>
        WriteObject(new ReduceLROnPlateau(Monitor, Factor, Patience, Mode, MinDelta, Cooldown, MinLearningRate));
}
