using KerasPS.Engine.Training;

namespace KerasPS.Engine.Sweeps;

/// <summary>
/// One trial of a sweep as the engine knows it: its parameters, status, score and history. The front end shows it as
/// a KerasPS.TrialResult; the sweep journal records it and reads it back.
/// </summary>
public sealed class TrialRun
{
    public TrialRun(int trial, IReadOnlyList<KeyValuePair<string, object?>> parameters, long seed, string monitor)
    {
        Trial = trial; Parameters = parameters; Seed = seed; Monitor = monitor;
    }

    public int Trial { get; }
    public IReadOnlyList<KeyValuePair<string, object?>> Parameters { get; }
    public long Seed { get; }
    public string Monitor { get; }

    /// <summary>Completed, Pruned or Failed.</summary>
    public string Status { get; set; } = "Failed";
    public int? PrunedAtEpoch { get; set; }
    public double? Best { get; set; }
    public double? BestStd { get; set; }
    public int Folds { get; set; }
    public double[]? FoldScores { get; set; }
    public int? BestEpoch { get; set; }
    public TimeSpan Duration { get; set; }
    public string Host { get; set; } = "localhost";
    public int Attempts { get; set; }
    public string? Checkpoint { get; set; }
    public bool FromJournal { get; set; }
    public string? Error { get; set; }
    public string? ErrorId { get; set; }
    public IReadOnlyList<EpochRecord> Records { get; set; } = Array.Empty<EpochRecord>();

    /// <summary>The journal's record of this run after <paramref name="epochs"/> epochs ("run" or "result").</summary>
    public JournalRecord ToJournal(string kind, int epochs) => new()
    {
        Kind = kind,
        Trial = Trial,
        Epochs = epochs,
        Seed = Seed,
        Monitor = Monitor,
        Parameters = Parameters.Select(p => JournalParameter.From(p.Key, p.Value)).ToList(),
        Status = Status,
        ErrorId = ErrorId,
        Error = Error,
        Host = Host,
        Attempts = Attempts,
        DurationTicks = Duration.Ticks,
        Best = Best,
        BestEpoch = BestEpoch,
        BestStd = BestStd,
        Folds = Folds,
        FoldScores = FoldScores,
        PrunedAtEpoch = PrunedAtEpoch,
        History = Records.Select(JournalEpoch.From).ToList(),
    };

    /// <summary>A run read back from a journal record.</summary>
    public static TrialRun FromRecord(JournalRecord j) =>
        new(j.Trial, j.Parameters.Select(p => new KeyValuePair<string, object?>(p.Name, p.ToValue())).ToList(), j.Seed,
            j.Monitor ?? "val_loss")
        {
            Status = j.Status,
            ErrorId = j.ErrorId,
            Error = j.Error,
            Host = j.Host,
            Attempts = j.Attempts,
            Duration = TimeSpan.FromTicks(j.DurationTicks),
            Best = j.Best,
            BestEpoch = j.BestEpoch,
            BestStd = j.BestStd,
            Folds = j.Folds,
            FoldScores = j.FoldScores,
            PrunedAtEpoch = j.PrunedAtEpoch,
            Records = j.History.Select(e => e.ToRecord()).ToList(),
            FromJournal = true,
        };

    /// <summary>True when the journal's record is for the same parameter values (compared as the journal writes them).</summary>
    public static bool SameParameters(JournalRecord j, TrialSpec spec) =>
        j.Parameters.Count == spec.Parameters.Count &&
        j.Parameters.Zip(spec.Parameters).All(x =>
        {
            var mine = JournalParameter.From(x.Second.Key, x.Second.Value);
            return string.Equals(x.First.Name, mine.Name, StringComparison.OrdinalIgnoreCase) && x.First.Value == mine.Value;
        });

    public override string ToString() =>
        $"Trial {Trial} ({Status}): " + string.Join(", ", Parameters.Select(e => $"{e.Key}={e.Value}")) +
        (Best is double b ? $" - best {Monitor} {b.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)}" +
            (BestStd is double sd ? $" ± {sd.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)} over {Folds} folds"
                : $" at epoch {BestEpoch}") : "");
}
