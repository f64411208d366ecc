using System.Collections.Specialized;
using KerasPS.Engine.Sweeps;

namespace KerasPS.Infrastructure;

/// <summary>Turns trial results into sweep-journal records and back (the journal itself is the engine's SweepJournal).</summary>
internal static class TrialJournal
{
    public static JournalRecord ToRecord(TrialResult r, string kind, int epochs) => new()
    {
        Kind = kind,
        Trial = r.Trial,
        Epochs = epochs,
        Seed = r.Seed,
        Monitor = r.Monitor,
        Parameters = r.Parameters.Cast<System.Collections.DictionaryEntry>().Select(e => JournalParameter.From((string)e.Key, e.Value)).ToList(),
        Status = r.Status,
        ErrorId = r.ErrorId,
        Error = r.Error,
        Host = r.Host,
        Attempts = r.Attempts,
        DurationTicks = r.Duration.Ticks,
        Best = r.Best,
        BestEpoch = r.BestEpoch,
        BestStd = r.BestStd,
        Folds = r.Folds,
        FoldScores = r.FoldScores,
        PrunedAtEpoch = r.PrunedAtEpoch,
        History = r.Records.Select(JournalEpoch.From).ToList(),
    };

    public static TrialResult ToResult(JournalRecord j)
    {
        var parameters = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (var p in j.Parameters) parameters[p.Name] = p.ToValue();
        return new TrialResult(j.Trial, parameters, j.Seed, j.Monitor ?? "val_loss")
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
    }

    /// <summary>True when the journal's record is for the same parameter values (compared as the journal writes them).</summary>
    public static bool SameParameters(JournalRecord j, TrialSpec spec) =>
        j.Parameters.Count == spec.Parameters.Count &&
        j.Parameters.Zip(spec.Parameters).All(x =>
        {
            var mine = JournalParameter.From(x.Second.Key, x.Second.Value);
            return string.Equals(x.First.Name, mine.Name, StringComparison.OrdinalIgnoreCase) && x.First.Value == mine.Value;
        });
}
