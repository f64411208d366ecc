namespace KerasPS.Engine.Training.Callbacks;

/// <summary>
/// keras.callbacks.EarlyStopping: stops when the monitored value has not improved for <see cref="Patience"/> epochs;
/// with RestoreBestWeights the model ends with the weights of the best epoch, also when patience never ran out.
/// </summary>
[KerasObject("keras.callbacks", "EarlyStopping")]
public sealed class EarlyStopping : Callback, IDisposable, IKerasObject<EarlyStopping>
{
    /// <summary>Keras's monitor.</summary>
    public const string DefaultMonitor = "val_loss";

    private WeightSnapshot? best;
    private double bestValue;
    private int wait, bestEpoch, stoppedEpoch;

    public EarlyStopping(string monitor = DefaultMonitor, double minDelta = 0, int patience = 0, MonitorMode mode = MonitorMode.Auto,
        double? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0)
    {
        if (patience < 0)
            throw KerasException.BadArgument("InvalidPatience", $"Patience must be 0 or more. Received: {patience}.", patience);
        if (startFromEpoch < 0)
            throw KerasException.BadArgument("InvalidStartFromEpoch", $"StartFromEpoch must be 0 or more. Received: {startFromEpoch}.",
                startFromEpoch);
        Monitor = new Monitor(monitor, mode, minDelta);
        Patience = patience;
        Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        StartFromEpoch = startFromEpoch;
    }

    public static EarlyStopping FromConfig(ConfigReader c) => new(c.String("monitor") ?? DefaultMonitor, c.Double("min_delta", 0),
        c.Int("patience", 0), Monitor.ReadMode(c), c.NullableDouble("baseline"), c.Bool("restore_best_weights", false),
        c.Int("start_from_epoch", 0));

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        Monitor.WriteConfig(c);
        c["min_delta"] = Monitor.MinDelta;
        c["patience"] = Patience;
        c["baseline"] = Baseline;
        c["restore_best_weights"] = RestoreBestWeights;
        c["start_from_epoch"] = StartFromEpoch;
    }

    public Monitor Monitor { get; }
    public int Patience { get; }
    public double? Baseline { get; }
    public bool RestoreBestWeights { get; }
    public int StartFromEpoch { get; }

    /// <summary>Epoch (1-based) at which the last fit was stopped by this callback; 0 when it was not.</summary>
    public int StoppedEpoch => stoppedEpoch;

    /// <summary>Epoch (1-based) with the best monitored value in the last fit.</summary>
    public int BestEpoch => bestEpoch;
    public double BestValue => bestValue;

    public override void CheckNames(IReadOnlyCollection<string> produced) => Monitor.Check(produced, "EarlyStopping");

    public override void OnTrainBegin(TrainingContext context)
    {
        best?.Dispose();
        best = null;
        wait = 0;
        stoppedEpoch = 0;
        bestEpoch = 0;
        bestValue = Monitor.Worst;
        Monitor.ResetWarning();
    }

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        var current = Monitor.Read(record, context, "EarlyStopping");
        if (current is not double value) return;
        if (RestoreBestWeights && best is null)
        {
            best = new WeightSnapshot(context.Model);
            bestEpoch = record.Epoch;
        }
        if (record.Epoch - 1 < StartFromEpoch) return;
        wait++;
        if (Monitor.IsImprovement(value, bestValue))
        {
            bestValue = value;
            bestEpoch = record.Epoch;
            if (RestoreBestWeights)
            {
                best?.Dispose();
                best = new WeightSnapshot(context.Model);
            }
            if (Baseline is null || Monitor.IsImprovement(value, Baseline.Value)) wait = 0;
            return;
        }
        if (wait >= Patience && record.Epoch > 1)
        {
            stoppedEpoch = record.Epoch;
            context.StopTraining = true;
            context.StopReason = "early_stopping";
            context.Log($"Epoch {record.Epoch}: early stopping ({Monitor.Name} has not improved on {Monitor.Format(bestValue)} from epoch "
                + $"{bestEpoch} for {wait} epochs).");
        }
    }

    public override void OnTrainEnd(TrainingContext context)
    {
        if (RestoreBestWeights && best is not null)
        {
            var last = context.Model.EpochsTrained;
            if (bestEpoch != last)
                context.Log("Restoring model weights from the end of the best epoch: "
                    + $"{bestEpoch} ({Monitor.Name} {Monitor.Format(bestValue)}).");
            best.Restore();
        }
        best?.Dispose();
        best = null;
    }

    public void Dispose() { best?.Dispose(); best = null; }
}
