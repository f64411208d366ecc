using System.Collections.Frozen;
using System.Reflection;

namespace KerasPS.Engine.Layers;

/// <summary>
/// Turns a Keras-style (class_name, config) pair back into a layer: the inverse of <see cref="Layer.GetConfig"/>. The
/// table is every engine class marked <see cref="KerasLayerAttribute"/>; each builds itself through its own
/// <see cref="IKerasLayer{TSelf}.FromConfig"/>, so nothing here knows a constructor.
/// </summary>
public static class LayerRegistry
{
    private static readonly FrozenDictionary<string, (Type Type, Func<ConfigReader, Layer> FromConfig)> Classes = Discover();

    private static FrozenDictionary<string, (Type, Func<ConfigReader, Layer>)> Discover()
    {
        var make = typeof(LayerRegistry).GetMethod(nameof(Factory), BindingFlags.NonPublic | BindingFlags.Static)!;
        var table = new Dictionary<string, (Type, Func<ConfigReader, Layer>)>(StringComparer.Ordinal);
        foreach (var type in typeof(LayerRegistry).Assembly.GetTypes())
        {
            if (type.GetCustomAttribute<KerasLayerAttribute>() is not { } attribute) continue;
            var contract = typeof(IKerasLayer<>).MakeGenericType(type);
            if (type.IsAbstract || !contract.IsAssignableFrom(type))
                throw new InvalidOperationException($"Layer class {type.FullName} is marked [KerasLayer] but does not implement "
                    + $"IKerasLayer<{type.Name}>.");
            if (!table.TryAdd(attribute.ClassName, (type, (Func<ConfigReader, Layer>)make.MakeGenericMethod(type).Invoke(null, null)!)))
                throw new InvalidOperationException($"Two layer classes are registered as '{attribute.ClassName}'.");
        }
        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static Func<ConfigReader, Layer> Factory<T>() where T : Layer, IKerasLayer<T> => c => T.FromConfig(c);

    /// <summary>The Keras class names configs and checkpoints may name, in order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Classes.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The engine class registered under a Keras class name, or null.</summary>
    public static Type? TypeOf(string className) => Classes.TryGetValue(className, out var entry) ? entry.Type : null;

    /// <summary>
    /// Rebuilds a layer from its config. A layer that carries code (a script-block Lambda) is refused with
    /// <c>UnsafeLayerConfig</c> unless <paramref name="allowUnsafeCode"/> says the caller trusts the source.
    /// </summary>
    public static Layer FromConfig(string className, IDictionary<string, object?> config, bool allowUnsafeCode = false)
    {
        if (!Classes.TryGetValue(className, out var entry))
            throw KerasException.BadData("UnknownLayerClass",
                $"Unknown layer class '{className}'. Known classes: {string.Join(", ", ClassNames)}.", className);
        var reader = new ConfigReader(config) { AllowUnsafeCode = allowUnsafeCode };
        var layer = entry.FromConfig(reader);
        layer.Name = reader.Name ?? layer.Name;
        layer.Trainable = reader.Bool("trainable", true);
        return layer;
    }

    /// <summary>
    /// Rebuilds a layer from Keras 3's serialized form: <c>{"module", "class_name", "config", "registered_name"}</c>
    /// (the form <see cref="Layer.Serialize"/> writes; <c>module</c> and <c>registered_name</c> may be absent).
    /// </summary>
    public static Layer Deserialize(IDictionary<string, object?> serialized, bool allowUnsafeCode = false)
    {
        if (serialized.TryGetValue("class_name", out var c) is false || c is not string className)
            throw KerasException.BadData("InvalidLayerConfig", "A serialized layer has no class_name.");
        if (!serialized.TryGetValue("config", out var cfg) || cfg is not IDictionary<string, object?> config)
            throw KerasException.BadData("InvalidLayerConfig", $"The serialized {className} layer has no config object.", className);
        return FromConfig(className, config, allowUnsafeCode);
    }
}
