namespace KerasPS.Engine.Training.Callbacks;

/// <summary>keras.callbacks.ReduceLROnPlateau: multiplies the learning rate by Factor after Patience epochs without improvement.</summary>
[KerasObject("keras.callbacks", "ReduceLROnPlateau")]
public sealed class ReduceLROnPlateau : Callback, IKerasObject<ReduceLROnPlateau>
{
    /// <summary>Keras's defaults.</summary>
    public const string DefaultMonitor = "val_loss";
    public const double DefaultFactor = 0.1, DefaultMinDelta = 1e-4;
    public const int DefaultPatience = 10;

    private double best;
    private int wait, cooldownCounter;

    public ReduceLROnPlateau(string monitor = DefaultMonitor, double factor = DefaultFactor, int patience = DefaultPatience,
        MonitorMode mode = MonitorMode.Auto, double minDelta = DefaultMinDelta, int cooldown = 0, double minLearningRate = 0)
    {
        if (!(factor > 0 && factor < 1))
            throw KerasException.BadArgument("InvalidFactor",
                $"Factor must be in (0, 1): the learning rate is multiplied by it. Received: {factor}.", factor);
        if (patience < 0)
            throw KerasException.BadArgument("InvalidPatience", $"Patience must be 0 or more. Received: {patience}.", patience);
        if (cooldown < 0)
            throw KerasException.BadArgument("InvalidCooldown", $"Cooldown must be 0 or more. Received: {cooldown}.", cooldown);
        if (!(minLearningRate >= 0))
            throw KerasException.BadArgument("InvalidLearningRate", $"MinLearningRate must be 0 or more. Received: {minLearningRate}.",
                minLearningRate);
        Monitor = new Monitor(monitor, mode, minDelta);
        Factor = factor;
        Patience = patience;
        Cooldown = cooldown;
        MinLearningRate = minLearningRate;
    }

    public static ReduceLROnPlateau FromConfig(ConfigReader c) => new(c.String("monitor") ?? DefaultMonitor,
        c.Double("factor", DefaultFactor), c.Int("patience", DefaultPatience), Monitor.ReadMode(c), c.Double("min_delta", DefaultMinDelta),
        c.Int("cooldown", 0), c.Double("min_lr", 0));

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        Monitor.WriteConfig(c);
        c["factor"] = Factor;
        c["patience"] = Patience;
        c["min_delta"] = Monitor.MinDelta;
        c["cooldown"] = Cooldown;
        c["min_lr"] = MinLearningRate;
    }

    public Monitor Monitor { get; }
    public double Factor { get; }
    public int Patience { get; }
    public int Cooldown { get; }
    public double MinLearningRate { get; }

    public override void CheckNames(IReadOnlyCollection<string> produced) => Monitor.Check(produced, "ReduceLROnPlateau");

    public override void OnTrainBegin(TrainingContext context)
    {
        best = Monitor.Worst;
        wait = 0;
        cooldownCounter = 0;
        Monitor.ResetWarning();
    }

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        var current = Monitor.Read(record, context, "ReduceLROnPlateau");
        if (current is not double value) return;
        bool inCooldown = cooldownCounter > 0;
        if (inCooldown) { cooldownCounter--; wait = 0; }
        if (Monitor.IsImprovement(value, best)) { best = value; wait = 0; return; }
        if (inCooldown) return;
        wait++;
        if (wait < Patience) return;
        var old = context.LearningRate;
        if (old > MinLearningRate)
        {
            var lr = Math.Max(old * Factor, MinLearningRate);
            context.LearningRate = lr;
            context.Log($"Epoch {record.Epoch}: ReduceLROnPlateau reducing learning rate from {Monitor.Format(old)} to {lr:G4} "
                + $"({Monitor.Name} has not improved on {Monitor.Format(best)} for {wait} epochs).");
            cooldownCounter = Cooldown;
            wait = 0;
        }
    }
}
