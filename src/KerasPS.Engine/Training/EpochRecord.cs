namespace KerasPS.Engine.Training;

/// <summary>
/// One epoch of history (Keras's History, one row per epoch). Values are keyed by Keras's names
/// (loss, accuracy, val_loss, val_accuracy, ...); the cmdlet layer also exposes them as properties.
/// </summary>
public sealed class EpochRecord
{
    public EpochRecord(int epoch, IReadOnlyDictionary<string, double> values, double learningRate, TimeSpan duration, long samples)
    {
        Epoch = epoch;
        Values = values;
        LearningRate = learningRate;
        Duration = duration;
        Samples = samples;
    }

    /// <summary>1-based epoch number, as Keras prints it.</summary>
    public int Epoch { get; }
    public IReadOnlyDictionary<string, double> Values { get; }
    public double Loss => Values["loss"];
    public double? ValLoss => Values.TryGetValue("val_loss", out var v) ? v : null;
    public double LearningRate { get; }
    public TimeSpan Duration { get; }
    public long Samples { get; }

    /// <summary>A value by Keras name (loss, val_accuracy, ...), or null.</summary>
    public double? Get(string name) => Values.TryGetValue(name, out var v) ? v : null;

    public override string ToString() =>
        $"Epoch {Epoch}: " + string.Join(" - ", Values.Select(kv =>
            $"{kv.Key}: {kv.Value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)}"));
}

/// <summary>Batch-level progress, reported at most a few times a second.</summary>
public readonly record struct FitProgress(int Epoch, int Epochs, int Batch, int Batches, double RunningLoss, TimeSpan Elapsed);
