namespace KerasPS.Engine;

/// <summary>
/// Keras 3's serialized form of a Keras object (<c>keras.saving.serialize_keras_object</c>): <c>{"module", "class_name",
/// "config", "registered_name"}</c>, and the mapping between Keras's class names (<c>GlorotUniform</c>, <c>MaxNorm</c>)
/// and the snake-case names KerasPS takes at the prompt and wrote before (<c>glorot_uniform</c>, <c>max_norm</c>).
/// </summary>
public static class KerasObjects
{
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
