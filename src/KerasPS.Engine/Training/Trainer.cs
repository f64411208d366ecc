using System.Diagnostics;
using KerasPS.Engine.Data;
using KerasPS.Engine.Data.Streaming;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Models;
using KerasPS.Engine.Native;
using KerasPS.Engine.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Training;

/// <summary>Settings of one fit (Keras model.fit arguments).</summary>
public sealed class FitOptions
{
    /// <summary>Keras's default batch size, shared by Invoke-ModelFit, sweeps and cross-validation.</summary>
    public const int DefaultBatchSize = 32;

    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = DefaultBatchSize;
    public bool Shuffle { get; init; } = true;
    public long? Seed { get; init; }
    public EncodedData? ValidationData { get; init; }

    /// <summary>Validation rows read batch by batch from their source (a streamed dataset), instead of <see cref="ValidationData"/>.
    /// </summary>
    public IBatchSource? ValidationSource { get; init; }
    public double ValidationSplit { get; init; }

    /// <summary>Epoch to start from (0-based, as Keras's initial_epoch); when given, <see cref="Epochs"/> is the epoch to stop
    /// after (Keras's fit(epochs, initial_epoch)). Null: train <see cref="Epochs"/> more epochs after those already trained, as a
    /// second Keras fit(epochs=n) does.</summary>
    public int? InitialEpoch { get; init; }

    /// <summary>Continue an interrupted fit (restored from its checkpoint) up to the total it was started with
    /// (<see cref="KerasModel.TargetEpochs"/>); <see cref="Epochs"/> then counts as the total (Keras's epochs with
    /// initial_epoch), so a larger one trains on past that.</summary>
    public bool Resume { get; init; }

    /// <summary>Weight per class name (or class index as a string).</summary>
    public IReadOnlyDictionary<string, double>? ClassWeight { get; init; }
    public float[]? SampleWeight { get; init; }
    public IReadOnlyList<Callback> Callbacks { get; init; } = Array.Empty<Callback>();
    public TimeSpan? MaxDuration { get; init; }
    public int? Threads { get; init; }
    public Action<FitProgress>? Progress { get; init; }
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);
    public Action<string>? Log { get; init; }
    public Action<string>? Warn { get; init; }
    public CancellationToken Cancellation { get; init; }

    /// <summary>
    /// The one check of a fit's settings, for a fit (Trainer) and for a sweep or cross-validation before its first
    /// trial starts, so each setting fails with the same id and message wherever it is given.
    /// </summary>
    public static void CheckSettings(int epochs, int batchSize, double validationSplit, bool hasValidationData)
    {
        if (epochs < 1) throw KerasException.BadArgument("InvalidEpochs", $"Epochs must be 1 or more. Received: {epochs}.", epochs);
        if (batchSize < 1)
            throw KerasException.BadArgument("InvalidBatchSize", $"BatchSize must be 1 or more. Received: {batchSize}.", batchSize);
        if (!(validationSplit >= 0 && validationSplit < 1))
            throw KerasException.BadArgument("InvalidValidationSplit",
                $"ValidationSplit must be in [0, 1). Received: {validationSplit}.", validationSplit);
        if (validationSplit > 0 && hasValidationData)
            throw KerasException.BadArgument("ConflictingValidation", "Give either ValidationData or ValidationSplit, not both.");
    }
}

/// <summary>
/// The fit loop. One shuffle-gather per epoch, then contiguous slices per batch; the loss is fused with the final
/// softmax/sigmoid; losses and metrics accumulate in tensors and are read once per epoch; one dispose scope per step.
/// Seeds are derived per epoch from the fit seed, so a fit resumed at epoch k continues exactly as an unbroken one.
/// </summary>
public static class Trainer
{
    private sealed class Prepared : IDisposable
    {
        // One tensor per model input (X) and per output (Y); a Sequential has one of each.
        public Tensor[] X = Array.Empty<Tensor>(), Y = Array.Empty<Tensor>();
        public Tensor? W;
        public Tensor[]? ValX, ValY;
        public Tensor? ValW;
        public int Count, ValCount;
        public IBatchSource? Source, ValSource;   // a streamed fit: rows read per epoch instead of X and Y
        public OutputHead[] Heads = Array.Empty<OutputHead>();
        public Layer[] Regularized = Array.Empty<Layer>();
        public Weight[] Constrained = Array.Empty<Weight>();
        public void Dispose()
        {
            foreach (var t in X.Concat(Y).Concat(ValX ?? Array.Empty<Tensor>()).Concat(ValY ?? Array.Empty<Tensor>())) t?.Dispose();
            W?.Dispose();
            ValW?.Dispose();
        }
    }

    public static IEnumerable<EpochRecord> Fit(KerasModel model, EncodedData data, FitOptions o)
    {
        if (o.ValidationSource is not null)
            throw KerasException.BadArgument("StreamNotSupported",
                "A streamed validation set needs a streamed training set. Import the training data with -Stream too.");
        data = TextInputs.ForModel(model, data);
        Validate(model, data, o);
        TorchRuntime.EnsureLoaded();
        return Run(model, data, o, null);
    }

    /// <summary>
    /// A fit on rows read from their source each epoch (a streamed dataset), batch by batch through a shuffle buffer of
    /// <see cref="IBatchSource.ShuffleBuffer"/> rows, so that memory holds the buffer, not the data. With a buffer that holds every
    /// row, the epochs equal those of the in-memory fit of the same rows with the same seed.
    /// </summary>
    public static IEnumerable<EpochRecord> Fit(KerasModel model, IBatchSource data, FitOptions o)
    {
        string[] unsupported =
        {
            o.ValidationSplit > 0 ? "-ValidationSplit (give -ValidationData, another file imported with -Stream -Template $train)" : "",
            o.SampleWeight is not null ? "-SampleWeight" : "",
            o.ClassWeight is not null ? "-ClassWeight" : "",
        };
        if (unsupported.FirstOrDefault(u => u.Length > 0) is { } what)
            throw KerasException.BadArgument("StreamNotSupported",
                $"{what.Split(" (")[0]} needs the rows in memory, but the training data is streamed from '{data.Source}'. "
                    + (what.Contains('(') ? $"Instead, {what.Split(" (")[1].TrimEnd(')')}." : "Import it without -Stream to use it."));
        Validate(model, data.Encoding, o, data.Count);
        TorchRuntime.EnsureLoaded();
        return Run(model, data.Encoding, o, data);
    }

    /// <summary>
    /// In Keras the loss decides what a target is: with a classification loss (or, for 0/1 values and one output unit, a
    /// classification metric) a numeric target of whole numbers holds class labels. This reads such a target as classes
    /// ("0", "1", ..., sorted numerically), so class weights, stratifying and predicted classes work on it, and says so once
    /// through <paramref name="log"/>. Named targets (-Targets) are read by their own output's loss. Any other data comes back
    /// unchanged.
    /// </summary>
    internal static EncodedData AsLossReads(KerasModel model, EncodedData data, Action<string>? log)
    {
        if (!model.IsBuilt) return data;
        var heads = model.Heads();
        if (data.OutputTargets is { } named)
        {
            var read = named.Select(t =>
            {
                var head = heads.FirstOrDefault(h => h.Name == t.Name) ?? (heads.Count == 1 && named.Count == 1 ? heads[0] : null);
                if (head is null || t.Kind != TargetKind.Regression || t.Width != 1) return t;
                if (ClassCountFor(model, head) is not int k || t.AsData(t.Count).AsClassification(k) is not { } c) return t;
                Say(log, head, $"'{t.Column}' (output '{t.Name}')", c.Classes!);
                return new OutputTarget(t.Name, t.Column, c.Labels, c.Classes, null);
            }).ToArray();
            return read.SequenceEqual(named) ? data : data.With(data.InputBlocks, read);
        }
        if (data.TargetKind != TargetKind.Regression || data.TargetWidth != 1 || heads.Count != 1) return data;
        if (ClassCountFor(model, heads[0]) is not int n || data.AsClassification(n) is not { } classes) return data;
        Say(log, heads[0], $"'{data.TargetName ?? "y"}'", classes.Classes!);
        return classes;
    }

    /// <summary>The number of classes a head's loss (or, for one unit, a class metric) reads its whole-number target as; null
    /// when the head is a regression.</summary>
    private static int? ClassCountFor(KerasModel model, OutputHead head)
    {
        int width = (model.IsFunctional ? model.Outputs[head.Index].Shape : model.OutputShape!)[^1];
        bool classificationMetric =
            head.Metrics.Any(m => m.Kind.ToLowerInvariant() is "accuracy" or "precision" or "recall" or "auc");
        return head.Loss.Name switch
        {
            "binary_crossentropy" when width == 1 => 2,
            "categorical_crossentropy" or "sparse_categorical_crossentropy" when width >= 2 => width,
            "binary_crossentropy" or "categorical_crossentropy" or "sparse_categorical_crossentropy" => null,
            _ when classificationMetric && width == 1 => 2,
            _ => null,
        };
    }

    private static void Say(Action<string>? log, OutputHead head, string target, IReadOnlyList<string> classes)
    {
        string why = head.Loss.TargetForm == TargetForm.ClassIndex || head.Loss.Name == "binary_crossentropy"
            ? $"the loss is {head.Loss.Name}" : "a metric counts classes";
        log?.Invoke($"Reading target {target} as {classes.Count} classes ({string.Join(", ", classes.Take(10))}"
            + $"{(classes.Count > 10 ? ", ..." : "")}): its values are whole numbers and {why}, as in Keras. Predictions get a Class.");
    }

    /// <summary>
    /// Setups that Keras trains without a word and that cost a user an afternoon, each said once per fit: a softmax over one
    /// unit (always 1.0) with binary_crossentropy, binary_crossentropy on targets outside [0, 1], accuracy with a regression
    /// loss, and a validation split (the last rows) that holds one class only because the data is sorted by class.
    /// </summary>
    private static void WarnAboutSetup(KerasModel model, EncodedData data, FitOptions o, Action<string> warn)
    {
        var heads = model.Heads();
        if (heads.Count != 1) return;
        var head = heads[0];
        bool binary = head.Loss.Name == "binary_crossentropy";
        if (binary && !model.IsFunctional && model.Layers[^1] is IActivationHead { Activation: "softmax" }
            && model.OutputShape is [.., 1])
            warn("The model ends in a softmax over 1 unit, which is always 1.0, so binary_crossentropy cannot learn. End it with "
                + "Add-DenseLayer -Units 1 -Activation sigmoid (or -Units 2 -Activation softmax with categorical_crossentropy).");
        if (binary && data.TargetKind == TargetKind.Regression && data.Targets is { Length: > 0 } t && t.Any(v => v < 0 || v > 1))
            warn($"binary_crossentropy needs targets in [0, 1], but target '{data.TargetName ?? "y"}' holds values from "
                + $"{t.Min().ToString(System.Globalization.CultureInfo.InvariantCulture)} to "
                + $"{t.Max().ToString(System.Globalization.CultureInfo.InvariantCulture)}. Scale the target into [0, 1], "
                + "or use a regression loss (mse) for numbers.");
        if (head.Loss.TargetForm == TargetForm.Values && !binary
            && head.Metrics.Any(m => m.Kind.Equals("accuracy", StringComparison.OrdinalIgnoreCase)))
            warn($"accuracy counts exact class matches, which means little with the regression loss {head.Loss.Name}. "
                + "Use -Metrics mae for numbers, or a classification loss (binary_crossentropy, categorical_crossentropy) for classes.");
        if (o.ValidationSplit > 0 && data.Labels is { } labels && data.Classes is { Count: > 1 })
        {
            int nVal = (int)Math.Floor(data.Count * o.ValidationSplit);
            int start = data.Count - nVal;
            if (nVal > 1 && start > 0 && labels.AsSpan(start).IndexOfAnyExcept(labels[start]) < 0)
                warn($"The validation split (the last {nVal} rows, as Keras takes them) holds class '{data.Classes[labels[start]]}' only: "
                    + "the data is sorted by class. Split it with stratified sampling instead: $parts = $data | Split-TrainTest "
                    + "-TestSize 0.2 -Stratify, then fit on $parts.Train with -ValidationData $parts.Test.");
        }
    }

    private static void Validate(KerasModel model, EncodedData data, FitOptions o, int? streamedRows = null)
    {
        int rows = streamedRows ?? data.Count;
        if (!model.IsCompiled)
            throw KerasException.BadOperation("ModelNotCompiled",
                $"Model '{model.Name}' is not compiled. Pipe it to Build-Model -Optimizer <name> -Loss <name> before Invoke-ModelFit.");
        if (model.Layers.Count == 0)
            throw KerasException.BadOperation("EmptyModel",
                $"Model '{model.Name}' has no layers. Add layers (Add-DenseLayer, ...) before training it.");
        FitOptions.CheckSettings(o.Epochs, o.BatchSize, o.ValidationSplit, o.ValidationData is not null || o.ValidationSource is not null);
        if (o.ValidationData is not null && o.ValidationSource is not null)
            throw KerasException.BadArgument("ConflictingValidation", "Give either ValidationData or ValidationSource, not both.");
        if (!data.HasTarget)
            throw KerasException.BadArgument("NoTarget",
                "The training data has no target column. Import it with -Target <column> (or give -Y).");
        if (rows == 0) throw KerasException.BadArgument("EmptyData", "The training data has no rows.");
        if (o.SampleWeight is not null && o.SampleWeight.Length != rows)
            throw KerasException.BadArgument("SampleWeightMismatch",
                $"SampleWeight has {o.SampleWeight.Length} values but the data has {rows} rows.");
        if (data.InputBlocks is null && model.InputShape is { } shape && model.IsBuilt && !Shapes.SameAs(shape, data.FeatureShape))
            throw KerasException.BadArgument("InputShapeMismatch",
                $"Model '{model.Name}' expects input {Shapes.Format(shape)}, but the data has {Shapes.Format(data.FeatureShape)} "
                    + $"({data.FeatureCount} features). Use data with the same features, or build a new model."
                    + model.TemplateHint(data));
        if (o.InitialEpoch is < 0)
            throw KerasException.BadArgument("InvalidInitialEpoch", $"InitialEpoch must be 0 or more. Received: {o.InitialEpoch}.",
                o.InitialEpoch);
        if ((o.ValidationData ?? o.ValidationSource?.Encoding) is { } v && v.InputBlocks is null && data.InputBlocks is null
            && !Shapes.SameAs(v.FeatureShape, data.FeatureShape))
            throw KerasException.BadArgument("InputShapeMismatch",
                $"The validation data has features {Shapes.Format(v.FeatureShape)} but the training data has "
                + $"{Shapes.Format(data.FeatureShape)}." + (v.Categories.Count > 0
                    ? " Its one-hot columns differ: load it with -Template $train (the training dataset)." : ""));
    }

    /// <summary>The rows' order in an epoch of a shuffled fit: the permutation the in-memory fit draws (streamed fits with a buffer
    /// that holds every row use it too).</summary>
    private static long[] Permutation(long seed, int epoch, int count)
    {
        using var gen = new torch.Generator((ulong)EpochSeed(seed, epoch, 0));
        using var perm = torch.randperm(count, generator: gen);
        return perm.data<long>().ToArray();
    }

    /// <summary>A seed for (fit seed, epoch, stream), so that epoch k gets the same randomness however the fit was split.</summary>
    internal static long EpochSeed(long seed, int epoch, int stream)
    {
        unchecked
        {
            ulong z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xBF58476D1CE4E5B9UL + (ulong)stream * 0x94D049BB133111EBUL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (long)((z ^ (z >> 31)) >> 1);
        }
    }

    /// <summary>The names every record of a fit will carry, in record order: loss, the metrics, then their val_ forms.</summary>
    public static IReadOnlyList<string> HistoryNames(KerasModel model, bool validation)
    {
        var heads = model.Heads();
        using var metrics = new MetricSet(heads, h => h.Metrics.Select(m => Metric.Create(m, h.Loss)));
        var train = new[] { "loss" }.Concat(heads.Count > 1 ? heads.Select(h => h.LossName) : Array.Empty<string>())
            .Concat(metrics.Keys).ToList();
        return validation ? train.Concat(train.Select(n => "val_" + n)).ToList() : train;
    }

    private static IEnumerable<EpochRecord> Run(KerasModel model, EncodedData data, FitOptions o, IBatchSource? source)
    {
        if (Interlocked.Exchange(ref model.Busy, 1) == 1)
            throw KerasException.BadOperation("ModelBusy", $"Model '{model.Name}' is already being trained. Wait for that fit to finish.");
        int savedThreads = torch.get_num_threads();
        var log = o.Log ?? (_ => { });
        var warn = o.Warn ?? (_ => { });
        int initial = o.InitialEpoch ?? model.EpochsTrained;
        int end = o.InitialEpoch is not null ? o.Epochs
            : o.Resume ? Math.Max(model.TargetEpochs ?? 0, o.Epochs)
            : initial + o.Epochs;
        var context = new TrainingContext(model, end, log, warn);
        Prepared? p = null;
        bool trainBegun = false;
        try
        {
            if (o.Threads is int th) TorchRuntime.Threads = th;
            if (torch.get_num_threads() > 1 && SmallStepsOnOneThread)
            {
                // Measured on the Otto MLP (93-100-9, batch 128): 0.100 s per epoch on one thread, 0.116 s on two; on a digits
                // CNN 1.4 s against 23-63 s (IsSmallStep). Built first so that every layer knows its shapes.
                if (!model.IsBuilt) model.Build(data.InputBlocks is [var first] ? new[] { first.Columns.Length } : data.FeatureShape);
                long stepMacs = o.BatchSize * RowMacs(model, model.InputShape ?? data.FeatureShape);
                if (stepMacs < SmallStepMacs)
                {
                    log($"Training on 1 thread instead of {torch.get_num_threads()}: a step costs about {stepMacs:N0} multiply-adds "
                        + $"(batch {o.BatchSize} x {stepMacs / Math.Max(1, o.BatchSize):N0} per row), below {SmallStepMacs:N0}, "
                        + "where one thread is faster.");
                    torch.set_num_threads(1);
                }
                else log($"Training on {torch.get_num_threads()} threads: a step costs about {stepMacs:N0} multiply-adds, "
                    + $"at least {SmallStepMacs:N0}, where they pay off.");
            }
            long seed = o.Seed ?? (o.InitialEpoch is null && model.EpochsTrained > 0 ? model.FitSeed : null)
                ?? MersenneTwister.RandomSeed();
            if (!model.IsBuilt) model.Build(data.InputBlocks is [var only] ? new[] { only.Columns.Length } : data.FeatureShape);
            data = AsLossReads(model, data, log);
            // checks targets before anything about the data is written onto the model
            p = source is null ? Prepare(model, data, o) : PrepareStream(model, data, source, o);
            WarnAboutSetup(model, data, o, warn);
            p.Regularized = model.Layers.Where(l => l.HasRegularization).ToArray();
            p.Constrained = model.Weights.Where(w => w.Constraint is not null).ToArray();
            RememberData(model, data, p.Heads);
            model.FitSeed = seed;
            // Frozen weights get no gradients at all (backward skips them); the trainable ones live in the optimizer's flat buffer.
            foreach (var w in model.Weights) w.Value.requires_grad_(w.IsUpdated);
            var optimizer = model.Optimizer!;
            optimizer.Attach(model.TrainableWeights);
            if (initial >= end && o.Resume)
                log($"Nothing to resume: the fit already completed its {end} epochs.");
            else if (initial >= end)
                warn($"Nothing to train: -InitialEpoch is {initial} and -Epochs is {o.Epochs}; with -InitialEpoch, -Epochs is the "
                    + "epoch to stop after, as in Keras. Raise -Epochs, or leave out -InitialEpoch to train -Epochs more epochs.");
            model.TargetEpochs = end;
            var produced = HistoryNames(model, p.ValX is not null || p.ValSource is not null);
            foreach (var cb in o.Callbacks) cb.CheckNames(produced);
            foreach (var cb in o.Callbacks) cb.OnTrainBegin(context);
            trainBegun = true;
            var started = Stopwatch.StartNew();
            TimeSpan lastEpoch = TimeSpan.Zero;
            for (int epoch = initial; epoch < end; epoch++)
            {
                if (o.Cancellation.IsCancellationRequested) break;
                if (o.MaxDuration is TimeSpan budget && started.Elapsed + lastEpoch > budget)
                {
                    warn($"Stopped before epoch {epoch + 1} of {end}: another epoch (about {lastEpoch.TotalSeconds:0.0} s) would "
                        + $"exceed -MaxDuration {budget}. {epoch - initial} epochs completed in this run.");
                    context.StopReason = "max_duration";
                    break;
                }
                foreach (var cb in o.Callbacks) cb.OnEpochBegin(context, epoch);
                var record = RunEpoch(model, p, o, context, epoch, seed, started);
                if (record is null)
                {
                    if (o.MaxDuration is TimeSpan b2 && started.Elapsed >= b2)
                        warn($"Stopped during epoch {epoch + 1} of {end}: -MaxDuration {b2} was reached. "
                            + "The model keeps the weights of the last completed batch; that epoch is not recorded.");
                    break;
                }
                lastEpoch = record.Duration;
                model.History.Add(record);
                model.EpochsTrained = epoch + 1;
                log(KerasLine(record, end));
                foreach (var cb in o.Callbacks) cb.OnEpochEnd(context, record);
                if (double.IsNaN(record.Loss) || double.IsInfinity(record.Loss))
                {
                    if (!context.StopTraining)
                        warn($"Epoch {record.Epoch}: the loss is {record.Loss}; training stopped. Lower the learning rate, "
                            + "scale the features (Add-NormalizationLayer), or add -ClipNorm to the optimizer.");
                    context.StopTraining = true;
                }
                yield return record;
                if (context.StopTraining) break;
            }
        }
        finally
        {
            try
            {
                if (trainBegun) foreach (var cb in o.Callbacks) cb.OnTrainEnd(context);
            }
            finally
            {
                p?.Dispose();
                if (torch.get_num_threads() != savedThreads) torch.set_num_threads(savedThreads);
                Interlocked.Exchange(ref model.Busy, 0);
            }
        }
    }

    /// <summary>Whether small steps train on one thread (<see cref="IsSmallStep"/>); off only for benchmarks that time the thread
    /// count the rule would replace (tests/bench/ThreadChoiceBench.ps1).</summary>
    internal static bool SmallStepsOnOneThread { get; set; } = true;

    /// <summary>Forward multiply-adds per training step (<see cref="RowMacs"/> x batch) below which a network trains faster on
    /// one thread.</summary>
    public const long SmallStepMacs = 1L << 24;

    /// <summary>
    /// True when a training step's forward multiply-adds, batch x <see cref="RowMacs"/>, stay below <see cref="SmallStepMacs"/>,
    /// for every layer kind: Dense, convolutions, recurrent layers, normalization, pooling. Below it the OpenMP synchronisation
    /// around each kernel costs more than splitting the work saves, and a second thread that has to wait for a busy core makes
    /// a step many times slower (a digits CNN, 8x8x1 - Conv2D 16 - pool - Dense 10, batch 32: 1.4 s for 6 epochs on one
    /// thread, 23-63 s on two, on a loaded 2-core machine).
    /// </summary>
    internal static bool IsSmallStep(KerasModel model, int[] inputShape, int batchSize) =>
        batchSize * RowMacs(model, inputShape) < SmallStepMacs;

    /// <summary>
    /// The multiply-adds of one row's forward pass, estimated from each layer's weights and the positions it applies them at
    /// (<see cref="LayerMacs"/>). Deterministic, so a seeded fit always picks the same thread count.
    /// </summary>
    internal static long RowMacs(KerasModel model, int[] inputShape)
    {
        long macs = 0;
        if (model.IsFunctional)
        {
            // A graph: each call of a layer reads its own input tensor (shared layers count once per call).
            foreach (var node in model.Nodes)
                if (node.Inputs.Count > 0) macs += LayerMacs(node.Layer, node.Inputs[0].Shape, node.Output.Shape);
            return macs;
        }
        var shape = inputShape;
        foreach (var layer in model.Layers)
        {
            var output = layer.OutputShape ?? layer.ComputeOutputShape(shape);
            macs += LayerMacs(layer, shape, output);
            shape = output;
        }
        return macs;
    }

    /// <summary>
    /// One layer's multiply-adds per row: a weighted layer applies its weights once per position, the input's or output's
    /// (all dimensions but the last: 1 for a flat Dense input, the time steps of a recurrent layer, the pixels of a
    /// convolution); an Embedding only looks rows up; a layer without weights (activation, pooling, reshaping) touches each
    /// output value once.
    /// </summary>
    private static long LayerMacs(Layer layer, IReadOnlyList<int> input, IReadOnlyList<int> output)
    {
        static long Positions(IReadOnlyList<int> s) => s.Count <= 1 ? 1 : Shapes.Product(s.Take(s.Count - 1).ToArray());
        long outputValues = Shapes.Product(output);
        if (layer.ParamCount == 0 || layer.ClassName == "Embedding") return outputValues;
        return layer.ParamCount * Math.Max(Positions(input), Positions(output));
    }

    internal static string KerasLine(EpochRecord r, int epochs) =>
        $"Epoch {r.Epoch}/{epochs} - {r.Duration.TotalSeconds:0.00}s - " +
        string.Join(" - ", r.Values.Select(kv =>
            $"{kv.Key}: {kv.Value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)}"));

    /// <summary>What a fit learns about its data and keeps on the model (class order, columns, categories).</summary>
    private static void RememberData(KerasModel model, EncodedData data, OutputHead[] heads)
    {
        if (data.TargetKind == TargetKind.Classification) model.Classes ??= data.Classes;
        if (data.OutputTargets is { } named)
        {
            var classes = heads.Select(h => (h.Name, Target: NamedTarget(data, h, heads.Length)))
                .Where(x => x.Target.Classes is not null).ToDictionary(x => x.Name, x => x.Target.Classes!);
            if (heads.Length == 1 && classes.Count == 1) model.Classes ??= classes.Values.First();
            if (heads.Length > 1 && classes.Count > 0) model.OutputClasses ??= classes;
            model.TargetName ??= string.Join(",", named.Select(t => t.Column));
        }
        model.FeatureNames ??= data.FeatureNames;
        model.TargetName ??= data.TargetName;
        model.SourceColumns ??= data.SourceColumns;
        model.InputColumns ??= StringInputs.InputColumns(data);
        if (model.Categories is null && data.Categories.Count > 0) model.Categories = data.Categories;
        if (model.MissingFills is null && data.MissingFills.Count > 0) model.MissingFills = data.MissingFills;
        if (model.MissingIndicators is null && data.MissingIndicators.Count > 0) model.MissingIndicators = data.MissingIndicators;
    }

    private static Prepared Prepare(KerasModel model, EncodedData data, FitOptions o)
    {
        var p = new Prepared();
        try
        {
            var heads = model.Heads().ToArray();
            p.Heads = heads;
            if (o.ClassWeight is not null && heads.Length > 1)
                throw KerasException.BadArgument("ClassWeightMultiOutput",
                    "ClassWeight applies to a model with one output; for several outputs give -SampleWeight instead (as Keras).");
            int n = data.Count;
            var x = Inputs(model, data);
            var y = TargetTensors(model, heads, data);
            using var w = SampleWeights(heads.Length == 1 ? ClassesFor(model, heads[0], data) : null,
                heads.Length == 1 && data.OutputTargets is not null ? NamedTarget(data, heads[0], 1).AsData(n) : data, o);
            if (o.ValidationSplit > 0)
            {
                // Keras: the last rows, taken before shuffling. Views of the full tensors, no copy of the data.
                int nVal = (int)Math.Floor(n * o.ValidationSplit);
                if (nVal == 0 || nVal == n)
                {
                    foreach (var t in x.Concat(y)) t.Dispose();
                    throw KerasException.BadArgument("InvalidValidationSplit",
                        $"ValidationSplit {o.ValidationSplit} of {n} rows leaves no training or no validation rows.");
                }
                int nTrain = n - nVal;
                p.X = x.Select(t => Keep(t.narrow(0, 0, nTrain))).ToArray();
                p.Y = y.Select(t => Keep(t.narrow(0, 0, nTrain))).ToArray();
                p.W = w is null ? null : Keep(w.narrow(0, 0, nTrain));
                p.ValX = x.Select(t => Keep(t.narrow(0, nTrain, nVal))).ToArray();
                p.ValY = y.Select(t => Keep(t.narrow(0, nTrain, nVal))).ToArray();
                foreach (var t in x.Concat(y)) t.Dispose();
                // Validation rows keep their sample weights; class weights apply to training only (Keras).
                if (o.SampleWeight is not null) p.ValW = Keep(torch.tensor(o.SampleWeight.AsSpan(nTrain, nVal).ToArray()));
                p.Count = nTrain; p.ValCount = nVal;
            }
            else
            {
                p.X = x; p.Y = y; p.W = w is null ? null : Keep(w.alias());
                p.Count = n;
                if (o.ValidationData is { } given)
                {
                    var val = AsLossReads(model, TextInputs.ForModel(model, given), null);
                    p.ValX = Inputs(model, val);
                    p.ValY = TargetTensors(model, heads, val);
                    p.ValCount = val.Count;
                }
            }
            return p;
        }
        catch
        {
            p.Dispose();
            throw;
        }
    }

    /// <summary>A streamed fit's setup: no tensors of the data, only the sources; the encoding's targets are checked on no rows.</summary>
    private static Prepared PrepareStream(KerasModel model, EncodedData encoding, IBatchSource source, FitOptions o)
    {
        var p = new Prepared { Heads = model.Heads().ToArray(), Source = source, Count = source.Count };
        try
        {
            foreach (var t in TargetTensors(model, p.Heads, encoding)) t.Dispose();
            if (o.ValidationSource is { } vs)
            {
                foreach (var t in TargetTensors(model, p.Heads, AsLossReads(model, vs.Encoding, null))) t.Dispose();
                p.ValSource = vs;
                p.ValCount = vs.Count;
            }
            else if (o.ValidationData is { } given)
            {
                var val = AsLossReads(model, given, null);
                p.ValX = Inputs(model, val);
                p.ValY = TargetTensors(model, p.Heads, val);
                p.ValCount = val.Count;
            }
            return p;
        }
        catch
        {
            p.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One batch of a streamed dataset as tensors: the features, and each head's targets encoded as for the in-memory fit; the
    /// tensors belong to <paramref name="scope"/>.
    /// </summary>
    private static (Tensor[] X, Tensor[] Y) BatchTensors(KerasModel model, OutputHead[] heads, EncodedData batch,
        DisposeScope scope)
    {
        batch = AsLossReads(model, batch, null);
        // Copied straight into libtorch's memory: torch.tensor would first clone the array on the managed heap, a pinned copy
        // per step that the collector frees late (with image batches of many MB, hundreds of MB of peak memory).
        var x = torch.empty(Shapes.WithBatch(batch.Count, batch.FeatureShape), dtype: ScalarType.Float32);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(batch.Features.AsSpan(0, batch.Count * batch.FeatureCount))
            .CopyTo(x.bytes);
        var y = TargetTensors(model, heads, batch);
        scope.Attach(y);
        return (new[] { x }, y);
    }

    private static KerasException StreamChanged(IBatchSource source) =>
        KerasException.BadData("StreamChanged",
            $"'{source.Source}' gave another number of rows than when it was imported with -Stream. Import it again.", source.Source);

    /// <summary>One tensor per model input (aliases of the dataset's features, or its named input blocks), kept out of any dispose
    /// scope.</summary>
    private static Tensor[] Inputs(KerasModel model, EncodedData data)
    {
        if (data.InputBlocks is null && model.InputNames.Count == 1) return new[] { Keep(data.FeatureTensor().alias()) };
        var shapes = model.IsFunctional ? StringInputs.DataShapes(model) : new[] { model.InputShape };
        return DataBlocks.InputTensors(data, model.InputNames, shapes).Select(Keep).ToArray();
    }

    /// <summary>The target of a named head: the dataset's target of that output (or its only one, for a model with one output).</summary>
    private static OutputTarget NamedTarget(EncodedData data, OutputHead head, int heads) =>
        data.OutputTargets!.FirstOrDefault(t => t.Name == head.Name)
            ?? (heads == 1 && data.OutputTargets!.Count == 1 ? data.OutputTargets[0] : null)
            ?? throw KerasException.BadArgument("TargetDataMissing",
                $"The data has no target for model output '{head.Name}'. Its targets: "
                    + $"{string.Join(", ", data.OutputTargets!.Select(t => t.Name))}. Give -Targets @{{ {head.Name} = <column> }} "
                    + $"(or -Y @{{ {head.Name} = ... }}).", head.Name);

    /// <summary>The classes a head's targets are encoded against: the ones the model learned, else the data's.</summary>
    private static IReadOnlyList<string>? ClassesFor(KerasModel model, OutputHead head, EncodedData data)
    {
        if (data.OutputTargets is null) return model.Classes ?? data.Classes;
        var t = NamedTarget(data, head, model.OutputNames.Count);
        return (model.OutputClasses?.GetValueOrDefault(head.Name) ?? (model.OutputNames.Count == 1 ? model.Classes : null)) ?? t.Classes;
    }

    /// <summary>One target tensor per head, encoded as each head's loss wants it.</summary>
    private static Tensor[] TargetTensors(KerasModel model, IReadOnlyList<OutputHead> heads, EncodedData data)
    {
        var result = new List<Tensor>();
        try
        {
            foreach (var h in heads)
            {
                var outputShape = model.IsFunctional ? model.Outputs[h.Index].Shape : model.OutputShape!;
                int width = outputShape[^1];
                EncodedData target;
                if (data.OutputTargets is not null) target = NamedTarget(data, h, heads.Count).AsData(data.Count);
                else if (heads.Count == 1) target = data;
                else throw KerasException.BadArgument("TargetDataMissing",
                    $"The model has {heads.Count} outputs ({string.Join(", ", heads.Select(x => x.Name))}) but the data has one target. "
                        + "Name the target of each output: Import-ModelData -Targets @{ name = 'column' }, or -Y @{ name = ... }.",
                    h.Name);
                result.Add(Targets(ClassesFor(model, h, data), target, h.Loss, width, outputShape.Aggregate(1, (a, d) => a * d)));
            }
            return result.ToArray();
        }
        catch
        {
            foreach (var t in result) t.Dispose();
            throw;
        }
    }

    private static Tensor Keep(Tensor t)
    {
        t.DetachFromDisposeScope();
        return t;
    }

    private static Tensor Targets(IReadOnlyList<string>? classes, EncodedData d, Loss loss, int outWidth, int outValues)
    {
        Tensor t;
        if (d.TargetKind == TargetKind.Classification)
        {
            var labels = d.LabelsFor(classes!);
            int k = classes!.Count;
            if (loss.TargetForm == TargetForm.ClassIndex)
            {
                if (outWidth != k)
                    throw KerasException.BadArgument("TargetShapeMismatch",
                        $"The model outputs {outWidth} values per row but the data has {k} classes "
                            + $"({string.Join(", ", classes.Take(10))}{(k > 10 ? ", ..." : "")}). "
                            + $"End the model with Add-DenseLayer -Units {k} -Activation softmax.");
                t = torch.tensor(labels.Select(l => (long)l).ToArray(), dtype: ScalarType.Int64);
            }
            else if (outWidth == 1 && k <= 2)
            {
                t = torch.tensor(labels.Select(l => (float)l).ToArray(), new long[] { labels.Length, 1 });
            }
            else if (outWidth == k)
            {
                var oneHot = new float[(long)labels.Length * k];
                for (int i = 0; i < labels.Length; i++) oneHot[(long)i * k + labels[i]] = 1f;
                t = torch.tensor(oneHot, new long[] { labels.Length, k });
            }
            else throw KerasException.BadArgument("TargetShapeMismatch",
                $"The model outputs {outWidth} values per row; with loss {loss.Name} and {k} classes it should output "
                    + $"{(k == 2 ? "1 (sigmoid) or 2" : k.ToString())}.");
        }
        else
        {
            int w = d.TargetWidth;
            if (loss.TargetForm == TargetForm.ClassIndex)
            {
                if (w == 1)
                {
                    // Numeric class ids given as values: use them as indices.
                    var ids = d.Targets!.Select(v => (long)v).ToArray();
                    if (ids.Any(i => i < 0 || i >= outWidth) || d.Targets!.Any(v => v != Math.Floor(v)))
                        throw KerasException.BadArgument("TargetShapeMismatch",
                            $"With loss {loss.Name} the targets must be class ids 0..{outWidth - 1} or class labels.");
                    t = torch.tensor(ids);
                }
                else if (w == outWidth && loss.Name == "categorical_crossentropy") t = torch.tensor(d.Targets!, new long[] { d.Count, w });
                else throw KerasException.BadArgument("TargetShapeMismatch",
                    $"The targets have {w} columns but the model outputs {outWidth}.");
            }
            else
            {
                // A sequence output (steps, units) takes its targets as steps x units values per row (read in its shape).
                if (w != outWidth && w != outValues)
                    throw KerasException.BadArgument("TargetShapeMismatch",
                        $"The targets have {w} column(s) but the model outputs {outWidth} value(s) per row. "
                        + $"End the model with Add-DenseLayer -Units {w}.");
                t = torch.tensor(d.Targets!, new long[] { d.Count, w });
            }
        }
        t.DetachFromDisposeScope();
        return t;
    }

    private static Tensor? SampleWeights(IReadOnlyList<string>? classes, EncodedData train, FitOptions o)
    {
        if (o.ClassWeight is null && o.SampleWeight is null) return null;
        int rows = train.Count;
        var w = new float[rows];
        for (int i = 0; i < rows; i++) w[i] = o.SampleWeight is null ? 1f : o.SampleWeight[i];
        if (o.ClassWeight is not null)
        {
            if (train.TargetKind != TargetKind.Classification || classes is null)
                throw KerasException.BadArgument("ClassWeightNeedsClasses",
                    "ClassWeight needs classification data (a target with class labels).");
            var perClass = new float[classes.Count];
            Array.Fill(perClass, 1f);
            foreach (var kv in o.ClassWeight)
            {
                int idx = -1;
                for (int c = 0; c < classes.Count; c++) if (classes[c] == kv.Key) idx = c;
                if (idx < 0 && int.TryParse(kv.Key, out var asIndex) && asIndex >= 0 && asIndex < classes.Count) idx = asIndex;
                if (idx < 0)
                    throw KerasException.BadArgument("UnknownClass",
                        $"ClassWeight names class '{kv.Key}', which is not in the data. Classes: {string.Join(", ", classes)}.", kv.Key);
                perClass[idx] = (float)kv.Value;
            }
            var labels = train.LabelsFor(classes);
            for (int i = 0; i < rows; i++) w[i] *= perClass[labels[i]];
        }
        var t = torch.tensor(w);
        t.DetachFromDisposeScope();
        return t;
    }

    private static EpochRecord? RunEpoch(KerasModel model, Prepared p, FitOptions o, TrainingContext context, int epoch, long seed,
        Stopwatch fitClock)
    {
        var sw = Stopwatch.StartNew();
        var heads = p.Heads;
        var optimizer = model.Optimizer!;
        bool named = model.HasNamedHeads;
        var fused = named ? model.FusedActivations() : new[] { model.FusedActivation };
        var regularized = p.Regularized;
        var constrained = p.Constrained;
        var batchWatchers = o.Callbacks.Where(c => c.NeedsBatchLoss).ToArray();
        using var metrics = new MetricSet(heads, h => h.Metrics.Select(m => Metric.Create(m, h.Loss)));
        int n = p.Count, bs = o.BatchSize;
        int batches = (n + bs - 1) / bs;
        var nextProgress = TimeSpan.Zero;
        bool completed = true;
        double lossValue;
        double[] headValues = Array.Empty<double>();

        using (var epochScope = torch.NewDisposeScope())
        {
            using var noise = new torch.Generator((ulong)EpochSeed(seed, epoch, 2));
            using var noiseScope = RandomContext.Use(noise);   // dropout and noise layers: per fit, per thread
            Tensor[] xs = p.X, ys = p.Y;
            Tensor ws = p.W!;
            using var stream = p.Source is not { } source ? null
                : (o.Shuffle
                    ? BatchReader.Shuffled(source, bs, source.ShuffleBuffer, EpochSeed(seed, epoch, 0),
                        count => Permutation(seed, epoch, count))
                    : BatchReader.Sequential(source, bs)).GetEnumerator();
            if (o.Shuffle && stream is null)
            {
                using var gen = new torch.Generator((ulong)EpochSeed(seed, epoch, 0));
                var perm = torch.randperm(n, generator: gen);
                xs = p.X.Select(t => t.index_select(0, perm)).ToArray();
                ys = p.Y.Select(t => t.index_select(0, perm)).ToArray();
                if (p.W is not null) ws = p.W.index_select(0, perm);
            }
            var lossSum = torch.zeros(1, dtype: ScalarType.Float64);
            // Keras 3 records each output's loss as it enters the total: multiplied by its loss weight.
            var headSums = heads.Length > 1 ? heads.Select(_ => torch.zeros(1, dtype: ScalarType.Float64)).ToArray() : null;
            using var fullBatch = ((double)bs).ToScalar();
            long seen = 0;
            for (int b = 0; b < batches; b++)
            {
                long start = (long)b * bs, len = Math.Min(bs, n - start);
                using var lastBatch = len == bs ? null : len.ToScalar();   // alive through the add_ calls (Scalars)
                using (var step = torch.NewDisposeScope())
                {
                    var wb = p.W is null ? null : ws.narrow(0, start, len);
                    Tensor[]? streamed = null;
                    Tensor[] yb = Array.Empty<Tensor>();
                    if (stream is not null)
                    {
                        if (!stream.MoveNext() || stream.Current.Count != len) throw StreamChanged(p.Source!);
                        (streamed, yb) = BatchTensors(model, heads, stream.Current, step);
                    }
                    optimizer.ZeroGrad();
                    IReadOnlyList<Tensor> outputs;
                    IReadOnlyList<Tensor?> masks;
                    if (named)
                    {
                        (outputs, masks) = model.ForwardAllMasked(streamed ?? xs.Select(t => t.narrow(0, start, len)).ToArray(), null,
                            training: true, logits: true);
                        yb = streamed is not null ? yb : ys.Select(t => t.narrow(0, start, len)).ToArray();
                    }
                    else
                    {
                        var xb = streamed?[0] ?? xs[0].narrow(0, start, len);
                        yb = streamed is not null ? yb : new[] { ys[0].narrow(0, start, len) };
                        var (output, mask) = model.ForwardMasked(xb, null, training: true, logits: true);
                        (outputs, masks) = (new[] { output }, new[] { mask });
                    }
                    var batchLoss = HeadLoss(heads, 0, outputs, yb, wb, fused, masks);
                    headSums?[0].add_(batchLoss.detach(), lastBatch ?? fullBatch);
                    for (int h = 1; h < heads.Length; h++)
                    {
                        var l = HeadLoss(heads, h, outputs, yb, wb, fused, masks);
                        headSums![h].add_(l.detach(), lastBatch ?? fullBatch);
                        batchLoss = batchLoss.Plus(l);
                    }
                    foreach (var l in regularized)
                        if (l.RegularizationLoss() is { } r) batchLoss = batchLoss.Plus(r);
                    batchLoss.backward();
                    optimizer.Step();
                    foreach (var w in constrained) w.ApplyConstraint();
                    // No no_grad block (two native calls): the detached loss and output keep the accumulators out of the graph.
                    lossSum.add_(batchLoss.detach(), lastBatch ?? fullBatch);
                    if (metrics.Count > 0)
                        for (int h = 0; h < heads.Length; h++)
                        {
                            if (!metrics.HasHead(h)) continue;
                            CheckMetricMask(heads[h], masks[h]);
                            var mb = new MetricBatch(outputs[h].detach(), yb[h], fused[h], len);
                            metrics.Update(h, mb);
                        }
                    seen += len;
                    if (batchWatchers.Length > 0)
                    {
                        double bl = batchLoss.item<float>();
                        foreach (var c in batchWatchers) c.OnBatchEnd(context, b, bl);
                    }
                }
                if (o.Progress is not null && sw.Elapsed >= nextProgress)
                {
                    nextProgress = sw.Elapsed + o.ProgressInterval;
                    o.Progress(new FitProgress(epoch + 1, context.Epochs, b + 1, batches, lossSum.item<double>() / seen, sw.Elapsed));
                }
                if (o.Cancellation.IsCancellationRequested || context.StopTraining
                    || (o.MaxDuration is TimeSpan budget && fitClock.Elapsed >= budget))
                {
                    completed = b == batches - 1 && !o.Cancellation.IsCancellationRequested
                        && !(o.MaxDuration is TimeSpan b3 && fitClock.Elapsed >= b3);
                    if (!completed) break;
                }
            }
            lossValue = lossSum.item<double>() / Math.Max(seen, 1);
            if (headSums is not null) headValues = headSums.Select(t => t.item<double>() / Math.Max(seen, 1)).ToArray();
        }
        if (!completed) return null;

        var values = new Dictionary<string, double> { ["loss"] = lossValue };
        for (int h = 0; h < headValues.Length; h++) values[heads[h].LossName] = headValues[h];
        foreach (var (key, m) in metrics.Named) values[key] = m.Result();
        if (p.ValX is not null || p.ValSource is not null)
        {
            int vbs = Math.Max(bs, 1024);
            var (vl, vm) = p.ValSource is { } vs ? Evaluate(model, heads, vs, vbs)
                : Evaluate(model, heads, p.ValX!, p.ValY!, p.ValW, p.ValCount, vbs);
            values["val_loss"] = vl;
            foreach (var kv in vm) values["val_" + kv.Key] = kv.Value;
        }
        sw.Stop();
        return new EpochRecord(epoch + 1, values, optimizer.LearningRate, sw.Elapsed, n);
    }

    /// <summary>One head's loss on a batch, times its loss weight when one was given. An output that carries a mask (a
    /// sequence after Masking or Embedding mask_zero) weighs each timestep by it, as Keras does; its targets, given as one
    /// row of steps x units values per sample, are read in the output's shape.</summary>
    private static Tensor HeadLoss(OutputHead[] heads, int h, IReadOnlyList<Tensor> outputs, Tensor[] targets, Tensor? weights,
        string?[] fused, IReadOnlyList<Tensor?> masks)
    {
        var head = heads[h];
        var output = outputs[h];
        var target = targets[h];
        if (output.dim() > 2 && target.dim() == 2 && target.shape[1] == output.numel() / Math.Max(1, output.shape[0])
            && target.shape[1] != output.shape[^1])
            target = target.reshape(output.shape);
        var l = head.Loss.Compute(output, target, weights, fused[h] is not null, masks[h]);
        return head.Weight is double w ? l.mul(Scalars.Of(w)) : l;
    }

    /// <summary>Keras applies an output's mask to the metrics too; KerasPS's metrics read whole rows, so a model whose output
    /// carries a mask is refused metrics by name rather than given values that count the padding.</summary>
    private static void CheckMetricMask(OutputHead head, Tensor? mask)
    {
        if (mask is not null)
            throw KerasException.BadOperation("MaskedMetricsUnsupported",
                $"Output '{head.Name}' carries a mask (from Masking or Embedding mask_zero through layers that keep it), which Keras "
                    + "applies to the metrics; KerasPS's metrics do not read masks. Compile without -Metrics (the loss reads the "
                    + "mask), or end the model with a layer that drops the mask (an RNN, GlobalAveragePooling1D).");
    }

    /// <summary>Loss and metrics over a whole dataset without gradients (Keras evaluate / validation).</summary>
    /// <remarks>For a model with several outputs the metrics include each output's loss (class_loss, price_loss).</remarks>
    public static (double Loss, Dictionary<string, double> Metrics) Evaluate(KerasModel model, EncodedData data, int batchSize = 1024)
    {
        data = TextInputs.ForModel(model, data);
        if (!model.IsCompiled)
            throw KerasException.BadOperation("ModelNotCompiled", $"Model '{model.Name}' is not compiled. Pipe it to Build-Model first.");
        if (!data.HasTarget)
            throw KerasException.BadArgument("NoTarget", "The data has no target column to evaluate against.");
        if (!model.IsBuilt) throw KerasException.BadOperation("ModelNotBuilt", $"Model '{model.Name}' has no weights yet. Train it first.");
        if (data.InputBlocks is null && model.InputNames.Count == 1 && !Shapes.SameAs(model.InputShape!, data.FeatureShape))
            throw KerasException.BadArgument("InputShapeMismatch",
                $"Model '{model.Name}' expects input {Shapes.Format(model.InputShape)}, "
                + $"but the data has {Shapes.Format(data.FeatureShape)}." + model.TemplateHint(data));
        TorchRuntime.EnsureLoaded();
        data = AsLossReads(model, data, null);
        var heads = model.Heads().ToArray();
        var x = Inputs(model, data);
        Tensor[] y = Array.Empty<Tensor>();
        try
        {
            y = TargetTensors(model, heads, data);
            return Evaluate(model, heads, x, y, null, data.Count, batchSize);
        }
        finally
        {
            foreach (var t in x.Concat(y)) t.Dispose();
        }
    }

    /// <summary>Loss and metrics over a streamed dataset, read once in batches (Keras evaluate on a tf.data dataset).</summary>
    public static (double Loss, Dictionary<string, double> Metrics) Evaluate(KerasModel model, IBatchSource data, int batchSize = 1024)
    {
        if (!model.IsCompiled)
            throw KerasException.BadOperation("ModelNotCompiled", $"Model '{model.Name}' is not compiled. Pipe it to Build-Model first.");
        if (!data.Encoding.HasTarget)
            throw KerasException.BadArgument("NoTarget", "The data has no target column to evaluate against.");
        if (!model.IsBuilt) throw KerasException.BadOperation("ModelNotBuilt", $"Model '{model.Name}' has no weights yet. Train it first.");
        if (model.InputNames.Count == 1 && !Shapes.SameAs(model.InputShape!, data.Encoding.FeatureShape))
            throw KerasException.BadArgument("InputShapeMismatch",
                $"Model '{model.Name}' expects input {Shapes.Format(model.InputShape)}, "
                + $"but the data has {Shapes.Format(data.Encoding.FeatureShape)}." + model.TemplateHint(data.Encoding));
        TorchRuntime.EnsureLoaded();
        var heads = model.Heads().ToArray();
        foreach (var t in TargetTensors(model, heads, AsLossReads(model, data.Encoding, null))) t.Dispose();
        return Evaluate(model, heads, data, batchSize);
    }

    private static (double, Dictionary<string, double>) Evaluate(KerasModel model, OutputHead[] heads, IBatchSource source, int batchSize)
    {
        using var batches = BatchReader.Sequential(source, batchSize).GetEnumerator();
        return Evaluate(model, heads, source.Count, batchSize, (s, len, scope) =>
        {
            if (!batches.MoveNext() || batches.Current.Count != len) throw StreamChanged(source);
            var (x, y) = BatchTensors(model, heads, batches.Current, scope);
            return (x, y, null);
        });
    }

    private static (double, Dictionary<string, double>) Evaluate(KerasModel model, OutputHead[] heads, Tensor[] x, Tensor[] y, Tensor? w,
        int n, int batchSize) =>
        Evaluate(model, heads, n, batchSize, (s, len, _) =>
            (x.Select(t => t.narrow(0, s, len)).ToArray(), y.Select(t => t.narrow(0, s, len)).ToArray(), w?.narrow(0, s, len)));

    /// <summary>The evaluation loop over batches that <paramref name="take"/> gives as (start, rows, the batch's dispose scope).</summary>
    private static (double, Dictionary<string, double>) Evaluate(KerasModel model, OutputHead[] heads, int n, int batchSize,
        Func<long, long, DisposeScope, (Tensor[] X, Tensor[] Y, Tensor? W)> take)
    {
        bool named = model.HasNamedHeads;
        var fused = named ? model.FusedActivations() : new[] { model.FusedActivation };
        using var metrics = new MetricSet(heads, h => h.Metrics.Select(m => Metric.Create(m, h.Loss)));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var sum = torch.zeros(1, dtype: ScalarType.Float64);
        var headSums = heads.Length > 1 ? heads.Select(_ => torch.zeros(1, dtype: ScalarType.Float64)).ToArray() : null;
        for (long s = 0; s < n; s += batchSize)
        {
            long len = Math.Min(batchSize, n - s);
            using var rows = len.ToScalar();   // alive through the add_ calls (Scalars)
            // One scope per batch: a streamed evaluation makes new tensors per batch, which must not pile up.
            using var batchScope = torch.NewDisposeScope();
            var (x, yb, wb) = take(s, len, batchScope);
            var (outputs, masks) = model.ForwardAllMasked(x, null, training: false, logits: true);
            var l = HeadLoss(heads, 0, outputs, yb, wb, fused, masks);
            headSums?[0].add_(l, rows);
            for (int h = 1; h < heads.Length; h++)
            {
                var lh = HeadLoss(heads, h, outputs, yb, wb, fused, masks);
                headSums![h].add_(lh, rows);
                l = l.Plus(lh);
            }
            foreach (var layer in model.Layers) if (layer.RegularizationLoss() is { } r) l = l.Plus(r);
            sum.add_(l, rows);
            for (int h = 0; h < heads.Length; h++)
                if (metrics.HasHead(h))
                {
                    CheckMetricMask(heads[h], masks[h]);
                    metrics.Update(h, new MetricBatch(outputs[h], yb[h], fused[h], len));
                }
        }
        var values = new Dictionary<string, double>();
        if (headSums is not null)
            for (int h = 0; h < heads.Length; h++) values[heads[h].LossName] = headSums[h].item<double>() / Math.Max(n, 1);
        foreach (var (key, m) in metrics.Named) values[key] = m.Result();
        return (sum.item<double>() / Math.Max(n, 1), values);
    }

    /// <summary>
    /// The metrics of one epoch or evaluation, per head, each under its history name (the head's prefix and the metric's
    /// name); frees their accumulators when done.
    /// </summary>
    private sealed class MetricSet : IDisposable
    {
        private readonly List<(int Head, string Key, Metric Metric)> all = new();

        public MetricSet(IReadOnlyList<OutputHead> heads, Func<OutputHead, IEnumerable<Metric>> create)
        {
            try
            {
                foreach (var h in heads)
                    foreach (var m in create(h)) all.Add((h.Index, h.Prefix + m.Name, m));
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public int Count => all.Count;
        public IEnumerable<string> Keys => all.Select(a => a.Key);
        public IEnumerable<(string Key, Metric Metric)> Named => all.Select(a => (a.Key, a.Metric));
        public bool HasHead(int head) => all.Exists(a => a.Head == head);

        public void Update(int head, MetricBatch batch)
        {
            foreach (var a in all) if (a.Head == head) a.Metric.Update(batch);
        }

        public void Dispose() { foreach (var a in all) a.Metric.Dispose(); }
    }
}
