using System.Runtime.InteropServices;
using SkiaSharp;

namespace KerasPS.Engine.Data.Images;

/// <summary>
/// Writes pixels to an image file with SkiaSharp: for scripts that make image folders (examples/Images.ps1, tests, a
/// look at augmented images). Pixels are bytes, row after row, 1 (grey), 3 (RGB) or 4 (RGBA) a pixel.
/// </summary>
public static class ImageEncoder
{
    /// <summary>
    /// Saves <paramref name="pixels"/> (<paramref name="height"/> x <paramref name="width"/> x <paramref name="channels"/>)
    /// to <paramref name="path"/> as PNG, or JPEG or WebP (at <paramref name="quality"/>) when the name ends so.
    /// </summary>
    public static void Save(string path, byte[] pixels, int width, int height, int channels, int quality = 95)
    {
        if (width <= 0 || height <= 0 || channels is not (1 or 3 or 4) || pixels.LongLength != (long)width * height * channels)
            throw KerasException.BadArgument("InvalidPixels",
                $"Expected {width} x {height} x {channels} bytes (channels 1, 3 or 4). Received: {pixels.LongLength} bytes.");
        var ext = Path.GetExtension(path).ToLowerInvariant();
        var format = ext switch
        {
            ".jpg" or ".jpeg" => SKEncodedImageFormat.Jpeg,
            ".webp" => SKEncodedImageFormat.Webp,
            ".png" => SKEncodedImageFormat.Png,
            _ => throw KerasException.BadArgument("UnsupportedImageFormat",
                $"Images are saved as .png, .jpg or .webp. Received: '{path}'.", path),
        };
        var rgba = new byte[(long)width * height * 4];
        for (long p = 0, n = (long)width * height; p < n; p++)
        {
            for (int c = 0; c < 3; c++) rgba[4 * p + c] = pixels[p * channels + (channels == 1 ? 0 : c)];
            rgba[4 * p + 3] = channels == 4 ? pixels[p * 4 + 3] : (byte)255;
        }
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality)
            ?? throw new KerasException("ImageEncodeFailed", ErrorKind.InvalidOperation, $"SkiaSharp could not encode '{path}'.");
        AtomicFile.Write(Path.GetFullPath(path), s => data.SaveTo(s), overwrite: true);
    }
}
