using KerasPS.Engine.Training;
using KerasPS.Engine.Training.Callbacks;

namespace KerasPS.Engine.Sweeps;

/// <summary>
/// The median stopping rule (Golovin et al., 2017, Google Vizier; Optuna's MedianPruner): a trial stops after epoch e
/// when the best value it has reached so far is worse than the median of the values earlier trials recorded at epoch
/// e. The thresholds are worked out before the trial starts, from trials that have finished, so the trial (local or on
/// a remote host) needs nothing but an array, and the same finished trials always give the same decision.
/// </summary>
public static class MedianStopping
{
    /// <summary>
    /// Per epoch (element e-1 for epoch e), the median of <paramref name="monitor"/> over the histories that recorded
    /// it at that epoch; NaN where fewer than <paramref name="minTrials"/> did. The median of an even count is the mean
    /// of the middle two, as numpy's percentile 50.
    /// </summary>
    public static double[] Thresholds(IEnumerable<IReadOnlyList<EpochRecord>> histories, string monitor, int epochs, int minTrials = 1)
    {
        var list = histories.ToList();
        var thresholds = new double[epochs];
        for (int e = 1; e <= epochs; e++)
        {
            var values = list.Select(h => h.FirstOrDefault(r => r.Epoch == e)?.Get(monitor)).OfType<double>().Where(double.IsFinite)
                .OrderBy(v => v).ToList();
            thresholds[e - 1] = values.Count < Math.Max(1, minTrials) ? double.NaN
                : values.Count % 2 == 1 ? values[values.Count / 2] : 0.5 * (values[values.Count / 2 - 1] + values[values.Count / 2]);
        }
        return thresholds;
    }
}

/// <summary>
/// Stops a fit after the first epoch whose best monitored value so far is worse than that epoch's threshold (see
/// <see cref="MedianStopping"/>); a NaN threshold never stops. <see cref="StoppedEpoch"/> tells a pruned trial from one
/// that ran all its epochs.
/// </summary>
public sealed class ThresholdStopping : Callback
{
    private readonly double[] thresholds;
    private double? best;

    public ThresholdStopping(string monitor, bool higherIsBetter, double[] thresholds)
    {
        if (string.IsNullOrWhiteSpace(monitor))
            throw KerasException.BadArgument("InvalidMonitor", "ThresholdStopping needs the name of a history value such as val_loss.");
        Monitor = monitor;
        HigherIsBetter = higherIsBetter;
        this.thresholds = thresholds ?? Array.Empty<double>();
    }

    public string Monitor { get; }
    public bool HigherIsBetter { get; }

    /// <summary>The epoch (1-based) after which the last fit was stopped by this rule; 0 when it was not.</summary>
    public int StoppedEpoch { get; private set; }

    public override void OnTrainBegin(TrainingContext context)
    {
        best = null;
        StoppedEpoch = 0;
    }

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        if (record.Get(Monitor) is double v && double.IsFinite(v) && (best is null || (HigherIsBetter ? v > best : v < best))) best = v;
        int i = record.Epoch - 1;
        if (i < 0 || i >= thresholds.Length || double.IsNaN(thresholds[i])) return;
        double t = thresholds[i];
        if (best is double b && (HigherIsBetter ? b >= t : b <= t)) return;
        StoppedEpoch = record.Epoch;
        context.StopTraining = true;
        context.StopReason = $"pruned: best {Monitor} "
            + $"{best?.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture) ?? "none"} "
            + $"is worse than the median {t.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)} "
            + $"of earlier trials at epoch {record.Epoch}";
        context.Log($"Epoch {record.Epoch}: {context.StopReason}.");
    }
}
