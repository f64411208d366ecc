using KerasPS.Engine;
using KerasPS.Engine.Plotting;

namespace KerasPS.Infrastructure;

/// <summary>What Export-HistoryPlot and Export-ModelPlot share: rendering a plot as PNG and writing a plot file atomically.</summary>
internal static class PlotFile
{
    /// <summary>The plot as PNG bytes; <paramref name="warn"/> hears when no font was found (the PNG then has no text).</summary>
    public static byte[] RenderPng(IPlot plot, Action<string> warn, string textParts)
    {
        try
        {
            var bytes = PngCanvas.Render(plot, out bool hasFont);
            if (!hasFont)
                warn($"No font file was found on this system, so the PNG has no text ({textParts}). "
                    + "Install fonts-dejavu-core, or write an .svg.");
            return bytes;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
        {
            throw new KerasException("PlotRendererMissing", ErrorKind.NotInstalled,
                $"The PNG renderer (SkiaSharp's native library) could not be loaded: {e.GetBaseException().Message.Split('\n')[0]} "
                + "Write an .svg instead, or rebuild KerasPS for this platform.", e);
        }
    }

    /// <summary>Writes the file through a temporary one, so an existing plot is never left half-written.</summary>
    public static void Write(string path, byte[] bytes)
    {
        try
        {
            AtomicFile.Write(path, s => s.Write(bytes), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasException("PlotWriteFailed", ErrorKind.InvalidOperation,
                $"Could not write '{path}': {e.Message}", e) { Target = path };
        }
    }
}
