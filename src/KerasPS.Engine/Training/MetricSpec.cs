using System.Globalization;

namespace KerasPS.Engine.Training;

/// <summary>
/// A metric as <c>Build-Model -Metrics</c> takes it: a registered metric (accuracy, precision, auc, ...; see
/// <see cref="KerasObjects.Metrics"/>) and the options its registration lists: Keras's <c>thresholds</c>,
/// <c>class_id</c> and <c>top_k</c> (Precision, Recall), <c>num_thresholds</c> (AUC). A metric is created from it for
/// every fit or evaluation. Its <see cref="Name"/> is the key in the history (precision, val_precision), so two metrics
/// of one model need different names.
/// </summary>
public sealed class MetricSpec : IEquatable<MetricSpec>
{
    /// <summary>Keras's threshold for Precision and Recall (without top_k).</summary>
    public const double DefaultThreshold = PrecisionRecallMetric.DefaultThreshold;

    /// <summary>Keras's number of thresholds for AUC.</summary>
    public const int DefaultNumThresholds = AucMetric.DefaultNumThresholds;

    public MetricSpec(string kind, string? name = null, double? threshold = null, int? classId = null, int? topK = null,
        int? numThresholds = null)
    {
        var entry = KerasObjects.Metrics.Get(kind);
        Kind = entry.Name;
        var takes = ((KerasMetricAttribute)entry.Attribute).Options;
        var given = new (string Option, string Parameter, object? Value)[]
        {
            ("thresholds", "-Threshold", threshold), ("class_id", "-ClassId", classId), ("top_k", "-TopK", topK),
            ("num_thresholds", "-NumThresholds", numThresholds),
        };
        var refused = given.Where(g => g.Value is not null && !takes.Contains(g.Option)).Select(g => g.Parameter).ToList();
        if (refused.Count > 0)
        {
            var options = given.Where(g => takes.Contains(g.Option)).Select(g => g.Parameter).ToList();
            throw KerasException.BadArgument("InvalidMetricOption",
                $"{string.Join(", ", refused)} {(refused.Count == 1 ? "is not an option" : "are not options")} of {Kind}. " +
                (options.Count == 0 ? $"{Kind} takes no options." : $"It takes: {string.Join(", ", options)}."), kind);
        }
        if (threshold is double t && !(t >= 0 && t <= 1))
            throw KerasException.BadArgument("InvalidMetricOption",
                $"A threshold must be in [0, 1]. Received: thresholds={t.ToString(CultureInfo.InvariantCulture)}.", t);
        if (classId is < 0)
            throw KerasException.BadArgument("InvalidMetricOption",
                $"class_id is an output index from 0. Received: class_id={classId}.", classId);
        if (topK is <= 0)
            throw KerasException.BadArgument("InvalidMetricOption", $"top_k must be a positive integer. Received: top_k={topK}.", topK);
        if (numThresholds is <= 1)
            throw KerasException.BadArgument("InvalidMetricOption",
                $"num_thresholds must be greater than 1. Received: num_thresholds={numThresholds}.", numThresholds);
        if (name is not null && (string.IsNullOrWhiteSpace(name) || name.StartsWith("val_", StringComparison.Ordinal) || name == "loss"))
            throw KerasException.BadArgument("InvalidMetricName",
                "A metric name must be non-empty, not 'loss' and not start with 'val_' (the history adds that prefix). " +
                $"Received: '{name}'.", name);
        Name = name ?? Kind;
        Threshold = threshold;
        ClassId = classId;
        TopK = topK;
        NumThresholds = numThresholds;
    }

    /// <summary>The metric's canonical name (accuracy, precision, recall, auc, ...): the first name it registers.</summary>
    public string Kind { get; }

    /// <summary>The history key; the kind unless given.</summary>
    public string Name { get; }

    public double? Threshold { get; }
    public int? ClassId { get; }
    public int? TopK { get; }
    public int? NumThresholds { get; }

    /// <summary>True when the spec is just a name with Keras's defaults (it is then saved as that name alone).</summary>
    public bool IsPlain => Name == Kind && Threshold is null && ClassId is null && TopK is null && NumThresholds is null;

    /// <summary>A plain metric by name (acc, mean_squared_error, ... are accepted and canonicalised).</summary>
    public static MetricSpec Parse(string name) => new(name);

    private KerasObjectEntry<Metric> Entry => KerasObjects.Metrics.Get(Kind);

    // A metric with options is recorded under its Keras class (Precision, AUC); one without options that was only
    // renamed keeps the form KerasPS has always written, its kind.
    private string KerasClassName => ((KerasMetricAttribute)Entry.Attribute).Options.Length > 0 ? Entry.ClassName : Kind;

    /// <summary>The config the metric class builds itself from (Keras's keys; absent options take its defaults).</summary>
    public Dictionary<string, object?> MetricConfig()
    {
        var c = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = Name };
        if (Threshold is not null) c["thresholds"] = Threshold;
        if (ClassId is not null) c["class_id"] = ClassId;
        if (TopK is not null) c["top_k"] = TopK;
        if (NumThresholds is not null) c["num_thresholds"] = NumThresholds;
        return c;
    }

    /// <summary>
    /// The config a compile config records: the name alone for a plain metric, else Keras's form written by the metric
    /// class, <c>{"class_name": "Precision", "config": {"name", "thresholds", "top_k", "class_id"}}</c> or AUC's
    /// <c>{"name", "num_thresholds", "curve": "ROC", "summation_method": "interpolation", "multi_label": false}</c>.
    /// </summary>
    public object GetConfig()
    {
        if (IsPlain) return Kind;
        // The metric class writes its own config, but building one allocates its counters (AUC: three tensors), and
        // every checkpoint save asks: the spec is immutable, so the config is written once and copied out.
        if (classConfig is null)
        {
            using var metric = Entry.FromConfig(new ConfigReader(MetricConfig()));
            classConfig = metric.GetConfig();
        }
        return new Dictionary<string, object?>
        {
            ["class_name"] = KerasClassName,
            ["config"] = new Dictionary<string, object?>(classConfig),
        };
    }

    private Dictionary<string, object?>? classConfig;

    /// <summary>The inverse of <see cref="GetConfig"/>: a name, or a Keras-style class_name/config pair.</summary>
    public static MetricSpec FromConfig(object? entry)
    {
        if (entry is string s) return Parse(s);
        if (entry is not IDictionary<string, object?> d || !d.TryGetValue("class_name", out var cn) || cn is not string className)
            throw KerasException.BadData("InvalidMetricConfig", "A metric entry must be a name or an object with a class_name.");
        var config = d.TryGetValue("config", out var cfg) && cfg is IDictionary<string, object?> cd
            ? cd
            : new Dictionary<string, object?>();
        // The class checks what it runs only at Keras's defaults (AUC's curve, ...) as it reads its config.
        using (KerasObjects.Metrics.FromConfig(className, config)) { }
        var c = new ConfigReader(config);
        int? numThresholds = c.NullableInt("num_thresholds");
        if (numThresholds == DefaultNumThresholds) numThresholds = null;
        return new MetricSpec(className, c.String("name"), c.NullableDouble("thresholds"),
            c.NullableInt("class_id"), c.NullableInt("top_k"), numThresholds);
    }

    public bool Equals(MetricSpec? other) => other is not null && Kind == other.Kind && Name == other.Name && Threshold == other.Threshold
        && ClassId == other.ClassId && TopK == other.TopK && NumThresholds == other.NumThresholds;

    public override bool Equals(object? obj) => Equals(obj as MetricSpec);
    public override int GetHashCode() => HashCode.Combine(Kind, Name, Threshold, ClassId, TopK, NumThresholds);

    public override string ToString()
    {
        if (IsPlain) return Kind;
        var options = new List<string>();
        if (Threshold is double t) options.Add($"thresholds={t.ToString(CultureInfo.InvariantCulture)}");
        if (TopK is int k) options.Add($"top_k={k}");
        if (ClassId is int c) options.Add($"class_id={c}");
        if (NumThresholds is int n) options.Add($"num_thresholds={n}");
        return $"{Name} ({KerasClassName}{(options.Count > 0 ? ": " + string.Join(", ", options) : "")})";
    }
}
