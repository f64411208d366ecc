using SkiaSharp;

namespace KerasPS.Engine.Plotting;

/// <summary>Draws a chart into a bitmap with SkiaSharp (the 2D library TorchSharp already depends on) and encodes it as PNG.</summary>
public sealed class PngCanvas : IChartCanvas, IDisposable
{
    private static readonly string[] FontFiles =
    {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
        "/System/Library/Fonts/Helvetica.ttc", "/Library/Fonts/Arial.ttf",
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.Fonts), "arial.ttf"),
    };

    private readonly SKSurface surface;
    private readonly SKTypeface? typeface;

    private PngCanvas(int width, int height)
    {
        surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new KerasException("PlotRenderFailed", ErrorKind.ResourceUnavailable,
                $"SkiaSharp could not create a {width} x {height} bitmap.");
        typeface = FontFiles.Where(File.Exists).Select(SKTypeface.FromFile).FirstOrDefault(t => t is not null);
        HasFont = typeface is not null;
    }

    /// <summary>False when no font file was found, so the PNG has lines but no text (the SVG always has text).</summary>
    public bool HasFont { get; }

    private SKPaint Stroke(string color, double width) =>
        new() { Color = SKColor.Parse(color), StrokeWidth = (float)width, IsStroke = true, IsAntialias = true,
        StrokeJoin = SKStrokeJoin.Round };

    private SKPaint TextPaint(double size, bool bold = false) => new()
    {
        Color = SKColors.Black, TextSize = (float)size, IsAntialias = true, Typeface = typeface ?? SKTypeface.Default, FakeBoldText = bold,
    };

    public double MeasureText(string text, double size)
    {
        if (!HasFont) return text.Length * size * 0.56;
        using var p = TextPaint(size);
        return p.MeasureText(text);
    }

    public void Line(double x1, double y1, double x2, double y2, string color, double width)
    {
        using var p = Stroke(color, width);
        surface.Canvas.DrawLine((float)x1, (float)y1, (float)x2, (float)y2, p);
    }

    public void Polyline(IReadOnlyList<(double X, double Y)> points, string color, double width, bool dashed)
    {
        using var p = Stroke(color, width);
        using var dash = dashed ? SKPathEffect.CreateDash(new[] { 6f, 4f }, 0) : null;
        p.PathEffect = dash;
        using var path = new SKPath();
        path.MoveTo((float)points[0].X, (float)points[0].Y);
        foreach (var (x, y) in points.Skip(1)) path.LineTo((float)x, (float)y);
        surface.Canvas.DrawPath(path, p);
    }

    public void Circle(double x, double y, double r, string color)
    {
        using var p = new SKPaint { Color = SKColor.Parse(color), IsAntialias = true, Style = SKPaintStyle.Fill };
        surface.Canvas.DrawCircle((float)x, (float)y, (float)r, p);
    }

    public void Rectangle(double x, double y, double w, double h, string? fill, string? stroke)
    {
        var rect = SKRect.Create((float)x, (float)y, (float)w, (float)h);
        if (fill is not null)
        {
            using var f = new SKPaint { Color = SKColor.Parse(fill), Style = SKPaintStyle.Fill };
            surface.Canvas.DrawRect(rect, f);
        }
        if (stroke is not null)
        {
            using var s = Stroke(stroke, 1);
            surface.Canvas.DrawRect(rect, s);
        }
    }

    public void Text(double x, double y, string text, double size, TextAnchor anchor, bool bold = false, bool rotate = false)
    {
        if (!HasFont) return;
        using var p = TextPaint(size, bold);
        p.TextAlign = anchor switch { TextAnchor.Middle => SKTextAlign.Center, TextAnchor.End => SKTextAlign.Right, _ => SKTextAlign.Left };
        var c = surface.Canvas;
        if (rotate)
        {
            c.Save();
            c.RotateDegrees(-90, (float)x, (float)y);
        }
        c.DrawText(text, (float)x, (float)y, p);
        if (rotate) c.Restore();
    }

    /// <summary>The chart as PNG bytes; <paramref name="hasFont"/> says whether text could be drawn.</summary>
    public static byte[] Render(IPlot chart, out bool hasFont)
    {
        using var c = new PngCanvas(chart.Width, chart.Height);
        chart.Draw(c);
        hasFont = c.HasFont;
        using var image = c.surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public void Dispose()
    {
        surface.Dispose();
        typeface?.Dispose();
    }
}
