using System.Reflection;
using KerasPS.Engine.Models;
using KerasPS.Engine.Training.Optimizers;

namespace KerasPS.Engine.Checkpoints;

/// <summary>How <see cref="Checkpoint.Save"/> writes a checkpoint.</summary>
public sealed class CheckpointSaveOptions
{
    /// <summary>Also store the optimizer's moments, step count and learning rate, so that a fit can resume exactly.</summary>
    public bool IncludeOptimizer { get; set; }

    /// <summary>Store only the weights (Keras save_weights); load them with <see cref="Checkpoint.LoadWeightsInto"/>.</summary>
    public bool WeightsOnly { get; set; }

    /// <summary>Replace an existing file; otherwise an existing file is a <c>CheckpointExists</c> error.</summary>
    public bool Overwrite { get; set; }

    /// <summary>The format to write whatever the path's extension; null: the extension's (<see cref="KerasFiles.FormatOf"/>).</summary>
    public CheckpointFormat? Format { get; set; }
}

/// <summary>
/// KerasPS checkpoints: one zip file holding <c>config.json</c> (model, compile and training state) and
/// <c>model.safetensors</c> (every weight, named <c>layer/weight</c>, kernels in Keras's (in, out) layout), plus
/// <c>optimizer.safetensors</c> when the optimizer state is included. Writes are atomic; reads validate everything
/// before use and never run code from the file. The format is described in module/CHECKPOINT-FORMAT.md.
/// This class is about the file (zip entries, hashes, atomicity, validation); what goes into config.json comes from
/// the objects themselves: <see cref="KerasModel.GetConfig"/> and the layers' own configs, the model's compile
/// config and training state, and <see cref="Optimizer.GetState"/>. One file per job: CheckpointSave.cs writes,
/// CheckpointLoad.cs reads (checking with <see cref="CheckpointValidation"/>), CheckpointOptimizerState.cs turns the
/// optimizer's state into entries and back; Keras's own formats are in <see cref="KerasFiles"/>.
/// </summary>
public static partial class Checkpoint
{
    /// <summary>The format version this code writes and the only one it reads.</summary>
    public const int FormatVersion = 1;
    public const string FormatName = "kerasps.checkpoint";
    public const string ConfigEntry = "config.json";
    public const string WeightsEntry = "model.safetensors";
    public const string OptimizerEntry = "optimizer.safetensors";

    /// <summary>Marks, in a layer's entry of config.json, a layer whose config carries code (a script block).</summary>
    public const string UnsafeFlag = KerasModel.UnsafeFlag;

    private const long MaxConfigBytes = 64L * 1024 * 1024;

    /// <summary>Version of KerasPS written into checkpoints.</summary>
    public static string ProducerVersion { get; } =
        typeof(Checkpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Checkpoint).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    internal static KerasException Invalid(string message) => KerasException.BadData("InvalidCheckpoint", message);
}
