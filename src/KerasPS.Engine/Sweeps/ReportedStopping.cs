using System.Globalization;
using KerasPS.Engine.Training;
using KerasPS.Engine.Training.Callbacks;

namespace KerasPS.Engine.Sweeps;

/// <summary>
/// Hands each epoch's monitored value to <see cref="TrialRequest.EpochEnd"/> as the epoch ends (a study worker writes it to
/// the study and asks its pruner, as Optuna's trial.report and trial.should_prune do) and stops the fit after the first
/// epoch the answer is true. <see cref="StoppedEpoch"/> tells a pruned trial from one that ran all its epochs.
/// </summary>
public sealed class ReportedStopping : Callback
{
    private readonly Func<int, double, bool> report;

    public ReportedStopping(string monitor, Func<int, double, bool> report)
    {
        if (string.IsNullOrWhiteSpace(monitor))
            throw KerasException.BadArgument("InvalidMonitor", "ReportedStopping needs the name of a history value such as val_loss.");
        Monitor = monitor;
        this.report = report ?? throw new ArgumentNullException(nameof(report));
    }

    public string Monitor { get; }

    /// <summary>The epoch (1-based) after which the last fit was pruned; 0 when it was not.</summary>
    public int StoppedEpoch { get; private set; }

    public override void OnTrainBegin(TrainingContext context) => StoppedEpoch = 0;

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        double value = record.Get(Monitor) ?? double.NaN;
        if (!report(record.Epoch, value)) return;
        StoppedEpoch = record.Epoch;
        context.StopTraining = true;
        context.StopReason = $"pruned by the study at epoch {record.Epoch} ({Monitor} "
            + $"{value.ToString("0.0000", CultureInfo.InvariantCulture)})";
        context.Log($"Epoch {record.Epoch}: {context.StopReason}.");
    }
}
