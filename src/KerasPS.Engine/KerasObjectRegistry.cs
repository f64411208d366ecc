using System.Collections.Frozen;
using System.Reflection;

namespace KerasPS.Engine;

/// <summary>
/// Registers a Keras object class (an optimizer, loss, metric, initializer, regularizer, constraint or callback) under
/// its Keras class name and the names a user types for it (Keras's <c>ALL_OBJECTS_DICT</c>: <c>SGD</c> and
/// <c>sgd</c>), one line above the class. <see cref="KerasObjectRegistry{TBase}"/> finds every class marked with it.
/// The class builds itself through <see cref="IKerasObject{TSelf}.FromConfig"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public class KerasObjectAttribute : Attribute
{
    public KerasObjectAttribute(string module, string className, params string[] aliases)
    {
        Module = module;
        ClassName = className;
        Aliases = aliases;
    }

    /// <summary>The Keras module, as Keras 3 writes it in a serialized object's <c>module</c> (<c>keras.optimizers</c>).</summary>
    public string Module { get; }

    /// <summary>The Keras class name (<c>GlorotUniform</c>, <c>SGD</c>).</summary>
    public string ClassName { get; }

    /// <summary>
    /// The names a user types at the prompt (<c>glorot_uniform</c>, <c>sgd</c>), the first being the name KerasPS writes
    /// and shows; completers list them in this order.
    /// </summary>
    public IReadOnlyList<string> Aliases { get; }
}

/// <summary>
/// Registers a metric (<c>keras.metrics</c>): besides its names, it says which way it improves (Keras's metric
/// <c>_direction</c>), which is what a monitor's "auto" mode reads.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class KerasMetricAttribute : KerasObjectAttribute
{
    public KerasMetricAttribute(string className, bool higherIsBetter, params string[] aliases)
        : base("keras.metrics", className, aliases) => HigherIsBetter = higherIsBetter;

    /// <summary>True for accuracies, AUC, precision and recall; false for errors.</summary>
    public bool HigherIsBetter { get; }

    /// <summary>The Keras options the metric takes besides its name (Precision's <c>thresholds</c>, ...), for New-Metric.</summary>
    public string[] Options { get; set; } = Array.Empty<string>();
}

/// <summary>
/// The inverse of an object's config, next to the class it builds (Keras's <c>from_config</c>). Absent keys take the
/// class's defaults (its public constants), so a config written by Keras and a bare name both read back.
/// </summary>
public interface IKerasObject<TSelf> where TSelf : IKerasObject<TSelf>
{
    static abstract TSelf FromConfig(ConfigReader config);

    /// <summary>
    /// The object a bare name gives (<c>sgd</c>, <c>l2</c>): by default the config with every key absent. A class whose
    /// names mean different settings (the regularizer's l1, l2, l1_l2) gives its own.
    /// </summary>
    static virtual TSelf FromName(string name) => TSelf.FromConfig(new ConfigReader(new Dictionary<string, object?>()));
}

/// <summary>One registered class: its type, its registration and how it builds itself.</summary>
public sealed class KerasObjectEntry<TBase> where TBase : class
{
    internal KerasObjectEntry(Type type, KerasObjectAttribute attribute, Func<ConfigReader, TBase> fromConfig, Func<string, TBase> fromName)
    {
        Type = type;
        Attribute = attribute;
        FromConfig = fromConfig;
        FromName = fromName;
    }

    public Type Type { get; }
    public KerasObjectAttribute Attribute { get; }
    public string ClassName => Attribute.ClassName;
    public string Module => Attribute.Module;
    public IReadOnlyList<string> Aliases => Attribute.Aliases;

    /// <summary>The name KerasPS shows and writes: the first alias, or the class name.</summary>
    public string Name => Aliases.Count > 0 ? Aliases[0] : ClassName;

    public Func<ConfigReader, TBase> FromConfig { get; }
    public Func<string, TBase> FromName { get; }
}

/// <summary>
/// The classes of one kind of Keras object (every class deriving from <typeparamref name="TBase"/> marked
/// <see cref="KerasObjectAttribute"/>), found by reflection as <see cref="Layers.LayerRegistry"/> finds layers, and
/// the one way to build one from a name or a config (Keras's <c>deserialize_keras_object</c>). Names resolve by Keras
/// class name (<c>GlorotUniform</c>), by alias whatever the case (<c>glorot_uniform</c>, <c>GLOROT_UNIFORM</c>) and by
/// the snake form of a class name. The instances live in <see cref="KerasObjects"/>.
/// </summary>
public sealed class KerasObjectRegistry<TBase> where TBase : class
{
    private readonly FrozenDictionary<string, KerasObjectEntry<TBase>> byClassName;
    private readonly FrozenDictionary<string, KerasObjectEntry<TBase>> byAlias;
    private readonly FrozenDictionary<Type, KerasObjectEntry<TBase>> byType;

    /// <param name="what">The kind in messages (optimizer, loss, ...).</param>
    /// <param name="unknownId">The error id of an unknown name (UnknownOptimizer, ...).</param>
    public KerasObjectRegistry(string what, string unknownId)
    {
        What = what;
        UnknownId = unknownId;
        Entries = Discover();
        byClassName = Entries.ToFrozenDictionary(e => e.ClassName, StringComparer.Ordinal);
        byType = Entries.ToFrozenDictionary(e => e.Type);
        var aliases = new Dictionary<string, KerasObjectEntry<TBase>>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in Entries)
            foreach (var a in e.Aliases.Append(KerasObjects.ToSnakeName(e.ClassName)))
                if (aliases.TryGetValue(a, out var other) && other != e)
                    throw new InvalidOperationException(
                        $"The {what} name '{a}' is registered by both {other.Type.Name} and {e.Type.Name}.");
                else aliases[a] = e;
        byAlias = aliases.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        Names = Entries.SelectMany(e => e.Aliases).ToArray();
    }

    public string What { get; }
    public string UnknownId { get; }

    /// <summary>Every registered class, in declaration order.</summary>
    public IReadOnlyList<KerasObjectEntry<TBase>> Entries { get; }

    /// <summary>The names a user types (every alias, in declaration order): completers and "Valid names" read them.</summary>
    public IReadOnlyList<string> Names { get; }

    private List<KerasObjectEntry<TBase>> Discover()
    {
        var make = typeof(KerasObjectRegistry<TBase>).GetMethod(nameof(Factories), BindingFlags.NonPublic | BindingFlags.Static)!;
        var found = new List<KerasObjectEntry<TBase>>();
        var classNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in typeof(TBase).Assembly.GetTypes())
        {
            if (!typeof(TBase).IsAssignableFrom(type) || type.GetCustomAttribute<KerasObjectAttribute>(inherit: false) is not { } attribute)
                continue;
            var contract = typeof(IKerasObject<>).MakeGenericType(type);
            if (type.IsAbstract || !contract.IsAssignableFrom(type))
                throw new InvalidOperationException(
                    $"{type.FullName} is marked [KerasObject] but does not implement IKerasObject<{type.Name}>.");
            if (!classNames.Add(attribute.ClassName))
                throw new InvalidOperationException($"Two {What} classes are registered as '{attribute.ClassName}'.");
            var (fromConfig, fromName) = ((Func<ConfigReader, TBase>, Func<string, TBase>))make.MakeGenericMethod(type).Invoke(null, null)!;
            found.Add(new KerasObjectEntry<TBase>(type, attribute, fromConfig, fromName));
        }
        return found;
    }

    private static (Func<ConfigReader, TBase>, Func<string, TBase>) Factories<T>() where T : class, TBase, IKerasObject<T> =>
        (c => T.FromConfig(c), n => T.FromName(n));

    /// <summary>The entry a name resolves to, or null.</summary>
    public KerasObjectEntry<TBase>? Find(string? name)
    {
        var key = (name ?? "").Trim();
        if (key.Length == 0) return null;
        if (byClassName.TryGetValue(key, out var e) || byAlias.TryGetValue(key, out e)) return e;
        return byAlias.GetValueOrDefault(KerasObjects.ToSnakeName(key));
    }

    /// <summary>The entry a name resolves to; an unknown name is the kind's Unknown* error listing the valid names.</summary>
    public KerasObjectEntry<TBase> Get(string? name) => Find(name) ?? throw Unknown(name);

    /// <summary>The entry registered for a class, or null.</summary>
    public KerasObjectEntry<TBase>? EntryOf(Type type) => byType.GetValueOrDefault(type);

    /// <summary>
    /// The registration of an object's own class: its names and module, for the base classes' <c>Name</c> and
    /// serialized form. Every concrete class of the kind is registered, so a missing entry is a programming error.
    /// </summary>
    public KerasObjectEntry<TBase> EntryFor(TBase obj) => EntryOf(obj.GetType())
        ?? throw new InvalidOperationException($"{obj.GetType().FullName} has no [KerasObject] registration.");

    /// <summary>The object a bare name gives, with the class's defaults.</summary>
    public TBase Create(string? name)
    {
        var entry = Get(name);
        return entry.FromName(name!.Trim());
    }

    /// <summary>Builds an object of the named class from its config (a dictionary in Keras's key names).</summary>
    public TBase FromConfig(string? name, IDictionary<string, object?> config) => Get(name).FromConfig(new ConfigReader(config));

    /// <summary>
    /// Builds an object from any of Keras's serialized forms: a name, or <c>{"class_name", "config"}</c> (with or without
    /// <c>module</c> and <c>registered_name</c>).
    /// </summary>
    public TBase Deserialize(object? serialized)
    {
        if (serialized is string s) return Create(s);
        if (serialized is not IDictionary<string, object?> d || !d.TryGetValue("class_name", out var cn) || cn is not string className)
            throw KerasException.BadData("Invalid" + KerasObjects.ToClassName(What.Replace(' ', '_')) + "Config",
                $"A serialized {What} must be a name or an object with a class_name.");
        var config = d.TryGetValue("config", out var c) && c is IDictionary<string, object?> cd ? cd : new Dictionary<string, object?>();
        return FromConfig(className, config);
    }

    public KerasException Unknown(string? name) =>
        KerasException.BadArgument(UnknownId, $"Unknown {What} '{name}'. Valid names: {string.Join(", ", Names)}.", name);
}
