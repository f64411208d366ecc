using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Keras Discretization layer: each value becomes the index of the bin it falls in (or that index
/// one-hot, multi-hot or counted).</para>
/// <para type="description">-BinBoundaries gives sorted boundaries: 0,1,2 makes the bins (-inf, 0), [0, 1), [1, 2) and [2, +inf),
/// so -1.5 goes to bin 0 and 1.0 to bin 2. -NumBins with -Adapt computes the boundaries of that many approximate quantiles from
/// training data (all its values together), exactly as Keras 3's adapt does, with Keras's error tolerance -Epsilon. The boundaries
/// are saved in the layer's config, so checkpoints (.kpt, .keras, .h5) and ONNX exports carry them.</para>
/// <para type="description">-OutputMode int (default) gives the bin index in place of each value; one_hot gives a row of bins per
/// value (in place of a last axis of size 1); multi_hot and count give one row of bins per sample.</para>
/// </summary>
/// <example><code>New-Model -InputShape 4 | Add-DiscretizationLayer -BinBoundaries 0, 1, 2</code></example>
/// <example><code>$model = New-Model | Add-DiscretizationLayer -Adapt $split.Train -NumBins 4 -OutputMode count |
/// Add-DenseLayer 1</code></example>
[Cmdlet(VerbsCommon.Add, "DiscretizationLayer", DefaultParameterSetName = BoundariesSet)]
[OutputType(typeof(Model))]
public sealed class AddDiscretizationLayerCommand : AddLayerCommandBase
{
    private const string BoundariesSet = "Boundaries";
    private const string AdaptSet = "Adapt";

    /// <summary>Sorted bin boundaries; n boundaries make n + 1 bins, the outer ones reaching to -inf and +inf.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = BoundariesSet)]
    public double[] BinBoundaries { get; set; } = null!;

    /// <summary>Training data to compute the bin boundaries from: a dataset, or rows of numbers (an array of arrays, or a 2-D
    /// array).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AdaptSet)]
    public object Adapt { get; set; } = null!;

    /// <summary>The number of bins to adapt to (approximate quantiles of the -Adapt data).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AdaptSet)]
    public int NumBins { get; set; }

    /// <summary>Error tolerance of the quantiles (Keras's default 0.01); larger values give less even bins from less work.</summary>
    [Parameter(ParameterSetName = AdaptSet)]
    public double Epsilon { get; set; } = Discretization.DefaultEpsilon;

    /// <summary>int (the bin index, default), one_hot, multi_hot or count.</summary>
    [Parameter]
    [ValidateSet("int", "one_hot", "multi_hot", "count")]
    public string OutputMode { get; set; } = "int";

    protected override Layer CreateLayer()
    {
        if (ParameterSetName == BoundariesSet) return new Discretization(BinBoundaries, null, Epsilon, OutputMode, Name, InputShape);
        var data = PSValue.Unwrap(Adapt)!;
        var engineData = data is Dataset d ? d.Engine : ArrayInput.FromArrays(data, null);
        var shape = InputShape;
        if (shape is null && Model is not null && Model.Engine.Layers.Count == 0 && Model.Engine.DeclaredInputShape is null)
            shape = engineData.FeatureShape;
        var layer = new Discretization(null, NumBins, Epsilon, OutputMode, Name, shape);
        layer.Adapt(engineData);
        return layer;
    }
}
