using KerasPS.Engine.Training;

namespace KerasPS.Engine.Sweeps.Studies;

/// <summary>What a KerasPS study searches and how, as New-SweepStudy sets it (kept in the study's user attributes).</summary>
public sealed class StudyDefinition
{
    public required string Name { get; init; }
    public required IReadOnlyList<KeyValuePair<string, object?[]>> Space { get; init; }

    /// <summary>Grid, Random or Tpe.</summary>
    public required string Search { get; init; }

    /// <summary>None, Median or Hyperband.</summary>
    public string Prune { get; init; } = "None";
    public int PruneFactor { get; init; } = 3;
    public required TrialMonitor Monitor { get; init; }

    /// <summary>The study's budget: trials that run (retries of a lost trial not counted).</summary>
    public required int Trials { get; init; }
    public required int Epochs { get; init; }
    public required long Seed { get; init; }
}

/// <summary>
/// A study found in a storage: its database id, its KerasPS definition (null for a study Python wrote) and its distributions.
/// </summary>
public sealed class StudyInfo
{
    internal StudyInfo(int id, string name, string direction, StudyDefinition? definition, IReadOnlyList<OptunaDistribution> distributions)
    {
        Id = id; Name = name; Direction = direction; Definition = definition; Distributions = distributions;
    }

    public int Id { get; }
    public string Name { get; }

    /// <summary>MINIMIZE or MAXIMIZE.</summary>
    public string Direction { get; }
    public StudyDefinition? Definition { get; }
    public IReadOnlyList<OptunaDistribution> Distributions { get; }

    private IReadOnlyList<TrialSpec>? grid;

    /// <summary>The grid's trials, planned once (the same order and seeds as Invoke-ModelSweep's grid).</summary>
    internal IReadOnlyList<TrialSpec> Grid => grid ??= SweepPlan.Grid(Definition!.Space, Definition.Seed);
}

/// <summary>One row of the trials table with what hangs off it, as read back.</summary>
public sealed class StudyTrial
{
    public int TrialId { get; init; }

    /// <summary>Optuna's 0-based trial number in the study.</summary>
    public int Number { get; init; }

    /// <summary>RUNNING, COMPLETE, PRUNED, FAIL or WAITING.</summary>
    public string State { get; set; } = "";
    public DateTime? Start { get; init; }
    public DateTime? Complete { get; init; }
    public Dictionary<string, (double Value, string Distribution)> Params { get; } = new(StringComparer.Ordinal);
    public double? Value { get; set; }
    public SortedDictionary<int, double> Intermediate { get; } = new();

    /// <summary>User attributes: key to value_json.</summary>
    public Dictionary<string, string> UserAttrs { get; } = new(StringComparer.Ordinal);
    public HashSet<string> SystemAttrKeys { get; } = new(StringComparer.Ordinal);
}

/// <summary>A trial a worker claimed: its row, its KerasPS trial number, parameters and seed, and which attempt it is.</summary>
public sealed class ClaimedTrial
{
    public required int TrialId { get; init; }
    public required int Number { get; init; }
    public required TrialSpec Spec { get; init; }

    /// <summary>1 for a first run, 2 for the first retry of a lost trial, ...</summary>
    public required int Attempt { get; init; }
}

/// <summary>The outcome of a claim: a trial, nothing yet (others still run trials that may need a retry), or the budget is spent.</summary>
public enum ClaimStatus
{
    Claimed,
    Wait,
    Done,
}

/// <summary>An epoch's record rebuilt from intermediate values, for the pruning rules.</summary>
internal static class StudyHistory
{
    public static IReadOnlyList<EpochRecord> Records(StudyTrial t, string monitor) =>
        t.Intermediate.Select(kv => new EpochRecord(kv.Key, new Dictionary<string, double> { [monitor] = kv.Value }, 0, TimeSpan.Zero, 0))
            .ToList();
}
