using KerasPS.Engine.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Layers.Core;

/// <summary>
/// The expression as ONNX nodes, node for node with <see cref="Evaluate"/>. Shapes that decide the nodes (a negative
/// index, a clamped slice, a reduction axis) come from evaluating each subtree on a sample input of the layer's shape.
/// </summary>
public sealed partial class LambdaExpression
{
    private static readonly Dictionary<string, string> OnnxUnary = new(StringComparer.Ordinal)
    {
        ["abs"] = "Abs", ["exp"] = "Exp", ["log"] = "Log", ["sqrt"] = "Sqrt", ["sin"] = "Sin", ["cos"] = "Cos",
        ["sign"] = "Sign", ["floor"] = "Floor", ["ceil"] = "Ceil", ["round"] = "Round", ["negative"] = "Neg",
    };

    internal string LowerToOnnx(OnnxGraph g, string x, int[] inputShape)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var sample = torch.zeros(Shapes.WithBatch(1, inputShape));
        var v = Lower(root, g, x, sample);
        if (v is string name) return name;
        // A constant expression: Evaluate fills the input's shape with it.
        var constant = g.Scalar("constant", (float)(double)v);
        return g.Op("Expand", new[] { constant, g.Op("Shape", new[] { x }) });
    }

    private static string AsTensor(OnnxGraph g, object v) => v as string ?? g.Scalar("constant", (float)(double)v);

    private static object Lower(Node node, OnnxGraph g, string x, Tensor sample)
    {
        switch (node)
        {
            case Num n: return n.Value;
            case Input: return x;
            case Neg neg:
            {
                var v = Lower(neg.Operand, g, x, sample);
                return v is string s ? g.Op("Neg", new[] { s }) : -(double)v;
            }
            case Binary b:
            {
                var l = Lower(b.Left, g, x, sample);
                var r = Lower(b.Right, g, x, sample);
                if (l is double dl && r is double dr)
                    return b.Op switch { '+' => dl + dr, '-' => dl - dr, '*' => dl * dr, '/' => dl / dr, _ => Math.Pow(dl, dr) };
                var op = b.Op switch { '+' => "Add", '-' => "Sub", '*' => "Mul", '/' => "Div", _ => "Pow" };
                return g.Op(op, new[] { AsTensor(g, l), AsTensor(g, r) });
            }
            case Subscript sub:
            {
                var target = (string)Lower(sub.Target, g, x, sample);
                var t = (Tensor)sub.Target.Eval(sample);
                long axis = 0;
                var shape = t.shape;
                var result = target;
                foreach (var s in sub.Slices)
                {
                    long size = shape[axis];
                    if (s.Index)
                    {
                        long i = s.Start!.Value < 0 ? s.Start.Value + size : s.Start.Value;
                        result = g.Op("Gather", new[] { result, g.LongScalar("index", i) }, new OnnxAttribute("axis", axis));
                        shape = shape.Where((_, k) => k != axis).ToArray();
                        continue;
                    }
                    long step = s.Step ?? 1;
                    long Clamp(long v) => Math.Clamp(v < 0 ? v + size : v, 0, size);
                    long start = s.Start is { } a ? Clamp(a) : 0, stop = s.Stop is { } e ? Clamp(e) : size;
                    if (axis > 0 && !(start == 0 && stop == size && step == 1))   // the batch axis is always taken whole
                        result = g.Op("Slice", new[] { result, g.Longs("starts", start), g.Longs("ends", stop), g.Longs("axes", axis),
                            g.Longs("steps", step) });
                    axis++;
                }
                return result;
            }
            case Call c:
            {
                var args = c.Args.Select(a => Lower(a, g, x, sample)).ToArray();
                string T(int i) => (string)args[i];
                float D(int i) => (float)(double)args[i];
                if (c.Name == "square") return g.Op("Mul", new[] { T(0), T(0) });
                if (OnnxUnary.TryGetValue(c.Name, out var unary)) return g.Op(unary, new[] { T(0) });
                switch (c.Name)
                {
                    case "clip": return g.Op("Clip", new[] { T(0), g.Scalar("min", D(1)), g.Scalar("max", D(2)) });
                    case "pow": return g.Op("Pow", new[] { T(0), g.Scalar("exponent", D(1)) });
                    case "maximum": return g.Op("Max", new[] { T(0), AsTensor(g, args[1]) });
                    case "minimum": return g.Op("Min", new[] { T(0), AsTensor(g, args[1]) });
                }
                if (Reductions.Contains(c.Name))
                {
                    long rank = ((Tensor)c.Args[0].Eval(sample)).dim();
                    long axis = (long)(double)args[1];
                    if (axis < 0) axis += rank;
                    long keep = args.Length > 2 && (double)args[2] != 0 ? 1 : 0;
                    if (c.Name == "sum")   // ReduceSum takes its axes as an input from opset 13
                        return g.Op("ReduceSum", new[] { T(0), g.Longs("axes", axis) }, new OnnxAttribute("keepdims", keep));
                    var op = c.Name switch { "mean" => "ReduceMean", "max" => "ReduceMax", "min" => "ReduceMin", _ => "ReduceProd" };
                    return g.Op(op, new[] { T(0) }, new OnnxAttribute("axes", new[] { axis }), new OnnxAttribute("keepdims", keep));
                }
                return OnnxActivations.Apply(g, c.Name, T(0));
            }
            default: throw new InvalidOperationException($"No ONNX form for {node.GetType().Name}.");
        }
    }
}
