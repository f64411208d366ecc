using KerasPS.Engine.Data;
using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Normalization;

/// <summary>
/// keras.layers.Normalization: <c>(x - mean) / max(sqrt(variance), 1e-7)</c> along one axis, with the training
/// data's statistics kept as non-trainable weights <c>mean</c>, <c>variance</c> and <c>count</c> (as Keras keeps
/// them, so the parameter count matches: 93 features give 93 + 93 + 1 = 187), so that checkpoints, predictions
/// and test data all use the same scaling. A feature with zero variance maps to 0 at its mean, never NaN or Inf.
/// </summary>
[KerasLayer("Normalization")]
public sealed class Normalization : Layer, IKerasLayer<Normalization>, IOnnxSingleLowering
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    /// <summary>Keras's backend epsilon: the smallest standard deviation divided by.</summary>
    public const float Epsilon = 1e-7f;

    private Weight? mean, variance, count;
    private bool statsInWeights;   // true once the weights hold the statistics (they are then the source of truth)
    private double[]? meanValues, varianceValues;
    private long countValue;

    /// <summary>Keras's default axis: the last (one mean and variance per feature).</summary>
    public const int DefaultAxis = -1;

    public Normalization(int axis = DefaultAxis, double[]? mean = null, double[]? variance = null, string? name = null,
        int[]? inputShape = null)
        : base(name, inputShape)
    {
        if ((mean is null) != (variance is null))
            throw KerasException.BadArgument("InvalidNormalizationStats",
                "Give both -Mean and -Variance, or neither (and -Adapt the layer to data).");
        if (mean is not null)
        {
            if (mean.Length == 0 || mean.Length != variance!.Length)
                throw KerasException.BadArgument("InvalidNormalizationStats",
                    $"-Mean has {mean.Length} values and -Variance {variance!.Length}; they need one value per feature each.");
            if (variance.Any(v => !(v >= 0) || double.IsInfinity(v)) || mean.Any(m => !double.IsFinite(m)))
                throw KerasException.BadArgument("InvalidNormalizationStats",
                    "-Mean must be finite numbers and -Variance finite numbers of 0 or more.");
        }
        Axis = axis;
        meanValues = mean;
        varianceValues = variance;
    }


    /// <summary>The inverse of <see cref="Layer.GetConfig"/>: axis, and the statistics when the config has them.</summary>
    public static Normalization FromConfig(ConfigReader c) =>
        new(c.Raw("axis") is null ? DefaultAxis : c.Int("axis"), c.DoubleArray("mean"), c.DoubleArray("variance"), c.Name, c.InputShape);

    /// <summary>The axis that keeps one mean and variance per position (-1: the last, the features).</summary>
    public int Axis { get; }

    /// <summary>Whether the layer has statistics (adapted or given); an unadapted layer is the identity (mean 0, variance 1).</summary>
    public bool IsAdapted => meanValues is not null;

    public IReadOnlyList<double>? Mean => meanValues;
    public IReadOnlyList<double>? Variance => varianceValues;

    /// <summary>Samples the statistics were computed from (read from the count weight, which checkpoints restore).</summary>
    public long SampleCount => count is not null && !count.Value.IsInvalid ? (long)count.ToArray()[0] : countValue;

    /// <summary>
    /// Keras adapt(): the mean and (population) variance of every position along <see cref="Axis"/>, over all rows
    /// and other axes, accumulated in double precision. Rebuilds the weights when the layer is built.
    /// </summary>
    public void Adapt(float[] values, int[] rowShape)
    {
        int rank = rowShape.Length;
        int ax = ResolveAxis(Axis, rank);
        long width = Shapes.Product(rowShape);
        if (width == 0 || values.LongLength == 0 || values.LongLength % width != 0)
            throw KerasException.BadArgument("InvalidAdaptData",
                $"The data to adapt to has {values.LongLength} values, not whole rows of {width}. Give rows of the model's input shape.");
        int size = rowShape[ax];
        long inner = 1;
        for (int i = ax + 1; i < rank; i++) inner *= rowShape[i];
        var sum = new double[size];
        long rows = values.LongLength / width;
        // Two passes (mean, then squared deviations): stable for counts in the millions, unlike sum of squares.
        for (long i = 0; i < values.LongLength; i++) sum[(int)(i / inner % size)] += values[i];
        long perPosition = values.LongLength / size;
        var m = sum.Select(s => s / perPosition).ToArray();
        var sq = new double[size];
        for (long i = 0; i < values.LongLength; i++)
        {
            int p = (int)(i / inner % size);
            double dlt = values[i] - m[p];
            sq[p] += dlt * dlt;
        }
        if (m.Any(x => !double.IsFinite(x)) || sq.Any(x => !double.IsFinite(x)))
            throw KerasException.BadData("InvalidAdaptData",
                "The data to adapt to holds NaN or infinite values. Clean or fill them first.");
        meanValues = m;
        varianceValues = sq.Select(s => s / perPosition).ToArray();
        countValue = perPosition;
        _ = rows;
        statsInWeights = false;   // the new statistics win over the weights' old ones
        if (Built && InputShape is { } s) { using var noGrad = torch.no_grad(); Rebuild(s); }
    }

    /// <summary>
    /// Adapts to a streamed dataset's features in one pass: each chunk's mean and squared deviations (two passes over the chunk,
    /// in memory), merged into the running ones with Chan et al.'s parallel formula, so the result matches the two-pass statistics
    /// of the whole data to rounding.
    /// </summary>
    public void Adapt(Data.Streaming.IBatchSource source)
    {
        var rowShape = source.Encoding.FeatureShape;
        int ax = ResolveAxis(Axis, rowShape.Length);
        int size = rowShape[ax];
        long inner = 1;
        for (int i = ax + 1; i < rowShape.Length; i++) inner *= rowShape[i];
        var mean = new double[size];
        var m2 = new double[size];
        long seen = 0;
        foreach (var chunk in Data.Streaming.BatchReader.Prefetch(source, Data.Streaming.FileSource.ChunkRows))
        {
            var values = chunk.Features;
            if (values.LongLength == 0) continue;
            long per = values.LongLength / size;
            var cm = new double[size];
            for (long i = 0; i < values.LongLength; i++) cm[(int)(i / inner % size)] += values[i];
            for (int p = 0; p < size; p++) cm[p] /= per;
            var cq = new double[size];
            for (long i = 0; i < values.LongLength; i++)
            {
                int p = (int)(i / inner % size);
                double d = values[i] - cm[p];
                cq[p] += d * d;
            }
            long total = seen + per;
            for (int p = 0; p < size; p++)
            {
                double delta = cm[p] - mean[p];
                mean[p] += delta * per / total;
                m2[p] += cq[p] + delta * delta * seen * per / total;
            }
            seen = total;
        }
        if (seen == 0)
            throw KerasException.BadArgument("InvalidAdaptData", "The data to adapt to has no rows. Give rows of the model's input shape.");
        if (mean.Any(x => !double.IsFinite(x)) || m2.Any(x => !double.IsFinite(x)))
            throw KerasException.BadData("InvalidAdaptData",
                "The data to adapt to holds NaN or infinite values. Clean or fill them first.");
        meanValues = mean;
        varianceValues = m2.Select(s => s / seen).ToArray();
        countValue = seen;
        statsInWeights = false;
        if (Built && InputShape is { } shape) { using var noGrad = torch.no_grad(); Rebuild(shape); }
    }

    /// <summary>Adapts to a dataset's features.</summary>
    public void Adapt(EncodedData data) => Adapt(data.Features, data.FeatureShape);

    private void Rebuild(int[] shape) => Build(shape, new MersenneTwister(0));

    internal static int ResolveAxis(int axis, int rank)
    {
        int a = axis < 0 ? rank + axis : axis - 1;   // positive axes count the batch axis, as in Keras
        if (a < 0 || a >= rank)
            throw KerasException.BadArgument("InvalidAxis",
                $"-Axis {axis} is outside an input of rank {rank} (without the batch axis). Use -1 for the last axis.", axis);
        return a;
    }

    /// <summary>
    /// Takes the statistics back from the weights when they were changed there (a checkpoint restored by weight
    /// name), so that a rebuild (a reseed, a config) keeps them.
    /// </summary>
    private void SyncFromWeights()
    {
        if (!statsInWeights || mean is null || variance is null || count is null || mean.Value.IsInvalid || variance.Value.IsInvalid
            || count.Value.IsInvalid) return;
        var m = mean.ToArray();
        var v = variance.ToArray();
        bool same = meanValues is not null && varianceValues is not null && m.Length == meanValues.Length &&
            m.Select((x, i) => x == (float)meanValues[i]).All(b => b) && v.Select((x, i) => x == (float)varianceValues[i]).All(b => b);
        if (same) return;
        meanValues = m.Select(x => (double)x).ToArray();
        varianceValues = v.Select(x => (double)x).ToArray();
        countValue = (long)count.ToArray()[0];
    }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        SyncFromWeights();
        int ax = ResolveAxis(Axis, inputShape.Length);
        if (meanValues is not null && meanValues.Length != inputShape[ax])
            throw KerasException.BadArgument("InputShapeMismatch",
                $"Normalization '{Name}' holds {meanValues.Length} means, but axis {Axis} of the input {Shapes.Format(inputShape)} has "
                    + $"{inputShape[ax]} positions. Adapt it to data of the model's input shape.");
        return (int[])inputShape.Clone();
    }

    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        int size = inputShape[ResolveAxis(Axis, inputShape.Length)];
        var shape = new[] { size };
        CheckWeightBudget("mean", shape);
        CheckWeightBudget("variance", shape);
        mean = AddWeight("mean", shape, (meanValues ?? new double[size]).Select(v => (float)v).ToArray(), trainable: false);
        variance = AddWeight("variance", shape, (varianceValues ?? Enumerable.Repeat(1.0, size).ToArray()).Select(v => (float)v).ToArray(),
            trainable: false);
        count = AddWeight("count", Array.Empty<int>(), new[] { (float)countValue }, trainable: false);
        statsInWeights = true;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        int rank = (int)x.dim() - 1;
        int ax = ResolveAxis(Axis, rank) + 1;
        var bshape = Enumerable.Repeat(1L, rank + 1).ToArray();
        bshape[ax] = mean!.Value.shape[0];
        var m = mean.Value.reshape(bshape);
        var sd = variance!.Value.sqrt().clamp_min(Scalars.Of(Epsilon)).reshape(bshape);
        return (x - m) / sd;
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["axis"] = Axis;
        SyncFromWeights();   // a checkpoint's restored statistics are what the config says
        if (meanValues is not null)
        {
            c["mean"] = meanValues;
            c["variance"] = varianceValues;
        }
        c["invert"] = false;
    }

    public override string? Details => IsAdapted ? $"axis={Axis}, adapted on {SampleCount:N0} samples" : $"axis={Axis}, not adapted";

    /// <summary>Folded into two constants: <c>(x - mean) / max(sqrt(variance), epsilon)</c> along its axis.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var shape = InputShape!;
        int ax = ResolveAxis(Axis, shape.Length);
        var bshape = Enumerable.Repeat(1L, shape.Length + 1).ToArray();
        bshape[ax + 1] = shape[ax];
        var mean = WeightOf(this, "mean").ToArray();
        var sd = WeightOf(this, "variance").ToArray().Select(v => Math.Max(MathF.Sqrt(v), Epsilon)).ToArray();
        var centered = g.Op("Sub", new[] { x, g.Constant("mean", mean, bshape) });
        return g.Op("Div", new[] { centered, g.Constant("stddev", sd, bshape) });
    }
}
