namespace KerasPS.Engine.Training.Callbacks;

/// <summary>keras.callbacks.LearningRateScheduler: before each epoch, sets the learning rate to schedule(epoch, lr) (epoch 0-based, as
/// Keras).</summary>
public sealed class LearningRateScheduler : Callback
{
    private readonly Func<int, double, double> schedule;

    public LearningRateScheduler(Func<int, double, double> schedule, string description)
    {
        this.schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        Description = description;
    }

    /// <summary>The schedule as text (the script block), for display.</summary>
    public string Description { get; }

    public override void OnEpochBegin(TrainingContext context, int epoch)
    {
        double lr;
        try { lr = schedule(epoch, context.LearningRate); }
        catch (Exception e) when (e is not KerasException)
        {
            throw KerasException.BadOperation("LearningRateScheduleFailed",
                $"The learning-rate schedule failed at epoch {epoch}: {e.Message}");
        }
        if (!(lr > 0) || double.IsInfinity(lr))
            throw KerasException.BadOperation("InvalidLearningRate",
                $"The learning-rate schedule returned {lr} at epoch {epoch}; it must return a positive number.");
        if (lr != context.LearningRate)
            context.Log($"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr:G6}.");
        context.LearningRate = lr;
    }
}

/// <summary>keras.callbacks.TerminateOnNaN: stops training at the first batch whose loss is NaN or infinite.</summary>
[KerasObject("keras.callbacks", "TerminateOnNaN")]
public sealed class TerminateOnNaN : Callback, IKerasObject<TerminateOnNaN>
{
    public static TerminateOnNaN FromConfig(ConfigReader config) => new();

    public override bool NeedsBatchLoss => true;

    public override void OnBatchEnd(TrainingContext context, int batch, double loss)
    {
        if (double.IsNaN(loss) || double.IsInfinity(loss))
        {
            context.StopTraining = true;
            context.StopReason = "nan";
            context.Warn($"Batch {batch + 1}: invalid loss ({loss}), terminating training. Lower the learning rate, scale the features, "
                + "or add -ClipNorm to the optimizer.");
        }
    }
}
