using System.Management.Automation;
using KerasPS.Engine.Training.Callbacks;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Callbacks;

/// <summary>
/// <para type="synopsis">Creates a TerminateOnNaN callback: stops training at the first batch whose loss is NaN or infinite.</para>
/// <para type="description">Without it, a NaN loss still stops training at the end of the epoch with a warning. With it, the loss is
/// checked after every batch (one read-back per batch, slightly slower).</para>
/// </summary>
/// <example><code>$model | Invoke-ModelFit -Data $train -Epochs 10 -Callbacks (New-TerminateOnNaN)</code></example>
/// <example><code>$model |
///     Invoke-ModelFit -Data $train -ValidationSplit 0.2 -Epochs 50 -Callbacks (New-TerminateOnNaN), (New-EarlyStopping)</code></example>
[Cmdlet(VerbsCommon.New, "TerminateOnNaN")]
[OutputType(typeof(TerminateOnNaN))]
public sealed class NewTerminateOnNaNCommand : KerasCmdlet
{
    protected override void Process() => WriteObject(new TerminateOnNaN());
}
