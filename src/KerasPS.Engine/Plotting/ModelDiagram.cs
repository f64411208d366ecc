using System.Globalization;
using System.Text;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Models;

namespace KerasPS.Engine.Plotting;

/// <summary>One box of a model diagram: a layer, its class, its input and output shapes, and its row (depth).</summary>
public sealed record DiagramNode(string Name, string ClassName, string InputShape, string OutputShape, int Depth);

/// <summary>One arrow of a model diagram: a tensor from the layer at index <c>From</c> read by the layer at index <c>To</c>.</summary>
public sealed record DiagramEdge(int From, int To);

/// <summary>
/// Keras's <c>plot_model</c>: a model's layers as boxes (name, class and, with shapes, the input and output shapes) and one
/// arrow per tensor a layer reads, laid out in rows by depth (the longest path from an input; a Sequential is a chain).
/// Drawn through <see cref="IChartCanvas"/> (SVG, PNG) or written as Graphviz DOT text (<see cref="ToDot"/>). A nested model
/// is one box, or its own layers when expanded.
/// </summary>
public sealed class ModelDiagram : IPlot
{
    private const double NameSize = 13, ShapeSize = 11, TitleSize = 15, Pad = 10, Margin = 20, RowGap = 44, ColumnGap = 24,
        PassWidth = 8;
    private readonly double[] boxWidth;
    private readonly double boxHeight, top;
    private readonly double[] boxX;

    /// <summary>Where an arrow that skips rows passes each row between its ends (x of its lane), by edge.</summary>
    private readonly Dictionary<int, List<double>> lanes = new();

    private ModelDiagram(string modelName, List<DiagramNode> nodes, List<DiagramEdge> edges, bool showShapes)
    {
        ModelName = modelName;
        Nodes = nodes;
        Edges = edges;
        ShowShapes = showShapes;
        boxWidth = nodes.Select(n => Lines(n).Max(l => EstimateWidth(l.Text, l.Size)) + 2 * Pad).ToArray();
        boxHeight = (ShowShapes ? NameSize * 1.5 + 2 * ShapeSize * 1.45 : NameSize * 1.5) + Pad;
        int rows = nodes.Count == 0 ? 0 : nodes.Max(n => n.Depth) + 1;
        // Each row holds its boxes in layer order, then a narrow lane for each arrow that passes it on the way to a lower
        // row (the dummy nodes of a layered layout), so such arrows run beside the boxes instead of through them.
        var slots = Enumerable.Range(0, rows).Select(_ => new List<(int Box, int Edge, double Width)>()).ToArray();
        for (int i = 0; i < nodes.Count; i++) slots[nodes[i].Depth].Add((i, -1, boxWidth[i]));
        for (int e = 0; e < edges.Count; e++)
            for (int r = nodes[edges[e].From].Depth + 1; r < nodes[edges[e].To].Depth; r++) slots[r].Add((-1, e, PassWidth));
        var rowWidth = slots.Select(row => row.Sum(x => x.Width) + Math.Max(0, row.Count - 1) * ColumnGap).ToArray();
        top = Margin + TitleSize * 1.8;
        Width = (int)Math.Ceiling(Math.Max(rowWidth.DefaultIfEmpty(0).Max(), EstimateWidth(Title, TitleSize)) + 2 * Margin);
        Height = (int)Math.Ceiling(top + rows * boxHeight + Math.Max(0, rows - 1) * RowGap + Margin);
        boxX = new double[nodes.Count];
        for (int r = 0; r < rows; r++)
        {
            double x = (Width - rowWidth[r]) / 2;
            foreach (var (box, edge, width) in slots[r])
            {
                if (box >= 0) boxX[box] = x;
                else
                {
                    if (!lanes.TryGetValue(edge, out var list)) lanes[edge] = list = new List<double>();
                    list.Add(x + width / 2);
                }
                x += width + ColumnGap;
            }
        }
    }

    public string ModelName { get; }

    /// <summary>The boxes, in the model's layer order (Keras's model.layers).</summary>
    public IReadOnlyList<DiagramNode> Nodes { get; }

    /// <summary>The arrows: one per tensor each call of a layer reads (a shared layer has one per call).</summary>
    public IReadOnlyList<DiagramEdge> Edges { get; }
    public bool ShowShapes { get; }
    public int Width { get; }
    public int Height { get; }
    public string Title => ModelName;

    /// <summary>
    /// The diagram of a built model: its layers (input layers included for a functional model) and their calls. With
    /// <paramref name="expandNested"/> a nested model called once is drawn as its own layers (named <c>trunk/dense</c>) instead of
    /// one box, the arrows going to and from them (Keras's <c>expand_nested</c>).
    /// </summary>
    public static ModelDiagram FromModel(KerasModel model, bool showShapes = true, bool expandNested = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsBuilt)
            throw KerasException.BadOperation("ModelNotBuilt",
                $"Model '{model.Name}' has no input shape yet, so its layers have no shapes to draw. Give New-Model an -InputShape first.");
        var builder = new Builder(expandNested);
        builder.AddModel(model, "", null);
        var (boxes, edges) = (builder.Boxes, builder.Edges);
        // Longest path from an input, repeated until stable: a shared layer called late can deepen the layers that read its
        // earlier call. A layer that reads itself (a shared layer applied to its own output) is left out of the count.
        var depth = new int[boxes.Count];
        for (int pass = 0; pass < boxes.Count; pass++)
        {
            bool changed = false;
            foreach (var e in edges.Where(e => e.From != e.To && depth[e.To] < depth[e.From] + 1))
            {
                depth[e.To] = depth[e.From] + 1;
                changed = true;
            }
            if (!changed) break;
        }
        // A box nothing leads to (an input) sits in the row above its highest reader (as graphviz places it), not at the top
        // beside unrelated layers.
        for (int i = 0; i < boxes.Count; i++)
        {
            if (edges.Any(e => e.To == i && e.From != i)) continue;
            var readers = edges.Where(e => e.From == i && e.To != i).Select(e => depth[e.To]).ToList();
            if (readers.Count > 0) depth[i] = readers.Min() - 1;
        }
        var nodes = boxes.Select((b, i) => new DiagramNode(b.Name, b.ClassName, b.InputShape, b.OutputShape, depth[i])).ToList();
        return new ModelDiagram(model.Name, nodes, edges, showShapes);
    }

    /// <summary>Collects the boxes and arrows of a model, walking into nested models when asked.</summary>
    private sealed class Builder(bool expandNested)
    {
        public readonly List<(string Name, string ClassName, string InputShape, string OutputShape)> Boxes = new();
        public readonly List<DiagramEdge> Edges = new();
        private readonly Dictionary<Layer, int> boxOf = new(ReferenceEqualityComparer.Instance);

        /// <summary>
        /// Adds <paramref name="model"/>'s layers under <paramref name="prefix"/>; <paramref name="sources"/> are the boxes that
        /// produce its inputs (null at the top, where input layers are boxes). Returns the boxes that produce its outputs.
        /// </summary>
        public IReadOnlyList<int> AddModel(KerasModel model, string prefix, IReadOnlyList<int>? sources)
        {
            if (!model.IsFunctional)
            {
                int previous = sources?[0] ?? -1;
                foreach (var layer in model.Layers)
                {
                    if (Expands(layer, 1, out var inner))
                    {
                        previous = AddModel(inner, $"{prefix}{layer.Name}/", new[] { previous })[0];
                        continue;
                    }
                    int box = Add(prefix, layer, Format(layer.InputShape), Format(layer.OutputShape));
                    if (previous >= 0) Edges.Add(new DiagramEdge(previous, box));
                    previous = box;
                }
                return new[] { previous };
            }
            var producer = new Dictionary<KerasTensor, int>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < model.Inputs.Count; i++)
            {
                var t = model.Inputs[i];
                producer[t] = sources is not null && sources[i] >= 0 ? sources[i] : Add(prefix, t.Layer, Format(t.Shape), Format(t.Shape));
            }
            foreach (var node in model.Nodes)
            {
                var layer = node.Layer;
                var from = node.Inputs.Select(t => producer[t]).ToArray();
                if (Expands(layer, model.Nodes.Count(n => n.Layer == layer), out var inner))
                {
                    producer[node.Output] = AddModel(inner, $"{prefix}{layer.Name}/", from)[0];
                    continue;
                }
                // Keras shows a layer's first call's shapes; a shared layer's calls all have the same ones.
                if (!boxOf.TryGetValue(layer, out int box))
                    box = Add(prefix, layer, node.Inputs.Count == 1 ? Format(node.Inputs[0].Shape)
                        : "[" + string.Join(", ", node.Inputs.Select(t => Format(t.Shape))) + "]", Format(node.Output.Shape));
                foreach (var f in from) Edges.Add(new DiagramEdge(f, box));
                producer[node.Output] = box;
            }
            return model.Outputs.Select(t => producer[t]).ToArray();
        }

        /// <summary>A nested model is drawn as its layers when asked and when it is called once (a shared model stays a box).</summary>
        private bool Expands(Layer layer, int calls, out KerasModel inner)
        {
            inner = (layer as NestedModel)?.Inner!;
            return expandNested && inner is not null && calls == 1 && inner.Layers.Count > 0;
        }

        private int Add(string prefix, Layer layer, string inputShape, string outputShape)
        {
            Boxes.Add((prefix + layer.Name, layer.ClassName, inputShape, outputShape));
            boxOf[layer] = Boxes.Count - 1;
            return Boxes.Count - 1;
        }
    }

    private static string Format(int[]? shape) => shape is null ? "?" : Shapes.Format(shape);

    private IEnumerable<(string Text, double Size, bool Bold)> Lines(DiagramNode n)
    {
        yield return ($"{n.Name} ({n.ClassName})", NameSize, true);
        if (!ShowShapes) yield break;
        yield return ($"input: {n.InputShape}", ShapeSize, false);
        yield return ($"output: {n.OutputShape}", ShapeSize, false);
    }

    /// <summary>
    /// A width estimate on the generous side of DejaVu Sans (the font the PNG uses where it is installed), so that the layout,
    /// made before any canvas exists, holds the text in both formats.
    /// </summary>
    private static double EstimateWidth(string text, double size, bool bold = true) =>
        text.Sum(ch => ch is 'i' or 'l' or 'j' or '.' or ',' or ':' or '[' or ']' or '(' or ')' or ' ' or '|' ? 0.38
            : ch is 'm' or 'w' or 'M' or 'W' ? 1.0 : char.IsUpper(ch) ? 0.76 : 0.66) * size * (bold ? 1.05 : 1.0);

    private double RowTop(int row) => top + row * (boxHeight + RowGap);

    private (double X, double Y) Corner(int i) => (boxX[i], RowTop(Nodes[i].Depth));

    public void Draw(IChartCanvas c)
    {
        c.Rectangle(0, 0, Width, Height, fill: "#ffffff", stroke: null);
        c.Text(Width / 2.0, Margin + TitleSize, Title, TitleSize, TextAnchor.Middle, bold: true);
        var corners = Enumerable.Range(0, Nodes.Count).Select(Corner).ToArray();
        // Arrows leave a box's bottom and enter the next box's top at evenly spaced points, one per arrow.
        var drawn = Enumerable.Range(0, Edges.Count).Where(k => Edges[k].From != Edges[k].To).ToList();
        // Sorted by where the other end is, so that arrows into (or out of) one box do not cross each other.
        double Centre(int box) => corners[box].X + boxWidth[box] / 2;
        var outgoing = drawn.GroupBy(k => Edges[k].From).ToDictionary(g => g.Key, g => g.OrderBy(k => Centre(Edges[k].To)).ToList());
        var incoming = drawn.GroupBy(k => Edges[k].To).ToDictionary(g => g.Key, g => g.OrderBy(k => Centre(Edges[k].From)).ToList());
        double Spread(int box, int k, int count) => corners[box].X + boxWidth[box] * (k + 1) / (count + 1);
        for (int index = 0; index < Edges.Count; index++)
        {
            var e = Edges[index];
            if (e.From == e.To)
            {
                // A layer applied to its own output: a loop on the box's right side.
                var (x, y) = corners[e.From];
                double right = x + boxWidth[e.From];
                var loop = new[] { (right, y + boxHeight * 0.7), (right + 14, y + boxHeight * 0.7), (right + 14, y + boxHeight * 0.3),
                    (right + 1, y + boxHeight * 0.3) };
                c.Polyline(loop, "#444444", 1.2, dashed: false);
                Arrowhead(c, right + 14, loop[3].Item2, right + 1, loop[3].Item2);
                continue;
            }
            var outs = outgoing[e.From];
            var ins = incoming[e.To];
            double x1 = Spread(e.From, outs.IndexOf(index), outs.Count), y1 = corners[e.From].Y + boxHeight;
            double x2 = Spread(e.To, ins.IndexOf(index), ins.Count), y2 = corners[e.To].Y;
            var points = new List<(double X, double Y)> { (x1, y1) };
            if (lanes.TryGetValue(index, out var lane))
                for (int k = 0; k < lane.Count; k++)
                {
                    double rowTop = RowTop(Nodes[e.From].Depth + 1 + k);
                    points.Add((lane[k], rowTop));
                    points.Add((lane[k], rowTop + boxHeight));
                }
            points.Add((x2, y2 - 1));
            c.Polyline(points, "#444444", 1.2, dashed: false);
            Arrowhead(c, points[^2].X, points[^2].Y, x2, y2 - 1);
        }
        for (int i = 0; i < Nodes.Count; i++)
        {
            var (x, y) = corners[i];
            bool input = Nodes[i].ClassName == "InputLayer";
            c.Rectangle(x, y, boxWidth[i], boxHeight, fill: input ? "#eef3fb" : "#f7f7f7", stroke: "#333333");
            double baseline = y + Pad / 2 + NameSize * 1.1;
            foreach (var (text, size, bold) in Lines(Nodes[i]))
            {
                c.Text(x + boxWidth[i] / 2, baseline, text, size, TextAnchor.Middle, bold);
                baseline += (size == NameSize ? NameSize * 0.4 : 0) + ShapeSize * 1.45;
            }
        }
    }

    private static void Arrowhead(IChartCanvas c, double x1, double y1, double x2, double y2)
    {
        double angle = Math.Atan2(y2 - y1, x2 - x1), size = 7;
        foreach (var side in new[] { -0.45, 0.45 })
            c.Line(x2, y2, x2 - size * Math.Cos(angle + side), y2 - size * Math.Sin(angle + side), "#444444", 1.2);
    }

    /// <summary>
    /// The diagram as Graphviz DOT (what Keras's <c>model_to_dot</c> gives pydot): one node per layer, named by the layer,
    /// labelled with its name, class and shapes, and one edge per tensor a layer reads, in call order.
    /// </summary>
    public string ToDot()
    {
        var sb = new StringBuilder();
        sb.Append("digraph ").Append(Quote(ModelName)).Append(" {\n");
        sb.Append("  graph [rankdir=TB];\n");
        sb.Append("  node [shape=box, fontname=\"Helvetica\"];\n");
        foreach (var n in Nodes)
        {
            var label = $"{n.Name} ({n.ClassName})" + (ShowShapes ? $"\ninput: {n.InputShape}\noutput: {n.OutputShape}" : "");
            sb.Append("  ").Append(Quote(n.Name)).Append(" [label=").Append(Quote(label)).Append("];\n");
        }
        foreach (var e in Edges)
            sb.Append("  ").Append(Quote(Nodes[e.From].Name)).Append(" -> ").Append(Quote(Nodes[e.To].Name)).Append(";\n");
        sb.Append("}\n");
        return sb.ToString();

        static string Quote(string s) =>
            "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ModelDiagram({ModelName}, {Nodes.Count} layers)");
}
