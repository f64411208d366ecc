namespace KerasPS.Engine.Data;

/// <summary>Built-in data sets: the generated Otto-shaped set (and the shipped real ones, see <see cref="Names"/>).</summary>
public static class SampleData
{
    public static IReadOnlyList<string> Names { get; } = new[] { "Iris", "Wine", "Otto" };

    /// <summary>File of a shipped data set (in the module's data folder).</summary>
    public static string FileOf(string name) => name.ToLowerInvariant() + ".csv";

    /// <summary>Target column of a shipped data set.</summary>
    public static string TargetOf(string name) => name == "Iris" ? "species" : "cultivar";

    /// <summary>Otto Group's class shares.</summary>
    private static readonly double[] Priors = { 0.031, 0.261, 0.129, 0.043, 0.044, 0.228, 0.046, 0.137, 0.080 };

    public const int OttoRows = 61878;
    public const int OttoFeatures = 93;

    /// <summary>
    /// The Otto-Group-shaped set of ../shared/tools/make-otto.py, number for number: the same Python random stream
    /// (<see cref="MersenneTwister"/>), the same draws in the same order. 93 class-dependent Poisson count features
    /// and a target Class_1..Class_9 with Otto's class balance.
    /// </summary>
    public static EncodedData Otto(int rows = OttoRows, long seed = 42, bool withTarget = true)
    {
        if (rows < 1) throw KerasException.BadArgument("InvalidRows", $"Rows must be 1 or more. Received: {rows}.", rows);
        var proto = new MersenneTwister(7);   // class prototypes are fixed; rows vary with the seed
        var rates = new double[9][];
        for (int c = 0; c < 9; c++)
        {
            rates[c] = new double[OttoFeatures];
            for (int k = 0; k < OttoFeatures; k++)
            {
                double e = proto.Exponential(1.0);
                rates[c][k] = e * e * (0.2 + 0.8 * (proto.NextDouble() < 0.35 ? 1 : 0));
            }
        }
        var rng = new MersenneTwister(seed);
        var cum = new double[9];
        double s = 0;
        for (int i = 0; i < 9; i++) { s += Priors[i]; cum[i] = s; }
        var features = new float[(long)rows * OttoFeatures];
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            double u = rng.NextDouble() * s;
            int c = 0;
            while (!(u <= cum[c])) c++;
            int other = rng.NextInt(9);
            double mix = rng.NextDouble() * 0.8;
            long o = (long)r * OttoFeatures;
            for (int k = 0; k < OttoFeatures; k++)
                features[o + k] = Poisson((1 - mix) * rates[c][k] + mix * rates[other][k], rng);
            labels[r] = c;
        }
        var names = Enumerable.Range(1, OttoFeatures).Select(i => $"feat_{i}").ToArray();
        if (!withTarget) return new EncodedData(features, new[] { OttoFeatures }, names);
        var classes = Enumerable.Range(1, 9).Select(i => $"Class_{i}").ToArray();
        return new EncodedData(features, new[] { OttoFeatures }, names, "target", labels, classes);
    }

    private static int Poisson(double lambda, MersenneTwister rng)
    {
        if (lambda <= 0) return 0;
        double limit = Math.Exp(-lambda), p = 1.0;
        int k = 0;
        while (true)
        {
            p *= rng.NextDouble();
            if (p <= limit) return k;
            k++;
        }
    }

    /// <summary>Writes a dataset as CSV (id, features, target), the layout of the Otto training file.</summary>
    public static void WriteCsv(EncodedData d, string path, bool withId = true)
    {
        using var w = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
        var header = new List<string>();
        if (withId) header.Add("id");
        header.AddRange(d.FeatureNames);
        if (d.TargetName is not null) header.Add(d.TargetName);
        w.WriteLine(string.Join(",", header));
        int width = d.FeatureCount;
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder();
        for (int r = 0; r < d.Count; r++)
        {
            sb.Clear();
            if (withId) sb.Append(r + 1).Append(',');
            for (int k = 0; k < width; k++)
            {
                if (k > 0) sb.Append(',');
                sb.Append(d.Features[(long)r * width + k].ToString(ci));
            }
            if (d.Labels is not null) sb.Append(',').Append(d.Classes![d.Labels[r]]);
            else if (d.Targets is not null) sb.Append(',').Append(d.Targets[r].ToString(ci));
            w.WriteLine(sb.ToString());
        }
    }
}
