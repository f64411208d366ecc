using System.Management.Automation;
using KerasPS.Engine.Training.Callbacks;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Callbacks;

/// <summary>
/// <para type="synopsis">Creates a TensorBoard callback (Keras TensorBoard): writes each epoch's loss, metrics and learning rate to
/// TensorFlow event files that TensorBoard reads.</para>
/// <para type="description">Training values go to LogDir/train (tags epoch_loss, epoch_accuracy, ..., epoch_learning_rate) and validation
/// values to LogDir/validation (val_loss as epoch_loss, ...), as Keras lays them out, so `tensorboard --logdir LogDir` draws training and
/// validation on one chart. Each fit writes a new event file in each folder, flushed after every epoch. Only scalars are written (no
/// graphs, histograms or images).</para>
/// </summary>
/// <example><code>$model |
/// Invoke-ModelFit -Data $train -ValidationData $val -Epochs 20 -Callbacks (New-TensorBoardLogger -LogDir ./logs/run1)
/// # then: tensorboard --logdir ./logs</code></example>
/// <example><code>$model |
///     Invoke-ModelFit -Data $train -ValidationSplit 0.2 -Epochs 10 -Callbacks (New-TensorBoardLogger ./logs/run2)</code></example>
[Cmdlet(VerbsCommon.New, "TensorBoardLogger", SupportsShouldProcess = true)]
[OutputType(typeof(TensorBoard))]
public sealed class NewTensorBoardLoggerCommand : KerasCmdlet
{
    /// <summary>Folder for the event files (created when the first epoch ends); one folder per run, e.g. ./logs/run1.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Path")]
    public string LogDir { get; set; } = null!;

    protected override void Process()
    {
        var dir = ResolveOutputPath(LogDir);
        if (!ShouldProcess(dir, "Write TensorBoard event files during training")) return;
        WriteObject(new TensorBoard(dir));
    }
}
