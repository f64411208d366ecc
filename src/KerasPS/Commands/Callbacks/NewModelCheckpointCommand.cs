using KerasPS.Commands.Experiments;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Training.Callbacks;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Callbacks;

/// <summary>
/// <para type="synopsis">Creates a ModelCheckpoint callback (keras.callbacks.ModelCheckpoint): saves the model after each epoch, or only
/// when it improves.</para>
/// <para type="description">The extension picks the format: a .kpt file is a KerasPS checkpoint (the model with its optimizer state, or
/// only the weights with -SaveWeightsOnly; Invoke-ModelFit -Resume continues from it); best_model.h5 is a Keras 2 HDF5 file and model.keras
/// a Keras 3 archive, which Keras (and Import-Checkpoint) open, without optimizer state. The path may hold placeholders {epoch},
/// {epoch:02d}, {val_loss:.4f} or any history name. Each write goes to a temporary file that is renamed over the target, so an interrupted
/// run never leaves a half-written checkpoint and the previous one survives. As in Keras, the best value is remembered across fits.</para>
/// </summary>
/// <example><code>$best = New-ModelCheckpoint -Path ./otto-best.kpt -Monitor val_loss -SaveBestOnly
/// $model | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 20 -Callbacks $best</code></example>
/// <example><code>New-ModelCheckpoint -Path './runs/epoch-{epoch:02d}-{val_loss:.3f}.kpt'</code></example>
[Cmdlet(VerbsCommon.New, "ModelCheckpoint")]
[OutputType(typeof(ModelCheckpoint))]
public sealed class NewModelCheckpointCommand : KerasCmdlet
{
    /// <summary>File to write; relative paths are relative to the current PowerShell location. Placeholders: {epoch}, {epoch:02d},
    /// {val_loss:.4f}, ...</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("LiteralPath")]
    public string Path { get; set; } = null!;

    /// <summary>History value that decides "best" with -SaveBestOnly (default val_loss).</summary>
    [Parameter] [ArgumentCompleter(typeof(MonitorCompleter))] public string Monitor { get; set; } = ModelCheckpoint.DefaultMonitor;

    /// <summary>Write only when the monitored value improves.</summary>
    [Parameter] public SwitchParameter SaveBestOnly { get; set; }

    /// <summary>Write only the weights (Keras save_weights); load them with Import-Checkpoint -WeightsInto.</summary>
    [Parameter] public SwitchParameter SaveWeightsOnly { get; set; }

    /// <summary>auto (default), min or max.</summary>
    [Parameter] public MonitorMode Mode { get; set; } = MonitorMode.Auto;

    /// <summary>Only save once the monitored value beats this (Keras initial_value_threshold).</summary>
    [Parameter] public double? InitialValueThreshold { get; set; }

    protected override void Process()
    {
        // As given (Windows trims a trailing dot on resolution); a part with a placeholder is checked at each save.
        WindowsFileNames.CheckPath(Path, OperatingSystem.IsWindows(), template: true);
        var full = ResolveFilePath(Path);
        var dir = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir) && !dir.Contains('{'))
            Fail("CheckpointDirectoryNotFound", ErrorCategory.ObjectNotFound,
                $"The folder '{dir}' does not exist. Create it first (New-Item -ItemType Directory '{dir}').", Path);
        WriteObject(new ModelCheckpoint(full, Monitor, SaveBestOnly, SaveWeightsOnly, Mode, InitialValueThreshold));
    }
}
