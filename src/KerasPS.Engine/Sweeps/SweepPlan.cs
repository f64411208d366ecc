namespace KerasPS.Engine.Sweeps;

/// <summary>One trial of a sweep: its 1-based number, its parameter values (in the sweep's parameter order) and its seed.</summary>
public sealed record TrialSpec(int Trial, IReadOnlyList<KeyValuePair<string, object?>> Parameters, long Seed);

/// <summary>
/// Turns a parameter space into trials. Grid: every combination, the first parameter varying slowest. Random: each
/// trial draws its values from its own generator, seeded from the sweep seed and the trial number, so trial k has the
/// same values and the same training seed whatever -Trials, -ThrottleLimit or the host that runs it.
/// </summary>
public static class SweepPlan
{
    public const int MaxGridTrials = 100_000;

    public static IReadOnlyList<TrialSpec> Grid(IReadOnlyList<KeyValuePair<string, object?[]>> space, long seed)
    {
        CheckSpace(space);
        foreach (var (name, values) in space)
        {
            if (values.FirstOrDefault(v => v is ParameterRange) is ParameterRange r)
                throw KerasException.BadArgument("RangeInGridSweep",
                    $"Parameter '{name}' is a range ({r}); a grid needs a list of values. Add -Random -Trials N to sample ranges, "
                    + "or give a list such as 0.1, 0.01.", name);
        }
        long total = 1;
        foreach (var (_, values) in space)
        {
            total *= values.Length;
            if (total > MaxGridTrials)
                throw KerasException.BadArgument("GridTooLarge",
                    $"The grid has more than {MaxGridTrials:N0} combinations. Use -Random -Trials N to sample it instead.");
        }
        var trials = new List<TrialSpec>((int)total);
        var idx = new int[space.Count];
        for (int t = 0; t < total; t++)
        {
            var ps = new KeyValuePair<string, object?>[space.Count];
            for (int i = 0; i < space.Count; i++) ps[i] = new(space[i].Key, space[i].Value[idx[i]]);
            trials.Add(new TrialSpec(t + 1, ps, TrialSeed(seed, t + 1)));
            for (int i = space.Count - 1; i >= 0; i--)
            {
                if (++idx[i] < space[i].Value.Length) break;
                idx[i] = 0;
            }
        }
        return trials;
    }

    public static IReadOnlyList<TrialSpec> Random(IReadOnlyList<KeyValuePair<string, object?[]>> space, int trials, long seed)
    {
        CheckSpace(space);
        if (trials < 1) throw KerasException.BadArgument("InvalidTrials", $"Trials must be 1 or more. Received: {trials}.", trials);
        var list = new List<TrialSpec>(trials);
        for (int t = 1; t <= trials; t++) list.Add(RandomTrial(space, t, seed));
        return list;
    }

    /// <summary>Trial <paramref name="trial"/> of a random sweep: its values depend only on the sweep seed and its number.</summary>
    public static TrialSpec RandomTrial(IReadOnlyList<KeyValuePair<string, object?[]>> space, int trial, long seed)
    {
        var rng = new MersenneTwister(Mix(seed, trial, 2));
        var ps = new KeyValuePair<string, object?>[space.Count];
        for (int i = 0; i < space.Count; i++)
        {
            var values = space[i].Value;
            // A list is a choice among its items; a single range is sampled; a range inside a list is sampled when chosen.
            object? v = values.Length == 1 ? values[0] : values[rng.NextInt(values.Length)];
            if (v is ParameterRange r) v = r.Sample(rng);
            ps[i] = new(space[i].Key, v);
        }
        return new TrialSpec(trial, ps, TrialSeed(seed, trial));
    }

    internal static void CheckSpace(IReadOnlyList<KeyValuePair<string, object?[]>> space)
    {
        if (space.Count == 0)
            throw KerasException.BadArgument("EmptyParameterSpace",
                "-Parameters is empty. Give at least one parameter, e.g. @{ Units = 32, 64 }.");
        foreach (var (name, values) in space)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw KerasException.BadArgument("InvalidParameterName", "A sweep parameter has an empty name.");
            if (values.Length == 0)
                throw KerasException.BadArgument("EmptyParameterValues",
                    $"Parameter '{name}' has no values. Give at least one value or a range.", name);
        }
    }

    /// <summary>The training seed of trial <paramref name="trial"/> (1-based) of a sweep with seed <paramref name="sweepSeed"/>.</summary>
    public static long TrialSeed(long sweepSeed, int trial) => Mix(sweepSeed, trial, 1);

    internal static long Mix(long seed, int trial, int stream)
    {
        unchecked
        {
            ulong z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)trial * 0xD1B54A32D192ED03UL + (ulong)stream * 0x8CB92BA72F3D8DD7UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (long)((z ^ (z >> 31)) >> 33);   // 31 bits: fits every seed parameter and is easy to type back
        }
    }
}
