using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;
using KerasPS.Engine.Layers.Core;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Lambda layer (Keras Lambda): a function of the batch tensor, as a safe expression or as a script
/// block.</para>
/// <para type="description">-Expression takes a small expression language that is saved as text and loads safely: the input x, numbers, + -
/// * / ^, parentheses, slices with the batch axis first (x[:, 0:3], x[:, -1], x[:, ::2]), activation names as functions (relu(x),
/// sigmoid(x), softmax(x)), abs, exp, log, sqrt, square, sin, cos, sign, floor, ceil, round, clip(x, lo, hi), pow(x, p), maximum(a, b),
/// minimum(a, b), and sum/mean/max/min/prod(x, axis[, keepdims]) with Keras axes (0 = batch, -1 = last). -ScriptBlock runs PowerShell per
/// batch on the TorchSharp tensor $x and must return one tensor; such a model is marked unsafe to deserialize because loading it runs code.
/// The output shape is found by running the function on a zero batch, or given with -OutputShape.</para>
/// </summary>
/// <example><code>New-Model -InputShape 10 | Add-LambdaLayer -Expression 'x[:, 0:3] * 2' | Add-DenseLayer 1</code></example>
/// <example><code>$model | Add-LambdaLayer -ScriptBlock { $x.abs().sqrt() * 2 }</code></example>
[Cmdlet(VerbsCommon.Add, "LambdaLayer", DefaultParameterSetName = ExpressionSet)]
[OutputType(typeof(Model))]
public sealed class AddLambdaLayerCommand : AddLayerCommandBase
{
    private const string ExpressionSet = "Expression";
    private const string ScriptBlockSet = "ScriptBlock";

    /// <summary>An expression of the input x in the Lambda expression language, e.g. 'x * 2', 'abs(x)', 'x[:, 0:3]', 'mean(x,
    /// 1)'.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ExpressionSet)]
    public string Expression { get; set; } = null!;

    /// <summary>PowerShell code run per batch; the batch tensor is $x (also $_); return exactly one tensor. Operators work on tensors ($x *
    /// 2, $x + $x); a TorchSharp method taking numbers may need [TorchSharp.Scalar] casts to pick its overload
    /// ($x.clamp([TorchSharp.Scalar]0, [TorchSharp.Scalar]1)).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ScriptBlockSet)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>Output shape without the batch axis, when running the function on a zero batch cannot tell it.</summary>
    [Parameter]
    public int[]? OutputShape { get; set; }

    protected override Layer CreateLayer() => ParameterSetName == ScriptBlockSet
        ? new Lambda(ScriptBlockFunction.Wrap(ScriptBlock), ScriptBlock.ToString(), OutputShape, Name, InputShape)
        : new Lambda(Expression, OutputShape, Name, InputShape);
}
