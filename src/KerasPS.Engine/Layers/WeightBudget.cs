namespace KerasPS.Engine.Layers;

/// <summary>
/// Limits, on one thread and while open, the weights that layers may create: every weight must be one of an expected
/// set with exactly its expected shape (a checkpoint's <c>model.safetensors</c>), or, without names, all weights
/// together may hold at most a number of values. <see cref="Layer"/> asks before it allocates anything, so a config
/// that describes a model larger than its file (a 1 KB checkpoint saying <c>units = 200000000</c>) is refused
/// with the error the opener chose, without the gigabytes being allocated first.
/// </summary>
public sealed class WeightBudget : IDisposable
{
    [ThreadStatic] private static WeightBudget? current;
    [ThreadStatic] private static string? scope;   // "trunk/" while a nested model's layers are built from its config

    private readonly IReadOnlyDictionary<string, long[]>? expected;
    private readonly long maxValues;
    private readonly Func<string, KerasException> refuse;
    private readonly WeightBudget? outer;
    private readonly Dictionary<string, long> created = new(StringComparer.Ordinal);

    private WeightBudget(IReadOnlyDictionary<string, long[]>? expected, long maxValues, Func<string, KerasException> refuse)
    {
        this.expected = expected;
        this.maxValues = maxValues;
        this.refuse = refuse;
        outer = current;
        current = this;
    }

    /// <summary>Only the weights named in <paramref name="expected"/> (<c>layer/weight</c>), each with exactly that shape.</summary>
    public static WeightBudget Exactly(IReadOnlyDictionary<string, long[]> expected, Func<string, KerasException> refuse) =>
        new(expected, expected.Values.Sum(Count), refuse);

    /// <summary>Any weights, holding at most <paramref name="maxValues"/> values together.</summary>
    public static WeightBudget AtMost(long maxValues, Func<string, KerasException> refuse) => new(null, maxValues, refuse);

    /// <summary>Throws the opener's error when the open budget (if any) does not allow this weight; allocates nothing.</summary>
    internal static void Check(Layer layer, string name, IReadOnlyList<int> shape) =>
        current?.Admit($"{scope}{layer.ScopedName}/{name}", shape);

    /// <summary>
    /// While open, weights are checked under a nested model's name (<c>trunk/dense/kernel</c>, as it saves them): its layers
    /// are built from its config before the nested-model layer that names them exists.
    /// </summary>
    internal static IDisposable Scope(string name) => new ScopeFrame(name);

    private sealed class ScopeFrame : IDisposable
    {
        private readonly string? outer = scope;
        public ScopeFrame(string name) => scope = $"{outer}{name}/";
        public void Dispose() => scope = outer;
    }

    /// <summary>
    /// Values a layer may allocate to find its output shape by running itself (a Lambda on a zero batch): the weights'
    /// own total, or 16M values (64 MB of float32), whichever is more.
    /// </summary>
    public long ProbeLimit => Math.Max(maxValues, 1L << 24);

    /// <summary>Throws the opener's error when a probe input of this shape (batch axis included) exceeds
    /// <see cref="ProbeLimit"/>.</summary>
    internal static void CheckProbe(Layer layer, IReadOnlyList<long> shape)
    {
        if (current is not { } budget) return;
        var dims = shape.ToArray();
        long count = Count(dims);
        if (count < 0 || count > budget.ProbeLimit)
            throw budget.refuse($"layer '{layer.Name}' would run on a zero input {Format(dims)} to find its output shape, "
                + $"more than the {budget.ProbeLimit} values allowed while loading");
    }

    private void Admit(string path, IReadOnlyList<int> shape)
    {
        var dims = shape.Select(d => (long)d).ToArray();
        if (dims.Any(d => d < 0)) throw refuse($"weight '{path}' would have a negative size {Format(dims)}");
        if (expected is not null)
        {
            if (!expected.TryGetValue(path, out var want))
                throw refuse($"weight '{path}' would be created as {Format(dims)}, but the weights file does not hold it");
            if (!want.SequenceEqual(dims))
                throw refuse($"weight '{path}' would be {Format(dims)}, but the weights file holds it as {Format(want)}");
        }
        long count = Count(dims);   // saturates instead of overflowing
        created.TryGetValue(path, out long before);   // a layer rebuilt replaces its weight; it does not add one
        long total = created.Values.Sum() - before + count;
        if (count < 0 || total > maxValues)
            throw refuse($"weight '{path}' {Format(dims)} would take the model past the {maxValues} values the weights file holds");
        created[path] = count;
    }

    private static long Count(long[] dims)
    {
        long n = 1;
        foreach (var d in dims)
        {
            if (d != 0 && n > long.MaxValue / d) return -1;
            n *= d;
        }
        return n;
    }

    private static string Format(long[] shape) => "(" + string.Join(", ", shape) + ")";

    public void Dispose()
    {
        if (current == this) current = outer;
    }
}
