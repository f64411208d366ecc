using System.Globalization;
using System.Runtime.InteropServices;
using KerasPS.Engine.Data;
using KerasPS.Engine.Native;
using KerasPS.Engine.Training;
using KerasPS.Engine.Training.Optimizers;
using TorchSharp;

namespace KerasPS.Engine.Models;

/// <summary>
/// One output of a compiled model as training sees it (Keras's CompileLoss/CompileMetrics entry): the output's name, its
/// loss, its loss weight and its metrics, and the prefix its history names get (<c>price_</c> when the model has several
/// outputs, none otherwise).
/// </summary>
public sealed record OutputHead(int Index, string Name, Loss Loss, double? Weight, IReadOnlyList<MetricSpec> Metrics, string Prefix)
{
    /// <summary>The history name of this output's (weighted) loss, as Keras 3 records it: <c>price_loss</c>.</summary>
    public string LossName => Prefix + "loss";
}

/// <summary>Keras's compile with a loss, a loss weight and metrics per output name (<c>compile(loss={...}, ...)</c>).</summary>
public sealed partial class KerasModel
{
    /// <summary>The loss of each output (output order), when compile named them per output; null for one loss for all.</summary>
    public IReadOnlyList<Loss>? OutputLosses { get; private set; }

    /// <summary>The weight of each output's loss in the total (Keras's loss_weights); null when not given (all 1).</summary>
    public IReadOnlyList<double>? LossWeights { get; private set; }

    /// <summary>The metrics of each output (output order), when compile named them per output; null otherwise.</summary>
    public IReadOnlyList<IReadOnlyList<MetricSpec>>? OutputMetrics { get; private set; }

    /// <summary>The classes of each classification output, by output name (set by the first fit on named targets).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? OutputClasses { get; set; }

    /// <summary>True when training sees several outputs or inputs, or losses named per output: the named-data path.</summary>
    public bool HasNamedHeads => OutputLosses is not null || OutputNames.Count > 1 || InputNames.Count > 1;

    /// <summary>
    /// Keras's compile with dictionaries: <paramref name="losses"/> names a loss for every output (a single loss given to
    /// the cmdlet is repeated for each); <paramref name="lossWeights"/> and <paramref name="metrics"/> may name some
    /// outputs. An output name the model does not have is an <c>UnknownOutput</c> error.
    /// </summary>
    public void Compile(Optimizer optimizer, IReadOnlyDictionary<string, Loss> losses, IReadOnlyDictionary<string, double>? lossWeights,
        IReadOnlyDictionary<string, IReadOnlyList<MetricSpec>>? metrics)
    {
        var names = OutputNames;
        void Check(IEnumerable<string> keys, string what)
        {
            foreach (var k in keys)
                if (!names.Contains(k))
                    throw KerasException.BadArgument("UnknownOutput",
                        $"{what} names output '{k}', which model '{Name}' does not have. Its outputs: {string.Join(", ", names)}.", k);
        }
        Check(losses.Keys, "-Loss");
        if (lossWeights is not null) Check(lossWeights.Keys, "-LossWeights");
        if (metrics is not null) Check(metrics.Keys, "-Metrics");
        var missing = names.Where(n => !losses.ContainsKey(n)).ToList();
        if (missing.Count > 0)
            throw KerasException.BadArgument("LossMissing",
                $"-Loss gives no loss for output(s) {string.Join(", ", missing)}. Name a loss for every output, or give one loss for all.",
                missing[0]);
        var perOutput = names.Select(n => (IReadOnlyList<MetricSpec>)(metrics?.GetValueOrDefault(n) ?? Array.Empty<MetricSpec>())
            .Distinct().ToArray()).ToArray();
        for (int i = 0; i < names.Count; i++)
            if (perOutput[i].GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1) is { } clash)
                throw KerasException.BadArgument("DuplicateMetricName",
                    $"Two metrics of output '{names[i]}' are named '{clash.Key}'; give one of them another -Name (New-Metric -Name).",
                    clash.Key);
        Compile(optimizer, losses[names[0]], Array.Empty<MetricSpec>());
        OutputLosses = names.Select(n => losses[n]).ToArray();
        LossWeights = lossWeights is null ? null : names.Select(n => lossWeights.TryGetValue(n, out var w) ? w : 1.0).ToArray();
        OutputMetrics = perOutput;
    }

    /// <summary>
    /// The outputs as training sees them: one head per output. A model compiled with one loss uses it for every output
    /// (Keras); with one output the history names have no prefix (loss, accuracy), with several they do (price_loss,
    /// class_accuracy).
    /// </summary>
    public IReadOnlyList<OutputHead> Heads()
    {
        var names = OutputNames;
        bool prefixed = names.Count > 1;
        return names.Select((n, i) => new OutputHead(i, n, OutputLosses?[i] ?? Loss!, LossWeights?[i], OutputMetrics?[i] ?? Metrics,
            prefixed ? n + "_" : "")).ToArray();
    }

    private Dictionary<string, object?>? NamedCompileConfig()
    {
        if (OutputLosses is null) return null;
        var names = OutputNames;
        var c = new Dictionary<string, object?>
        {
            ["optimizer"] = Optimizer!.GetConfig(),
            ["loss"] = names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => (object?)OutputLosses[x.i].Name),
            ["metrics"] = names.Select((n, i) => (n, i))
                .ToDictionary(x => x.n, x => (object?)OutputMetrics![x.i].Select(m => m.GetConfig()).ToList()),
        };
        if (LossWeights is not null)
            c["loss_weights"] = names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => (object?)LossWeights[x.i]);
        return c;
    }

    /// <summary>Reads a compile config whose loss is a dictionary by output name (Keras's form for several outputs).</summary>
    private bool CompileNamedFromConfig(Optimizer optimizer, IDictionary<string, object?> compile)
    {
        if (compile.Value("loss") is not IDictionary<string, object?> lossMap) return false;
        var losses = lossMap.ToDictionary(kv => kv.Key, kv => KerasObjects.Losses.Create(kv.Value as string ?? ""));
        var weights = compile.Value("loss_weights") is IDictionary<string, object?> w
            ? w.ToDictionary(kv => kv.Key, kv => Convert.ToDouble(kv.Value, CultureInfo.InvariantCulture))
            : null;
        Dictionary<string, IReadOnlyList<MetricSpec>>? metrics = null;
        if (compile.Value("metrics") is IDictionary<string, object?> m)
            metrics = m.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<MetricSpec>)(kv.Value is List<object?> l
                ? l.Select(MetricSpec.FromConfig).ToList()
                : kv.Value is null ? new List<MetricSpec>() : new List<MetricSpec> { MetricSpec.FromConfig(kv.Value) }));
        else if (compile.Value("metrics") is List<object?> all)
        {
            var specs = all.Select(MetricSpec.FromConfig).ToList();
            metrics = OutputNames.ToDictionary(n => n, _ => (IReadOnlyList<MetricSpec>)specs);
        }
        Compile(optimizer, losses, weights, metrics);
        return true;
    }

    /// <summary>
    /// Predictions of every output for a dataset's rows (Keras predict on a model with several inputs or outputs): one
    /// row-major array per output, in output order, with its values per row. Inputs come from the dataset's named input
    /// blocks (or its one block of features for a model with one input).
    /// </summary>
    public IReadOnlyList<(string Name, float[] Values, int Width)> PredictAll(EncodedData data, int batchSize = 4096)
    {
        data = TextInputs.ForModel(this, data);
        if (!IsBuilt)
            throw KerasException.BadOperation("ModelNotBuilt",
                $"Model '{Name}' has no weights yet. Train it (Invoke-ModelFit) or give it an -InputShape first.");
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var shapes = IsFunctional ? StringInputs.DataShapes(this) : new[] { InputShape };
        var x = data.InputBlocks is null && InputNames.Count == 1
            ? new[] { data.Sparse is not null ? data.FeatureTensor().alias()
                : torch.tensor(data.Features, Shapes.WithBatch(data.Count, data.FeatureShape), dtype: torch.ScalarType.Float32) }
            : DataBlocks.InputTensors(data, InputNames, shapes);
        if (data.InputBlocks is null && InputShape is { } expected && !Shapes.SameAs(expected, data.FeatureShape))
            throw KerasException.BadArgument("InputShapeMismatch",
                $"Model '{Name}' expects input {Shapes.Format(expected)}, but the data has {Shapes.Format(data.FeatureShape)}. "
                + "Use data with the same features the model was built for.");
        long n = data.Count;
        var parts = OutputNames.Select(_ => new List<torch.Tensor>()).ToArray();
        for (long s = 0; s < n; s += batchSize)
        {
            var outputs = ForwardAll(x.Select(t => t.narrow(0, s, Math.Min(batchSize, n - s))).ToArray(), training: false);
            for (int i = 0; i < outputs.Count; i++) parts[i].Add(outputs[i]);
        }
        return OutputNames.Select((name, i) =>
        {
            var all = parts[i].Count == 1 ? parts[i][0] : torch.cat(parts[i], 0);
            var values = MemoryMarshal.Cast<byte, float>(all.contiguous().bytes).ToArray();
            return (name, values, (int)(values.Length / Math.Max(n, 1)));
        }).ToList();
    }

    /// <summary>Every output's values of each row side by side (output order), row after row: a model with several outputs as one
    /// matrix, for callers that keep one prediction row per data row (out-of-fold predictions).</summary>
    private float[] PredictRows(EncodedData data, int batchSize)
    {
        var outputs = PredictAll(data, batchSize);
        if (outputs.Count == 1) return outputs[0].Values;
        int width = outputs.Sum(o => o.Width), n = data.Count;
        var rows = new float[(long)n * width];
        int offset = 0;
        foreach (var (_, values, w) in outputs)
        {
            for (int r = 0; r < n; r++) Array.Copy(values, (long)r * w, rows, (long)r * width + offset, w);
            offset += w;
        }
        return rows;
    }
}
