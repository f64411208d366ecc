using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;
using KerasPS.Engine.Layers.Core;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a densely connected layer (Keras Dense): activation(input x kernel + bias).</para>
/// <para type="description">The kernel has shape (inputs, units) as in Keras. On inputs with more than two dimensions the layer applies to
/// the last axis. Initializers take a name or a New-Initializer object; regularizers (l1, l2, l1_l2 or New-Regularizer) add to the training
/// loss; constraints (New-Constraint) are applied after each optimizer step. Get-ModelSummary shows regularizers and constraints in
/// Details.</para>
/// </summary>
/// <example><code>New-Model -InputShape 93 | Add-DenseLayer -Units 100 -Activation relu |
/// Add-DenseLayer -Units 9 -Activation softmax</code></example>
/// <example><code>$l2 = New-Regularizer -L2 1e-4
/// $maxNorm = New-Constraint max_norm -MaxValue 3
/// $model |
/// Add-DenseLayer 64 -Activation relu -KernelInitializer he_normal -KernelRegularizer $l2 -KernelConstraint $maxNorm</code></example>
[Cmdlet(VerbsCommon.Add, "DenseLayer")]
[OutputType(typeof(Model))]
public sealed class AddDenseLayerCommand : AddKernelLayerCommandBase
{
    /// <summary>Number of output units (a positive integer).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int Units { get; set; }

    /// <summary>Activation applied to the output (linear by default).</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(ActivationCompleter))]
    public string? Activation { get; set; }

    protected override Layer CreateLayer() =>
        new Dense(Units, Options(Activation), Name, InputShape);
}
