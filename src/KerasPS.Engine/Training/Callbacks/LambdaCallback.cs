namespace KerasPS.Engine.Training.Callbacks;

/// <summary>
/// Keras's LambdaCallback: functions called at train begin, epoch begin (0-based epoch), epoch end (0-based epoch and the
/// epoch's values by Keras name) and train end. A function that throws does not tear the fit down: the error is
/// reported as a warning and training stops after the current epoch, with the history so far intact.
/// </summary>
public sealed class LambdaCallback : Callback
{
    private readonly Action? onTrainBegin, onTrainEnd;
    private readonly Action<int>? onEpochBegin;
    private readonly Action<int, IReadOnlyDictionary<string, double>>? onEpochEnd;

    public LambdaCallback(Action<int>? onEpochBegin = null, Action<int, IReadOnlyDictionary<string, double>>? onEpochEnd = null,
        Action? onTrainBegin = null, Action? onTrainEnd = null)
    {
        if (onEpochBegin is null && onEpochEnd is null && onTrainBegin is null && onTrainEnd is null)
            throw KerasException.BadArgument("EmptyLambdaCallback",
                "A LambdaCallback needs at least one function: -OnEpochEnd, -OnEpochBegin, -OnTrainBegin or -OnTrainEnd.");
        this.onEpochBegin = onEpochBegin;
        this.onEpochEnd = onEpochEnd;
        this.onTrainBegin = onTrainBegin;
        this.onTrainEnd = onTrainEnd;
    }

    public override void OnTrainBegin(TrainingContext context) => Guard(context, "on train begin", 0, () => onTrainBegin?.Invoke());
    public override void OnEpochBegin(TrainingContext context, int epoch) =>
        Guard(context, "on epoch begin", epoch + 1, () => onEpochBegin?.Invoke(epoch));
    public override void OnEpochEnd(TrainingContext context, EpochRecord record) =>
        Guard(context, "on epoch end", record.Epoch, () => onEpochEnd?.Invoke(record.Epoch - 1, record.Values));
    public override void OnTrainEnd(TrainingContext context) => Guard(context, "on train end", 0, () => onTrainEnd?.Invoke());

    private static void Guard(TrainingContext context, string hook, int epoch, Action call)
    {
        try { call(); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.Warn($"{(epoch > 0 ? $"Epoch {epoch}: " : "")}the LambdaCallback's {hook} function failed: "
                + $"{e.Message} Training stops here.");
            context.StopTraining = true;
            context.StopReason ??= "lambda_callback_failed";
        }
    }
}
