using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Activations;

namespace KerasPS.Engine.Layers.Core;

/// <summary>
/// The small, safe expression language of Lambda layers: parsed once into a tree, evaluated on tensors, never
/// executed as code. The input is <c>x</c>; numbers; <c>+ - * /</c>, <c>^</c> (power), unary minus, parentheses;
/// Python-style slices on any axis, batch first (<c>x[:, 0:3]</c>, <c>x[:, -1]</c>, <c>x[:, ::2]</c>); functions:
/// every activation name (relu, sigmoid, softmax, ...), abs, exp, log, sqrt, square, sin, cos, sign, floor, ceil,
/// round, clip(x, lo, hi), pow(x, p), maximum(a, b), minimum(a, b), and the reductions sum, mean, max, min,
/// prod(x, axis[, keepdims]) with Keras axis numbering (0 is the batch axis, -1 the last).
/// </summary>
public sealed partial class LambdaExpression
{
    private static readonly Dictionary<string, Func<Tensor, Tensor>> Unary = new(StringComparer.Ordinal)
    {
        ["abs"] = t => t.abs(), ["exp"] = t => t.exp(), ["log"] = t => t.log(), ["sqrt"] = t => t.sqrt(),
        ["square"] = t => t.Squared(), ["sin"] = t => t.sin(), ["cos"] = t => t.cos(), ["sign"] = t => t.sign(),
        ["floor"] = t => t.floor(), ["ceil"] = t => t.ceil(), ["round"] = t => t.round(), ["negative"] = t => t.neg(),
    };

    private static readonly string[] Reductions = { "sum", "mean", "max", "min", "prod" };
    private static readonly string[] Others = { "clip", "pow", "maximum", "minimum" };

    /// <summary>Every function name the language knows, for completion and error messages.</summary>
    public static IReadOnlyList<string> FunctionNames { get; } =
        Unary.Keys.Concat(Reductions).Concat(Others).Concat(ActivationFunctions.Names).Distinct().Order(StringComparer.Ordinal).ToArray();

    private readonly Node root;

    public LambdaExpression(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw KerasException.BadArgument("InvalidExpression",
                "A Lambda expression must not be empty. Example: -Expression 'x * 2' or 'x[:, 0:3]'.");
        Text = text.Trim();
        root = new Parser(Text).ParseAll();
    }

    public string Text { get; }

    public Tensor Evaluate(Tensor x)
    {
        var v = root.Eval(x);
        return v is Tensor t ? t : torch.full(x.shape, Scalars.Of(Convert.ToDouble(v, CultureInfo.InvariantCulture)), dtype: x.dtype);
    }

    private static KerasException Error(string text, int pos, string what) =>
        KerasException.BadArgument("InvalidExpression", $"Lambda expression '{text}' at position {pos + 1}: {what}.", text);

    // ---- tree -------------------------------------------------------------------------------------------------
    private abstract record Node { public abstract object Eval(Tensor x); }

    private sealed record Num(double Value) : Node { public override object Eval(Tensor x) => Value; }
    private sealed record Input : Node { public override object Eval(Tensor x) => x; }

    private sealed record Neg(Node Operand) : Node
    {
        public override object Eval(Tensor x)
        {
            // Cast to object: TorchSharp converts double to Tensor implicitly, which would turn constants into tensors.
            var v = Operand.Eval(x);
            return v is Tensor t ? t.neg() : (object)(-(double)v);
        }
    }

    private sealed record Binary(char Op, Node Left, Node Right) : Node
    {
        public override object Eval(Tensor x)
        {
            var a = Left.Eval(x);
            var b = Right.Eval(x);
            if (a is double da && b is double db)
                return Op switch { '+' => da + db, '-' => da - db, '*' => da * db, '/' => da / db, _ => Math.Pow(da, db) };
            // Constants as kept Scalars (Scalars): TorchSharp's tensor-and-number operators pass temporaries to libtorch.
            return (a, b) switch
            {
                (Tensor ta, Tensor tb) => Op switch { '+' => ta.Plus(tb), '-' => ta - tb, '*' => ta * tb, '/' => ta / tb, _ => ta.pow(tb) },
                (Tensor ta, double sb) => Op switch
                {
                    '+' => ta.Plus(sb), '-' => ta.sub(Scalars.Of(sb)), '*' => ta.mul(Scalars.Of(sb)), '/' => ta.div(Scalars.Of(sb)),
                    _ => ta.pow(Scalars.Of(sb)),
                },
                (double sa, Tensor tb) => Op switch
                {
                    '+' => tb.Plus(sa), '-' => tb.neg().Plus(sa), '*' => tb.mul(Scalars.Of(sa)), '/' => tb.reciprocal().mul(Scalars.Of(sa)),
                    _ => torch.pow(sa, tb),
                },
                _ => throw new InvalidOperationException(),
            };
        }
    }

    private sealed record Slice(long? Start, long? Stop, long? Step, bool Index);

    private sealed record Subscript(Node Target, Slice[] Slices, string Text, int Pos) : Node
    {
        public override object Eval(Tensor x)
        {
            if (Target.Eval(x) is not Tensor t) throw Error(Text, Pos, "only tensors can be sliced");
            if (Slices.Length > t.dim())
                throw Error(Text, Pos, $"{Slices.Length} subscripts for a tensor with {t.dim()} axes (the batch axis counts)");
            long axis = 0;
            foreach (var s in Slices)
            {
                long size = t.shape[axis];
                if (s.Index)
                {
                    long i = s.Start!.Value < 0 ? s.Start.Value + size : s.Start.Value;
                    if (i < 0 || i >= size) throw Error(Text, Pos, $"index {s.Start} is out of range for axis {axis} of size {size}");
                    t = t.select(axis, i);
                    continue;
                }
                long step = s.Step ?? 1;
                if (step <= 0) throw Error(Text, Pos, "slice steps must be positive");
                long Clamp(long v) => Math.Clamp(v < 0 ? v + size : v, 0, size);
                long start = s.Start is { } a ? Clamp(a) : 0, stop = s.Stop is { } b ? Clamp(b) : size;
                if (stop <= start) throw Error(Text, Pos, $"the slice selects nothing on axis {axis} (size {size})");
                t = t.slice(axis, start, stop, step);
                axis++;
            }
            return t;
        }
    }

    private sealed record Call(string Name, Node[] Args, string Text, int Pos) : Node
    {
        public override object Eval(Tensor x)
        {
            var v = Args.Select(a => a.Eval(x)).ToArray();
            Tensor T(int i) => v[i] as Tensor ?? throw Error(Text, Pos, $"{Name}() needs a tensor as argument {i + 1}");
            double D(int i) => v[i] is double d ? d : throw Error(Text, Pos, $"{Name}() needs a number as argument {i + 1}");
            if (Unary.TryGetValue(Name, out var f)) return f(T(0));
            switch (Name)
            {
                case "clip": return T(0).clamp(Scalars.Of(D(1)), Scalars.Of(D(2)));
                case "pow": return T(0).pow(Scalars.Of(D(1)));
                case "maximum": return v[1] is Tensor m1 ? T(0).maximum(m1) : T(0).clamp_min(Scalars.Of(D(1)));
                case "minimum": return v[1] is Tensor m2 ? T(0).minimum(m2) : T(0).clamp_max(Scalars.Of(D(1)));
            }
            if (Reductions.Contains(Name))
            {
                var t = T(0);
                long axis = (long)D(1);
                if (axis < 0) axis += t.dim();
                if (axis <= 0 || axis >= t.dim())
                    throw Error(Text, Pos, $"{Name}() axis {D(1)} is not a non-batch axis of a tensor with {t.dim()} axes");
                bool keep = v.Length > 2 && D(2) != 0;
                return Name switch
                {
                    "sum" => t.sum(axis, keep),
                    "mean" => t.mean(new[] { axis }, keep),
                    "max" => t.amax(new[] { axis }, keep),
                    "min" => t.amin(new[] { axis }, keep),
                    _ => t.prod(axis, keep),
                };
            }
            return ActivationFunctions.Apply(Name, T(0));
        }
    }

    // ---- parser -----------------------------------------------------------------------------------------------
    private sealed class Parser
    {
        private readonly string s;
        private int p;
        public Parser(string text) => s = text;

        public Node ParseAll()
        {
            var n = Expr();
            Skip();
            if (p < s.Length) throw Error(s, p, $"unexpected '{s[p]}'");
            return n;
        }

        private void Skip() { while (p < s.Length && char.IsWhiteSpace(s[p])) p++; }
        private bool Eat(string tok)
        {
            Skip();
            if (string.CompareOrdinal(s, p, tok, 0, tok.Length) == 0) { p += tok.Length; return true; }
            return false;
        }
        private void Expect(string tok)
        {
            if (!Eat(tok)) throw Error(s, p, p < s.Length ? $"expected '{tok}' but found '{s[p]}'" : $"expected '{tok}' at the end");
        }

        private Node Expr()
        {
            var n = Term();
            while (true)
            {
                if (Eat("+")) n = new Binary('+', n, Term());
                else if (Eat("-")) n = new Binary('-', n, Term());
                else return n;
            }
        }

        private Node Term()
        {
            var n = UnaryExpr();
            while (true)
            {
                Skip();
                if (p + 1 < s.Length && s[p] == '*' && s[p + 1] == '*') return n;   // handled by Power
                if (Eat("*")) n = new Binary('*', n, UnaryExpr());
                else if (Eat("/")) n = new Binary('/', n, UnaryExpr());
                else return n;
            }
        }

        private Node UnaryExpr() => Eat("-") ? new Neg(UnaryExpr()) : Eat("+") ? UnaryExpr() : Power();

        private Node Power()
        {
            var n = Postfix();
            if (Eat("**") || Eat("^")) return new Binary('^', n, UnaryExpr());
            return n;
        }

        private Node Postfix()
        {
            var n = Primary();
            while (true)
            {
                Skip();
                int at = p;
                if (!Eat("[")) return n;
                var slices = new List<Slice> { SliceItem() };
                while (Eat(",")) slices.Add(SliceItem());
                Expect("]");
                n = new Subscript(n, slices.ToArray(), s, at);
            }
        }

        private Slice SliceItem()
        {
            long? a = Int(), b = null, c = null;
            if (!Eat(":")) return a is null ? throw Error(s, p, "expected an index or a slice such as 0:3")
                : new Slice(a, null, null, true);
            b = Int();
            if (Eat(":")) c = Int();
            return new Slice(a, b, c, false);
        }

        private long? Int()
        {
            Skip();
            int start = p;
            if (p < s.Length && s[p] == '-') p++;
            while (p < s.Length && char.IsDigit(s[p])) p++;
            if (p == start) return null;
            if (p == start + 1 && s[start] == '-') throw Error(s, start, "expected a number after '-'");
            return long.Parse(s.AsSpan(start, p - start), CultureInfo.InvariantCulture);
        }

        private Node Primary()
        {
            Skip();
            if (p >= s.Length) throw Error(s, p, "the expression ends too early");
            char ch = s[p];
            if (Eat("("))
            {
                var n = Expr();
                Expect(")");
                return n;
            }
            if (char.IsDigit(ch) || ch == '.')
            {
                int start = p;
                while (p < s.Length && (char.IsDigit(s[p]) || s[p] == '.')) p++;
                if (p < s.Length && (s[p] == 'e' || s[p] == 'E'))
                {
                    p++;
                    if (p < s.Length && (s[p] == '+' || s[p] == '-')) p++;
                    while (p < s.Length && char.IsDigit(s[p])) p++;
                }
                if (!double.TryParse(s.AsSpan(start, p - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                    throw Error(s, start, $"'{s[start..p]}' is not a number");
                return new Num(d);
            }
            if (char.IsLetter(ch) || ch == '_')
            {
                int start = p;
                while (p < s.Length && (char.IsLetterOrDigit(s[p]) || s[p] == '_')) p++;
                var name = s[start..p];
                if (name == "x") return new Input();
                if (!FunctionNames.Contains(name))
                    throw Error(s, start, $"unknown name '{name}'. The input is x; functions are {string.Join(", ", FunctionNames)}");
                Expect("(");
                var args = new List<Node> { Expr() };
                while (Eat(",")) args.Add(Expr());
                Expect(")");
                int want = name is "clip" ? 3 : name is "pow" or "maximum" or "minimum" ? 2 : Reductions.Contains(name) ? -1 : 1;
                if (want > 0 && args.Count != want)
                    throw Error(s, start, $"{name}() takes {want} argument{(want > 1 ? "s" : "")}, not {args.Count}");
                if (want < 0 && args.Count is not (2 or 3)) throw Error(s, start, $"{name}() takes (x, axis) or (x, axis, keepdims)");
                return new Call(name, args.ToArray(), s, start);
            }
            throw Error(s, p, $"unexpected '{ch}'");
        }
    }
}
