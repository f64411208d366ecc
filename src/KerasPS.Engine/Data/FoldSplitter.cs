namespace KerasPS.Engine.Data;

/// <summary>One fold of a cross-validation: 1-based fold and repeat numbers, the rows it trains on and the rows it holds out.</summary>
public sealed record Fold(int Number, int Repeat, int[] TrainRows, int[] TestRows);

/// <summary>
/// scikit-learn's KFold / StratifiedKFold / RepeatedStratifiedKFold, reproducible everywhere: the rows are permuted with
/// <see cref="MersenneTwister"/> (one generator per repeat, seeded from the seed and the repeat), so a seed gives the same
/// folds on every machine, whatever the throttle or host that trains them. Each repeat's test parts partition the rows.
/// </summary>
public static class FoldSplitter
{
    public static IReadOnlyList<Fold> Split(EncodedData data, int folds, bool stratify, int repeats, long seed)
    {
        int n = data.Count;
        if (folds < 2)
            throw KerasException.BadArgument("InvalidFolds", $"Cross-validation needs at least 2 folds. Received: Folds={folds}.", folds);
        if (folds > n)
            throw KerasException.BadArgument("InvalidFolds",
                $"{folds} folds need at least {folds} rows; the data has {n}. Use fewer folds.", folds);
        if (repeats < 1) throw KerasException.BadArgument("InvalidRepeats", $"Repeats must be 1 or more. Received: {repeats}.", repeats);
        if (stratify && data.Labels is null) data = data.AsFewValueClasses() ?? data;
        if (stratify && (data.Labels is null || data.Classes is null))
            throw KerasException.BadArgument("StratifyNeedsClasses",
                "-Stratify needs data with class labels (a classification target, or a numeric target of a few whole numbers); "
                + "this data has none. Leave out -Stratify for regression.");
        var result = new List<Fold>(folds * repeats);
        for (int r = 1; r <= repeats; r++)
        {
            var rng = new MersenneTwister(RepeatSeed(seed, r));
            var assigned = stratify ? DealByClass(data, folds, rng) : Deal(rng.Permutation(n), folds);
            for (int f = 0; f < folds; f++)
            {
                var test = assigned[f];
                var train = new List<int>(n - test.Count);
                for (int g = 0; g < folds; g++) if (g != f) train.AddRange(assigned[g]);
                // Rows in one seeded random order, so batches are not sorted by class or by fold.
                result.Add(new Fold(f + 1, r, Shuffle(train, rng), Shuffle(test, rng)));
            }
        }
        return result;
    }

    /// <summary>
    /// Each class's rows, in a random order, dealt to the folds like cards, the deal continuing from one class to the next:
    /// every fold gets each class's share within one row, and the fold sizes differ by at most one row.
    /// </summary>
    private static List<int>[] DealByClass(EncodedData data, int folds, MersenneTwister rng)
    {
        var byClass = new List<int>[data.Classes!.Count];
        for (int c = 0; c < byClass.Length; c++) byClass[c] = new List<int>();
        for (int i = 0; i < data.Count; i++) byClass[data.Labels![i]].Add(i);
        var parts = Enumerable.Range(0, folds).Select(_ => new List<int>()).ToArray();
        int next = 0;
        foreach (var rows in byClass)
        {
            var perm = rng.Permutation(rows.Count);
            foreach (var p in perm) { parts[next].Add(rows[p]); next = (next + 1) % folds; }
        }
        return parts;
    }

    private static List<int>[] Deal(int[] permutation, int folds)
    {
        // Contiguous blocks of the permutation, the first n % k folds one row larger (scikit-learn's KFold sizes).
        var parts = new List<int>[folds];
        int n = permutation.Length, start = 0;
        for (int f = 0; f < folds; f++)
        {
            int size = n / folds + (f < n % folds ? 1 : 0);
            parts[f] = new List<int>(permutation[start..(start + size)]);
            start += size;
        }
        return parts;
    }

    private static int[] Shuffle(List<int> rows, MersenneTwister rng) => rng.Permutation(rows.Count).Select(p => rows[p]).ToArray();

    private static long RepeatSeed(long seed, int repeat)
    {
        unchecked
        {
            ulong z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)repeat * 0xC2B2AE3D27D4EB4FUL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (long)((z ^ (z >> 31)) >> 1);
        }
    }
}
