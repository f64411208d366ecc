using KerasPS.Engine.Constraints;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Regularizers;
using KerasPS.Engine.Training;
using KerasPS.Engine.Training.Callbacks;
using KerasPS.Engine.Training.Optimizers;

namespace KerasPS.Engine;

/// <summary>
/// Keras 3's serialized form of a Keras object (<c>keras.saving.serialize_keras_object</c>): <c>{"module", "class_name",
/// "config", "registered_name"}</c>, the mapping between Keras's class names (<c>GlorotUniform</c>, <c>MaxNorm</c>)
/// and the snake-case names KerasPS takes at the prompt and wrote before (<c>glorot_uniform</c>, <c>max_norm</c>), and
/// the registry of each kind of object (layers have theirs in <see cref="Layers.LayerRegistry"/>).
/// </summary>
public static class KerasObjects
{
    private static readonly Lazy<KerasObjectRegistry<Optimizer>> LazyOptimizers = new(() => new("optimizer", "UnknownOptimizer"));
    private static readonly Lazy<KerasObjectRegistry<Loss>> LazyLosses = new(() => new("loss", "UnknownLoss"));
    private static readonly Lazy<KerasObjectRegistry<Metric>> LazyMetrics = new(() => new("metric", "UnknownMetric"));
    private static readonly Lazy<KerasObjectRegistry<Initializer>> LazyInitializers = new(() => new("initializer", "UnknownInitializer"));
    private static readonly Lazy<KerasObjectRegistry<Regularizer>> LazyRegularizers = new(() => new("regularizer", "UnknownRegularizer"));
    private static readonly Lazy<KerasObjectRegistry<Constraint>> LazyConstraints = new(() => new("constraint", "UnknownConstraint"));
    private static readonly Lazy<KerasObjectRegistry<Callback>> LazyCallbacks = new(() => new("callback", "UnknownCallback"));

    /// <summary>keras.optimizers: SGD, Adam, ...</summary>
    public static KerasObjectRegistry<Optimizer> Optimizers => LazyOptimizers.Value;

    /// <summary>keras.losses: CategoricalCrossentropy, MeanSquaredError, ...</summary>
    public static KerasObjectRegistry<Loss> Losses => LazyLosses.Value;

    /// <summary>keras.metrics: Accuracy, Precision, AUC, ... (each says whether higher is better).</summary>
    public static KerasObjectRegistry<Metric> Metrics => LazyMetrics.Value;

    /// <summary>keras.initializers: GlorotUniform, Zeros, ...</summary>
    public static KerasObjectRegistry<Initializer> Initializers => LazyInitializers.Value;

    /// <summary>keras.regularizers: L1L2.</summary>
    public static KerasObjectRegistry<Regularizer> Regularizers => LazyRegularizers.Value;

    /// <summary>keras.constraints: MaxNorm, NonNeg, UnitNorm, MinMaxNorm.</summary>
    public static KerasObjectRegistry<Constraint> Constraints => LazyConstraints.Value;

    /// <summary>keras.callbacks that a config can name: EarlyStopping, ReduceLROnPlateau, ...</summary>
    public static KerasObjectRegistry<Callback> Callbacks => LazyCallbacks.Value;

    /// <summary>The serialized form of an object of <paramref name="module"/> (say <c>keras.initializers</c>).</summary>
    public static Dictionary<string, object?> Serialize(string module, string className, Dictionary<string, object?> config) => new()
    {
        ["module"] = module,
        ["class_name"] = className,
        ["config"] = config,
        ["registered_name"] = null,
    };

    /// <summary><c>glorot_uniform</c> to <c>GlorotUniform</c>.</summary>
    public static string ToClassName(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    /// <summary><c>GlorotUniform</c> to <c>glorot_uniform</c>; a name already in snake case is returned lower-cased.</summary>
    public static string ToSnakeName(string className)
    {
        if (!className.Any(char.IsUpper)) return className.ToLowerInvariant();
        var b = new System.Text.StringBuilder();
        for (int i = 0; i < className.Length; i++)
        {
            if (char.IsUpper(className[i]) && i > 0 && className[i - 1] != '_') b.Append('_');
            b.Append(char.ToLowerInvariant(className[i]));
        }
        return b.ToString();
    }
}
