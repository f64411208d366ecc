using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Layers.Convolution;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>keras.layers.Rescaling: <c>x * scale + offset</c>, such as 1/255 to bring 0-255 pixels to [0, 1].</summary>
[KerasLayer("Rescaling")]
public sealed class Rescaling : Layer, IKerasLayer<Rescaling>, IOnnxSingleLowering
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    public Rescaling(double scale, double offset = 0, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (!double.IsFinite(scale) || !double.IsFinite(offset))
            throw KerasException.BadArgument("InvalidScale",
                $"Rescaling takes a finite scale and offset. Received: scale={F(scale)}, offset={F(offset)}.", scale);
        Scale = scale;
        Offset = offset;
    }

    public double Scale { get; }
    public double Offset { get; }
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();
    public override Tensor Forward(Tensor x, bool training) =>
        Offset == 0 ? x.mul(Scalars.Of(Scale)) : x.mul(Scalars.Of(Scale)).Plus(Offset);
    protected override void WriteConfig(IDictionary<string, object?> c) { c["scale"] = Scale; c["offset"] = Offset; }
    public static Rescaling FromConfig(ConfigReader c) => new(c.Double("scale"), c.Double("offset", 0), c.Name, c.InputShape);
    public override string? Details => DetailText.Join($"scale={F(Scale)}", Offset != 0 ? $"offset={F(Offset)}" : null);

    /// <summary>Mul by the scale, Add the offset.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var y = g.Op("Mul", new[] { x, g.Constant("scale", new[] { (float)Scale }) });
        return Offset == 0 ? y : g.Op("Add", new[] { y, g.Constant("offset", new[] { (float)Offset }) });
    }
}

/// <summary>
/// Resizing an image batch as keras.ops.image.resize does without antialiasing: bilinear with half-pixel centres (torch's
/// bilinear, align_corners=False) or nearest as floor((i + 0.5) * in / out) (torch's nearest-exact), after an optional
/// centred crop to the target's aspect ratio (Keras smart_resize).
/// </summary>
internal static class ImageResize
{
    public static readonly string[] Interpolations = { "bilinear", "nearest" };

    public static string CheckInterpolation(string? interpolation, string className)
    {
        var mode = (interpolation ?? "bilinear").Trim().ToLowerInvariant();
        if (!Interpolations.Contains(mode))
            throw KerasException.BadArgument("InvalidInterpolation",
                $"{className} interpolation must be bilinear or nearest (KerasPS runs no other). Received: '{interpolation}'.",
                interpolation);
        return mode;
    }

    /// <summary>The centred crop box of Keras's smart_resize: (top, left, height, width).</summary>
    public static (int Top, int Left, int Height, int Width) AspectCrop(int height, int width, int targetH, int targetW)
    {
        int cropH = Math.Max(Math.Min(height, (int)((double)width * targetH / targetW)), 1);
        int cropW = Math.Max(Math.Min(width, (int)((double)height * targetW / targetH)), 1);
        return ((height - cropH) / 2, (width - cropW) / 2, cropH, cropW);
    }

    public static Tensor Crop(Tensor x, int top, int left, int height, int width) =>
        x.narrow(1, top, height).narrow(2, left, width);

    public static Tensor Resize(Tensor x, int height, int width, string mode)
    {
        if (x.shape[1] == height && x.shape[2] == width) return x;
        if (mode == "nearest")
            return x.index_select(1, NearestIndices(x.shape[1], height, x.device))
                .index_select(2, NearestIndices(x.shape[2], width, x.device));
        var t = x.permute(0, 3, 1, 2);
        var y = nn.functional.interpolate(t, new long[] { height, width }, mode: InterpolationMode.Bilinear, align_corners: false);
        return y.permute(0, 2, 3, 1);
    }

    /// <summary>floor((i + 0.5) * in / out), clamped: the rows or columns nearest resizing takes (torch's nearest-exact).</summary>
    private static Tensor NearestIndices(long inSize, int outSize, Device device)
    {
        float scale = (float)inSize / outSize;
        var idx = Enumerable.Range(0, outSize).Select(i => Math.Min((long)MathF.Floor((i + 0.5f) * scale), inSize - 1)).ToArray();
        return torch.tensor(idx, device: device);
    }

    public static string OnnxCrop(OnnxGraph g, string x, int top, int left, int height, int width) =>
        g.Op("Slice", new[] { x, g.Longs("starts", top, left), g.Longs("ends", top + height, left + width), g.Longs("axes", 1, 2) });

    /// <summary>ONNX Resize to a fixed height and width (sizes from the dynamic batch and channels), channels-first inside.</summary>
    public static string OnnxResize(OnnxGraph g, string x, int inH, int inW, int height, int width, string mode)
    {
        if (inH == height && inW == width) return x;
        var (t, back) = ChannelsFirst(g, x, 2, true);
        var batchAndChannels = g.Op("Slice",
            new[] { g.Op("Shape", new[] { t }), g.Longs("starts", 0), g.Longs("ends", 2), g.Longs("axes", 0) });
        var sizes = g.Op("Concat", new[] { batchAndChannels, g.Longs("hw", height, width) }, A("axis", 0L));
        var y = mode == "nearest"
            ? g.Op("Resize", new[] { t, "", "", sizes }, A("mode", "nearest"), A("coordinate_transformation_mode", "tf_half_pixel_for_nn"),
                A("nearest_mode", "floor"))
            : g.Op("Resize", new[] { t, "", "", sizes }, A("mode", "linear"), A("coordinate_transformation_mode", "half_pixel"));
        return back(y);
    }
}

/// <summary>
/// keras.layers.Resizing: resizes (batch, height, width, channels) images to (height, width) as keras.ops.image.resize
/// (bilinear or nearest, no antialiasing); crop_to_aspect_ratio crops the centre first so images are not distorted.
/// </summary>
[KerasLayer("Resizing")]
public sealed class Resizing : Layer, IKerasLayer<Resizing>, IOnnxSingleLowering
{
    public Resizing(int height, int width, string? interpolation = null, bool cropToAspectRatio = false, string? name = null,
        int[]? inputShape = null) : base(name, inputShape)
    {
        if (height <= 0 || width <= 0)
            throw KerasException.BadArgument("InvalidSize",
                $"Resizing takes a positive height and width. Received: height={height}, width={width}.", height);
        Height = height;
        Width = width;
        Interpolation = ImageResize.CheckInterpolation(interpolation, ClassName);
        CropToAspectRatio = cropToAspectRatio;
    }

    public int Height { get; }
    public int Width { get; }
    public string Interpolation { get; }
    public bool CropToAspectRatio { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (_, channels) = Spatial.Split(inputShape, 2, true, ClassName);
        return new[] { Height, Width, channels };
    }

    private (int Top, int Left, int Height, int Width) Box(int h, int w) =>
        CropToAspectRatio ? ImageResize.AspectCrop(h, w, Height, Width) : (0, 0, h, w);

    public override Tensor Forward(Tensor x, bool training)
    {
        var b = Box((int)x.shape[1], (int)x.shape[2]);
        if (CropToAspectRatio) x = ImageResize.Crop(x, b.Top, b.Left, b.Height, b.Width);
        return ImageResize.Resize(x, Height, Width, Interpolation);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["height"] = Height;
        c["width"] = Width;
        c["interpolation"] = Interpolation;
        c["crop_to_aspect_ratio"] = CropToAspectRatio;
        c["pad_to_aspect_ratio"] = false;
        c["fill_mode"] = "constant";
        c["fill_value"] = 0.0;
        c["antialias"] = false;
        c["data_format"] = "channels_last";
    }

    public static Resizing FromConfig(ConfigReader c)
    {
        c.RequireChannelsLast("Resizing");
        c.RequireDefault("pad_to_aspect_ratio", false, "Resizing");
        c.RequireDefault("antialias", false, "Resizing");
        return new(c.Int("height"), c.Int("width"), c.String("interpolation"), c.Bool("crop_to_aspect_ratio", false), c.Name, c.InputShape);
    }

    public override string? Details => DetailText.Join($"size=({Height}, {Width})",
        Interpolation != "bilinear" ? $"interpolation={Interpolation}" : null, CropToAspectRatio ? "crop_to_aspect_ratio" : null);

    /// <summary>Slice (the aspect crop) and Resize (linear half_pixel, or nearest floor of tf_half_pixel_for_nn).</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var (h, w) = (InputShape![0], InputShape[1]);
        var b = Box(h, w);
        if (CropToAspectRatio && (b.Height != h || b.Width != w)) x = ImageResize.OnnxCrop(g, x, b.Top, b.Left, b.Height, b.Width);
        return ImageResize.OnnxResize(g, x, b.Height, b.Width, Height, Width, Interpolation);
    }
}

/// <summary>
/// keras.layers.CenterCrop: the centred (height, width) window of each image, starting at ((h - height) // 2,
/// (w - width) // 2); an image smaller than the target on either side is instead cropped to the target's aspect ratio and
/// resized bilinearly, as Keras 3 does.
/// </summary>
[KerasLayer("CenterCrop")]
public sealed class CenterCrop : Layer, IKerasLayer<CenterCrop>, IOnnxSingleLowering
{
    public CenterCrop(int height, int width, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (height <= 0 || width <= 0)
            throw KerasException.BadArgument("InvalidSize",
                $"CenterCrop takes a positive height and width. Received: height={height}, width={width}.", height);
        Height = height;
        Width = width;
    }

    public int Height { get; }
    public int Width { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (_, channels) = Spatial.Split(inputShape, 2, true, ClassName);
        return new[] { Height, Width, channels };
    }

    private (int Top, int Left, int Height, int Width, bool Resize) Box(int h, int w) =>
        h >= Height && w >= Width
            ? ((h - Height) / 2, (w - Width) / 2, Height, Width, false)
            : ImageResize.AspectCrop(h, w, Height, Width) is var b ? (b.Top, b.Left, b.Height, b.Width, true) : default;

    public override Tensor Forward(Tensor x, bool training)
    {
        var b = Box((int)x.shape[1], (int)x.shape[2]);
        var y = ImageResize.Crop(x, b.Top, b.Left, b.Height, b.Width);
        return b.Resize ? ImageResize.Resize(y, Height, Width, "bilinear") : y;
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["height"] = Height;
        c["width"] = Width;
        c["data_format"] = "channels_last";
    }

    public static CenterCrop FromConfig(ConfigReader c)
    {
        c.RequireChannelsLast("CenterCrop");
        return new(c.Int("height"), c.Int("width"), c.Name, c.InputShape);
    }

    public override string? Details => $"size=({Height}, {Width})";

    /// <summary>Slice of the centre; Resize (linear, half_pixel) when the input is smaller than the target.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var (h, w) = (InputShape![0], InputShape[1]);
        var b = Box(h, w);
        if (b.Height != h || b.Width != w) x = ImageResize.OnnxCrop(g, x, b.Top, b.Left, b.Height, b.Width);
        return b.Resize ? ImageResize.OnnxResize(g, x, b.Height, b.Width, Height, Width, "bilinear") : x;
    }
}
