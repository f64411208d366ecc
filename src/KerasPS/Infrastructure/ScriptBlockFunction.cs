using System.Management.Automation;
using KerasPS.Engine;

namespace KerasPS.Infrastructure;

/// <summary>
/// Runs a script block as a Lambda layer's function: the batch tensor is <c>$x</c> (and <c>$_</c> and the first
/// argument). The engine gets every object the block wrote and checks that it is exactly one tensor, so this
/// assembly never names a TorchSharp type (TorchSharp lives in the module's own load context).
/// </summary>
public static class ScriptBlockFunction
{
    public static Func<object, IReadOnlyList<object?>> Wrap(ScriptBlock block) => x =>
    {
        try
        {
            return block.InvokeWithContext(null, new List<PSVariable> { new("x", x), new("_", x) }, x)
                .Select(o => o?.BaseObject).ToList();
        }
        catch (RuntimeException e)
        {
            throw new KerasException("LambdaScriptFailed", ErrorKind.InvalidOperation,
                $"The Lambda script block failed: {e.Message} The batch tensor is $x; return one tensor, e.g. {{ $x.abs() }}.", e);
        }
    };
}
