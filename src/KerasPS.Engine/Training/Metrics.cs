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
    public Tensor Positive => FusedActivation == "sigmoid" ? (Output > 0).to_type(ScalarType.Float32) : (Output > 0.5).to_type(ScalarType.Float32);
}

/// <summary>
/// A Keras metric, accumulated over an epoch in tensors (no per-batch read-back) and read once at the end.
/// </summary>
public abstract class Metric : IDisposable
{
    private readonly List<Tensor> counters = new();

    /// <summary>Keras's name as it appears in history (accuracy, precision, ...).</summary>
    public abstract string Name { get; }
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

/// <summary>Accuracy in the form Keras picks for the loss: categorical/sparse (argmax), binary (threshold 0.5) or exact match.</summary>
public sealed class AccuracyMetric : Metric
{
    private readonly string form;
    private readonly Tensor correct;
    private long total;

    public AccuracyMetric(string lossName)
    {
        correct = Counter();
        form = lossName switch
        {
            "categorical_crossentropy" or "sparse_categorical_crossentropy" => "categorical",
            "binary_crossentropy" => "binary",
            _ => "exact",
        };
    }

    public override string Name => "accuracy";

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
        correct.add_(hits.sum(ScalarType.Float64));
        total += form == "categorical" ? b.Count : hits.numel();
    }

    public override double Result() => total == 0 ? 0 : correct.item<double>() / total;
}

/// <summary>top_k_categorical_accuracy (k = 5 by default, as Keras).</summary>
public sealed class TopKAccuracyMetric : Metric
{
    private readonly Tensor correct, total;
    public TopKAccuracyMetric(int k = 5)
    {
        correct = Counter(); total = Counter();
        K = k;
    }
    public int K { get; }
    public override string Name => "top_k_categorical_accuracy";

    public override void Update(MetricBatch b)
    {
        var classes = b.Output.shape[^1];
        var (_, idx) = b.Output.topk((int)Math.Min(K, classes), -1);
        var truth = b.Target.dtype == ScalarType.Float32 ? b.Target.argmax(-1) : b.Target;
        var hits = idx.eq(truth.unsqueeze(-1)).any(-1);
        correct.add_(hits.sum(ScalarType.Float64));
        total.add_(hits.numel());
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
public sealed class PrecisionRecallMetric : Metric
{
    /// <summary>What Keras uses for "minus infinity" when top_k hides an output.</summary>
    internal const float NegativeInfinity = -1e10f;

    private readonly bool precision;
    private readonly double threshold;
    private readonly int? classId, topK;
    private readonly Tensor tp, fp, fn;

    public PrecisionRecallMetric(MetricSpec spec)
    {
        tp = Counter(); fp = Counter(); fn = Counter();
        precision = spec.Kind == "precision";
        Name = spec.Name;
        classId = spec.ClassId;
        topK = spec.TopK;
        threshold = spec.Threshold ?? (topK is null ? MetricSpec.DefaultThreshold : NegativeInfinity);
    }

    public override string Name { get; }

    public override void Update(MetricBatch b)
    {
        var pred = b.Probabilities;
        var truth = b.DenseTarget;
        if (topK is int k)
        {
            var (_, idx) = pred.topk(Math.Min(k, (int)pred.shape[^1]), -1);
            var keep = torch.zeros_like(pred).scatter_(-1, idx, torch.ones_like(idx, dtype: pred.dtype));
            pred = pred * keep + (1 - keep) * NegativeInfinity;
        }
        if (classId is int c)
        {
            if (c >= pred.shape[^1])
                throw KerasException.BadArgument("InvalidMetricOption", $"{Name}: class_id {c} does not exist; the model has {pred.shape[^1]} outputs (class ids 0..{pred.shape[^1] - 1}).", c);
            pred = pred.select(-1, c);
            truth = truth.select(-1, c);
        }
        var positive = pred.gt(threshold);
        var label = truth.ne(0);
        tp.add_(positive.logical_and(label).sum(ScalarType.Float64));
        fp.add_(positive.logical_and(label.logical_not()).sum(ScalarType.Float64));
        fn.add_(positive.logical_not().logical_and(label).sum(ScalarType.Float64));
    }

    public override double Result()
    {
        double t = tp.item<double>(), other = precision ? fp.item<double>() : fn.item<double>();
        return t + other == 0 ? 0 : t / (t + other);
    }
}

/// <summary>
/// keras.metrics.AUC as Keras 3 computes it by default: ROC curve, <c>num_thresholds</c> (200) thresholds spread evenly
/// over [0, 1] (the first just below 0, the last just above 1), a confusion matrix per threshold accumulated over the
/// epoch, and the area by trapezoids between neighbouring thresholds (summation_method="interpolation"). As with
/// precision, every output unit of every row is one binary decision (multi_label=False), on probabilities.
/// </summary>
public sealed class AucMetric : Metric
{
    private const double Epsilon = 1e-7;   // keras.backend.epsilon()
    private readonly Tensor thresholds, tp, fp, positives, negatives;

    public AucMetric(MetricSpec spec)
    {
        Name = spec.Name;
        int n = spec.NumThresholds ?? MetricSpec.DefaultNumThresholds;
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

    public override string Name { get; }

    public override void Update(MetricBatch b)
    {
        var pred = b.Probabilities.reshape(1, -1);
        var label = b.DenseTarget.reshape(1, -1).ne(0);
        var above = pred.gt(thresholds);   // [thresholds, values]
        tp.add_(above.logical_and(label).sum(new long[] { 1 }, type: ScalarType.Float64));
        fp.add_(above.logical_and(label.logical_not()).sum(new long[] { 1 }, type: ScalarType.Float64));
        var p = label.sum(ScalarType.Float64);
        positives.add_(p);
        negatives.add_(label.numel() - p);
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

/// <summary>mse / mae as metrics.</summary>
public sealed class ErrorMetric : Metric
{
    private readonly bool squared;
    private readonly Tensor sum, count;
    public ErrorMetric(bool squared)
    {
        sum = Counter(); count = Counter();
        this.squared = squared;
    }
    public override string Name => squared ? "mse" : "mae";

    public override void Update(MetricBatch b)
    {
        var target = b.Target.dtype == ScalarType.Float32 ? b.Target : nn.functional.one_hot(b.Target, b.Output.shape[^1]).to_type(ScalarType.Float32);
        var d = b.Probabilities - target;
        var e = squared ? d.square() : d.abs();
        sum.add_(e.reshape(new long[] { e.shape[0], -1 }).mean(new long[] { 1 }).sum(ScalarType.Float64));
        count.add_(e.shape[0]);
    }

    public override double Result() { var n = count.item<double>(); return n == 0 ? 0 : sum.item<double>() / n; }
}

public static class MetricFactory
{
    public static IReadOnlyList<string> Names { get; } = new[]
    {
        "accuracy", "acc", "top_k_categorical_accuracy", "precision", "recall", "auc", "mse", "mean_squared_error", "mae", "mean_absolute_error",
    };

    /// <summary>The history name of a metric (accuracy for acc, mse for mean_squared_error, ...); an unknown name is an error.</summary>
    public static string CanonicalName(string name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "accuracy" or "acc" or "categorical_accuracy" or "sparse_categorical_accuracy" or "binary_accuracy" => "accuracy",
        "top_k_categorical_accuracy" or "top5" => "top_k_categorical_accuracy",
        "precision" => "precision",
        "recall" => "recall",
        "auc" => "auc",
        "mse" or "mean_squared_error" => "mse",
        "mae" or "mean_absolute_error" => "mae",
        _ => throw KerasException.BadArgument("UnknownMetric", $"Unknown metric '{name}'. Valid names: {string.Join(", ", Names)}.", name),
    };

    public static Metric Create(string name, string lossName) => Create(MetricSpec.Parse(name), lossName);

    public static Metric Create(MetricSpec spec, string lossName) => spec.Kind switch
    {
        "accuracy" => new AccuracyMetric(lossName),
        "top_k_categorical_accuracy" => new TopKAccuracyMetric(),
        "precision" or "recall" => new PrecisionRecallMetric(spec),
        "auc" => new AucMetric(spec),
        "mse" => new ErrorMetric(true),
        _ => new ErrorMetric(false),
    };
}
