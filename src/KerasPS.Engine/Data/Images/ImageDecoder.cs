using System.Runtime.InteropServices;
using SkiaSharp;

namespace KerasPS.Engine.Data.Images;

/// <summary>How files become pixels: the size, channels and resampling of Keras's image loading.</summary>
/// <param name="Height">Rows of every decoded image.</param>
/// <param name="Width">Columns of every decoded image.</param>
/// <param name="Channels">1 (grayscale), 3 (rgb) or 4 (rgba).</param>
/// <param name="Interpolation">The resampling method.</param>
/// <param name="CropToAspectRatio">Crop the centre to the target's aspect ratio before resizing (Keras smart_resize).</param>
public sealed record ImageLoadOptions(int Height, int Width, int Channels,
    ImageInterpolation Interpolation = ImageInterpolation.Bilinear, bool CropToAspectRatio = false)
{
    /// <summary>Values per image: Height x Width x Channels.</summary>
    public int PixelCount => Height * Width * Channels;

    /// <summary>The per-image shape, channels_last.</summary>
    public int[] Shape => new[] { Height, Width, Channels };

    /// <summary>Checks the settings, with messages that say the rule and the value received.</summary>
    public ImageLoadOptions Validate()
    {
        if (Height <= 0 || Width <= 0)
            throw KerasException.BadArgument("InvalidImageSize",
                $"The image size must be two positive integers (height, width). Received: ({Height}, {Width}).");
        if (Channels is not (1 or 3 or 4))
            throw KerasException.BadArgument("InvalidColorMode",
                $"Images have 1 (grayscale), 3 (rgb) or 4 (rgba) channels. Received: {Channels}.");
        return this;
    }

    /// <summary>The channels of a Keras color_mode: grayscale 1, rgb 3, rgba 4.</summary>
    public static int ChannelsOf(string colorMode) => colorMode.ToLowerInvariant() switch
    {
        "grayscale" => 1,
        "rgb" => 3,
        "rgba" => 4,
        _ => throw KerasException.BadArgument("InvalidColorMode",
            $"The color mode must be grayscale, rgb or rgba. Received: {colorMode}.", colorMode),
    };
}

/// <summary>A file that could not be decoded, and why.</summary>
public sealed record ImageFailure(int Index, string Path, string ErrorId, string Message);

/// <summary>Decoded images: <c>Count x Height x Width x Channels</c> float32 in 0-255, and the files that failed.</summary>
/// <param name="Pixels">One image after another; a failed file's slot is zeros.</param>
/// <param name="Failures">Files that could not be read or decoded, in file order.</param>
public sealed record ImageBatch(float[] Pixels, IReadOnlyList<ImageFailure> Failures);

/// <summary>
/// Decodes image files (PNG, JPEG, BMP, GIF's first frame, WebP) with SkiaSharp and resizes them as Keras's
/// image_dataset_from_directory does: channels as decoded (alpha dropped for rgb, not blended; grayscale from colour by
/// ITU-R 601 luma), then tf.image.resize. Used by Import-ImageData, prediction from files and any dataset that reads
/// image folders lazily, a batch at a time.
/// </summary>
public static class ImageDecoder
{
    /// <summary>The file extensions image folders are indexed for (Keras's list, plus .webp, which SkiaSharp decodes).</summary>
    public static readonly IReadOnlyList<string> Extensions = new[] { ".bmp", ".gif", ".jpeg", ".jpg", ".png", ".webp" };

    /// <summary>Whether <paramref name="path"/> ends with one of <see cref="Extensions"/> (any case).</summary>
    public static bool IsImageFile(string path) =>
        Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Decodes and resizes <paramref name="paths"/> into one batch, in parallel; a file that fails is listed in
    /// <see cref="ImageBatch.Failures"/> and leaves zeros, and the others load.
    /// </summary>
    public static ImageBatch DecodeBatch(IReadOnlyList<string> paths, ImageLoadOptions options, CancellationToken cancel = default) =>
        DecodeBatch(paths, options, null, cancel);

    /// <summary>As <see cref="DecodeBatch(IReadOnlyList{string}, ImageLoadOptions, CancellationToken)"/>, into
    /// <paramref name="into"/> (exactly paths x Height x Width x Channels floats, overwritten) when it is given.</summary>
    public static ImageBatch DecodeBatch(IReadOnlyList<string> paths, ImageLoadOptions options, float[]? into,
        CancellationToken cancel = default)
    {
        options.Validate();
        int n = paths.Count, size = options.PixelCount;
        if (into is not null && into.LongLength != (long)n * size)
            throw new ArgumentException($"The pixel buffer holds {into.LongLength} floats, not {(long)n * size}.", nameof(into));
        var pixels = into ?? new float[(long)n * size];
        var failures = new ImageFailure?[n];
        var parallel = new ParallelOptions { CancellationToken = cancel, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, n, parallel, i =>
        {
            try
            {
                DecodeInto(paths[i], options, pixels.AsSpan((int)((long)i * size), size));
            }
            catch (Exception e) when (e is KerasException or IOException or UnauthorizedAccessException)
            {
                failures[i] = Failure(i, paths[i], e);
                pixels.AsSpan((int)((long)i * size), size).Clear();
            }
        });
        return new ImageBatch(pixels, failures.Where(f => f is not null).Select(f => f!).ToArray());
    }

    /// <summary>
    /// Decodes every file of <paramref name="paths"/> once, in parallel, and keeps no pixels: the files that
    /// <see cref="DecodeBatch(IReadOnlyList{string}, ImageLoadOptions, CancellationToken)"/> would fail on, in file order
    /// (a streamed image folder's check at import).
    /// </summary>
    public static IReadOnlyList<ImageFailure> Check(IReadOnlyList<string> paths, CancellationToken cancel = default)
    {
        var failures = new ImageFailure?[paths.Count];
        var parallel = new ParallelOptions { CancellationToken = cancel, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, paths.Count, parallel, i =>
        {
            try { DecodeRgba(paths[i]); }
            catch (Exception e) when (e is KerasException or IOException or UnauthorizedAccessException)
            {
                failures[i] = Failure(i, paths[i], e);
            }
        });
        return failures.Where(f => f is not null).Select(f => f!).ToArray();
    }

    private static ImageFailure Failure(int index, string path, Exception e) =>
        new(index, path, e is KerasException k ? k.ErrorId : "ImageReadFailed",
            e is KerasException ? e.Message : $"Cannot read image file '{path}': {e.Message}");

    /// <summary>Decodes one file and resizes it into <paramref name="output"/> (Height x Width x Channels floats).</summary>
    public static void DecodeInto(string path, ImageLoadOptions options, Span<float> output)
    {
        var (rgba, width, height, gray) = DecodeRgba(path);
        int channels = options.Channels;
        byte[] src = rgba;
        int pixelBytes = 4;
        if (channels == 1 && !gray)
        {
            // Colour to grey before resizing, as TensorFlow's decoders do: 0.299 R + 0.587 G + 0.114 B, rounded.
            src = new byte[width * height];
            for (int p = 0; p < src.Length; p++)
                src[p] = (byte)((299 * rgba[4 * p] + 587 * rgba[4 * p + 1] + 114 * rgba[4 * p + 2] + 500) / 1000);
            pixelBytes = 1;
        }
        int stride = width * pixelBytes, top = 0, left = 0, cropH = height, cropW = width;
        if (options.CropToAspectRatio)
        {
            // Keras smart_resize: the largest centred box of the target's aspect ratio.
            cropH = Math.Max(Math.Min(height, (int)((double)width * options.Height / options.Width)), 1);
            cropW = Math.Max(Math.Min(width, (int)((double)height * options.Width / options.Height)), 1);
            top = (int)((height - cropH) / 2.0);
            left = (int)((width - cropW) / 2.0);
        }
        ImageResampler.Resize(src, top * stride + left * pixelBytes, stride, pixelBytes, cropH, cropW, channels,
            options.Height, options.Width, options.Interpolation, output);
    }

    /// <summary>Decodes a file to straight (not premultiplied) RGBA bytes; Gray is true when the file itself is grey.</summary>
    public static (byte[] Rgba, int Width, int Height, bool Gray) DecodeRgba(string path)
    {
        using var data = SKData.Create(path)
            ?? throw new KerasException("ImageReadFailed", ErrorKind.ObjectNotFound,
                $"Cannot read image file '{path}'; check that it exists and is readable.") { Target = path };
        using var codec = SKCodec.Create(data)
            ?? throw KerasException.BadData("ImageDecodeFailed",
                $"'{path}' is not an image SkiaSharp can decode (PNG, JPEG, BMP, GIF or WebP); replace or remove the file.", path);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        if (info.Width <= 0 || info.Height <= 0)
            throw KerasException.BadData("ImageDecodeFailed", $"'{path}' has no pixels; replace or remove the file.", path);
        var rgba = new byte[info.BytesSize];
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        SKCodecResult result;
        try { result = codec.GetPixels(info, handle.AddrOfPinnedObject()); }
        finally { handle.Free(); }
        if (result != SKCodecResult.Success)
            throw KerasException.BadData("ImageDecodeFailed",
                $"'{path}' could not be decoded ({result}); the file may be truncated or damaged: replace or remove it.", path);
        return (rgba, info.Width, info.Height, codec.Info.ColorType == SKColorType.Gray8);
    }
}
