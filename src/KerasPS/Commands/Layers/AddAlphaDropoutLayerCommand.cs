using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Regularization;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds an AlphaDropout layer (Keras AlphaDropout): dropout that keeps the mean and variance of SELU activations; off
/// at inference.</para>
/// <para type="description">Dropped inputs take SELU's negative saturation value and the result is rescaled; use it with -Activation selu
/// and lecun_normal initializers.</para>
/// </summary>
/// <example><code>$model | Add-DenseLayer 64 -Activation selu -KernelInitializer lecun_normal | Add-AlphaDropoutLayer 0.1</code></example>
/// <example><code>New-Model -InputShape 20 | Add-DenseLayer 32 -Activation selu | Add-AlphaDropoutLayer -Rate 0.05</code></example>
[Cmdlet(VerbsCommon.Add, "AlphaDropoutLayer")]
[OutputType(typeof(Model))]
public sealed class AddAlphaDropoutLayerCommand : AddLayerCommandBase
{
    /// <summary>Fraction of inputs to drop, in [0, 1).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public double Rate { get; set; }

    protected override Layer CreateLayer() =>
        new AlphaDropout(Rate, Name, InputShape);
}
