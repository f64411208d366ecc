using System.Globalization;
using System.Text;

namespace KerasPS.Engine.Plotting;

/// <summary>Charts for a console: sparklines and a small scatter of characters, epoch on x.</summary>
public static class TextChart
{
    private const string Blocks = "▁▂▃▄▅▆▇█";

    /// <summary>One block character per value, scaled between the finite minimum and maximum; gaps for NaN.</summary>
    public static string Sparkline(IReadOnlyList<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return new string(' ', values.Count);
        double min = finite.Min(), max = finite.Max();
        var sb = new StringBuilder(values.Count);
        foreach (var v in values)
        {
            if (!double.IsFinite(v)) { sb.Append(' '); continue; }
            int level = max > min ? (int)Math.Round((v - min) / (max - min) * (Blocks.Length - 1)) : Blocks.Length / 2;
            sb.Append(Blocks[level]);
        }
        return sb.ToString();
    }

    /// <summary>Values resampled to at most <paramref name="width"/> points (the value at the nearest epoch), so long runs fit a
    /// line.</summary>
    public static double[] Resample(IReadOnlyList<double> values, int width)
    {
        if (values.Count <= width) return values.ToArray();
        var r = new double[width];
        for (int i = 0; i < width; i++) r[i] = values[(int)Math.Round(i * (values.Count - 1) / (double)(width - 1))];
        return r;
    }

    /// <summary>
    /// A plot <paramref name="height"/> rows high: each series a mark per column, y labels on the left, the epoch range
    /// under the axis and a legend below. All series share the epochs <paramref name="epochs"/>.
    /// </summary>
    public static IReadOnlyList<string> Plot(IReadOnlyList<(string Name, char Mark, IReadOnlyList<double> Values)> series,
        IReadOnlyList<int> epochs, int width, int height)
    {
        if (width < 8 || height < 3)
            throw KerasException.BadArgument("InvalidChartSize",
                $"A text chart needs at least 8 columns and 3 rows. Received: {width} x {height}.");
        int cols = Math.Min(width, epochs.Count);
        var finite = series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        if (finite.Count == 0) return new[] { "(no finite values to draw)" };
        double min = finite.Min(), max = finite.Max();
        if (max == min) { max += Math.Abs(max) * 0.05 + 1e-9; min -= Math.Abs(min) * 0.05 + 1e-9; }
        var grid = new char[height, cols];
        for (int r = 0; r < height; r++) for (int c = 0; c < cols; c++) grid[r, c] = ' ';
        foreach (var (_, mark, values) in series)
        {
            var ys = Resample(values, cols);
            for (int c = 0; c < ys.Length; c++)
            {
                if (!double.IsFinite(ys[c])) continue;
                int row = height - 1 - (int)Math.Round((ys[c] - min) / (max - min) * (height - 1));
                grid[row, c] = grid[row, c] == ' ' || grid[row, c] == mark ? mark : '◉';
            }
        }
        string Label(double v) => v.ToString(Math.Abs(max - min) >= 10 ? "0.0" : "0.0000", CultureInfo.InvariantCulture);
        int labelWidth = Math.Max(Label(max).Length, Label(min).Length);
        var lines = new List<string>();
        for (int r = 0; r < height; r++)
        {
            string label = r == 0 ? Label(max) : r == height - 1 ? Label(min) : r == height / 2
                ? Label(max - (max - min) * r / (height - 1)) : "";
            var row = new StringBuilder(label.PadLeft(labelWidth)).Append(" ┤");
            for (int c = 0; c < cols; c++) row.Append(grid[r, c]);
            lines.Add(row.ToString().TrimEnd());
        }
        lines.Add(new string(' ', labelWidth) + " └" + new string('─', cols));
        string first = $"epoch {epochs[0]}", last = epochs[^1].ToString(CultureInfo.InvariantCulture);
        string axis = epochs.Count == 1 ? first
            : cols >= first.Length + 1 + last.Length ? first + last.PadLeft(cols - first.Length)
            : $"epochs {epochs[0]}-{last}";
        lines.Add(new string(' ', labelWidth + 2) + axis);
        lines.Add(new string(' ', labelWidth + 2) + string.Join("   ", series.Select(s => $"{s.Mark} {s.Name}")));
        return lines;
    }
}
