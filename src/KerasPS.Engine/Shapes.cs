using System.Globalization;

namespace KerasPS.Engine;

/// <summary>Shapes without the batch axis, as Keras writes them with it: (None, 64, 10).</summary>
public static class Shapes
{
    public static string Format(IReadOnlyList<int>? shape) =>
        shape is null ? "?"
            : "(None" + string.Concat(shape.Select(d => ", " + (d < 0 ? "None" : d.ToString(CultureInfo.InvariantCulture)))) + ")";

    /// <summary>A tensor's whole shape, every axis as stored (a weight's, a file's): (64, 10); a scalar's is ().</summary>
    public static string FormatTensor(IReadOnlyList<long> shape) =>
        "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";

    public static long Product(IReadOnlyList<int> shape)
    {
        long p = 1;
        foreach (var d in shape) p *= d;
        return p;
    }

    public static long[] WithBatch(long batch, IReadOnlyList<int> shape)
    {
        var r = new long[shape.Count + 1];
        r[0] = batch;
        for (int i = 0; i < shape.Count; i++) r[i + 1] = shape[i];
        return r;
    }

    public static bool SameAs(IReadOnlyList<int> a, IReadOnlyList<int> b) => a.Count == b.Count && a.SequenceEqual(b);

    public static int[] Validate(int[]? shape, string parameter)
    {
        if (shape is null || shape.Length == 0)
            throw KerasException.BadArgument("InvalidInputShape",
                $"{parameter} must list at least one dimension, without the batch axis (e.g. 93 or 28,28,1).");
        if (shape.Any(d => d <= 0))
            throw KerasException.BadArgument("InvalidInputShape",
                $"{parameter} dimensions must be positive integers. Received: {Format(shape)}.", shape);
        return (int[])shape.Clone();
    }
}
