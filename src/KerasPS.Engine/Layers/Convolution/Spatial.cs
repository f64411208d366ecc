using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Layers.Convolution;

/// <summary>
/// Shared geometry of the 1-D and 2-D convolution and pooling layers. Both run on torch's 2-D kernels in
/// (batch, channels, height, width) layout: a 1-D input becomes height 1. Padding follows Keras (TensorFlow):
/// "same" gives ceil(length / stride) outputs and puts the odd extra pad after, "causal" pads only before.
/// </summary>
internal static class Spatial
{
    public static readonly string[] Paddings = { "valid", "same" };
    public static readonly string[] DataFormats = { "channels_last", "channels_first" };

    public static string CheckPadding(string? padding, string layer, bool allowCausal = false)
    {
        var p = (padding ?? "valid").Trim().ToLowerInvariant();
        if (p == "valid" || p == "same" || (allowCausal && p == "causal")) return p;
        throw KerasException.BadArgument("InvalidPadding",
            $"{layer} padding must be {(allowCausal ? "valid, same or causal" : "valid or same")}. Received: padding='{padding}'.",
            padding);
    }

    public static bool CheckChannelsLast(string? dataFormat, string layer)
    {
        var f = (dataFormat ?? "channels_last").Trim().ToLowerInvariant();
        if (f == "channels_last") return true;
        if (f == "channels_first") return false;
        throw KerasException.BadArgument("InvalidDataFormat",
            $"{layer} data_format must be channels_last or channels_first. Received: '{dataFormat}'.", dataFormat);
    }

    /// <summary>Expands an int or a list of <paramref name="rank"/> ints (Keras's kernel_size=3 means 3x3) and checks they are
    /// positive.</summary>
    /// <summary>
    /// A convolution window's kernel size, strides and dilation as <paramref name="rank"/>-tuples (strides and dilation 1 by
    /// default); strides above 1 with dilation above 1 are refused, as Keras refuses them.
    /// </summary>
    public static (int[] Kernel, int[] Strides, int[] Dilation) Window(int[] kernelSize, int[]? strides, int[]? dilationRate,
        int rank, string layer)
    {
        var kernel = Tuple(kernelSize, rank, "kernel_size", layer);
        var s = Tuple(strides, rank, "strides", layer, new[] { 1 });
        var d = Tuple(dilationRate, rank, "dilation_rate", layer, new[] { 1 });
        if (s.Any(v => v > 1) && d.Any(v => v > 1))
            throw KerasException.BadArgument("InvalidDilationRate",
                $"{layer} cannot combine strides > 1 with dilation_rate > 1 (Keras refuses it too). Use one of them.");
        return (kernel, s, d);
    }

    /// <summary>A convolution's number of filters, which must be positive.</summary>
    public static int Filters(int filters, string layer) => filters > 0 ? filters
        : throw KerasException.BadArgument("InvalidFilters", $"{layer} filters must be a positive integer. Received: filters={filters}.",
            filters);

    public static int[] Tuple(int[]? values, int rank, string what, string layer, int[]? fallback = null)
    {
        var v = values is null || values.Length == 0 ? fallback : values;
        if (v is null) throw KerasException.BadArgument("Invalid" + Pascal(what), $"{layer} needs a {what.Replace('_', ' ')}.");
        if (v.Length == 1 && rank > 1) v = Enumerable.Repeat(v[0], rank).ToArray();
        if (v.Length != rank || v.Any(d => d <= 0))
            throw KerasException.BadArgument("Invalid" + Pascal(what),
                $"{layer} {what} must be {(rank == 1 ? "a positive integer" : $"a positive integer or {rank} positive integers")}. "
                    + $"Received: ({string.Join(", ", values ?? Array.Empty<int>())}).", values);
        return v.ToArray();
    }

    private static string Pascal(string snake) => string.Concat(snake.Split('_').Select(s => char.ToUpperInvariant(s[0]) + s[1..]));

    /// <summary>Splits an input shape into spatial sizes and channels, or says what shape the layer needs.</summary>
    public static (int[] Spatial, int Channels) Split(int[] inputShape, int rank, bool channelsLast, string layer)
    {
        if (inputShape.Length != rank + 1)
        {
            var expected = rank == 1 ? (channelsLast ? "(steps, channels)" : "(channels, steps)")
                : channelsLast ? "(height, width, channels)" : "(channels, height, width)";
            var hint = rank == 1 ? "Add-ReshapeLayer -TargetShape <steps>,<channels>" : "Add-ReshapeLayer -TargetShape 28,28,1";
            throw KerasException.BadArgument("InvalidInputShape",
                $"{layer} takes {rank + 2}-D inputs (batch, {expected.Trim('(', ')')}); received {Shapes.Format(inputShape)}. "
                    + $"Reshape the input first ({hint}).", inputShape);
        }
        return channelsLast ? (inputShape[..rank], inputShape[rank]) : (inputShape[1..], inputShape[0]);
    }

    public static int[] Join(int[] spatial, int channels, bool channelsLast) =>
        channelsLast ? spatial.Append(channels).ToArray() : new[] { channels }.Concat(spatial).ToArray();

    public static int OutputLength(int length, int kernel, int stride, int dilation, string padding)
    {
        int span = dilation * (kernel - 1) + 1;
        return padding switch
        {
            "same" => (length + stride - 1) / stride,
            "causal" => (length - 1) / stride + 1,
            _ => length < span ? 0 : (length - span) / stride + 1,
        };
    }

    public static (long Before, long After) Padding(int length, int kernel, int stride, int dilation, string padding)
    {
        int span = dilation * (kernel - 1) + 1;
        switch (padding)
        {
            case "same":
                int outLen = (length + stride - 1) / stride;
                int total = Math.Max((outLen - 1) * stride + span - length, 0);
                return (total / 2, total - total / 2);
            case "causal": return (span - 1, 0);
            default: return (0, 0);
        }
    }

    public static int[] OutputSpatial(int[] spatial, int[] kernel, int[] strides, int[] dilation, string padding, string layer,
        int[] inputShape)
    {
        var r = new int[spatial.Length];
        for (int i = 0; i < spatial.Length; i++)
        {
            r[i] = OutputLength(spatial[i], kernel[i], strides[i], dilation[i], padding);
            if (r[i] <= 0)
                throw KerasException.BadArgument("InvalidInputShape",
                    $"{layer} with window ({string.Join(", ", kernel)}) and padding '{padding}' does not fit input "
                        + $"{Shapes.Format(inputShape)}: the input is smaller than the window. "
                        + "Use padding 'same' or a smaller kernel/pool size.", inputShape);
        }
        return r;
    }

    /// <summary>(batch, ...) in the layer's format to (batch, channels, height, width).</summary>
    public static Tensor ToTorch(Tensor x, int rank, bool channelsLast)
    {
        if (rank == 1) return (channelsLast ? x.permute(0, 2, 1) : x).unsqueeze(2);
        return channelsLast ? x.permute(0, 3, 1, 2) : x;
    }

    public static Tensor FromTorch(Tensor y, int rank, bool channelsLast)
    {
        if (rank == 1) { var t = y.squeeze(2); return channelsLast ? t.permute(0, 2, 1) : t; }
        return channelsLast ? y.permute(0, 2, 3, 1) : y;
    }

    /// <summary>Pads a (batch, channels, height, width) tensor for the layer's padding; <paramref name="value"/> fills.</summary>
    public static Tensor Pad(Tensor x, int[] spatial, int[] kernel, int[] strides, int[] dilation, string padding, double value = 0)
    {
        if (padding == "valid") return x;
        // Height first, then width; a 1-D layer has height 1 and no height padding.
        var (wb, wa) = Padding(spatial[^1], kernel[^1], strides[^1], dilation[^1], padding);
        var (hb, ha) = spatial.Length == 2 ? Padding(spatial[0], kernel[0], strides[0], dilation[0], padding) : (0L, 0L);
        if (wb == 0 && wa == 0 && hb == 0 && ha == 0) return x;
        return nn.functional.pad(x, new[] { wb, wa, hb, ha }, PaddingModes.Constant, value);
    }

    /// <summary>2-D (height, width) parameters for torch: a 1-D layer gets height 1.</summary>
    public static long[] As2D(int[] v, int rank) => rank == 1 ? new[] { 1L, v[0] } : new long[] { v[0], v[1] };
}
