using KerasPS.Engine.Training;

namespace KerasPS.Engine.Sweeps;

/// <summary>
/// How cross-validation summarises its folds: the mean and the standard deviation (population, numpy's default
/// ddof=0, as scikit-learn's cross_val_score users report it) of a value over folds, and the same per epoch.
/// </summary>
public static class FoldStatistics
{
    public static (double Mean, double Std) MeanStd(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return (double.NaN, double.NaN);
        double mean = values.Sum() / values.Count;
        double var = values.Sum(v => (v - mean) * (v - mean)) / values.Count;
        return (mean, Math.Sqrt(var));
    }

    /// <summary>
    /// One record per epoch with the mean (or the standard deviation) of each value over the folds that reached that
    /// epoch (early stopping ends folds at different epochs). Learning rate and samples are averaged too.
    /// </summary>
    public static List<EpochRecord> PerEpoch(IReadOnlyList<IReadOnlyList<EpochRecord>> histories, bool std = false)
    {
        var result = new List<EpochRecord>();
        int epochs = histories.Count == 0 ? 0 : histories.Max(h => h.Count == 0 ? 0 : h.Max(r => r.Epoch));
        for (int e = 1; e <= epochs; e++)
        {
            var records = histories.Select(h => h.FirstOrDefault(r => r.Epoch == e)).OfType<EpochRecord>().ToList();
            if (records.Count == 0) continue;
            var keys = records[0].Values.Keys.Where(k => records.All(r => r.Values.ContainsKey(k))).ToList();
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var k in keys)
            {
                var (mean, sd) = MeanStd(records.Select(r => r.Values[k]).ToList());
                values[k] = std ? sd : mean;
            }
            result.Add(new EpochRecord(e, values, records.Average(r => r.LearningRate),
                TimeSpan.FromTicks((long)records.Average(r => r.Duration.Ticks)), (long)records.Average(r => r.Samples)));
        }
        return result;
    }
}
