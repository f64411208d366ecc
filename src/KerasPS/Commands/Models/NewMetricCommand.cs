using System.Management.Automation;
using KerasPS.Engine.Training;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Creates a metric with options (keras.metrics.Precision, Recall, AUC, ...) for Build-Model -Metrics.</para>
/// <para type="description">Precision, recall and auc are computed as Keras 3 computes them: the outputs are probabilities (softmax or
/// sigmoid applied even when the loss absorbs it), class-index targets are one-hot encoded, and every output unit of every row is one
/// binary decision. A prediction is positive above -Threshold (0.5). -ClassId looks at one output unit only; -TopK keeps only the k largest
/// outputs of each row. auc uses -NumThresholds (200) thresholds spread evenly over [0, 1] and the trapezoidal ROC area, as Keras does.
/// -Name is the key in the history (precision, val_precision); give one when a model has two metrics of the same kind.</para>
/// </summary>
/// <example><code>New-Metric precision -ClassId 2 -Name precision_class_3</code></example>
/// <example><code>$model | Build-Model adam binary_crossentropy -Metrics accuracy, (New-Metric auc -NumThresholds 1000)</code></example>
[Cmdlet(VerbsCommon.New, "Metric")]
[OutputType(typeof(MetricSpec))]
public sealed class NewMetricCommand : KerasCmdlet
{
    /// <summary>The metric, by name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(MetricCompleter))]
    public string Kind { get; set; } = null!;

    /// <summary>The metric's name in the history (the kind when not given); it may not start with val_.</summary>
    [Parameter]
    public string? Name { get; set; }

    /// <summary>Precision and recall: a prediction above this probability counts as positive (Keras's thresholds; 0.5, or none with
    /// -TopK).</summary>
    [Parameter]
    public double? Threshold { get; set; }

    /// <summary>Precision and recall: the output unit (class index from 0) to score alone (Keras's class_id).</summary>
    [Parameter]
    public int? ClassId { get; set; }

    /// <summary>Precision and recall: only the k largest outputs of each row can be positive (Keras's top_k).</summary>
    [Parameter]
    public int? TopK { get; set; }

    /// <summary>auc: the number of thresholds the ROC curve is sampled at (Keras's num_thresholds; 200).</summary>
    [Parameter]
    public int? NumThresholds { get; set; }

    protected override void Process() => WriteObject(new MetricSpec(Kind, Name, Threshold, ClassId, TopK, NumThresholds));
}
