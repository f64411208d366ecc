namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>
/// Keras 3's quantile summary behind <c>Discretization.adapt</c> (<c>summarize</c>, <c>merge_summaries</c>,
/// <c>compress_summary</c>, <c>get_bin_boundaries</c> in keras/src/layers/preprocessing/discretization.py), step for step
/// and in the same precisions (float32 values and weights, float64 interpolation), so adapted bin boundaries equal
/// Keras's bit for bit: the sorted values taken every <c>n * epsilon</c>-th, then compressed by interpolating the
/// cumulative weights at <c>epsilon, 2 epsilon, ..., 1</c>.
/// </summary>
public static class QuantileSummary
{
    /// <summary>The bin boundaries Keras's adapt gives for one batch of values (<c>layer.adapt(array)</c>).</summary>
    public static float[] BinBoundaries(ReadOnlySpan<float> values, int numBins, double epsilon)
    {
        var (points, weights) = Summarize(values, epsilon);
        (points, weights) = Compress(points, weights, epsilon);   // merge_summaries with the empty initial summary
        var (bins, _) = Compress(points, weights, 1.0 / numBins);
        return bins.Length == 0 ? bins : bins[..^1];
    }

    private static (float[] Points, float[] Weights) Summarize(ReadOnlySpan<float> values, double epsilon)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        double numBuckets = 1.0 / epsilon;
        double increment = sorted.Length / numBuckets;
        double step = Math.Max(increment, 1);
        long start = (long)(step - 1), stride = (long)step;
        var points = new List<float>();
        for (long i = start; i < sorted.Length; i += stride) points.Add(sorted[i]);
        var weights = Enumerable.Repeat((float)step, points.Count).ToArray();
        return (points.ToArray(), weights);
    }

    private static (float[] Points, float[] Weights) Compress(float[] points, float[] weights, double epsilon)
    {
        if (points.Length * epsilon < 1) return (points, weights);
        int n = (int)Math.Ceiling(1.0 / epsilon);   // np.arange(0.0, 1.0, epsilon)
        var percents = new double[n];
        for (int i = 0; i < n; i++) percents[i] = epsilon + i * epsilon;
        var cum = new float[weights.Length];
        float running = 0;
        for (int i = 0; i < weights.Length; i++) cum[i] = running += weights[i];
        var cumPercents = cum.Select(c => (double)(c / cum[^1])).ToArray();
        var newBins = Interp(percents, cumPercents, points.Select(p => (double)p).ToArray());
        var newCum = Interp(percents, cumPercents, cum.Select(c => (double)c).ToArray());
        var newWeights = newCum.Select((c, i) => (float)(c - (i == 0 ? 0 : newCum[i - 1]))).ToArray();
        return (newBins.Select(b => (float)b).ToArray(), newWeights);
    }

    /// <summary>numpy.interp: linear interpolation of (xp, fp) at x, clamped to fp's ends, exact at the knots.</summary>
    internal static double[] Interp(double[] x, double[] xp, double[] fp)
    {
        var result = new double[x.Length];
        int last = xp.Length - 1;
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            if (double.IsNaN(v)) { result[i] = v; continue; }
            if (last == 0 || v < xp[0]) { result[i] = fp[0]; continue; }
            if (v > xp[last]) { result[i] = fp[last]; continue; }
            int j = UpperBound(xp, v) - 1;   // the last knot at or below v
            if (j == last || xp[j] == v) { result[i] = fp[j]; continue; }
            double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
            double r = slope * (v - xp[j]) + fp[j];
            if (double.IsNaN(r))
            {
                r = slope * (v - xp[j + 1]) + fp[j + 1];
                if (double.IsNaN(r) && fp[j] == fp[j + 1]) r = fp[j];
            }
            result[i] = r;
        }
        return result;
    }

    private static int UpperBound(double[] a, double v)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
