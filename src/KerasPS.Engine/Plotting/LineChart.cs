using System.Globalization;

namespace KerasPS.Engine.Plotting;

/// <summary>One line of a chart: a name for the legend and (x, y) points; non-finite y values leave a gap.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false, int ColorIndex = -1);

/// <summary>
/// A line chart of training histories (epoch on x): axes with "nice" ticks, grid lines, a legend, a title. The layout is
/// computed once and drawn through <see cref="IChartCanvas"/>, so the SVG and the PNG show the same chart.
/// </summary>
public sealed class LineChart : IPlot
{
    /// <summary>Tableau's ten colours (matplotlib's default cycle): distinct and readable on white.</summary>
    public static readonly string[] Palette =
        { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };

    public LineChart(IReadOnlyList<ChartSeries> series, string? title = null, string xLabel = "epoch", string yLabel = "value",
        int width = 800, int height = 500)
    {
        if (width < 200 || height < 150)
            throw KerasException.BadArgument("InvalidPlotSize", $"A chart needs at least 200 x 150 pixels. Received: {width} x {height}.",
                width);
        if (series.Count == 0 || series.All(s => !s.Points.Any(p => double.IsFinite(p.Y))))
            throw KerasException.BadArgument("NoHistoryToPlot", "There is nothing to plot: no series has a finite value.");
        Series = series;
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
        Width = width;
        Height = height;
    }

    public IReadOnlyList<ChartSeries> Series { get; }
    public string? Title { get; }
    public string XLabel { get; }
    public string YLabel { get; }
    public int Width { get; }
    public int Height { get; }

    private const double FontSize = 13, TitleSize = 16;

    public void Draw(IChartCanvas c)
    {
        var finite = Series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Y) && double.IsFinite(p.X)).ToList();
        var (xTicks, xMin, xMax) = Ticks(finite.Min(p => p.X), finite.Max(p => p.X), 10, integer: true);
        var (yTicks, yMin, yMax) = Ticks(finite.Min(p => p.Y), finite.Max(p => p.Y), 8, integer: false);
        string yFormat = TickFormat(yTicks);

        double left = 16 + FontSize * 1.4 + yTicks.Max(t => c.MeasureText(t.ToString(yFormat, CultureInfo.InvariantCulture), FontSize)) + 8;
        double top = Title is null ? 20 : 20 + TitleSize * 1.6;
        var legend = Series.Select(s => s.Name).ToList();
        double entryWidth = legend.Max(n => c.MeasureText(n, FontSize)) + 44;
        double rowHeight = FontSize * 1.5;
        // The legend goes right of the plot when it is narrow, otherwise below the axis label in as many columns as fit.
        bool legendRight = entryWidth < Width * 0.35;
        int legendColumns = legendRight ? 1 : Math.Max(1, (int)((Width - 40) / entryWidth));
        int legendRows = (Series.Count + legendColumns - 1) / legendColumns;
        double legendHeight = rowHeight * legendRows + 8;
        double right = Width - (legendRight ? entryWidth + 24 : 20);
        double bottom = Height - (FontSize * 3.2 + 10) - (legendRight ? 0 : legendHeight + 8);
        if (bottom - top < 60)
            throw KerasException.BadArgument("InvalidPlotSize",
                $"{Series.Count} lines need a taller chart: raise -Height (the legend alone takes {legendHeight:0} pixels), "
                + "or plot fewer metrics.", Height);
        double X(double x) => left + (x - xMin) / (xMax - xMin) * (right - left);
        double Y(double y) => bottom - (y - yMin) / (yMax - yMin) * (bottom - top);

        c.Rectangle(0, 0, Width, Height, fill: "#ffffff", stroke: null);
        if (Title is not null) c.Text(Width / 2.0, 20 + TitleSize, Title, TitleSize, TextAnchor.Middle, bold: true);

        // Grid, ticks and tick labels.
        foreach (var t in yTicks)
        {
            double y = Y(t);
            c.Line(left, y, right, y, "#e6e6e6", 1);
            c.Line(left - 5, y, left, y, "#333333", 1);
            c.Text(left - 8, y + FontSize * 0.35, t.ToString(yFormat, CultureInfo.InvariantCulture), FontSize, TextAnchor.End);
        }
        foreach (var t in xTicks)
        {
            double x = X(t);
            c.Line(x, top, x, bottom, "#e6e6e6", 1);
            c.Line(x, bottom, x, bottom + 5, "#333333", 1);
            c.Text(x, bottom + 8 + FontSize, t.ToString("0", CultureInfo.InvariantCulture), FontSize, TextAnchor.Middle);
        }
        c.Line(left, top, left, bottom, "#333333", 1.2);
        c.Line(left, bottom, right, bottom, "#333333", 1.2);
        c.Text((left + right) / 2, bottom + 2.6 * FontSize + 8, XLabel, FontSize, TextAnchor.Middle);
        c.Text(16 + FontSize, (top + bottom) / 2, YLabel, FontSize, TextAnchor.Middle, rotate: true);

        // Lines: one polyline per run of finite points, with markers when there are few points.
        for (int i = 0; i < Series.Count; i++)
        {
            var s = Series[i];
            string color = Color(s, i);
            var run = new List<(double, double)>();
            void Flush()
            {
                if (run.Count > 1) c.Polyline(run, color, 2, s.Dashed);
                run.Clear();
            }
            foreach (var p in s.Points)
            {
                if (double.IsFinite(p.Y)) run.Add((X(p.X), Y(p.Y))); else Flush();
            }
            Flush();
            if (s.Points.Count <= 30)
                foreach (var p in s.Points.Where(p => double.IsFinite(p.Y))) c.Circle(X(p.X), Y(p.Y), 2.5, color);
        }

        // Legend.
        double lx = legendRight ? right + 16 : 20, ly = legendRight ? top + 4 : Height - legendHeight - 4;
        double boxWidth = legendRight ? entryWidth : Width - 40;
        c.Rectangle(lx, ly, boxWidth, legendHeight, fill: "#ffffff", stroke: "#cccccc");
        for (int i = 0; i < Series.Count; i++)
        {
            double ex = lx + (i % legendColumns) * entryWidth;
            double y = ly + 4 + rowHeight * (i / legendColumns + 0.5);
            c.Polyline(new[] { (ex + 8, y), (ex + 32, y) }, Color(Series[i], i), 2, Series[i].Dashed);
            c.Text(ex + 38, y + FontSize * 0.35, Series[i].Name, FontSize, TextAnchor.Start);
        }
    }

    private static string Color(ChartSeries s, int i) => Palette[(s.ColorIndex >= 0 ? s.ColorIndex : i) % Palette.Length];

    /// <summary>Tick values at 1, 2 or 5 times a power of ten, covering [min, max]; integers only for epochs.</summary>
    internal static (double[] Ticks, double Min, double Max) Ticks(double min, double max, int target, bool integer)
    {
        if (max <= min)
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.05;
            if (integer) pad = Math.Max(1, pad);
            min -= pad; max += pad;
        }
        double raw = (max - min) / Math.Max(1, target - 1);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2, 2.5, 5, 10 }.Select(m => m * mag).First(s => s >= raw);
        if (integer) step = Math.Max(1, Math.Round(step));
        var ticks = new List<double>();
        if (integer)
        {
            // Epoch axes span the data exactly (a run starts at epoch 1, not 0) with ticks at multiples of the step.
            double first = Math.Floor(min), last = Math.Ceiling(max);
            for (double t = Math.Ceiling(first / step) * step; t <= last + 1e-9; t += step) ticks.Add(t);
            if (ticks.Count == 0 || ticks[0] - first >= step * 0.75) ticks.Insert(0, first);
            return (ticks.ToArray(), first, last);
        }
        double lo = Math.Floor(min / step) * step, hi = Math.Ceiling(max / step) * step;
        for (double t = lo; t <= hi + step * 1e-9; t += step) ticks.Add(Math.Round(t / step) * step);
        return (ticks.ToArray(), lo, hi);
    }

    private static string TickFormat(double[] ticks)
    {
        if (ticks.Length < 2) return "G4";
        double step = ticks[1] - ticks[0];
        if (ticks.Max(Math.Abs) >= 1e6 || step < 1e-5) return "G3";
        int decimals = 0;
        while (decimals < 6 && Math.Abs(step * Math.Pow(10, decimals) - Math.Round(step * Math.Pow(10, decimals))) > 1e-6) decimals++;
        return decimals == 0 ? "0" : "0." + new string('0', decimals);
    }
}

public enum TextAnchor { Start, Middle, End }

/// <summary>What a chart needs from a drawing surface (SVG text or a Skia bitmap).</summary>
/// <summary>A picture the canvases render: its size, an optional title, and how to draw it (a chart, a model diagram).</summary>
public interface IPlot
{
    int Width { get; }
    int Height { get; }
    string? Title { get; }
    void Draw(IChartCanvas canvas);
}

public interface IChartCanvas
{
    double MeasureText(string text, double size);
    void Line(double x1, double y1, double x2, double y2, string color, double width);
    void Polyline(IReadOnlyList<(double X, double Y)> points, string color, double width, bool dashed);
    void Circle(double x, double y, double r, string color);
    void Rectangle(double x, double y, double w, double h, string? fill, string? stroke);
    void Text(double x, double y, string text, double size, TextAnchor anchor, bool bold = false, bool rotate = false);
}
