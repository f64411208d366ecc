using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Training.Callbacks;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Callbacks;

/// <summary>
/// <para type="synopsis">Creates a LearningRateScheduler callback: before each epoch, the script block gets the epoch (0-based) and the
/// current learning rate and returns the new one.</para>
/// <para type="description">The script block runs in the caller's session, on the thread that runs Invoke-ModelFit.</para>
/// </summary>
/// <example><code>$decay = New-LearningRateScheduler -ScriptBlock { param($epoch, $lr)
///     if ($epoch -lt 10) { $lr } else { $lr * 0.9 } }</code></example>
/// <example><code>$model |
///     Invoke-ModelFit -Data $train -Epochs 20 -Callbacks (New-LearningRateScheduler { param($e, $lr) $lr * 0.9 })</code></example>
[Cmdlet(VerbsCommon.New, "LearningRateScheduler")]
[OutputType(typeof(LearningRateScheduler))]
public sealed class NewLearningRateSchedulerCommand : KerasCmdlet
{
    /// <summary>param($epoch, $lr) -> new learning rate (a positive number).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    protected override void Process()
    {
        var sb = ScriptBlock;
        WriteObject(new LearningRateScheduler((epoch, lr) =>
        {
            var result = sb.Invoke(epoch, lr);
            var last = result.Count > 0 ? result[^1]?.BaseObject : null;
            if (last is null)
                throw KerasException.BadOperation("InvalidLearningRate",
                    $"The learning-rate schedule returned nothing at epoch {epoch}; it must return a number.");
            return Convert.ToDouble(last, CultureInfo.InvariantCulture);
        }, sb.ToString().Trim()));
    }
}
