using System.Globalization;

namespace KerasPS.Engine.Training;

/// <summary>
/// A metric as <c>Build-Model -Metrics</c> takes it: a name (accuracy, precision, auc, ...) and, for Keras's
/// confusion-matrix metrics, their options: <c>thresholds</c>, <c>class_id</c> and <c>top_k</c> (Precision, Recall),
/// <c>num_thresholds</c> (AUC). A metric is created from it for every fit or evaluation. Its <see cref="Name"/> is the
/// key in the history (precision, val_precision), so two metrics of one model need different names.
/// </summary>
public sealed class MetricSpec : IEquatable<MetricSpec>
{
    /// <summary>Keras's threshold for Precision and Recall (without top_k).</summary>
    public const double DefaultThreshold = 0.5;

    /// <summary>Keras's number of thresholds for AUC.</summary>
    public const int DefaultNumThresholds = 200;

    public MetricSpec(string kind, string? name = null, double? threshold = null, int? classId = null, int? topK = null, int? numThresholds = null)
    {
        Kind = MetricFactory.CanonicalName(kind);
        bool confusion = Kind is "precision" or "recall";
        if ((threshold is not null || classId is not null || topK is not null) && !confusion)
            throw KerasException.BadArgument("InvalidMetricOption", $"-Threshold, -ClassId and -TopK are options of precision and recall, not of {Kind}.", kind);
        if (numThresholds is not null && Kind != "auc")
            throw KerasException.BadArgument("InvalidMetricOption", $"-NumThresholds is an option of auc, not of {Kind}.", kind);
        if (threshold is double t && !(t >= 0 && t <= 1))
            throw KerasException.BadArgument("InvalidMetricOption", $"A threshold must be in [0, 1]. Received: thresholds={t.ToString(CultureInfo.InvariantCulture)}.", t);
        if (classId is < 0)
            throw KerasException.BadArgument("InvalidMetricOption", $"class_id is an output index from 0. Received: class_id={classId}.", classId);
        if (topK is <= 0)
            throw KerasException.BadArgument("InvalidMetricOption", $"top_k must be a positive integer. Received: top_k={topK}.", topK);
        if (numThresholds is <= 1)
            throw KerasException.BadArgument("InvalidMetricOption", $"num_thresholds must be greater than 1. Received: num_thresholds={numThresholds}.", numThresholds);
        if (name is not null && (string.IsNullOrWhiteSpace(name) || name.StartsWith("val_", StringComparison.Ordinal) || name == "loss"))
            throw KerasException.BadArgument("InvalidMetricName", $"A metric name must be non-empty, not 'loss' and not start with 'val_' (the history adds that prefix). Received: '{name}'.", name);
        Name = name ?? Kind;
        Threshold = threshold;
        ClassId = classId;
        TopK = topK;
        NumThresholds = numThresholds;
    }

    /// <summary>The metric's canonical Keras name (accuracy, precision, recall, auc, ...).</summary>
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

    private string KerasClassName => Kind switch { "precision" => "Precision", "recall" => "Recall", "auc" => "AUC", _ => Kind };

    /// <summary>
    /// The config a compile config records: the name alone for a plain metric, else Keras's form,
    /// <c>{"class_name": "Precision", "config": {"name", "thresholds", "top_k", "class_id"}}</c> or AUC's
    /// <c>{"name", "num_thresholds", "curve": "ROC", "summation_method": "interpolation", "multi_label": false}</c>.
    /// </summary>
    public object GetConfig()
    {
        if (IsPlain) return Kind;
        var c = new Dictionary<string, object?> { ["name"] = Name };
        if (Kind == "auc")
        {
            c["num_thresholds"] = NumThresholds ?? DefaultNumThresholds;
            c["curve"] = "ROC";
            c["summation_method"] = "interpolation";
            c["multi_label"] = false;
        }
        else
        {
            c["thresholds"] = Threshold;
            c["top_k"] = TopK;
            c["class_id"] = ClassId;
        }
        return new Dictionary<string, object?> { ["class_name"] = KerasClassName, ["config"] = c };
    }

    /// <summary>The inverse of <see cref="GetConfig"/>: a name, or a Keras-style class_name/config pair.</summary>
    public static MetricSpec FromConfig(object? entry)
    {
        if (entry is string s) return Parse(s);
        if (entry is not IDictionary<string, object?> d || !d.TryGetValue("class_name", out var cn) || cn is not string className)
            throw KerasException.BadData("InvalidMetricConfig", "A metric entry must be a name or an object with a class_name.");
        var c = new ConfigReader(d.TryGetValue("config", out var cfg) && cfg is IDictionary<string, object?> cd ? cd : new Dictionary<string, object?>());
        var kind = className.ToLowerInvariant();
        if (kind == "auc")
        {
            c.RequireDefault("curve", "ROC", "AUC");
            c.RequireDefault("summation_method", "interpolation", "AUC");
            c.RequireDefault("multi_label", false, "AUC");
        }
        int? numThresholds = c.Raw("num_thresholds") is null ? null : c.Int("num_thresholds");
        if (numThresholds == DefaultNumThresholds) numThresholds = null;
        return new MetricSpec(kind, c.String("name"), c.NullableDouble("thresholds"),
            c.Raw("class_id") is null ? null : c.Int("class_id"), c.Raw("top_k") is null ? null : c.Int("top_k"), numThresholds);
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
