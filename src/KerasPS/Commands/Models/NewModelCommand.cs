using System.Management.Automation;
using KerasPS.Engine.Models;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Creates a model: an empty sequential model (Keras Sequential), or a functional model from its inputs and
/// outputs (Keras Model(inputs, outputs)).</para>
/// <para type="description">Sequential: pipe the model to Add-*Layer cmdlets, then to Build-Model. With -InputShape the layers get
/// their weights as they are added, so Get-ModelSummary shows parameter counts at once; otherwise weights are created at the first
/// fit from the data.</para>
/// <para type="description">Functional: apply layer cmdlets to tensors from New-ModelInput, then give the input and output tensors
/// to -Inputs and -Outputs. Every layer between them becomes part of the model; layers without weights get them now, from
/// -Seed. Fit, evaluate, predict, checkpoints and summaries work on both kinds alike.</para>
/// </summary>
/// <example><code>New-Model -Name otto -InputShape 93 -Seed 42 | Add-DenseLayer -Units 9 -Activation softmax</code></example>
/// <example><code>$in  = New-ModelInput -Shape 93 -Name features
/// $h   = $in | Add-DenseLayer 64 -Activation relu
/// $out = $h | Add-AddLayer -With ($h | Add-DenseLayer 64 -Activation relu) | Add-DenseLayer 9 -Activation softmax
/// New-Model -Inputs $in -Outputs $out -Name residual -Seed 42 | Get-ModelSummary</code></example>
[Cmdlet(VerbsCommon.New, "Model", DefaultParameterSetName = SequentialSet)]
[OutputType(typeof(Model))]
public sealed class NewModelCommand : KerasCmdlet
{
    private const string SequentialSet = "Sequential", FunctionalSet = "Functional";

    /// <summary>Model name (default: sequential, or functional for a model made from -Inputs and -Outputs).</summary>
    [Parameter(Position = 0)]
    public string? Name { get; set; }

    /// <summary>Input shape without the batch axis, e.g. 93 for 93 features, or 28,28,1 for images; a dataset's shape works too
    /// (-InputShape $train.Shape, or $train.FeatureShape).</summary>
    [Parameter(ParameterSetName = SequentialSet)]
    [ShapeTransformation]
    public int[]? InputShape { get; set; }

    /// <summary>The model's inputs: tensors from New-ModelInput, in the order data is given to them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FunctionalSet)]
    public KerasTensor[] Inputs { get; set; } = null!;

    /// <summary>The model's outputs: tensors that layer cmdlets returned.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FunctionalSet)]
    public KerasTensor[] Outputs { get; set; } = null!;

    /// <summary>Seed for weight initialisation; the same seed and layers give the same weights on every machine.</summary>
    [Parameter]
    public long? Seed { get; set; }

    protected override void Process() => WriteObject(new Model(ParameterSetName == FunctionalSet
        ? new KerasModel(Inputs, Outputs, Name, Seed)
        : new KerasModel(Name, InputShape, Seed)));
}
