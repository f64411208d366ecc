using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Data;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>
/// keras.layers.Discretization: puts every value into the bin of sorted <c>bin_boundaries</c> it falls in
/// (<c>numpy.digitize</c>: bin i holds <c>boundaries[i-1] &lt;= x &lt; boundaries[i]</c>, the outer bins reach to -inf and
/// +inf), then encodes the bin index as <c>int</c>, <c>one_hot</c>, <c>multi_hot</c> or <c>count</c>. The boundaries are
/// given, or adapted to data from <c>num_bins</c> approximate quantiles exactly as Keras 3 computes them
/// (<see cref="QuantileSummary"/>). Like Keras, the layer has no weights: the boundaries live in its config, so every
/// checkpoint format carries them.
/// </summary>
[KerasLayer("Discretization")]
public sealed class Discretization : Layer, IKerasLayer<Discretization>, IOnnxSingleLowering
{
    /// <summary>Keras's default quantile error tolerance.</summary>
    public const double DefaultEpsilon = 0.01;

    private float[]? boundaries;

    public Discretization(double[]? binBoundaries = null, int? numBins = null, double epsilon = DefaultEpsilon,
        string outputMode = CategoricalOutput.Int, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (numBins is not null && binBoundaries is not null)
            throw KerasException.BadArgument("InvalidDiscretization",
                $"Give -BinBoundaries or -NumBins, not both. Received: num_bins={numBins} and {binBoundaries.Length} boundaries.");
        if (numBins is null && binBoundaries is null)
            throw KerasException.BadArgument("InvalidDiscretization",
                "Discretization needs -BinBoundaries, or -NumBins with -Adapt data to compute them from.");
        if (numBins is <= 0)
            throw KerasException.BadArgument("InvalidNumBins",
                $"num_bins must be a positive integer. Received: num_bins={numBins}.", numBins);
        if (!(epsilon > 0 && epsilon < 1))
            throw KerasException.BadArgument("InvalidEpsilon",
                $"epsilon must be between 0 and 1 (Keras's default is 0.01). Received: epsilon={F(epsilon)}.", epsilon);
        if (binBoundaries is not null) boundaries = CheckBoundaries(binBoundaries);
        NumBins = numBins;
        Epsilon = epsilon;
        OutputMode = CategoricalOutput.CheckMode(outputMode, "Discretization", CategoricalOutput.Int, CategoricalOutput.OneHot,
            CategoricalOutput.MultiHot, CategoricalOutput.Count);
    }

    private static float[] CheckBoundaries(double[] values)
    {
        if (values.Any(v => !double.IsFinite(v)))
            throw KerasException.BadArgument("InvalidBinBoundaries", "Bin boundaries must be finite numbers.");
        for (int i = 1; i < values.Length; i++)
            if (values[i] < values[i - 1])
                throw KerasException.BadArgument("InvalidBinBoundaries",
                    $"Bin boundaries must be sorted ascending; {F(values[i])} follows {F(values[i - 1])}. Sort them.", values);
        return values.Select(v => (float)v).ToArray();
    }

    /// <summary>
    /// The inverse of <see cref="Layer.GetConfig"/>. An adapted Keras layer writes both <c>bin_boundaries</c> and
    /// <c>num_bins</c>; as Keras's from_config, the boundaries are applied after construction.
    /// </summary>
    public static Discretization FromConfig(ConfigReader c)
    {
        c.RequireDefault("sparse", false, "Discretization");
        var bounds = c.DoubleArray("bin_boundaries");
        int? numBins = c.NullableInt("num_bins");
        double epsilon = c.Double("epsilon", DefaultEpsilon);
        string mode = c.String("output_mode") ?? CategoricalOutput.Int;
        if (bounds is not null && numBins is not null)
        {
            var layer = new Discretization(null, numBins, epsilon, mode, c.Name, c.InputShape);
            layer.boundaries = CheckBoundaries(bounds);
            return layer;
        }
        return new Discretization(bounds, numBins, epsilon, mode, c.Name, c.InputShape);
    }

    /// <summary>The number of bins to adapt to (null when the boundaries were given).</summary>
    public int? NumBins { get; }
    public double Epsilon { get; }
    public string OutputMode { get; }

    /// <summary>The bin boundaries (given or adapted); null before an adapt of a layer made with num_bins.</summary>
    public IReadOnlyList<float>? BinBoundaries => boundaries;

    /// <summary>The number of bins an index can take: the boundaries plus one, or num_bins before adapt.</summary>
    public int Depth => boundaries is not null ? boundaries.Length + 1 : NumBins!.Value;

    /// <summary>Keras adapt(): the boundaries of <see cref="NumBins"/> approximate quantiles of all the values.</summary>
    public void Adapt(ReadOnlySpan<float> values)
    {
        if (NumBins is null)
            throw KerasException.BadArgument("DiscretizationNotAdaptable",
                $"Discretization '{Name}' was given bin boundaries; make it with -NumBins to adapt it to data.");
        if (values.Length == 0)
            throw KerasException.BadArgument("InvalidAdaptData", "The data to adapt to is empty. Give at least one value.");
        foreach (var v in values)
            if (!float.IsFinite(v))
                throw KerasException.BadData("InvalidAdaptData",
                    "The data to adapt to holds NaN or infinite values. Clean or fill them first.");
        boundaries = QuantileSummary.BinBoundaries(values, NumBins.Value, Epsilon);
    }

    /// <summary>Adapts to a dataset's features (all of them together, as Keras flattens the data it adapts to).</summary>
    public void Adapt(EncodedData data) => Adapt(data.Features);

    public override int[] ComputeOutputShape(int[] inputShape) => CategoricalOutput.Shape(inputShape, OutputMode, Depth, Name);

    public override Tensor Forward(Tensor x, bool training)
    {
        if (boundaries is null)
            throw KerasException.BadArgument("DiscretizationNotAdapted",
                $"Discretization '{Name}' has no bin boundaries yet. Adapt it to data (-Adapt) or give -BinBoundaries.");
        using var b = torch.tensor(boundaries, device: x.device);
        using var ids = torch.bucketize(x.contiguous(), b, right: true);
        return CategoricalOutput.Encode(ids, OutputMode, Depth);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["bin_boundaries"] = boundaries?.Select(v => (double)v).ToArray();
        c["num_bins"] = NumBins;
        c["epsilon"] = Epsilon;
        c["output_mode"] = OutputMode;
        c["sparse"] = false;
    }

    public override string? Details => (boundaries is null ? $"num_bins={NumBins}, not adapted" : $"{Depth} bins")
        + (OutputMode == CategoricalOutput.Int ? "" : $", {OutputMode}");

    /// <summary>The bin index is the number of boundaries at or below the value: <c>ReduceSum(Not(Less(x, b)))</c>, then
    /// the encoding.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        string ids;
        if (boundaries is not { Length: > 0 })
            ids = g.Op("Cast", new[] { g.Op("Mul", new[] { x, g.Scalar("zero", 0) }) }, A("to", 7L));
        else
        {
            var column = g.Op("Unsqueeze", new[] { x, g.Longs("axes", -1) });
            var bounds = g.Constant("bin_boundaries", boundaries, boundaries.Length);
            var atOrAbove = g.Op("Not", new[] { g.Op("Less", new[] { column, bounds }) });
            ids = g.Op("ReduceSum", new[] { g.Op("Cast", new[] { atOrAbove }, A("to", 7L)), g.Longs("axes", -1) }, A("keepdims", 0L));
        }
        return CategoricalOutput.Lower(g, ids, InputShape!, OutputMode, Depth);
    }
}
