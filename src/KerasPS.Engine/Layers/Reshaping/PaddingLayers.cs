using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Layers.Convolution;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Reshaping;

/// <summary>
/// Shared shape of ZeroPadding1D/2D and Cropping1D/2D: an amount before and after each spatial axis of a channels_last
/// input (batch, steps, channels) or (batch, height, width, channels). Keras writes the amounts as (before, after) for 1-D
/// and ((top, bottom), (left, right)) for 2-D; one int means the same everywhere, and for 2-D two ints mean (height, width)
/// symmetric.
/// </summary>
public abstract class EdgeLayerBase : Layer
{
    private readonly int rank;

    protected EdgeLayerBase(int rank, int[]? amounts, int[] fallback, string what, string? name, int[]? inputShape)
        : base(name, inputShape)
    {
        this.rank = rank;
        var v = amounts is null || amounts.Length == 0 ? fallback : amounts;
        int[] flat = v.Length switch
        {
            1 => Enumerable.Repeat(v[0], 2 * rank).ToArray(),
            2 when rank == 2 => new[] { v[0], v[0], v[1], v[1] },
            _ when v.Length == 2 * rank => v.ToArray(),
            _ => Array.Empty<int>(),
        };
        if (flat.Length == 0 || flat.Any(d => d < 0))
        {
            var forms = rank == 1 ? "one int or two (before, after)"
                : "one int, two (height, width) or four (top, bottom, left, right)";
            throw KerasException.BadArgument("Invalid" + char.ToUpperInvariant(what[0]) + what[1..],
                $"{ClassName} {what} takes {forms}, none negative. Received: ({string.Join(", ", v)}).", amounts);
        }
        Before = Enumerable.Range(0, rank).Select(i => flat[2 * i]).ToArray();
        After = Enumerable.Range(0, rank).Select(i => flat[2 * i + 1]).ToArray();
        Key = what;
    }

    /// <summary>The amount before each spatial axis (start, or top then left).</summary>
    public int[] Before { get; }

    /// <summary>The amount after each spatial axis (end, or bottom then right).</summary>
    public int[] After { get; }

    private string Key { get; }

    /// <summary>The Keras config form: (before, after) for 1-D, ((top, bottom), (left, right)) for 2-D.</summary>
    protected object KerasAmounts => rank == 1
        ? new[] { Before[0], After[0] }
        : Enumerable.Range(0, rank).Select(i => new[] { Before[i], After[i] }).ToArray();

    /// <summary>The spatial input sizes, checked against the layer's rank.</summary>
    protected int[] SpatialOf(int[] inputShape) => Spatial.Split(inputShape, rank, true, ClassName).Spatial;

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c[Key] = KerasAmounts;
        if (rank == 2) c["data_format"] = "channels_last";
    }

    public override string? Details =>
        $"{Key}=({string.Join(", ", Enumerable.Range(0, rank).Select(i => $"{Before[i]}, {After[i]}"))})";

    /// <summary>Reads the amounts (an int, ints or int pairs) and refuses channels_first, which these layers do not run.</summary>
    protected static int[]? ReadAmounts(ConfigReader c, string key, string className)
    {
        c.RequireChannelsLast(className);
        return c.NestedIntArray(key);
    }
}

/// <summary>keras.layers.ZeroPadding1D: zeros before and after the steps of (batch, steps, channels); default 1 each side.</summary>
[KerasLayer("ZeroPadding1D")]
public sealed class ZeroPadding1D : ZeroPaddingBase, IKerasLayer<ZeroPadding1D>
{
    public ZeroPadding1D(int[]? padding = null, string? name = null, int[]? inputShape = null) : base(1, padding, name, inputShape) { }
    public static ZeroPadding1D FromConfig(ConfigReader c) => new(ReadAmounts(c, "padding", "ZeroPadding1D"), c.Name, c.InputShape);
}

/// <summary>keras.layers.ZeroPadding2D: zero rows above and below, zero columns left and right; default 1 each side.</summary>
[KerasLayer("ZeroPadding2D")]
public sealed class ZeroPadding2D : ZeroPaddingBase, IKerasLayer<ZeroPadding2D>
{
    public ZeroPadding2D(int[]? padding = null, string? name = null, int[]? inputShape = null) : base(2, padding, name, inputShape) { }
    public static ZeroPadding2D FromConfig(ConfigReader c) => new(ReadAmounts(c, "padding", "ZeroPadding2D"), c.Name, c.InputShape);
}

/// <summary>ZeroPadding1D/2D: torch's constant pad on the spatial axes, ONNX's Pad.</summary>
public abstract class ZeroPaddingBase : EdgeLayerBase, IOnnxSingleLowering
{
    protected ZeroPaddingBase(int rank, int[]? padding, string? name, int[]? inputShape)
        : base(rank, padding, new[] { 1 }, "padding", name, inputShape) { }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var spatial = SpatialOf(inputShape);
        return spatial.Select((d, i) => d + Before[i] + After[i]).Append(inputShape[^1]).ToArray();
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        // torch pads from the last axis backwards: channels (none), then the spatial axes innermost first.
        var pads = new List<long> { 0, 0 };
        for (int i = Before.Length - 1; i >= 0; i--) { pads.Add(Before[i]); pads.Add(After[i]); }
        return nn.functional.pad(x, pads.ToArray(), PaddingModes.Constant, 0);
    }

    /// <summary>Pad with zeros: begins (0, before..., 0), then ends (0, after..., 0).</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var pads = new long[] { 0 }.Concat(Longs(Before)).Append(0).Append(0).Concat(Longs(After)).Append(0).ToArray();
        return g.Op("Pad", new[] { x, g.Longs("pads", pads) }, A("mode", "constant"));
    }
}

/// <summary>keras.layers.Cropping1D: drops steps at the start and end of (batch, steps, channels); default 1 each side.</summary>
[KerasLayer("Cropping1D")]
public sealed class Cropping1D : CroppingBase, IKerasLayer<Cropping1D>
{
    public Cropping1D(int[]? cropping = null, string? name = null, int[]? inputShape = null)
        : base(1, cropping, new[] { 1 }, name, inputShape) { }
    public static Cropping1D FromConfig(ConfigReader c) => new(ReadAmounts(c, "cropping", "Cropping1D"), c.Name, c.InputShape);
}

/// <summary>keras.layers.Cropping2D: drops rows at the top and bottom and columns at the left and right; default none.</summary>
[KerasLayer("Cropping2D")]
public sealed class Cropping2D : CroppingBase, IKerasLayer<Cropping2D>
{
    public Cropping2D(int[]? cropping = null, string? name = null, int[]? inputShape = null)
        : base(2, cropping, new[] { 0 }, name, inputShape) { }
    public static Cropping2D FromConfig(ConfigReader c) => new(ReadAmounts(c, "cropping", "Cropping2D"), c.Name, c.InputShape);
}

/// <summary>Cropping1D/2D: a narrow per spatial axis, ONNX's Slice.</summary>
public abstract class CroppingBase : EdgeLayerBase, IOnnxSingleLowering
{
    protected CroppingBase(int rank, int[]? cropping, int[] fallback, string? name, int[]? inputShape)
        : base(rank, cropping, fallback, "cropping", name, inputShape) { }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var spatial = SpatialOf(inputShape);
        for (int i = 0; i < spatial.Length; i++)
        {
            if (Before[i] + After[i] >= spatial[i])
                throw KerasException.BadArgument("InvalidCropping",
                    $"{ClassName} crops {Before[i]} + {After[i]} from an axis of size {spatial[i]} "
                        + $"(input {Shapes.Format(inputShape)}); the cropping must leave at least one value on each axis.",
                    inputShape);
        }
        return spatial.Select((d, i) => d - Before[i] - After[i]).Append(inputShape[^1]).ToArray();
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var y = x;
        for (int i = 0; i < Before.Length; i++) y = y.narrow(i + 1, Before[i], y.shape[i + 1] - Before[i] - After[i]);
        return y;
    }

    /// <summary>Slice of the spatial axes from <c>before</c> to <c>size - after</c>.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var spatial = SpatialOf(InputShape!);
        var ends = spatial.Select((d, i) => (long)(d - After[i])).ToArray();
        var axes = Enumerable.Range(1, spatial.Length).Select(a => (long)a).ToArray();
        return g.Op("Slice", new[] { x, g.Longs("starts", Longs(Before)), g.Longs("ends", ends), g.Longs("axes", axes) });
    }
}

/// <summary>keras.layers.UpSampling1D: repeats each step <c>size</c> times (default 2).</summary>
[KerasLayer("UpSampling1D")]
public sealed class UpSampling1D : Layer, IKerasLayer<UpSampling1D>, IOnnxSingleLowering
{
    public const int DefaultSize = 2;

    public UpSampling1D(int size = DefaultSize, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (size <= 0)
            throw KerasException.BadArgument("InvalidSize", $"UpSampling1D size must be a positive integer. Received: size={size}.", size);
        Size = size;
    }

    public int Size { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (spatial, channels) = Spatial.Split(inputShape, 1, true, ClassName);
        return new[] { spatial[0] * Size, channels };
    }

    public override Tensor Forward(Tensor x, bool training) => x.repeat_interleave(Size, 1);
    protected override void WriteConfig(IDictionary<string, object?> c) => c["size"] = Size;
    public static UpSampling1D FromConfig(ConfigReader c) => new(c.Int("size", DefaultSize), c.Name, c.InputShape);
    public override string? Details => $"size={Size}";

    /// <summary>Unsqueeze a repeat axis after the steps, Expand it to <c>size</c>, Reshape the pairs into steps.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var wide = g.Op("Expand", new[] { g.Op("Unsqueeze", new[] { x, g.Longs("axes", 2) }), g.Longs("shape", 1, 1, Size, 1) });
        return g.Op("Reshape", new[] { wide, g.Longs("shape", -1, OutputShape![0], OutputShape[1]) });
    }
}

/// <summary>
/// keras.layers.UpSampling2D: scales height and width by <c>size</c> (default 2, 2). "nearest" repeats rows and columns;
/// "bilinear" interpolates as keras.ops.image.resize does (half-pixel centres, edges clamped, no antialiasing when
/// enlarging), which is torch's bilinear with align_corners=False.
/// </summary>
[KerasLayer("UpSampling2D")]
public sealed class UpSampling2D : Layer, IKerasLayer<UpSampling2D>, IOnnxSingleLowering
{
    public static readonly string[] Interpolations = { "nearest", "bilinear" };

    public UpSampling2D(int[]? size = null, string? interpolation = null, string? name = null, int[]? inputShape = null)
        : base(name, inputShape)
    {
        Size = Spatial.Tuple(size, 2, "size", ClassName, new[] { 2, 2 });
        var mode = (interpolation ?? "nearest").Trim().ToLowerInvariant();
        if (!Interpolations.Contains(mode))
            throw KerasException.BadArgument("InvalidInterpolation",
                $"UpSampling2D interpolation must be nearest or bilinear (KerasPS runs no other). Received: '{interpolation}'.",
                interpolation);
        Interpolation = mode;
    }

    public int[] Size { get; }
    public string Interpolation { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (spatial, channels) = Spatial.Split(inputShape, 2, true, ClassName);
        return new[] { spatial[0] * Size[0], spatial[1] * Size[1], channels };
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        if (Interpolation == "nearest") return x.repeat_interleave(Size[0], 1).repeat_interleave(Size[1], 2);
        var t = x.permute(0, 3, 1, 2);
        var y = nn.functional.interpolate(t, new[] { x.shape[1] * Size[0], x.shape[2] * Size[1] }, mode: InterpolationMode.Bilinear,
            align_corners: false);
        return y.permute(0, 2, 3, 1);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["size"] = Size;
        c["data_format"] = "channels_last";
        c["interpolation"] = Interpolation;
    }

    public static UpSampling2D FromConfig(ConfigReader c)
    {
        c.RequireChannelsLast("UpSampling2D");
        return new(c.IntArray("size"), c.String("interpolation"), c.Name, c.InputShape);
    }

    public override string? Details => DetailText.Join($"size=({Size[0]}, {Size[1]})",
        Interpolation != "nearest" ? $"interpolation={Interpolation}" : null);

    /// <summary>
    /// nearest: Unsqueeze repeat axes after height and width, Expand, Reshape (exact). bilinear: Resize, mode linear with
    /// half_pixel coordinates, on the channels-first transpose.
    /// </summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        if (Interpolation == "nearest")
        {
            var wide = g.Op("Expand", new[]
            {
                g.Op("Unsqueeze", new[] { x, g.Longs("axes", 2, 4) }), g.Longs("shape", 1, 1, Size[0], 1, Size[1], 1),
            });
            return g.Op("Reshape", new[] { wide, g.Longs("shape", -1, OutputShape![0], OutputShape[1], OutputShape[2]) });
        }
        var (t, back) = ChannelsFirst(g, x, 2, true);
        var scales = g.Constant("scales", new float[] { 1, 1, Size[0], Size[1] }, 4);
        return back(g.Op("Resize", new[] { t, "", scales }, A("mode", "linear"), A("coordinate_transformation_mode", "half_pixel")));
    }
}
