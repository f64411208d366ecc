using System.Collections.ObjectModel;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Layers.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Infrastructure;

/// <summary>
/// Runs a script block as a Lambda layer's function: the batch tensor is <c>$x</c> (and <c>$_</c> and the first
/// argument); the block must return exactly one tensor. The engine sees only a <c>Func&lt;Tensor, Tensor&gt;</c>.
/// </summary>
public static class ScriptBlockFunction
{
    public static Func<Tensor, Tensor> Wrap(ScriptBlock block) => x =>
    {
        Collection<PSObject> result;
        try
        {
            result = block.InvokeWithContext(null, new List<PSVariable> { new("x", x), new("_", x) }, x);
        }
        catch (RuntimeException e)
        {
            throw new KerasException("LambdaScriptFailed", ErrorKind.InvalidOperation,
                $"The Lambda script block failed: {e.Message} The batch tensor is $x; return one tensor, e.g. {{ $x.abs() }}.", e);
        }
        var tensors = result.Select(o => o?.BaseObject).ToList();
        if (tensors.Count != 1 || tensors[0] is not Tensor t)
            throw new KerasException("LambdaScriptFailed", ErrorKind.InvalidOperation,
                $"The Lambda script block must return exactly one tensor; it returned {(tensors.Count == 1 ? tensors[0]?.GetType().Name ?? "null" : tensors.Count + " objects")}. Pipe other output to Out-Null.");
        return t;
    };
}
