using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;
using KerasPS.Engine.Layers.Normalization;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Keras Normalization layer: (x - mean) / sqrt(variance), with the statistics stored in the model.</para>
/// <para type="description">-Adapt computes the mean and variance of every feature (every position along -Axis) from training data, as
/// Keras's adapt(); -Mean and -Variance set them directly. The statistics are non-trainable weights named mean, variance and count, so test
/// data, predictions and checkpoints use the same scaling without a scaler object carried by hand. The parameter count matches Keras: for
/// 93 features 93 + 93 + 1 = 187 non-trainable parameters. A feature with zero variance is divided by 1e-7 (Keras's epsilon) instead of 0,
/// so it maps to 0 at its mean and never to NaN or Inf.</para>
/// <para type="description">As the first layer of a model without an input shape, the layer takes its input shape from the -Adapt
/// data.</para>
/// </summary>
/// <example><code>$model = New-Model | Add-NormalizationLayer -Adapt $split.Train | Add-DenseLayer 16 -Activation relu |
/// Add-DenseLayer 3 -Activation softmax</code></example>
/// <example><code>New-Model -InputShape 2 | Add-NormalizationLayer -Mean 10, 0.5 -Variance 4, 0.25</code></example>
[Cmdlet(VerbsCommon.Add, "NormalizationLayer", DefaultParameterSetName = AdaptSet)]
[OutputType(typeof(Model))]
public sealed class AddNormalizationLayerCommand : AddLayerCommandBase
{
    private const string AdaptSet = "Adapt";
    private const string StatsSet = "Statistics";

    /// <summary>Training data to compute the statistics from: a dataset, or rows of numbers (an array of arrays, or a 2-D array).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = AdaptSet)]
    public object Adapt { get; set; } = null!;

    /// <summary>The mean of each feature (each position along -Axis).</summary>
    [Parameter(Mandatory = true, ParameterSetName = StatsSet)]
    public double[] Mean { get; set; } = null!;

    /// <summary>The variance of each feature (0 or more), as many values as -Mean.</summary>
    [Parameter(Mandatory = true, ParameterSetName = StatsSet)]
    public double[] Variance { get; set; } = null!;

    /// <summary>The axis that keeps its own statistics: -1 (default) the last axis, the features; for images 28,28,3, -1 gives one mean per
    /// channel.</summary>
    [Parameter]
    public int Axis { get; set; } = Normalization.DefaultAxis;

    protected override Layer CreateLayer()
    {
        if (ParameterSetName == StatsSet) return new Normalization(Axis, Mean, Variance, Name, InputShape);
        var data = PSValue.Unwrap(Adapt)!;
        var engineData = data is Dataset d ? d.Encoding : ArrayInput.FromArrays(data, null);
        var shape = InputShape;
        if (shape is null && Model is not null && Model.Engine.Layers.Count == 0 && Model.Engine.DeclaredInputShape is null)
            shape = engineData.FeatureShape;
        var layer = new Normalization(Axis, null, null, Name, shape);
        var rowShape = Tensor is { Length: > 0 } t ? t[0].Shape
            : Model!.Engine.Layers.Count == 0 ? (Model.Engine.DeclaredInputShape ?? shape ?? engineData.FeatureShape) : null;
        if (rowShape is not null && !KerasPS.Engine.Shapes.SameAs(rowShape, engineData.FeatureShape))
            throw KerasPS.Engine.KerasException.BadArgument("InputShapeMismatch",
                $"The -Adapt data has rows of shape {KerasPS.Engine.Shapes.Format(engineData.FeatureShape)}, "
                    + $"but the model's input is {KerasPS.Engine.Shapes.Format(rowShape)}. Adapt to data of the model's input shape.");
        if (data is Dataset { Stream: { } stream }) layer.Adapt(stream);   // one pass over the file, chunk by chunk
        else layer.Adapt(engineData);
        return layer;
    }
}
