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
        GC.SuppressFinalize(this);
    }

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

/// <summary>Binary precision or recall at threshold 0.5.</summary>
public sealed class PrecisionRecallMetric : Metric
{
    private readonly bool precision;
    private readonly Tensor tp, fp, fn;
    public PrecisionRecallMetric(bool precision)
    {
        tp = Counter(); fp = Counter(); fn = Counter();
        this.precision = precision;
    }
    public override string Name => precision ? "precision" : "recall";

    public override void Update(MetricBatch b)
    {
        var pred = b.Positive;
        var truth = b.Target.to_type(ScalarType.Float32);
        if (b.Target.dtype != ScalarType.Float32)
        {
            // Class indices of a one-unit-per-class output: the positive class is index 1 (the second sorted class).
            pred = (b.Output.argmax(-1) == 1).to_type(ScalarType.Float32);
            truth = (b.Target == 1).to_type(ScalarType.Float32);
        }
        tp.add_((pred * truth).sum(ScalarType.Float64));
        fp.add_((pred * (1 - truth)).sum(ScalarType.Float64));
        fn.add_(((1 - pred) * truth).sum(ScalarType.Float64));
    }

    public override double Result()
    {
        double t = tp.item<double>(), other = precision ? fp.item<double>() : fn.item<double>();
        return t + other == 0 ? 0 : t / (t + other);
    }

}

/// <summary>Binary ROC AUC, computed exactly (trapezoids over all distinct scores) from the epoch's predictions.</summary>
public sealed class AucMetric : Metric
{
    private readonly List<float> scores = new();
    private readonly List<float> labels = new();
    public override string Name => "auc";

    public override void Update(MetricBatch b)
    {
        Tensor score, truth;
        if (b.Target.dtype == ScalarType.Float32) { score = b.Probabilities.reshape(-1); truth = b.Target.reshape(-1); }
        else { score = b.Probabilities.select(-1, 1); truth = (b.Target == 1).to_type(ScalarType.Float32); }
        scores.AddRange(score.detach().contiguous().data<float>().ToArray());
        labels.AddRange(truth.contiguous().data<float>().ToArray());
    }

    public override double Result() => Auc(scores, labels);

    internal static double Auc(IReadOnlyList<float> s, IReadOnlyList<float> y)
    {
        var order = Enumerable.Range(0, s.Count).OrderByDescending(i => s[i]).ToArray();
        double pos = y.Count(v => v > 0.5), neg = y.Count - pos;
        if (pos == 0 || neg == 0) return 0;
        double tp = 0, fp = 0, prevTp = 0, prevFp = 0, area = 0;
        for (int k = 0; k < order.Length; k++)
        {
            int i = order[k];
            if (y[i] > 0.5) tp++; else fp++;
            if (k == order.Length - 1 || s[order[k + 1]] != s[i])
            {
                area += (fp - prevFp) * (tp + prevTp) / 2;
                prevTp = tp; prevFp = fp;
            }
        }
        return area / (pos * neg);
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

    public static Metric Create(string name, string lossName) => CanonicalName(name) switch
    {
        "accuracy" => new AccuracyMetric(lossName),
        "top_k_categorical_accuracy" => new TopKAccuracyMetric(),
        "precision" => new PrecisionRecallMetric(true),
        "recall" => new PrecisionRecallMetric(false),
        "auc" => new AucMetric(),
        "mse" => new ErrorMetric(true),
        _ => new ErrorMetric(false),
    };
}
