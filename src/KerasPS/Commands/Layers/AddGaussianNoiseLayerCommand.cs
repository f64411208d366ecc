using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Regularization;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a GaussianNoise layer (Keras GaussianNoise): adds zero-mean normal noise while training, nothing at
/// inference.</para>
/// <para type="description">A regularizer for real-valued inputs; the noise is drawn from the fit's seeded generator, so a seeded fit is
/// reproducible.</para>
/// </summary>
/// <example><code>New-Model -InputShape 13 | Add-GaussianNoiseLayer -StdDev 0.1 | Add-DenseLayer 3 -Activation softmax</code></example>
/// <example><code>$model | Add-DenseLayer 32 -Activation relu | Add-GaussianNoiseLayer 0.05</code></example>
[Cmdlet(VerbsCommon.Add, "GaussianNoiseLayer")]
[OutputType(typeof(Model))]
public sealed class AddGaussianNoiseLayerCommand : AddLayerCommandBase
{
    /// <summary>Standard deviation of the noise (&gt;= 0).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public double StdDev { get; set; }

    protected override Layer CreateLayer() =>
        new GaussianNoise(StdDev, Name, InputShape);
}
