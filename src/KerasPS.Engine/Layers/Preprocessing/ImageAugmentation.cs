using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Layers.Convolution;
using KerasPS.Engine.Onnx;
using KerasPS.Engine.Training;

namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>
/// The Keras 3 augmentation layers: a random change per image of a (batch, height, width, channels) batch while training,
/// drawn from the fit's generator for the epoch (<see cref="RandomContext"/>, as Dropout draws), so the same fit seed gives
/// the same images; at prediction and evaluation they pass images through unchanged, and export to ONNX as nothing.
/// </summary>
public abstract class ImageAugmentationLayer : Layer, IOnnxIdentity
{
    protected ImageAugmentationLayer(string? name, int[]? inputShape) : base(name, inputShape) { }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        Spatial.Split(inputShape, 2, true, ClassName);
        return (int[])inputShape.Clone();
    }

    public override Tensor Forward(Tensor x, bool training) => training ? Augment(x) : x;

    /// <summary>The random change, in training only.</summary>
    protected abstract Tensor Augment(Tensor x);

    /// <summary>One uniform draw in [low, high) per image, from the fit's generator.</summary>
    protected static Tensor Uniform(Tensor x, double low, double high) =>
        torch.rand(x.shape[0], dtype: ScalarType.Float32, device: x.device, generator: RandomContext.Current)
            .mul(Scalars.Of(high - low)).Plus(low);

    /// <summary>A Keras factor: one number or two, each in [min, max]; each layer says what one number means.</summary>
    protected static double[] ReadFactor(double[]? factor, string key, string className, double min, double max)
    {
        if (factor is null || factor.Length is 0 or > 2 || factor.Any(f => !double.IsFinite(f) || f < min || f > max))
            throw KerasException.BadArgument("InvalidFactor",
                $"{className} {key} takes one number or two (low, high), each in [{F(min)}, {F(max)}]. "
                    + $"Received: ({string.Join(", ", (factor ?? Array.Empty<double>()).Select(F))}).", factor);
        return factor.ToArray();
    }

    /// <summary>The config form of a factor: the number, or the pair, as given.</summary>
    protected static object FactorConfig(double[] factor) => factor.Length == 1 ? factor[0] : factor;

    protected static string FactorText(double[] factor) =>
        factor.Length == 1 ? F(factor[0]) : $"({F(factor[0])}, {F(factor[1])})";

    protected static double[]? ReadFactorConfig(ConfigReader c, string key) =>
        c.Raw(key) is null ? null : c.DoubleArray(key) ?? new[] { c.Double(key) };
}

/// <summary>keras.layers.RandomFlip: flips each image left-right and/or top-bottom with probability 1/2.</summary>
[KerasLayer("RandomFlip")]
public sealed class RandomFlip : ImageAugmentationLayer, IKerasLayer<RandomFlip>
{
    public static readonly string[] Modes = { "horizontal", "vertical", "horizontal_and_vertical" };

    public RandomFlip(string? mode = null, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        var m = (mode ?? "horizontal_and_vertical").Trim().ToLowerInvariant();
        if (!Modes.Contains(m))
            throw KerasException.BadArgument("InvalidMode",
                $"RandomFlip mode must be horizontal, vertical or horizontal_and_vertical. Received: '{mode}'.", mode);
        Mode = m;
    }

    public string Mode { get; }

    protected override Tensor Augment(Tensor x)
    {
        if (Mode != "vertical") x = FlipSome(x, 2);
        if (Mode != "horizontal") x = FlipSome(x, 1);
        return x;
    }

    private static Tensor FlipSome(Tensor x, long axis)
    {
        var flip = Uniform(x, 0, 1).lt(Scalars.Of(0.5)).reshape(-1, 1, 1, 1);
        return torch.where(flip, x.flip(axis), x);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["seed"] = null;
        c["mode"] = Mode;
        c["data_format"] = "channels_last";
    }

    public static RandomFlip FromConfig(ConfigReader c)
    {
        c.RequireChannelsLast("RandomFlip");
        return new(c.String("mode"), c.Name, c.InputShape);
    }

    public override string? Details => $"mode={Mode}";
}

/// <summary>
/// RandomRotation, RandomZoom and RandomTranslation: an affine resampling of each image (torch's affine_grid and
/// grid_sample, half-pixel centres) with Keras's fill modes reflect (the edge pixel repeated, as Keras's reflect), nearest
/// and constant (fill_value), and bilinear or nearest interpolation.
/// </summary>
public abstract class AffineAugmentationLayer : ImageAugmentationLayer
{
    public static readonly string[] FillModes = { "reflect", "nearest", "constant" };

    protected AffineAugmentationLayer(string? fillMode, string? interpolation, double fillValue, string? name, int[]? inputShape)
        : base(name, inputShape)
    {
        var f = (fillMode ?? "reflect").Trim().ToLowerInvariant();
        if (!FillModes.Contains(f))
            throw KerasException.BadArgument("InvalidFillMode",
                $"{ClassName} fill_mode must be reflect, nearest or constant (KerasPS runs no other). Received: '{fillMode}'.", fillMode);
        FillMode = f;
        Interpolation = ImageResize.CheckInterpolation(interpolation, ClassName);
        FillValue = fillValue;
    }

    public string FillMode { get; }
    public string Interpolation { get; }
    public double FillValue { get; }

    /// <summary>Each image's 2 x 3 matrix from output to input coordinates, in affine_grid's normalized [-1, 1] frame.</summary>
    protected abstract Tensor Theta(Tensor x);

    protected override Tensor Augment(Tensor x)
    {
        var t = x.permute(0, 3, 1, 2);
        var grid = nn.functional.affine_grid(Theta(x), t.shape, align_corners: false);
        var mode = Interpolation == "nearest" ? GridSampleMode.Nearest : GridSampleMode.Bilinear;
        var padding = FillMode switch
        {
            "reflect" => GridSamplePaddingMode.Reflection,
            "nearest" => GridSamplePaddingMode.Border,
            _ => GridSamplePaddingMode.Zeros,
        };
        var y = nn.functional.grid_sample(t, grid, mode, padding, align_corners: false);
        if (FillMode == "constant" && FillValue != 0)
        {
            var inside = nn.functional.grid_sample(torch.ones_like(t), grid, mode, GridSamplePaddingMode.Zeros, align_corners: false);
            y = y.Plus(inside.OneMinus().mul(Scalars.Of(FillValue)));
        }
        return y.permute(0, 2, 3, 1);
    }

    /// <summary>Stacks per-image rows [a, b, c] and [d, e, f] into (batch, 2, 3).</summary>
    protected static Tensor Matrix(Tensor a, Tensor b, Tensor c, Tensor d, Tensor e, Tensor f) =>
        torch.stack(new[] { torch.stack(new[] { a, b, c }, 1), torch.stack(new[] { d, e, f }, 1) }, 1);

    protected void WriteFillConfig(IDictionary<string, object?> c)
    {
        c["fill_mode"] = FillMode;
        c["fill_value"] = FillValue;
        c["interpolation"] = Interpolation;
        c["seed"] = null;
        c["data_format"] = "channels_last";
    }

    protected string FillDetails => DetailText.Join(FillMode != "reflect" ? $"fill_mode={FillMode}" : null,
        FillValue != 0 ? $"fill_value={F(FillValue)}" : null, Interpolation != "bilinear" ? $"interpolation={Interpolation}" : null) ?? "";
}

/// <summary>keras.layers.RandomRotation: rotates each image about its centre by factor x 2 pi radians, drawn uniformly.</summary>
[KerasLayer("RandomRotation")]
public sealed class RandomRotation : AffineAugmentationLayer, IKerasLayer<RandomRotation>
{
    public RandomRotation(double[] factor, string? fillMode = null, string? interpolation = null, double fillValue = 0,
        string? name = null, int[]? inputShape = null) : base(fillMode, interpolation, fillValue, name, inputShape)
    {
        Factor = ReadFactor(factor, "factor", ClassName, -1, 1);
        if (Factor.Length == 1 && Factor[0] < 0)
            throw KerasException.BadArgument("InvalidFactor", $"RandomRotation factor must not be negative. Received: {F(Factor[0])}.");
    }

    public double[] Factor { get; }

    protected override Tensor Theta(Tensor x)
    {
        double lo = Factor.Length == 1 ? -Factor[0] : Factor[0], hi = Factor.Length == 1 ? Factor[0] : Factor[1];
        var angle = Uniform(x, lo * 2 * Math.PI, hi * 2 * Math.PI);
        double h = x.shape[1], w = x.shape[2];
        var (cos, sin) = (angle.cos(), angle.sin());
        var zero = torch.zeros_like(angle);
        // In pixel units about the centre, then back to affine_grid's [-1, 1] on each axis (the aspect ratio in between).
        return Matrix(cos, sin.neg().mul(Scalars.Of(h / w)), zero, sin.mul(Scalars.Of(w / h)), cos, zero);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["factor"] = FactorConfig(Factor);
        WriteFillConfig(c);
    }

    public static RandomRotation FromConfig(ConfigReader c)
    {
        c.RequireChannelsLast("RandomRotation");
        return new(ReadFactorConfig(c, "factor")!, c.String("fill_mode"), c.String("interpolation"), c.Double("fill_value", 0),
            c.Name, c.InputShape);
    }

    public override string? Details => DetailText.Join($"factor={FactorText(Factor)}", FillDetails.Length > 0 ? FillDetails : null);
}

/// <summary>
/// keras.layers.RandomZoom: zooms each image by 1 + a draw from height_factor (and width_factor; without it the same draw):
/// positive values zoom out, negative zoom in.
/// </summary>
[KerasLayer("RandomZoom")]
public sealed class RandomZoom : AffineAugmentationLayer, IKerasLayer<RandomZoom>
{
    public RandomZoom(double[] heightFactor, double[]? widthFactor = null, string? fillMode = null, string? interpolation = null,
        double fillValue = 0, string? name = null, int[]? inputShape = null) : base(fillMode, interpolation, fillValue, name, inputShape)
    {
        HeightFactor = ReadFactor(heightFactor, "height_factor", ClassName, -1, double.MaxValue);
        WidthFactor = widthFactor is null ? null : ReadFactor(widthFactor, "width_factor", ClassName, -1, double.MaxValue);
    }

    public double[] HeightFactor { get; }
    public double[]? WidthFactor { get; }

    private static (double Lo, double Hi) Range(double[] f) => f.Length == 1 ? (-Math.Abs(f[0]), Math.Abs(f[0])) : (f[0], f[1]);

    protected override Tensor Theta(Tensor x)
    {
        var (hl, hh) = Range(HeightFactor);
        var zy = Uniform(x, 1 + hl, 1 + hh);
        Tensor zx;
        if (WidthFactor is null) zx = zy;
        else
        {
            var (wl, wh) = Range(WidthFactor);
            zx = Uniform(x, 1 + wl, 1 + wh);
        }
        var zero = torch.zeros_like(zy);
        return Matrix(zx, zero, zero, zero, zy, zero);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["height_factor"] = FactorConfig(HeightFactor);
        c["width_factor"] = WidthFactor is null ? null : FactorConfig(WidthFactor);
        WriteFillConfig(c);
    }

    public static RandomZoom FromConfig(ConfigReader c)
    {
        c.RequireChannelsLast("RandomZoom");
        return new(ReadFactorConfig(c, "height_factor")!, ReadFactorConfig(c, "width_factor"), c.String("fill_mode"),
            c.String("interpolation"), c.Double("fill_value", 0), c.Name, c.InputShape);
    }

    public override string? Details => DetailText.Join($"height_factor={FactorText(HeightFactor)}",
        WidthFactor is null ? null : $"width_factor={FactorText(WidthFactor)}", FillDetails.Length > 0 ? FillDetails : null);
}

/// <summary>
/// keras.layers.RandomTranslation: shifts each image by a fraction of its height (down for positive values) and of its
/// width (right for positive values), drawn from height_factor and width_factor.
/// </summary>
[KerasLayer("RandomTranslation")]
public sealed class RandomTranslation : AffineAugmentationLayer, IKerasLayer<RandomTranslation>
{
    public RandomTranslation(double[] heightFactor, double[] widthFactor, string? fillMode = null, string? interpolation = null,
        double fillValue = 0, string? name = null, int[]? inputShape = null) : base(fillMode, interpolation, fillValue, name, inputShape)
    {
        HeightFactor = ReadFactor(heightFactor, "height_factor", ClassName, -1, 1);
        WidthFactor = ReadFactor(widthFactor, "width_factor", ClassName, -1, 1);
    }

    public double[] HeightFactor { get; }
    public double[] WidthFactor { get; }

    private static (double Lo, double Hi) Range(double[] f) => f.Length == 1 ? (-Math.Abs(f[0]), Math.Abs(f[0])) : (f[0], f[1]);

    protected override Tensor Theta(Tensor x)
    {
        var (hl, hh) = Range(HeightFactor);
        var (wl, wh) = Range(WidthFactor);
        var dy = Uniform(x, hl, hh);
        var dx = Uniform(x, wl, wh);
        var one = torch.ones_like(dy);
        var zero = torch.zeros_like(dy);
        // Output pixel p shows input pixel p - shift; the [-1, 1] frame spans the image twice over.
        return Matrix(one, zero, dx.mul(Scalars.Of(-2L)), zero, one, dy.mul(Scalars.Of(-2L)));
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["height_factor"] = FactorConfig(HeightFactor);
        c["width_factor"] = FactorConfig(WidthFactor);
        WriteFillConfig(c);
    }

    public static RandomTranslation FromConfig(ConfigReader c)
    {
        c.RequireChannelsLast("RandomTranslation");
        return new(ReadFactorConfig(c, "height_factor")!, ReadFactorConfig(c, "width_factor")!, c.String("fill_mode"),
            c.String("interpolation"), c.Double("fill_value", 0), c.Name, c.InputShape);
    }

    public override string? Details => DetailText.Join($"height_factor={FactorText(HeightFactor)}",
        $"width_factor={FactorText(WidthFactor)}", FillDetails.Length > 0 ? FillDetails : null);
}

/// <summary>Shared by RandomContrast and RandomBrightness: a factor and the value range results are clipped to.</summary>
public abstract class ColorAugmentationLayer : ImageAugmentationLayer
{
    protected ColorAugmentationLayer(double[] factor, double[]? valueRange, double min, double max, string? name, int[]? inputShape)
        : base(name, inputShape)
    {
        Factor = ReadFactor(factor, "factor", ClassName, min, max);
        var range = valueRange ?? new[] { 0.0, 255.0 };
        if (range.Length != 2 || !(range[0] < range[1]))
            throw KerasException.BadArgument("InvalidValueRange",
                $"{ClassName} value_range takes two numbers (low, high), low below high. Received: ({string.Join(", ", range.Select(F))}).",
                valueRange);
        ValueRange = range;
    }

    public double[] Factor { get; }

    /// <summary>The range of the pixel values (0-255 by default); results are clipped to it.</summary>
    public double[] ValueRange { get; }

    protected Tensor Clip(Tensor x) => x.clamp(Scalars.Of(ValueRange[0]), Scalars.Of(ValueRange[1]));

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["factor"] = FactorConfig(Factor);
        c["value_range"] = ValueRange;
        c["seed"] = null;
    }

    public override string? Details => DetailText.Join($"factor={FactorText(Factor)}",
        ValueRange[0] != 0 || ValueRange[1] != 255 ? $"value_range=({F(ValueRange[0])}, {F(ValueRange[1])})" : null);
}

/// <summary>
/// keras.layers.RandomContrast: per image and channel, (x - mean) * c + mean with c drawn from [1 - lower, 1 + upper]
/// (one factor f: both f), the mean over height and width, clipped to value_range.
/// </summary>
[KerasLayer("RandomContrast")]
public sealed class RandomContrast : ColorAugmentationLayer, IKerasLayer<RandomContrast>
{
    public RandomContrast(double[] factor, double[]? valueRange = null, string? name = null, int[]? inputShape = null)
        : base(factor, valueRange, 0, 1, name, inputShape) { }

    protected override Tensor Augment(Tensor x)
    {
        double lower = Factor[0], upper = Factor.Length == 1 ? Factor[0] : Factor[1];
        var c = Uniform(x, 1 - lower, 1 + upper).reshape(-1, 1, 1, 1);
        var mean = x.mean(new long[] { 1, 2 }, keepdim: true);
        return Clip(((x - mean) * c).Plus(mean));
    }

    public static RandomContrast FromConfig(ConfigReader c) =>
        new(ReadFactorConfig(c, "factor")!, c.DoubleArray("value_range"), c.Name, c.InputShape);
}

/// <summary>
/// keras.layers.RandomBrightness: adds to each image a draw from factor (one value f: [-f, f]) times the width of
/// value_range, clipped to value_range.
/// </summary>
[KerasLayer("RandomBrightness")]
public sealed class RandomBrightness : ColorAugmentationLayer, IKerasLayer<RandomBrightness>
{
    public RandomBrightness(double[] factor, double[]? valueRange = null, string? name = null, int[]? inputShape = null)
        : base(factor, valueRange, -1, 1, name, inputShape) { }

    protected override Tensor Augment(Tensor x)
    {
        double lo = Factor.Length == 1 ? -Math.Abs(Factor[0]) : Factor[0], hi = Factor.Length == 1 ? Math.Abs(Factor[0]) : Factor[1];
        var delta = Uniform(x, lo, hi).reshape(-1, 1, 1, 1).mul(Scalars.Of(ValueRange[1] - ValueRange[0]));
        return Clip(x.Plus(delta));
    }

    public static RandomBrightness FromConfig(ConfigReader c) =>
        new(ReadFactorConfig(c, "factor")!, c.DoubleArray("value_range"), c.Name, c.InputShape);
}
