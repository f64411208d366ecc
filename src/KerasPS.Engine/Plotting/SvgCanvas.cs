using System.Globalization;
using System.Security;
using System.Text;

namespace KerasPS.Engine.Plotting;

/// <summary>
/// Writes a chart as SVG 1.1 text. Text widths are estimated (Helvetica/DejaVu average advance), which is enough for layout.
/// </summary>
public sealed class SvgCanvas : IChartCanvas
{
    private readonly StringBuilder body = new();

    public double MeasureText(string text, double size) =>
        text.Sum(ch => ch is 'i' or 'l' or '.' or ',' or ':' or '1' or ' ' ? 0.32 : char.IsUpper(ch) ? 0.68 : 0.56) * size;

    public void Line(double x1, double y1, double x2, double y2, string color, double width) =>
        body.Append(Inv($"<line x1=\"{x1:0.##}\" y1=\"{y1:0.##}\" x2=\"{x2:0.##}\" y2=\"{y2:0.##}\" ")
            + Inv($"stroke=\"{color}\" stroke-width=\"{width:0.##}\"/>\n"));

    public void Polyline(IReadOnlyList<(double X, double Y)> points, string color, double width, bool dashed) =>
        body.Append(Inv($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"{width:0.##}\"")
                + (dashed ? " stroke-dasharray=\"6 4\"" : "") + " stroke-linejoin=\"round\" points=\"")
            .Append(string.Join(" ", points.Select(p => Inv($"{p.X:0.##},{p.Y:0.##}")))).Append("\"/>\n");

    public void Circle(double x, double y, double r, string color) =>
        body.Append(Inv($"<circle cx=\"{x:0.##}\" cy=\"{y:0.##}\" r=\"{r:0.##}\" fill=\"{color}\"/>\n"));

    public void Rectangle(double x, double y, double w, double h, string? fill, string? stroke) =>
        body.Append(Inv($"<rect x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{w:0.##}\" height=\"{h:0.##}\" ")
            + $"fill=\"{fill ?? "none"}\"{(stroke is null ? "" : $" stroke=\"{stroke}\"")}/>\n");

    public void Text(double x, double y, string text, double size, TextAnchor anchor, bool bold = false, bool rotate = false)
    {
        var a = anchor switch { TextAnchor.Middle => "middle", TextAnchor.End => "end", _ => "start" };
        var transform = rotate ? Inv($" transform=\"rotate(-90 {x:0.##} {y:0.##})\"") : "";
        body.Append(Inv($"<text x=\"{x:0.##}\" y=\"{y:0.##}\" font-size=\"{size:0.#}\" text-anchor=\"{a}\"")
                + (bold ? " font-weight=\"bold\"" : "") + transform + ">")
            .Append(SecurityElement.Escape(text)).Append("</text>\n");
    }

    public static string Render(IPlot chart)
    {
        var c = new SvgCanvas();
        chart.Draw(c);
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{chart.Width}\" height=\"{chart.Height}\" ")
            + Inv($"viewBox=\"0 0 {chart.Width} {chart.Height}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n")
            + (chart.Title is null ? "" : $"<title>{SecurityElement.Escape(chart.Title)}</title>\n")
            + c.body + "</svg>\n";
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
