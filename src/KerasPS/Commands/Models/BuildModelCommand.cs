using System.Collections;
using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Training;
using KerasPS.Engine.Training.Optimizers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Configures a model for training (Keras compile): optimizer, loss and metrics.</para>
/// <para type="description">Compile is not an approved PowerShell verb, so KerasPS calls it Build-Model. -Optimizer takes a name (with
/// Keras's defaults) or an object from New-Optimizer. With -InputShape the weights are created now; otherwise at the first fit.
/// A softmax or sigmoid at the end of the model is fused with a cross-entropy loss during
/// training, so large logits never give NaN.</para>
/// <para type="description">For a model with several outputs (New-Model -Outputs), -Loss, -LossWeights and -Metrics take hashtables by
/// output name, as Keras's compile takes dictionaries: a loss per output (one loss name applies to every output), a weight per output
/// (1 when not given) and metrics per output. The loss trained is the sum of each output's loss times its weight; the history records
/// each output's weighted loss as class_loss, price_loss and its metrics as class_accuracy, price_mae (Keras 3's names), with val_
/// forms.</para>
/// </summary>
/// <example><code>$model | Build-Model -Optimizer sgd -Loss categorical_crossentropy -Metrics accuracy</code></example>
/// <example><code>$model |
/// Build-Model -Optimizer (New-Optimizer adam -LearningRate 3e-4) -Loss sparse_categorical_crossentropy</code></example>
/// <example><code>$precision = New-Metric precision -ClassId 0 -Name precision_class_1
/// $model | Build-Model adam categorical_crossentropy -Metrics accuracy, $precision, auc</code></example>
/// <example><code># a model with outputs 'class' (softmax) and 'price' (linear)
/// $loss = @{ class = 'categorical_crossentropy'; price = 'mse' }
/// $metrics = @{ class = 'accuracy'; price = 'mae' }
/// $model | Build-Model adam -Loss $loss -LossWeights @{ class = 1; price = 0.5 } -Metrics $metrics</code></example>
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

    /// <summary>The loss, by name; for a model with several outputs one name for all of them, or a hashtable of names by output name
    /// (@{ class = 'categorical_crossentropy'; price = 'mse' }).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(LossCompleter))]
    public object Loss { get; set; } = null!;

    /// <summary>The weight of each output's loss in the loss trained, by output name (@{ class = 1; price = 0.5 }; Keras's
    /// loss_weights). Outputs not named weigh 1.</summary>
    [Parameter]
    public Hashtable? LossWeights { get; set; }

    /// <summary>Metrics, by name or as New-Metric objects with options; for a model with several outputs a hashtable of them by output
    /// name (@{ class = 'accuracy'; price = 'mae' }), or a list that applies to every output. Precision, recall and auc are Keras's:
    /// every output unit of every row is one binary decision on probabilities.</summary>
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
        var lossArgument = PSValue.Unwrap(Loss);
        var metricMap = Metrics is [var only] && PSValue.Unwrap(only) is IDictionary d ? d : null;
        if (lossArgument is IDictionary || LossWeights is not null || metricMap is not null)
            CompilePerOutput(optimizer, lossArgument, metricMap);
        else
        {
            var loss = KerasObjects.Losses.Create(LossName(lossArgument));
            Model.Engine.Compile(optimizer, loss, MetricList(Metrics));
        }
        if (InputShape is not null) Model.Engine.Build(InputShape);
        WriteObject(Model);
    }

    /// <summary>Keras's compile with dictionaries: a loss, a weight and metrics per output name.</summary>
    private void CompilePerOutput(Optimizer optimizer, object? lossArgument, IDictionary? metricMap)
    {
        var engine = Model.Engine;
        var losses = lossArgument is IDictionary map
            ? Entries(map).ToDictionary(kv => kv.Key, kv => KerasObjects.Losses.Create(LossName(kv.Value)))
            : engine.OutputNames.ToDictionary(n => n, _ => KerasObjects.Losses.Create(LossName(lossArgument)));
        var weights = LossWeights is null ? null : Entries(LossWeights).ToDictionary(kv => kv.Key, kv => Weight(kv.Key, kv.Value));
        IReadOnlyDictionary<string, IReadOnlyList<MetricSpec>>? metrics = metricMap is not null
            ? Entries(metricMap).ToDictionary(kv => kv.Key, kv => MetricList(kv.Value is IEnumerable e and not string
                ? e.Cast<object>().ToArray() : new[] { kv.Value! }))
            : Metrics is { Length: > 0 } list ? engine.OutputNames.ToDictionary(n => n, _ => MetricList(list)) : null;
        engine.Compile(optimizer, losses, weights, metrics);
    }

    private static IEnumerable<KeyValuePair<string, object?>> Entries(IDictionary d)
    {
        foreach (DictionaryEntry e in d)
            yield return new(Convert.ToString(PSValue.Unwrap(e.Key), CultureInfo.InvariantCulture) ?? "", PSValue.Unwrap(e.Value));
    }

    private static IReadOnlyList<MetricSpec> MetricList(object?[]? metrics) =>
        (metrics ?? Array.Empty<object>()).Where(m => PSValue.Unwrap(m) is not (null or "")).Select(EngineArguments.ToMetric).ToList();

    private static string LossName(object? value) => value is not (null or IDictionary)
        ? Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""
        : throw KerasException.BadArgument("InvalidLoss",
            $"-Loss must be a loss name or a hashtable of loss names by output name. Received: {value ?? "nothing"}.");

    private static double Weight(string output, object? value)
    {
        try { return Convert.ToDouble(value, CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw KerasException.BadArgument("InvalidLossWeight",
                $"-LossWeights gives output '{output}' the weight '{value}', which is not a number.", output);
        }
    }
}
