using System.IO.Compression;
using KerasPS.Engine.Models;
using KerasPS.Engine.Training.Optimizers;

namespace KerasPS.Engine.Checkpoints;

/// <summary>
/// The optimizer state of a checkpoint: its scalars in config.json's <c>optimizer_state</c>, one tensor per slot in
/// optimizer.safetensors (<see cref="OptimizerEntry"/>).
/// </summary>
public static partial class Checkpoint
{
    /// <summary>
    /// The optimizer's state (<see cref="Optimizer.GetState"/>) as config.json records it: its scalars by name, and one
    /// tensor per slot, named <c>layer/weight/slot</c>, queued for optimizer.safetensors.
    /// </summary>
    private static Dictionary<string, object?> OptimizerStateEntry(KerasModel model, List<(string, long[], Func<float[]>)> tensors)
    {
        var optimizer = model.Optimizer!;
        var state = optimizer.GetState();
        var slots = new List<object?>();
        var modelWeights = model.Weights.ToHashSet();
        foreach (var s in state.Slots)
        {
            // The state belongs to the weights of the last fit; after a layer was frozen or unfrozen it may not be the
            // model's trainable set any more, and must not be saved under the wrong names.
            if (!modelWeights.Contains(s.Weight) || !s.Weight.IsUpdated)
                throw KerasException.BadOperation("OptimizerStateMismatch",
                    $"The optimizer state of model '{model.Name}' no longer lines up with its trainable weights (a layer's Trainable "
                        + "setting changed since the last fit). Save without -IncludeOptimizer, or fit once more first.");
            var name = $"{s.Weight.Path}/{s.Slot}";
            var value = s.Value;
            tensors.Add((name, value.shape, () => { using var c = value.detach().contiguous(); return c.data<float>().ToArray(); }));
            slots.Add(new Dictionary<string, object?> { ["tensor"] = name, ["weight"] = s.Weight.Path, ["slot"] = s.Slot });
        }
        var entry = new Dictionary<string, object?>
        {
            ["name"] = optimizer.Name,
            ["iterations"] = state.Iterations,
            ["learning_rate"] = state.LearningRate,
            ["slots"] = slots,
        };
        foreach (var (name, value) in state.Variables) entry[name] = value;
        return entry;
    }

    /// <summary>Reads and checks the optimizer state against the model; the returned action applies it (nothing changes until it
    /// runs).</summary>
    private static Action ReadOptimizer(ZipArchive zip, Dictionary<string, object?> config, Dictionary<string, object?> state,
        KerasModel model, string path)
    {
        var optimizer = model.Optimizer ?? throw Invalid($"'{path}' holds optimizer state but no compile settings.");
        var trainable = model.TrainableWeights;
        var index = trainable.Select((w, i) => (w, i)).ToDictionary(x => x.w.Path, x => x.i, StringComparer.Ordinal);
        var slots = new Dictionary<string, (string Weight, string Slot)>(StringComparer.Ordinal);
        foreach (var s in (state.GetValueOrDefault("slots") as List<object?> ?? new()).OfType<Dictionary<string, object?>>())
        {
            var tensor = s.GetValueOrDefault("tensor") as string;
            var weight = s.GetValueOrDefault("weight") as string;
            var slot = s.GetValueOrDefault("slot") as string;
            if (tensor is null || weight is null || slot is null || !index.ContainsKey(weight))
                throw Invalid($"'{path}': the optimizer state names a weight the model does not train ('{weight}').");
            slots[tensor] = (weight, slot);
        }
        var shapes = trainable.ToDictionary(w => w.Path, w => w.Shape, StringComparer.Ordinal);
        Dictionary<string, float[]> values = new();
        if (slots.Count > 0)
        {
            var entry = zip.GetEntry(OptimizerEntry) ?? throw Invalid($"'{path}' lists optimizer slots but has no {OptimizerEntry}.");
            values = ReadTensors(entry, ExpectedHash(config, OptimizerEntry), path, tensors =>
            {
                foreach (var t in tensors)
                {
                    if (!slots.TryGetValue(t.Name, out var ws))
                        throw Invalid($"'{path}': {OptimizerEntry} holds '{t.Name}', which the optimizer state does not list.");
                    if (!t.Shape.SequenceEqual(shapes[ws.Weight]))
                        throw Invalid($"'{path}': optimizer slot '{t.Name}' is {Shapes.FormatTensor(t.Shape)} but weight '{ws.Weight}' is "
                        + $"{Shapes.FormatTensor(shapes[ws.Weight])}.");
                }
                var missing = slots.Keys.Except(tensors.Select(t => t.Name)).ToList();
                if (missing.Count > 0) throw Invalid($"'{path}': {OptimizerEntry} lacks {string.Join(", ", missing)}.");
            });
        }
        try
        {
            var reader = new ConfigReader(state);
            long iterations = reader.Long("iterations", 0);
            double? learningRate = reader.NullableDouble("learning_rate");
            if (iterations < 0) throw Invalid($"'{path}': the optimizer state says {iterations} steps were taken.");
            if (learningRate is not (> 0 and < double.PositiveInfinity) and not null)
                throw Invalid($"'{path}': the optimizer state has learning rate {learningRate}.");
            var variables = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var name in optimizer.StateVariableNames)
                if (reader.NullableDouble(name) is double v) variables[name] = v;
            var slotValues = slots.Select(kv => (index[kv.Value.Weight], kv.Value.Slot, values[kv.Key])).ToList();
            return () => optimizer.SetState(trainable, iterations, learningRate, variables, slotValues);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new KerasException("InvalidCheckpoint", ErrorKind.InvalidData,
                $"'{path}': the optimizer state holds a value of the wrong type ({e.Message}).", e);
        }
    }
}
