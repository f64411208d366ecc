using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Training;

/// <summary>What a metric sees for one batch: the model's output (logits when the head is fused) and the targets.</summary>
public sealed class MetricBatch
{
    private Tensor? probabilities;

    internal MetricBatch(Tensor output, Tensor target, string? fusedActivation, long count)
    {
        Count = count;
        Output = output;
        Target = target;
        FusedActivation = fusedActivation;
    }

    /// <summary>Rows in the batch (elements per row count once).</summary>
    public long Count { get; }

    /// <summary>Raw model output: logits when <see cref="FusedActivation"/> is set, otherwise the activated output.</summary>
    public Tensor Output { get; }
    public Tensor Target { get; }
    public string? FusedActivation { get; }

    /// <summary>The activated output (softmax/sigmoid applied when it was fused away).</summary>
    public Tensor Probabilities => probabilities ??= FusedActivation switch
    {
        "softmax" => Output.softmax(-1),
        "sigmoid" => Output.sigmoid(),
        _ => Output,
    };

    /// <summary>
    /// The targets shaped like the output: class indices (sparse targets) one-hot encoded, as Keras's confusion-matrix
    /// metrics expect targets of the output's shape.
    /// </summary>
    public Tensor DenseTarget => denseTarget ??= Target.dtype == ScalarType.Float32
        ? Target.reshape(Output.shape)
        : nn.functional.one_hot(Target, Output.shape[^1]).to_type(ScalarType.Float32);

    private Tensor? denseTarget;

    /// <summary>Binary decisions at probability 0.5 (logit 0), as a float tensor shaped like the output.</summary>
    public Tensor Positive => FusedActivation == "sigmoid"
        ? Output.gt(Scalars.Zero).to_type(ScalarType.Float32)
        : Output.gt(Scalars.Of(0.5)).to_type(ScalarType.Float32);
}

/// <summary>
/// A Keras metric, accumulated over an epoch in tensors (no per-batch read-back) and read once at the end. A metric
/// registers with <c>[KerasMetric(ClassName, higherIsBetter, names...)]</c> and builds itself from its config
/// (<c>FromConfig</c>: the <c>name</c> and the options its registration lists); the first name is its history key.
/// </summary>
public abstract class Metric : IDisposable
{
    /// <summary>A fresh metric for one fit or evaluation, from the spec's config, resolved against the model's loss.</summary>
    public static Metric Create(MetricSpec spec, Loss loss)
    {
        var metric = KerasObjects.Metrics.FromConfig(spec.Kind, spec.MetricConfig());
        metric.OnCompile(loss);
        return metric;
    }

    private readonly List<Tensor> counters = new();
    private string? name;

    /// <summary>Keras's name as it appears in history (accuracy, precision, ...): the config's name, else the first alias.</summary>
    public virtual string Name => name ??= KerasObjects.Metrics.EntryFor(this).Name;

    /// <summary>The class's registration: its names and which way it improves.</summary>
    public KerasMetricAttribute Registration => (KerasMetricAttribute)KerasObjects.Metrics.EntryFor(this).Attribute;

    /// <summary>Sets the history name a config gave (a metric renamed with New-Metric -Name, say precision_b).</summary>
    protected void SetName(string? configName) => name = configName;

    /// <summary>The metric with the name its config gives, if any: what a <c>FromConfig</c> returns.</summary>
    protected static T Named<T>(T metric, ConfigReader config) where T : Metric
    {
        metric.SetName(config.Name);
        return metric;
    }

    /// <summary>
    /// Called once the model's loss is known, before the first batch: Keras resolves "accuracy" to categorical, binary
    /// or exact-match accuracy from the loss.
    /// </summary>
    protected internal virtual void OnCompile(Loss loss) { }

    /// <summary>The metric's config in Keras's key names: its name, then what <see cref="WriteConfig"/> adds.</summary>
    public Dictionary<string, object?> GetConfig()
    {
        var c = new Dictionary<string, object?> { ["name"] = Name };
        WriteConfig(c);
        return c;
    }

    /// <summary>Adds the metric's options to its config (the keys its <c>FromConfig</c> reads).</summary>
    protected virtual void WriteConfig(IDictionary<string, object?> config) { }

    public abstract void Update(MetricBatch batch);
    public abstract double Result();

    /// <summary>An epoch accumulator, kept outside dispose scopes and freed by <see cref="Dispose"/>.</summary>
    protected Tensor Counter()
    {
        var t = torch.zeros(1, dtype: ScalarType.Float64);
        t.DetachFromDisposeScope();
        counters.Add(t);
        return t;
    }

    public void Dispose()
    {
        foreach (var t in counters) t.Dispose();
        counters.Clear();
        DisposeState();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees accumulators a metric keeps besides its <see cref="Counter"/>s.</summary>
    protected virtual void DisposeState() { }

}

/// <summary>
/// Accuracy in the form Keras picks for the loss: categorical/sparse (argmax), binary (threshold 0.5) or exact match.
/// </summary>
[KerasMetric("Accuracy", true, "accuracy", "acc", "categorical_accuracy", "sparse_categorical_accuracy", "binary_accuracy")]
public sealed class AccuracyMetric : Metric, IKerasObject<AccuracyMetric>
{
    private readonly Tensor correct;
    private string form = "exact";
    private long total;

    public AccuracyMetric() => correct = Counter();

    public static AccuracyMetric FromConfig(ConfigReader config) => Named(new AccuracyMetric(), config);

    protected internal override void OnCompile(Loss loss) => form = loss switch
    {
        CategoricalCrossentropy => "categorical",   // and SparseCategoricalCrossentropy, which derives from it
        BinaryCrossentropy => "binary",
        _ => "exact",
    };

    public override void Update(MetricBatch b)
    {
        Tensor hits;
        switch (form)
        {
            case "categorical":
                var predicted = b.Output.argmax(-1);
                var truth = b.Target.dtype == ScalarType.Float32 ? b.Target.argmax(-1) : b.Target;
                hits = predicted.eq(truth);
                break;
            case "binary":
                hits = b.Positive.eq(b.Target);
                break;
            default:
                hits = b.Probabilities.eq(b.Target);
                break;
        }
        correct.PlusInPlace(hits.sum(ScalarType.Float64));
        total += form == "categorical" ? b.Count : hits.numel();
    }

    public override double Result() => total == 0 ? 0 : correct.item<double>() / total;
}

/// <summary>top_k_categorical_accuracy (k = 5, as Keras).</summary>
[KerasMetric("TopKCategoricalAccuracy", true, "top_k_categorical_accuracy", "top5")]
public sealed class TopKAccuracyMetric : Metric, IKerasObject<TopKAccuracyMetric>
{
    /// <summary>Keras's k.</summary>
    public const int DefaultK = 5;

    private readonly Tensor correct, total;

    public TopKAccuracyMetric(int k = DefaultK)
    {
        correct = Counter(); total = Counter();
        K = k;
    }

    public static TopKAccuracyMetric FromConfig(ConfigReader config) => Named(new TopKAccuracyMetric(), config);

    public int K { get; }

    public override void Update(MetricBatch b)
    {
        var classes = b.Output.shape[^1];
        var (_, idx) = b.Output.topk((int)Math.Min(K, classes), -1);
        var truth = b.Target.dtype == ScalarType.Float32 ? b.Target.argmax(-1) : b.Target;
        var hits = idx.eq(truth.unsqueeze(-1)).any(-1);
        correct.PlusInPlace(hits.sum(ScalarType.Float64));
        using var rows = hits.numel().ToScalar();
        total.PlusInPlace(rows);
    }

    public override double Result() { var n = total.item<double>(); return n == 0 ? 0 : correct.item<double>() / n; }
}

/// <summary>
/// keras.metrics.Precision / Recall, as Keras 3 computes them (<c>metrics_utils.update_confusion_matrix_variables</c>):
/// the probabilities (softmax or sigmoid applied even when the loss absorbed it) and the targets (class indices
/// one-hot encoded) are compared element by element, every output unit counting as one binary decision; a prediction is
/// positive when it is above <c>thresholds</c> (0.5), a target when it is not 0. <c>top_k</c> keeps only the k largest
/// outputs of a row (the threshold then defaults to none at all); <c>class_id</c> looks at one output unit only.
/// </summary>
public abstract class PrecisionRecallMetric : Metric
{
    /// <summary>What Keras uses for "minus infinity" when top_k hides an output.</summary>
    internal const float NegativeInfinity = -1e10f;

    /// <summary>Keras's threshold (without top_k).</summary>
    public const double DefaultThreshold = 0.5;

    private readonly bool precision;
    private readonly double threshold;
    private readonly double? configuredThreshold;
    private readonly int? classId, topK;
    private readonly Tensor tp, fp, fn;

    private protected PrecisionRecallMetric(bool precision, ConfigReader c)
    {
        tp = Counter(); fp = Counter(); fn = Counter();
        this.precision = precision;
        SetName(c.Name);
        classId = c.NullableInt("class_id");
        topK = c.NullableInt("top_k");
        configuredThreshold = c.NullableDouble("thresholds");
        threshold = configuredThreshold ?? (topK is null ? DefaultThreshold : NegativeInfinity);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["thresholds"] = configuredThreshold;
        c["top_k"] = topK;
        c["class_id"] = classId;
    }

    public override void Update(MetricBatch b)
    {
        var pred = b.Probabilities;
        var truth = b.DenseTarget;
        if (topK is int k)
        {
            var (_, idx) = pred.topk(Math.Min(k, (int)pred.shape[^1]), -1);
            var keep = torch.zeros_like(pred).scatter_(-1, idx, torch.ones_like(idx, dtype: pred.dtype));
            pred = pred.mul(keep).Plus(keep.OneMinus().mul(Scalars.Of(NegativeInfinity)));
        }
        if (classId is int c)
        {
            if (c >= pred.shape[^1])
                throw KerasException.BadArgument("InvalidMetricOption",
                    $"{Name}: class_id {c} does not exist; the model has {pred.shape[^1]} outputs (class ids 0..{pred.shape[^1] - 1}).", c);
            pred = pred.select(-1, c);
            truth = truth.select(-1, c);
        }
        var positive = pred.gt(Scalars.Of(threshold));
        var label = truth.ne(Scalars.Zero);
        tp.PlusInPlace(positive.logical_and(label).sum(ScalarType.Float64));
        fp.PlusInPlace(positive.logical_and(label.logical_not()).sum(ScalarType.Float64));
        fn.PlusInPlace(positive.logical_not().logical_and(label).sum(ScalarType.Float64));
    }

    public override double Result()
    {
        double t = tp.item<double>(), other = precision ? fp.item<double>() : fn.item<double>();
        return t + other == 0 ? 0 : t / (t + other);
    }
}

/// <summary>keras.metrics.Precision: true positives over predicted positives.</summary>
[KerasMetric("Precision", true, "precision", Options = new[] { "thresholds", "top_k", "class_id" })]
public sealed class PrecisionMetric : PrecisionRecallMetric, IKerasObject<PrecisionMetric>
{
    private PrecisionMetric(ConfigReader c) : base(true, c) { }
    public static PrecisionMetric FromConfig(ConfigReader config) => new(config);
}

/// <summary>keras.metrics.Recall: true positives over actual positives.</summary>
[KerasMetric("Recall", true, "recall", Options = new[] { "thresholds", "top_k", "class_id" })]
public sealed class RecallMetric : PrecisionRecallMetric, IKerasObject<RecallMetric>
{
    private RecallMetric(ConfigReader c) : base(false, c) { }
    public static RecallMetric FromConfig(ConfigReader config) => new(config);
}

/// <summary>
/// keras.metrics.AUC as Keras 3 computes it by default: ROC curve, <c>num_thresholds</c> (200) thresholds spread evenly
/// over [0, 1] (the first just below 0, the last just above 1), a confusion matrix per threshold accumulated over the
/// epoch, and the area by trapezoids between neighbouring thresholds (summation_method="interpolation"). As with
/// precision, every output unit of every row is one binary decision (multi_label=False), on probabilities.
/// </summary>
[KerasMetric("AUC", true, "auc", Options = new[] { "num_thresholds" })]
public sealed class AucMetric : Metric, IKerasObject<AucMetric>
{
    /// <summary>Keras's number of thresholds.</summary>
    public const int DefaultNumThresholds = 200;

    private const double Epsilon = 1e-7;   // keras.backend.epsilon()
    private readonly Tensor thresholds, tp, fp, positives, negatives;

    public static AucMetric FromConfig(ConfigReader config)
    {
        // KerasPS computes the ROC area by interpolation over all outputs at once; other settings are refused.
        config.RequireDefault("curve", "ROC", "AUC");
        config.RequireDefault("summation_method", "interpolation", "AUC");
        config.RequireDefault("multi_label", false, "AUC");
        return new(config.Name, config.Int("num_thresholds", DefaultNumThresholds));
    }

    public int NumThresholds { get; }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["num_thresholds"] = NumThresholds;
        c["curve"] = "ROC";
        c["summation_method"] = "interpolation";
        c["multi_label"] = false;
    }

    public AucMetric(string? name = null, int numThresholds = DefaultNumThresholds)
    {
        SetName(name);
        int n = NumThresholds = numThresholds;
        var values = new float[n];
        values[0] = (float)(0 - Epsilon);
        for (int i = 1; i < n - 1; i++) values[i] = (float)(i * 1.0 / (n - 1));
        values[n - 1] = (float)(1 + Epsilon);
        thresholds = torch.tensor(values).unsqueeze(1);
        thresholds.DetachFromDisposeScope();
        tp = torch.zeros(n, dtype: ScalarType.Float64); tp.DetachFromDisposeScope();
        fp = torch.zeros(n, dtype: ScalarType.Float64); fp.DetachFromDisposeScope();
        positives = Counter(); negatives = Counter();
    }

    public override void Update(MetricBatch b)
    {
        var pred = b.Probabilities.reshape(1, -1);
        var label = b.DenseTarget.reshape(1, -1).ne(Scalars.Zero);
        var above = pred.gt(thresholds);   // [thresholds, values]
        tp.PlusInPlace(above.logical_and(label).sum(new long[] { 1 }, type: ScalarType.Float64));
        fp.PlusInPlace(above.logical_and(label.logical_not()).sum(new long[] { 1 }, type: ScalarType.Float64));
        var p = label.sum(ScalarType.Float64);
        positives.PlusInPlace(p);
        using var values = label.numel().ToScalar();
        negatives.PlusInPlace(p.neg().add(values, Scalars.One));   // label.numel() - p
    }

    public override double Result()
    {
        double pos = positives.item<double>(), neg = negatives.item<double>();
        var tpv = tp.data<double>().ToArray();
        var fpv = fp.data<double>().ToArray();
        double area = 0;
        for (int i = 0; i + 1 < tpv.Length; i++)
        {
            // divide_no_nan: a rate with an empty denominator is 0.
            double x0 = neg == 0 ? 0 : fpv[i] / neg, x1 = neg == 0 ? 0 : fpv[i + 1] / neg;
            double y0 = pos == 0 ? 0 : tpv[i] / pos, y1 = pos == 0 ? 0 : tpv[i + 1] / pos;
            area += (x0 - x1) * (y0 + y1) / 2;
        }
        return area;
    }

    protected override void DisposeState()
    {
        thresholds.Dispose(); tp.Dispose(); fp.Dispose();
    }
}

/// <summary>mse / mae as metrics: the error of the probabilities against targets shaped like the output.</summary>
public abstract class ErrorMetric : Metric
{
    private readonly bool squared;
    private readonly Tensor sum, count;

    private protected ErrorMetric(bool squared)
    {
        sum = Counter(); count = Counter();
        this.squared = squared;
    }

    public override void Update(MetricBatch b)
    {
        var target = b.Target.dtype == ScalarType.Float32
            ? b.Target
            : nn.functional.one_hot(b.Target, b.Output.shape[^1]).to_type(ScalarType.Float32);
        var d = b.Probabilities - target;
        var e = squared ? d.Squared() : d.abs();
        sum.PlusInPlace(e.reshape(new long[] { e.shape[0], -1 }).mean(new long[] { 1 }).sum(ScalarType.Float64));
        using var rows = e.shape[0].ToScalar();
        count.PlusInPlace(rows);
    }

    public override double Result() { var n = count.item<double>(); return n == 0 ? 0 : sum.item<double>() / n; }
}

/// <summary>keras.metrics.MeanSquaredError (mse).</summary>
[KerasMetric("MeanSquaredError", false, "mse", "mean_squared_error")]
public sealed class MeanSquaredErrorMetric : ErrorMetric, IKerasObject<MeanSquaredErrorMetric>
{
    public MeanSquaredErrorMetric() : base(true) { }
    public static MeanSquaredErrorMetric FromConfig(ConfigReader config) => Named(new MeanSquaredErrorMetric(), config);
}

/// <summary>keras.metrics.MeanAbsoluteError (mae).</summary>
[KerasMetric("MeanAbsoluteError", false, "mae", "mean_absolute_error")]
public sealed class MeanAbsoluteErrorMetric : ErrorMetric, IKerasObject<MeanAbsoluteErrorMetric>
{
    public MeanAbsoluteErrorMetric() : base(false) { }
    public static MeanAbsoluteErrorMetric FromConfig(ConfigReader config) => Named(new MeanAbsoluteErrorMetric(), config);
}
