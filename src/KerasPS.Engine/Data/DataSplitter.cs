namespace KerasPS.Engine.Data;

/// <summary>Rows of a split, and the parts as datasets.</summary>
public sealed record SplitResult(EncodedData Train, EncodedData Test, EncodedData? Validation, long? Seed);

/// <summary>
/// scikit-learn's train_test_split, made reproducible everywhere: the permutation comes from
/// <see cref="MersenneTwister"/>, so a seed gives the same rows on every machine and runtime.
/// </summary>
public static class DataSplitter
{
    /// <summary>
    /// Rows for a size given as a fraction in (0, 1) (rounded up, as scikit-learn does for the test part) or as a
    /// whole count of at least 1.
    /// </summary>
    public static int RowsFor(double size, int count, string parameter)
    {
        if (!(size > 0) || double.IsInfinity(size) || (size >= 1 && size != Math.Floor(size)))
            throw KerasException.BadArgument("InvalidSplitSize",
                $"-{parameter} must be a fraction between 0 and 1 (0.15) or a whole number of rows (100). Received: "
                    + $"{size.ToString(System.Globalization.CultureInfo.InvariantCulture)}.", size);
        int rows = size < 1 ? (int)Math.Ceiling(size * count) : (int)size;
        if (rows >= count)
            throw KerasException.BadArgument("InvalidSplitSize",
                $"-{parameter} {size.ToString(System.Globalization.CultureInfo.InvariantCulture)} takes {rows} of the {count} rows and "
                    + "leaves none for training. Give a smaller size.", size);
        return rows;
    }

    /// <summary>
    /// Splits the rows: shuffled with the seed (or unshuffled: test = last rows, validation = the rows before them),
    /// optionally stratified so each class keeps its share in every part (within one row per class).
    /// </summary>
    public static SplitResult Split(EncodedData data, double testSize, double? validationSize, long? seed, bool stratify, bool shuffle)
    {
        int n = data.Count;
        if (n < 2) throw KerasException.BadArgument("TooFewRows", $"A split needs at least 2 rows; the data has {n}.", n);
        int nTest = RowsFor(testSize, n, "TestSize");
        int nVal = validationSize is { } v ? RowsFor(v, n, "ValidationSize") : 0;
        if (nTest + nVal >= n)
            throw KerasException.BadArgument("InvalidSplitSize",
                $"-TestSize and -ValidationSize take {nTest} + {nVal} of the {n} rows and leave none for training. Give smaller sizes.");
        if (stratify && !shuffle)
            throw KerasException.BadArgument("StratifyNeedsShuffle",
                "-Stratify picks rows of each class at random; it cannot be combined with -NoShuffle.");
        long? usedSeed = shuffle ? seed ?? MersenneTwister.RandomSeed() : null;

        int[] test, val, train;
        if (!shuffle)
        {
            train = Enumerable.Range(0, n - nTest - nVal).ToArray();
            val = Enumerable.Range(n - nTest - nVal, nVal).ToArray();
            test = Enumerable.Range(n - nTest, nTest).ToArray();
        }
        else if (!stratify)
        {
            var perm = new MersenneTwister(usedSeed!.Value).Permutation(n);
            test = perm[..nTest];
            val = perm[nTest..(nTest + nVal)];
            train = perm[(nTest + nVal)..];
        }
        else (train, test, val) = Stratified(data, nTest, nVal, new MersenneTwister(usedSeed!.Value));

        var trainSet = data.Subset(train);
        return new SplitResult(trainSet, data.Subset(test), nVal > 0 ? data.Subset(val) : null, usedSeed);
    }

    private static (int[] Train, int[] Test, int[] Val) Stratified(EncodedData data, int nTest, int nVal, MersenneTwister rng)
    {
        // A numeric target of a few whole numbers (0/1 labels) is stratified by its values, as scikit-learn's stratify=y.
        if (data.Labels is null) data = data.AsFewValueClasses() ?? data;
        if (data.Labels is null || data.Classes is null)
            throw KerasException.BadArgument("StratifyNeedsClasses",
                "-Stratify needs data with class labels (a classification target, or a numeric target of a few whole numbers); "
                + "this data has none. "
                + "Load a numeric label column with -TargetKind Classification, or leave out -Stratify.");
        int n = data.Count, k = data.Classes.Count;
        var byClass = new List<int>[k];
        for (int c = 0; c < k; c++) byClass[c] = new List<int>();
        for (int i = 0; i < n; i++) byClass[data.Labels[i]].Add(i);
        var counts = byClass.Select(b => b.Count).ToArray();
        var testPer = Allocate(counts, nTest, n);
        var rest = counts.Select((c, i) => c - testPer[i]).ToArray();
        var valPer = nVal > 0 ? Allocate(rest, nVal, rest.Sum()) : new int[k];
        for (int c = 0; c < k; c++)
        {
            if (counts[c] > 0 && counts[c] - testPer[c] - valPer[c] < 1)
                throw KerasException.BadData("StratifyClassAbsent",
                    $"Class '{data.Classes[c]}' has only {counts[c]} row(s); a stratified split would leave it out of the training part. "
                        + "Use smaller sizes, more data, or no -Stratify.", data.Classes[c]);
        }
        var test = new List<int>(nTest); var val = new List<int>(nVal); var train = new List<int>(n - nTest - nVal);
        for (int c = 0; c < k; c++)
        {
            var rows = byClass[c];
            var perm = rng.Permutation(rows.Count);
            for (int j = 0; j < rows.Count; j++)
            {
                int r = rows[perm[j]];
                if (j < testPer[c]) test.Add(r);
                else if (j < testPer[c] + valPer[c]) val.Add(r);
                else train.Add(r);
            }
        }
        // Interleave the classes: each part in one seeded random order, so batches are not sorted by class.
        return (Shuffle(train, rng), Shuffle(test, rng), Shuffle(val, rng));
    }

    /// <summary>Largest-remainder apportionment: each class gets floor or ceil of its exact share, and the shares sum to total.</summary>
    private static int[] Allocate(int[] counts, int total, int all)
    {
        var exact = counts.Select(c => (double)c * total / all).ToArray();
        var result = exact.Select(e => (int)Math.Floor(e)).ToArray();
        int left = total - result.Sum();
        foreach (var i in Enumerable.Range(0, counts.Length).OrderByDescending(i => exact[i] - result[i]).ThenBy(i => i))
        {
            if (left == 0) break;
            if (result[i] < counts[i]) { result[i]++; left--; }
        }
        return result;
    }

    private static int[] Shuffle(List<int> rows, MersenneTwister rng)
    {
        var perm = rng.Permutation(rows.Count);
        return perm.Select(p => rows[p]).ToArray();
    }
}
