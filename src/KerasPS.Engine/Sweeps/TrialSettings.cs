using KerasPS.Engine.Data;
using KerasPS.Engine.Training;

namespace KerasPS.Engine.Sweeps;

/// <summary>
/// What every trial (or fold) of one sweep or cross-validation shares: the scripts that build a model and its
/// callbacks, the data, and the fit settings. The cmdlets fill it from their parameters; workers read it.
/// </summary>
public sealed class TrialSettings
{
    /// <summary>Script text that builds one trial's compiled model: param($p, $train) ...</summary>
    public required string ModelScript { get; init; }

    /// <summary>Script text that returns one trial's callbacks: param($p) ..., or null.</summary>
    public string? CallbackScript { get; init; }

    public required EncodedData Data { get; init; }
    public EncodedData? ValidationData { get; init; }
    public double ValidationSplit { get; init; }
    public int BatchSize { get; init; } = FitOptions.DefaultBatchSize;

    /// <summary>Shuffle the training rows each epoch; null leaves the worker's default (on).</summary>
    public bool? Shuffle { get; init; }
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>libtorch intra-op threads per trial, or null for the worker's default.</summary>
    public int? Threads { get; set; }

    /// <summary>History value that ranks trials and decides the best model (val_loss, accuracy, ...).</summary>
    public required string Monitor { get; init; }
}

/// <summary>
/// One unit of work for a worker: a trial of a sweep, or one fold of a trial, with its own seed, rows and epoch budget.
/// The caller (a grid, a cross-validation, or a schedule that promotes trials) decides which requests to queue and for
/// how many epochs; the <see cref="TrialScheduler"/> only runs them.
/// </summary>
public sealed class TrialRequest
{
    public TrialRequest(int trial, IReadOnlyList<KeyValuePair<string, object?>> parameters, long seed, int epochs)
    {
        Trial = trial; Parameters = parameters; Seed = seed; Epochs = epochs;
    }

    public int Trial { get; }

    /// <summary>The trial's parameter values, in the sweep's order (handed to the model script as $p).</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Parameters { get; }
    public long Seed { get; }
    public int Epochs { get; }

    /// <summary>1-based fold and repeat of a cross-validated trial, or 0.</summary>
    public int Fold { get; init; }
    public int Repeat { get; init; }
    public int[]? TrainRows { get; init; }
    public int[]? ValidationRows { get; init; }

    /// <summary>Where to keep the trial's best model (a worker on another host sends it back instead).</summary>
    public string? CheckpointPath { get; init; }
    public bool ReturnCheckpoint { get; init; }

    /// <summary>Return the model's outputs on the validation rows (out-of-fold predictions).</summary>
    public bool Predict { get; init; }

    /// <summary>Per-epoch pruning thresholds of the monitor (median stopping), or null.</summary>
    public double[]? PruneThresholds { get; init; }

    /// <summary>
    /// Called on the trial's thread as each epoch ends, with the epoch (1-based) and its monitored value (NaN when not
    /// recorded); true prunes the trial after that epoch. A study worker reports to its database and asks its pruner here.
    /// Local workers only (a delegate does not travel to a remote host); null for none.
    /// </summary>
    public Func<int, double, bool>? EpochEnd { get; init; }

    /// <summary>Runs started for this request: more than 1 when a host dropped out and it ran again elsewhere.</summary>
    public int Attempts { get; internal set; }

    /// <summary>When the current attempt started (UTC), to tell this trial's files from older ones.</summary>
    public DateTime StartedUtc { get; internal set; }

    /// <summary>Hosts that dropped out while running this request.</summary>
    public List<string> LostHosts { get; } = new();

    /// <summary>"trial 3", or "trial 3 fold 2 (repeat 2)", for messages.</summary>
    public string Describe() =>
        Fold > 0 ? $"trial {Trial} fold {Fold}" + (Repeat > 1 ? $" (repeat {Repeat})" : "") : $"trial {Trial}";
}

/// <summary>What a worker reported for one request.</summary>
public sealed class TrialOutcome
{
    public IReadOnlyList<EpochRecord> Records { get; init; } = Array.Empty<EpochRecord>();

    /// <summary>Wall time of the request on its worker: building the model and training it.</summary>
    public TimeSpan Duration { get; init; }
    public string? ErrorId { get; init; }
    public string? Error { get; init; }
    public float[]? Predictions { get; init; }
    public int PredictionWidth { get; init; }
    public byte[]? Checkpoint { get; init; }

    /// <summary>The epoch after which the request's pruning thresholds stopped it, or null.</summary>
    public int? PrunedAtEpoch { get; init; }
    public bool Failed => ErrorId is not null;

    /// <summary>An outcome for a worker that gave no reply: its error id and first line, or TrialWorkerFailed.</summary>
    public static TrialOutcome WorkerFailed(string? errorId, string? message) => new()
    {
        ErrorId = errorId ?? "TrialWorkerFailed",
        Error = message is null ? "The trial worker returned no result." : message.Split('\n')[0].Trim(),
    };

    /// <summary>
    /// Why the outcome does not count, or null when it does: the request failed, its loss became NaN, or it never
    /// recorded the monitor.
    /// </summary>
    public (string Id, string Message)? Failure(TrialMonitor monitor)
    {
        if (ErrorId is string id) return (id, Error ?? "");
        var last = Records.Count > 0 ? Records[^1] : null;
        if (last is not null && !double.IsFinite(last.Loss))
            return ("LossNotFinite", $"The loss became {last.Loss.ToString(System.Globalization.CultureInfo.InvariantCulture)} at epoch " +
                $"{last.Epoch}, so training stopped. Lower the learning rate or scale the features for these parameters.");
        if (monitor.Best(Records) is null)
            return ("MonitorNotRecorded", $"The trial's history has no finite '{monitor.Name}' (it has: " +
                $"{string.Join(", ", last?.Values.Keys ?? Array.Empty<string>())}). Choose one of those with -Monitor.");
        return null;
    }
}
