using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands;

/// <summary>
/// <para type="synopsis">Adds a densely connected layer (Keras Dense): activation(input x kernel + bias).</para>
/// <para type="description">The kernel has shape (inputs, units) as in Keras. On inputs with more than two dimensions the layer applies to the last axis. Initializers take a name or a New-Initializer object; regularizers (l1, l2, l1_l2 or New-Regularizer) add to the training loss; constraints (New-Constraint) are applied after each optimizer step. Get-ModelSummary shows regularizers and constraints in Details.</para>
/// </summary>
/// <example><code>New-Model -InputShape 93 | Add-DenseLayer -Units 100 -Activation relu | Add-DenseLayer -Units 9 -Activation softmax</code></example>
/// <example><code>$model | Add-DenseLayer 64 -Activation relu -KernelInitializer he_normal -KernelRegularizer (New-Regularizer -L2 1e-4) -KernelConstraint (New-Constraint max_norm -MaxValue 3)</code></example>
[Cmdlet(VerbsCommon.Add, "DenseLayer")]
[OutputType(typeof(Model))]
public sealed class AddDenseLayerCommand : AddLayerCommandBase
{
    /// <summary>Number of output units (a positive integer).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int Units { get; set; }

    /// <summary>Activation applied to the output: linear (default), relu, softmax, sigmoid, tanh, ...</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(ActivationCompleter))]
    public string? Activation { get; set; }

    /// <summary>Whether the layer has a bias vector (on by default; -UseBias:$false turns it off).</summary>
    [Parameter]
    public SwitchParameter UseBias { get; set; }

    /// <summary>Kernel initializer name (glorot_uniform by default) or a New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? KernelInitializer { get; set; }

    /// <summary>Bias initializer name (zeros by default) or a New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? BiasInitializer { get; set; }

    /// <summary>Penalty on the kernel added to the loss: l1, l2, l1_l2 (factor 0.01) or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? KernelRegularizer { get; set; }

    /// <summary>Penalty on the bias added to the loss: l1, l2, l1_l2 or a New-Regularizer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? BiasRegularizer { get; set; }

    /// <summary>Penalty on the layer's output (after the activation), divided by the batch size as in Keras.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegularizerCompleter))]
    public object? ActivityRegularizer { get; set; }

    /// <summary>Constraint applied to the kernel after each optimizer step: max_norm, non_neg, unit_norm, min_max_norm or a New-Constraint object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? KernelConstraint { get; set; }

    /// <summary>Constraint applied to the bias after each optimizer step.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConstraintCompleter))]
    public object? BiasConstraint { get; set; }

    protected override Layer CreateLayer() =>
        new Dense(Units, Activation, !IsBound(nameof(UseBias)) || UseBias.IsPresent, Name, InputShape,
            LayerArgs.Unwrap(KernelInitializer), LayerArgs.Unwrap(BiasInitializer),
            LayerArgs.Unwrap(KernelRegularizer), LayerArgs.Unwrap(BiasRegularizer), LayerArgs.Unwrap(ActivityRegularizer),
            LayerArgs.Unwrap(KernelConstraint), LayerArgs.Unwrap(BiasConstraint));
}
