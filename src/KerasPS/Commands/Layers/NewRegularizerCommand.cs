using System.Management.Automation;
using KerasPS.Infrastructure;
using KerasPS.Engine.Regularizers;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Creates a weight or activity regularizer (keras.regularizers.L1L2): l1 * sum(|w|) + l2 * sum(w^2) added to the
/// training loss.</para>
/// <para type="description">Pass it to -KernelRegularizer, -BiasRegularizer or -ActivityRegularizer of Add-DenseLayer, Add-Conv1DLayer,
/// Add-Conv2DLayer or -EmbeddingsRegularizer of Add-EmbeddingLayer. The penalty is part of the loss Invoke-ModelFit reports. The names l1,
/// l2 and l1_l2 can be passed directly and mean a factor of 0.01.</para>
/// </summary>
/// <example><code>$model | Add-DenseLayer 64 -Activation relu -KernelRegularizer (New-Regularizer -L2 1e-4)</code></example>
/// <example><code>New-Regularizer -L1 0.001 -L2 0.01</code></example>
[Cmdlet(VerbsCommon.New, "Regularizer")]
[OutputType(typeof(Regularizer))]
public sealed class NewRegularizerCommand : KerasCmdlet
{
    /// <summary>L1 factor: penalty on the sum of absolute values (0 by default).</summary>
    [Parameter(Position = 0)] public double L1 { get; set; }

    /// <summary>L2 factor: penalty on the sum of squares (0 by default).</summary>
    [Parameter(Position = 1)] public double L2 { get; set; }

    protected override void Process() => WriteObject(new Regularizer(L1, L2));
}
