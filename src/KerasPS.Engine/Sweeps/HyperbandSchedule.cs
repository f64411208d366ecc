namespace KerasPS.Engine.Sweeps;

/// <summary>One training run a schedule asks for: trial <see cref="Trial"/> trained from scratch for <see cref="Epochs"/> epochs.</summary>
public readonly record struct ScheduledRun(int Trial, int Epochs);

/// <summary>What a schedule decided about a trial once it will not train again.</summary>
public readonly record struct TrialVerdict(int Trial, bool Pruned, int Epochs);

/// <summary>
/// Hyperband (Li et al., 2018, Algorithm 1; KerasTuner's Hyperband with max_epochs and factor): brackets of successive
/// halving that trade many trials on few epochs against few trials on many. With R = max epochs and η = factor,
/// s_max = ⌊log_η R⌋; bracket s (s_max down to 0) starts n = ⌈(s_max+1)/(s+1) · η^s⌉ trials on r = R·η^-s epochs and,
/// at each rung i, keeps the best ⌊n_i/η⌋ of its n_i = ⌊n·η^-i⌋ trials for η times the epochs. Trials are numbered
/// bracket by bracket, the most aggressive bracket first. A rung is decided only when all of its runs have reported,
/// so the promotions depend on the values alone, never on the order runs finish in: the same sweep promotes the same
/// trials whatever the throttle, the hosts or a restart. A failed run ranks last. Ties go to the lower trial number.
/// </summary>
public sealed class HyperbandSchedule
{
    private readonly List<Bracket> brackets = new();
    private readonly Dictionary<int, Bracket> bracketOf = new();
    private readonly bool higherIsBetter;

    public HyperbandSchedule(int maxEpochs, int factor, bool higherIsBetter)
    {
        if (maxEpochs < 1)
            throw KerasException.BadArgument("InvalidEpochs",
                $"Hyperband needs max epochs of 1 or more. Received: {maxEpochs}.", maxEpochs);
        if (factor < 2)
            throw KerasException.BadArgument("InvalidPruneFactor",
                $"The Hyperband factor must be 2 or more (3 is usual). Received: {factor}.", factor);
        MaxEpochs = maxEpochs;
        Factor = factor;
        this.higherIsBetter = higherIsBetter;
        int sMax = 0;
        while (Pow(factor, sMax + 1) <= maxEpochs) sMax++;
        int next = 1;
        for (int s = sMax; s >= 0; s--)
        {
            int n = (int)Math.Ceiling((double)(sMax + 1) / (s + 1) * Pow(factor, s) - 1e-9);
            var sizes = new List<int>();
            var budgets = new List<int>();
            for (int i = 0; i <= s; i++)
            {
                sizes.Add(Math.Max(1, n / (int)Pow(factor, i)));
                budgets.Add(Math.Max(1, (int)Math.Round(maxEpochs / Pow(factor, s - i))));
            }
            var b = new Bracket(s, Enumerable.Range(next, n).ToArray(), sizes, budgets);
            foreach (var t in b.Trials) bracketOf[t] = b;
            brackets.Add(b);
            next += n;
        }
    }

    public int MaxEpochs { get; }
    public int Factor { get; }

    /// <summary>Trials over all brackets (the sweep samples this many configurations).</summary>
    public int TotalTrials => bracketOf.Count;

    /// <summary>Per bracket (most aggressive first): its trials and, per rung, how many trials train for how many epochs.</summary>
    public IReadOnlyList<(int Bracket, IReadOnlyList<int> Trials, IReadOnlyList<int> Sizes, IReadOnlyList<int> Epochs)> Brackets =>
        brackets.Select(b => (b.S, (IReadOnlyList<int>)b.Trials, (IReadOnlyList<int>)b.Sizes, (IReadOnlyList<int>)b.Budgets)).ToList();

    /// <summary>Epochs a run of every rung adds up to, training each promoted trial again from scratch.</summary>
    public int PlannedEpochs => brackets.Sum(b => b.Sizes.Zip(b.Budgets, (n, r) => n * r).Sum());

    /// <summary>The first rung of every bracket: all trials on their bracket's fewest epochs.</summary>
    public IReadOnlyList<ScheduledRun> Start() =>
        brackets.SelectMany(b => b.Trials.Select(t => new ScheduledRun(t, b.Budgets[0]))).ToList();

    /// <summary>
    /// Takes the monitored value a run reached (its best over its epochs; null when it failed) and returns the runs that
    /// this completes a rung for (the promoted trials, on the next rung's epochs) and the trials that will not train
    /// again (pruned ones, and those that finished the last rung of their bracket).
    /// </summary>
    public (IReadOnlyList<ScheduledRun> Runs, IReadOnlyList<TrialVerdict> Verdicts) Report(int trial, int epochs, double? value)
    {
        if (!bracketOf.TryGetValue(trial, out var b))
            throw KerasException.BadArgument("UnknownTrial",
                $"Trial {trial} is not part of this Hyperband schedule (trials 1..{TotalTrials}).", trial);
        int rung = b.Rung;
        if (b.Budgets[rung] != epochs || !b.Waiting.Contains(trial))
            throw KerasException.BadOperation("UnexpectedRun", $"Trial {trial} was not asked to train for {epochs} epochs now.", trial);
        b.Waiting.Remove(trial);
        b.Values[trial] = value is double v && double.IsFinite(v) ? v : null;
        var runs = new List<ScheduledRun>();
        var verdicts = new List<TrialVerdict>();
        if (b.Waiting.Count > 0) return (runs, verdicts);

        var ranked = b.Values.OrderBy(kv => kv.Value is null ? 1 : 0)
            .ThenBy(kv => kv.Value is double x ? (higherIsBetter ? -x : x) : 0)
            .ThenBy(kv => kv.Key).Select(kv => kv.Key).ToList();
        bool last = rung == b.Budgets.Count - 1;
        int keep = last ? 0 : Math.Min(b.Sizes[rung + 1], ranked.Count(t => b.Values[t] is not null));
        var promoted = ranked.Take(keep).ToList();
        foreach (var t in ranked.Skip(keep).OrderBy(t => t))
            verdicts.Add(new TrialVerdict(t, Pruned: !last && b.Values[t] is not null, epochs));
        b.Values.Clear();
        if (promoted.Count > 0)
        {
            b.Rung++;
            foreach (var t in promoted.OrderBy(t => t))
            {
                b.Waiting.Add(t);
                runs.Add(new ScheduledRun(t, b.Budgets[b.Rung]));
            }
        }
        return (runs, verdicts);
    }

    private static double Pow(int f, int e) => Math.Pow(f, e);

    private sealed class Bracket
    {
        public Bracket(int s, int[] trials, List<int> sizes, List<int> budgets)
        {
            S = s; Trials = trials; Sizes = sizes; Budgets = budgets;
            Waiting = new HashSet<int>(trials);
        }
        public int S { get; }
        public int[] Trials { get; }
        public List<int> Sizes { get; }
        public List<int> Budgets { get; }
        public int Rung { get; set; }
        public HashSet<int> Waiting { get; }
        public SortedDictionary<int, double?> Values { get; } = new();
    }
}
