using KerasPS.Engine.Training;
using KerasPS.Engine.Training.Callbacks;

namespace KerasPS.Engine.Sweeps;

/// <summary>
/// The quantity a sweep ranks trials by (Keras's monitor), with the direction taken from its name as Keras's "auto" mode does.
/// </summary>
public sealed class TrialMonitor
{
    public TrialMonitor(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw KerasException.BadArgument("InvalidMonitor", "-Monitor must name a history value such as val_loss or val_accuracy.");
        Name = KerasNames.ToHistoryName(name);
        // The same rule as the callbacks' monitors, so a sweep ranks trials the way their ModelCheckpoint keeps the best.
        HigherIsBetter = Training.Callbacks.Monitor.AutoMode(Name) == MonitorMode.Max;
    }

    public string Name { get; }

    /// <summary>True for accuracies, AUC, precision and recall (mode max); false for losses and errors (mode min).</summary>
    public bool HigherIsBetter { get; }

    public string Mode => HigherIsBetter ? "max" : "min";

    /// <summary>The best finite value in a history and its 1-based epoch, or null when the history never recorded it.</summary>
    public (double Value, int Epoch)? Best(IEnumerable<EpochRecord> history)
    {
        (double, int)? best = null;
        foreach (var r in history)
        {
            if (r.Get(Name) is not double v || !double.IsFinite(v)) continue;
            if (best is null || (HigherIsBetter ? v > best.Value.Item1 : v < best.Value.Item1)) best = (v, r.Epoch);
        }
        return best;
    }
}
