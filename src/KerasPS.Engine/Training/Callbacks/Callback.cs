using KerasPS.Engine.Models;

namespace KerasPS.Engine.Training.Callbacks;

/// <summary>What a callback sees and may change during a fit.</summary>
public sealed class TrainingContext
{
    public TrainingContext(KerasModel model, int epochs, Action<string> log, Action<string> warn)
    {
        Model = model;
        Epochs = epochs;
        Log = log;
        Warn = warn;
    }

    public KerasModel Model { get; }
    public int Epochs { get; }

    /// <summary>Set to stop after the current epoch (Keras's model.stop_training).</summary>
    public bool StopTraining { get; set; }

    /// <summary>Why training stopped early, for the closing message.</summary>
    public string? StopReason { get; set; }

    /// <summary>One line per decision, shown on the verbose stream ("Epoch 9: early stopping").</summary>
    public Action<string> Log { get; }
    public Action<string> Warn { get; }

    public double LearningRate
    {
        get => Model.Optimizer!.LearningRate;
        set => Model.Optimizer!.LearningRate = value;
    }
}

/// <summary>
/// A Keras callback: hooks called in a fixed order (train begin, epoch begin, epoch end, train end).
/// Instances are reusable across fits: state is reset in <see cref="OnTrainBegin"/>. A callback whose settings are
/// plain data registers with <c>[KerasObject("keras.callbacks", ClassName)]</c> and builds itself from its config;
/// one that holds code (LambdaCallback, LearningRateScheduler) does not.
/// </summary>
public abstract class Callback
{
    /// <summary>The callback's settings in Keras's key names (the keys its <c>FromConfig</c> reads).</summary>
    public Dictionary<string, object?> GetConfig()
    {
        var c = new Dictionary<string, object?>();
        WriteConfig(c);
        return c;
    }

    /// <summary>Adds the callback's settings to its config.</summary>
    protected virtual void WriteConfig(IDictionary<string, object?> config) { }

    public virtual void OnTrainBegin(TrainingContext context) { }

    /// <summary>Checks, before the first epoch, that the history names the callback reads are among <paramref name="produced"/>.</summary>
    public virtual void CheckNames(IReadOnlyCollection<string> produced) { }
    public virtual void OnEpochBegin(TrainingContext context, int epoch) { }
    public virtual void OnEpochEnd(TrainingContext context, EpochRecord record) { }

    /// <summary>Called however the fit ends: normally, stopped early, cancelled, or by an error.</summary>
    public virtual void OnTrainEnd(TrainingContext context) { }

    /// <summary>True when the callback must see every batch's loss (TerminateOnNaN).</summary>
    public virtual bool NeedsBatchLoss => false;

    /// <summary>Called after each batch only when <see cref="NeedsBatchLoss"/>.</summary>
    public virtual void OnBatchEnd(TrainingContext context, int batch, double loss) { }
}
