using KerasPS.Engine.Native;
using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Onnx;

namespace KerasPS.Engine.Layers.Core;

/// <summary>
/// keras.layers.Lambda in two forms. An <em>expression</em> (<see cref="LambdaExpression"/>) is data: it is saved
/// as text and loads safely. A <em>function</em> is code supplied by the host (the PowerShell module wraps a script
/// block): the config records its source text and that it carries code, and <see cref="IsUnsafeToDeserialize"/>
/// is true, because loading it means running that code. The output shape is <c>output_shape</c> when given,
/// otherwise found by running the layer on a zero batch of two rows.
/// </summary>
[KerasLayer("Lambda")]
public sealed class Lambda : Layer, IKerasLayer<Lambda>, IOnnxSingleLowering
{
    /// <summary>
    /// Turns saved code back into a host function; set by the host that can run it (the PowerShell module). A host
    /// function takes the batch tensor and returns every object the code produced; the layer checks that it is one tensor.
    /// </summary>
    public static Func<string, Func<object, IReadOnlyList<object?>>>? CodeCompiler { get; set; }

    /// <summary>Language tag written to configs of code lambdas.</summary>
    public const string CodeLanguage = "powershell";

    private readonly LambdaExpression? expression;
    private readonly Func<Tensor, Tensor>? function;

    public Lambda(string expression, int[]? outputShape = null, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        this.expression = new LambdaExpression(expression);
        DeclaredOutputShape = outputShape is null ? null : Shapes.Validate(outputShape, "OutputShape");
    }

    /// <summary>A code lambda run by the host (a script block): its outputs must be exactly one tensor.</summary>
    public Lambda(Func<object, IReadOnlyList<object?>> hostFunction, string code, int[]? outputShape = null, string? name = null,
        int[]? inputShape = null)
        : this(FromHost(hostFunction), code, outputShape, name, inputShape) { }

    private static Func<Tensor, Tensor> FromHost(Func<object, IReadOnlyList<object?>> hostFunction)
    {
        if (hostFunction is null) throw KerasException.BadArgument("InvalidLambda", "A Lambda layer needs a function.");
        return x =>
        {
            var outputs = hostFunction(x);
            if (outputs.Count != 1 || outputs[0] is not Tensor t)
                throw new KerasException("LambdaScriptFailed", ErrorKind.InvalidOperation,
                    "The Lambda script block must return exactly one tensor; it returned "
                        + $"{(outputs.Count == 1 ? outputs[0]?.GetType().Name ?? "null" : outputs.Count + " objects")}. "
                        + "Pipe other output to Out-Null.");
            return t;
        };
    }

    internal Lambda(Func<Tensor, Tensor> function, string code, int[]? outputShape = null, string? name = null, int[]? inputShape = null)
        : base(name, inputShape)
    {
        this.function = function ?? throw KerasException.BadArgument("InvalidLambda", "A Lambda layer needs a function.");
        Code = code ?? "";
        DeclaredOutputShape = outputShape is null ? null : Shapes.Validate(outputShape, "OutputShape");
    }


    /// <summary>The expression text, for expression lambdas.</summary>
    public string? Expression => expression?.Text;

    /// <summary>The source text of the function, for code lambdas.</summary>
    public string? Code { get; }
    public int[]? DeclaredOutputShape { get; }
    public override bool IsUnsafeToDeserialize => function is not null;

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (DeclaredOutputShape is not null) return (int[])DeclaredOutputShape.Clone();
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor y;
        try
        {
            var probe = Shapes.WithBatch(2, inputShape);
            WeightBudget.CheckProbe(this, probe);   // a checkpoint being loaded bounds what its input shape may cost
            y = Apply(torch.zeros(probe));
        }
        catch (KerasException) { throw; }
        catch (Exception e)
        {
            throw KerasException.BadArgument("InvalidLambda",
                $"Lambda '{Display}' fails on input {Shapes.Format(inputShape)}: {e.Message} Fix the function, "
                    + "or give -OutputShape if it cannot run on a zero batch.", Display);
        }
        if (y.dim() < 2 || y.shape[0] != 2)
            throw KerasException.BadArgument("InvalidLambda",
                $"Lambda '{Display}' must keep the batch axis and return at least one more axis; "
                    + $"on a batch of 2 rows of {Shapes.Format(inputShape)} it returned shape ({string.Join(", ", y.shape)}).", Display);
        return y.shape.Skip(1).Select(d => (int)d).ToArray();
    }

    private Tensor Apply(Tensor x) => expression is not null ? expression.Evaluate(x) : function!(x);

    public override Tensor Forward(Tensor x, bool training)
    {
        var y = Apply(x);
        if (y.dim() == 0 || y.shape[0] != x.shape[0])
            throw KerasException.BadData("InvalidLambda",
                $"Lambda '{Display}' returned shape ({string.Join(", ", y.shape)}) for a batch of {x.shape[0]} rows; "
                + "it must keep the batch axis.", Display);
        return y;
    }

    private string Display => expression?.Text ?? Code ?? "";

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        if (expression is not null) c["expression"] = expression.Text;
        else
        {
            c["function"] = Code;
            c["function_type"] = CodeLanguage;
            c["contains_code"] = true;
        }
        c["output_shape"] = DeclaredOutputShape;
    }

    public static Lambda FromConfig(ConfigReader c)
    {
        bool allowUnsafeCode = c.AllowUnsafeCode;
        if (c.String("expression") is { } e) return new Lambda(e, c.IntArray("output_shape"), c.Name, c.InputShape);
        var raw = c.Raw("function")
            ?? throw KerasException.BadData("InvalidLayerConfig", "The Lambda config has neither an 'expression' nor a 'function'.");
        // Only a function KerasPS wrote (function_type "powershell", its text a string) can be a script block. Keras
        // writes a Python function (marshalled bytecode, its source, or a registered name; function_type "lambda" or
        // "function" in Keras 2, a "__lambda__" object in Keras 3): that is never PowerShell, and consent to run
        // PowerShell from a file must not run it as such.
        if (c.String("function_type") != CodeLanguage || raw is not string code) throw PythonLambda(c);
        if (!allowUnsafeCode)
            throw new KerasException("UnsafeLayerConfig", ErrorKind.SecurityError,
                $"Lambda layer '{c.Name}' carries {c.String("function_type") ?? "script"} code, and loading it would run that code. "
                    + "Load it only if you trust its source, and say so explicitly (allow unsafe deserialization).") { Target = code };
        var compile = CodeCompiler ?? throw KerasException.BadOperation("UnsafeLayerConfig",
            $"Lambda layer '{c.Name}' carries code, and no code host is loaded to run it.");
        return new Lambda(compile(code), code, c.IntArray("output_shape"), c.Name, c.InputShape);
    }

    private static KerasException PythonLambda(ConfigReader c) =>
        new("UnsupportedKerasLayers", ErrorKind.InvalidData,
            $"Lambda layer '{c.Name}' holds a Python function (Keras saves a Lambda's Python code or bytecode), which KerasPS "
                + "cannot run, with or without -AllowUnsafeDeserialization. Replace the layer: in Keras with a built-in layer "
                + "before saving, or rebuild the model in KerasPS with Add-LambdaLayer -Expression (for example 'x * 2') "
                + "or another layer, and load the weights with Import-Checkpoint -WeightsInto.") { Target = c.Name };

    public override string? Details => expression is not null
        ? $"expression={expression.Text}"
        : $"scriptblock (unsafe to load): {Code?.Trim()}";

    /// <summary>An expression lowers node for node; a script block is code the graph cannot hold and is refused.</summary>
    void IOnnxLowering.CheckOnnxExport()
    {
        if (expression is null)
            throw new KerasException("OnnxUnsupportedLambda", ErrorKind.InvalidOperation,
                $"Lambda layer '{Name}' runs a PowerShell script block, which an ONNX graph cannot hold. Use Add-LambdaLayer " +
                "-Expression (arithmetic, slices, reductions and activations all export), or remove the layer before exporting.")
            { Target = Name };
    }

    /// <summary>
    /// The expression as ONNX nodes on <paramref name="x"/>; script-block Lambdas have none (the exporter refuses them first).
    /// </summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x) =>
        expression?.LowerToOnnx(g, x, InputShape!) ?? throw new InvalidOperationException("A script-block Lambda has no ONNX form.");
}
