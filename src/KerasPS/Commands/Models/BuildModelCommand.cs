using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Training.Optimizers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Configures a model for training (Keras compile): optimizer, loss and metrics.</para>
/// <para type="description">Compile is not an approved PowerShell verb, so KerasPS calls it Build-Model. -Optimizer takes a name (with
/// Keras's defaults) or an object from New-Optimizer. With -InputShape the weights are created now; otherwise at the first fit.
/// A softmax or sigmoid at the end of the model is fused with a cross-entropy loss during
/// training, so large logits never give NaN.</para>
/// </summary>
/// <example><code>$model | Build-Model -Optimizer sgd -Loss categorical_crossentropy -Metrics accuracy</code></example>
/// <example><code>$model |
/// Build-Model -Optimizer (New-Optimizer adam -LearningRate 3e-4) -Loss sparse_categorical_crossentropy</code></example>
/// <example><code>$precision = New-Metric precision -ClassId 0 -Name precision_class_1
/// $model | Build-Model adam categorical_crossentropy -Metrics accuracy, $precision, auc</code></example>
[Cmdlet("Build", "Model")]
[OutputType(typeof(Model))]
public sealed class BuildModelCommand : KerasCmdlet
{
    /// <summary>The model, usually piped from New-Model, an Add-*Layer cmdlet or Build-Model.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>Optimizer name or New-Optimizer object.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(OptimizerCompleter))]
    public object Optimizer { get; set; } = null!;

    /// <summary>The loss, by name.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(LossCompleter))]
    public string Loss { get; set; } = null!;

    /// <summary>Metrics, by name or as New-Metric objects with options. Precision, recall and auc are Keras's: every output unit
    /// of every row is one binary decision on probabilities.</summary>
    [Parameter(Position = 2)]
    [ArgumentCompleter(typeof(MetricCompleter))]
    public object[]? Metrics { get; set; }

    /// <summary>Input shape to build the weights for now (without the batch axis).</summary>
    [Parameter]
    public int[]? InputShape { get; set; }

    protected override object? DefaultTarget => Model;

    protected override void Process()
    {
        var optimizer = PSValue.Unwrap(Optimizer) switch
        {
            Optimizer o => o,
            string s => KerasObjects.Optimizers.Create(s),
            var other => throw new Engine.KerasException("UnknownOptimizer", Engine.ErrorKind.InvalidArgument,
                $"-Optimizer must be a name ({string.Join(", ", KerasObjects.Optimizers.Names)}) or a New-Optimizer object. "
                    + $"Received: {other}."),
        };
        var loss = KerasObjects.Losses.Create(Loss);
        var metrics = (Metrics ?? Array.Empty<object>()).Where(m => PSValue.Unwrap(m) is not (null or "")).Select(EngineArguments.ToMetric)
            .ToList();
        Model.Engine.Compile(optimizer, loss, metrics);
        if (InputShape is not null) Model.Engine.Build(InputShape);
        WriteObject(Model);
    }
}
