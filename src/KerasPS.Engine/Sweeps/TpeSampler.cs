namespace KerasPS.Engine.Sweeps;

/// <summary>A finished trial as a search sees it: its parameters and the monitored value it reached (null when it failed).</summary>
public readonly record struct TrialObservation(TrialSpec Spec, double? Value);

/// <summary>
/// Tree-structured Parzen Estimator (Bergstra et al., 2011; Optuna's default TPESampler, univariate): after
/// <see cref="StartupTrials"/> random trials, the finished trials are split into the best γ(n) = min(⌈0.1·n⌉, 25) and
/// the rest; each parameter gets a Parzen density l(x) over the good values and g(x) over the others (truncated normals
/// in the parameter's own space, log space for LogUniform, plus a prior spanning the range), and the next value is the
/// one of <see cref="Candidates"/> draws from l that maximises l(x)/g(x). Lists of values are choices with smoothed
/// counts. Trial k draws from its own generator (seed, k), and its first trials are exactly those of a random sweep
/// with the same seed, so the two searches can be compared trial for trial.
/// </summary>
public sealed class TpeSampler
{
    private readonly IReadOnlyList<KeyValuePair<string, object?[]>> space;
    private readonly long seed;
    private readonly bool higherIsBetter;

    public TpeSampler(IReadOnlyList<KeyValuePair<string, object?[]>> space, long seed, bool higherIsBetter, int startupTrials = 10,
        int candidates = 24)
    {
        SweepPlan.CheckSpace(space);
        if (startupTrials < 1)
            throw KerasException.BadArgument("InvalidStartupTrials",
                $"TPE needs 1 or more random startup trials. Received: {startupTrials}.", startupTrials);
        this.space = space;
        this.seed = seed;
        this.higherIsBetter = higherIsBetter;
        StartupTrials = startupTrials;
        Candidates = Math.Max(1, candidates);
    }

    public int StartupTrials { get; }
    public int Candidates { get; }

    /// <summary>Trial <paramref name="trial"/>'s parameters, from the finished trials it may learn from.</summary>
    public TrialSpec Propose(int trial, IReadOnlyList<TrialObservation> finished)
    {
        var scored = finished.Where(o => o.Value is double v && double.IsFinite(v)).ToList();
        if (trial <= StartupTrials || scored.Count < 2) return SweepPlan.RandomTrial(space, trial, seed);
        var rng = new MersenneTwister(SweepPlan.Mix(seed, trial, 3));
        // Best first; ties by trial number so the split does not depend on the order trials finished in.
        var ordered = scored.OrderBy(o => higherIsBetter ? -o.Value!.Value : o.Value!.Value).ThenBy(o => o.Spec.Trial).ToList();
        int nGood = Math.Min((int)Math.Ceiling(0.1 * ordered.Count), 25);
        var good = ordered.Take(nGood).ToList();
        var bad = ordered.Skip(nGood).ToList();
        var ps = new KeyValuePair<string, object?>[space.Count];
        for (int i = 0; i < space.Count; i++)
        {
            var (name, values) = space[i];
            object? v;
            if (values.Length == 1 && values[0] is ParameterRange range)
                v = SampleRange(range, good.Select(o => o.Spec.Parameters[i].Value).ToList(),
                    bad.Select(o => o.Spec.Parameters[i].Value).ToList(), rng);
            else if (values.All(x => x is not ParameterRange))
                v = values[SampleChoice(values, good.Select(o => o.Spec.Parameters[i].Value).ToList(),
                    bad.Select(o => o.Spec.Parameters[i].Value).ToList(), rng)];
            else
            {
                // A list that mixes ranges and values has no one density; it keeps the random sweep's rule.
                v = values[rng.NextInt(values.Length)];
                if (v is ParameterRange r) v = r.Sample(rng);
            }
            ps[i] = new(name, v);
        }
        return new TrialSpec(trial, ps, SweepPlan.TrialSeed(seed, trial));
    }

    private object SampleRange(ParameterRange range, List<object?> good, List<object?> bad, MersenneTwister rng)
    {
        bool log = range is LogUniform;
        double lo, hi;
        switch (range)
        {
            case Uniform u: lo = u.Min; hi = u.Max; break;
            case LogUniform lr: lo = Math.Log(lr.Min); hi = Math.Log(lr.Max); break;
            case IntRange ir: lo = ir.Min - 0.5; hi = ir.Max + 0.5; break;
            default: return range.Sample(rng);
        }
        if (!(hi > lo)) return range.Sample(rng);
        double T(object? x)
        {
            double d = Convert.ToDouble(x, System.Globalization.CultureInfo.InvariantCulture);
            return log ? Math.Log(d) : d;
        }
        var l = Parzen.Fit(good.Select(T).ToArray(), lo, hi);
        var g = Parzen.Fit(bad.Select(T).ToArray(), lo, hi);
        double best = double.NaN, bestScore = double.NegativeInfinity;
        for (int c = 0; c < Candidates; c++)
        {
            double x = l.Sample(rng);
            double score = l.LogDensity(x) - g.LogDensity(x);
            if (score > bestScore) { bestScore = score; best = x; }
        }
        return range switch
        {
            LogUniform lu => Math.Clamp(Math.Exp(best), lu.Min, lu.Max),
            IntRange ir => (object)Math.Clamp((int)Math.Round(best, MidpointRounding.AwayFromZero), ir.Min, ir.Max),
            _ => best,
        };
    }

    private int SampleChoice(object?[] values, List<object?> good, List<object?> bad, MersenneTwister rng)
    {
        int k = values.Length;
        double[] Weights(List<object?> seen)
        {
            // Counts plus a prior of weight 1 spread evenly, as Optuna's categorical Parzen estimator.
            var w = Enumerable.Repeat(1.0 / k, k).ToArray();
            foreach (var s in seen)
            {
                int idx = Array.FindIndex(values, v => Equals(v, s)
                    || string.Equals(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
                        Convert.ToString(s, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
                if (idx >= 0) w[idx] += 1;
            }
            double sum = w.Sum();
            return w.Select(x => x / sum).ToArray();
        }
        var pl = Weights(good);
        var pg = Weights(bad);
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int c = 0; c < Candidates; c++)
        {
            double u = rng.NextDouble(), acc = 0;
            int idx = k - 1;
            for (int j = 0; j < k; j++) { acc += pl[j]; if (u < acc) { idx = j; break; } }
            double score = Math.Log(pl[idx]) - Math.Log(pg[idx]);
            if (score > bestScore) { bestScore = score; best = idx; }
        }
        return best;
    }

    /// <summary>A mixture of normals truncated to [lo, hi]: one per observation and a wide prior in the middle.</summary>
    private sealed class Parzen
    {
        private readonly double[] mus, sigmas, weights;
        private readonly double lo, hi;

        private Parzen(double[] mus, double[] sigmas, double[] weights, double lo, double hi)
        {
            this.mus = mus; this.sigmas = sigmas; this.weights = weights; this.lo = lo; this.hi = hi;
        }

        public static Parzen Fit(double[] points, double lo, double hi)
        {
            // Optuna's bandwidth rule: each point's sigma is the larger gap to its sorted neighbours (the prior and the
            // bounds count as neighbours), clipped to [(hi-lo)/min(100, n+1), hi-lo].
            double prior = 0.5 * (lo + hi), range = hi - lo;
            var mus = points.Select(p => Math.Clamp(p, lo, hi)).Append(prior).ToArray();
            var order = Enumerable.Range(0, mus.Length).OrderBy(i => mus[i]).ToArray();
            var sorted = order.Select(i => mus[i]).ToArray();
            var sig = new double[mus.Length];
            double minSigma = range / Math.Min(100.0, mus.Length + 1), maxSigma = range;
            for (int j = 0; j < sorted.Length; j++)
            {
                double left = sorted[j] - (j > 0 ? sorted[j - 1] : lo);
                double right = (j < sorted.Length - 1 ? sorted[j + 1] : hi) - sorted[j];
                sig[order[j]] = Math.Clamp(Math.Max(left, right), minSigma, maxSigma);
            }
            sig[^1] = range;   // the prior spans the whole range
            var w = Enumerable.Repeat(1.0 / mus.Length, mus.Length).ToArray();
            return new Parzen(mus, sig, w, lo, hi);
        }

        public double Sample(MersenneTwister rng)
        {
            double u = rng.NextDouble(), acc = 0;
            int k = weights.Length - 1;
            for (int j = 0; j < weights.Length; j++) { acc += weights[j]; if (u < acc) { k = j; break; } }
            for (int attempt = 0; attempt < 100; attempt++)
            {
                double x = mus[k] + sigmas[k] * rng.NextGaussian();
                if (x >= lo && x <= hi) return x;
            }
            return Math.Clamp(mus[k], lo, hi);
        }

        public double LogDensity(double x)
        {
            double p = 0;
            for (int j = 0; j < mus.Length; j++)
            {
                double z = (x - mus[j]) / sigmas[j];
                double mass = Phi((hi - mus[j]) / sigmas[j]) - Phi((lo - mus[j]) / sigmas[j]);
                p += weights[j] * Math.Exp(-0.5 * z * z) / (sigmas[j] * Math.Sqrt(2 * Math.PI) * Math.Max(mass, 1e-12));
            }
            return Math.Log(Math.Max(p, 1e-300));
        }

        private static double Phi(double z) => 0.5 * (1 + Erf(z / Math.Sqrt(2)));

        /// <summary>Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), enough for a sampling density.</summary>
        private static double Erf(double x)
        {
            double s = Math.Sign(x);
            x = Math.Abs(x);
            double t = 1 / (1 + 0.3275911 * x);
            double y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t
                + 0.254829592) * t * Math.Exp(-x * x);
            return s * y;
        }
    }
}
