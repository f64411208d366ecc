namespace KerasPS.Engine.Layers;

/// <summary>
/// Registers a layer class under its Keras name (one line above the class): <see cref="LayerRegistry"/> finds every
/// class marked with it, and <see cref="Layer.ClassName"/> reads the name from it, so the name is written once.
/// The class turns its config back into a layer through <see cref="IKerasLayer{TSelf}.FromConfig"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class KerasLayerAttribute : Attribute
{
    public KerasLayerAttribute(string className) => ClassName = className;

    /// <summary>The Keras class name, e.g. <c>Dense</c>.</summary>
    public string ClassName { get; }

    /// <summary>The Keras module the class lives in, as Keras 3 writes it in a config's <c>module</c>.</summary>
    public string Module { get; init; } = "keras.layers";
}

/// <summary>
/// The inverse of <see cref="Layer.GetConfig"/>, next to the class it builds (Keras's <c>from_config</c>). Defaults for
/// absent keys are the class's own (the constants its constructor uses), so a config written by Keras, which always
/// holds every key, and an older KerasPS config, which may lack some, both read back.
/// </summary>
public interface IKerasLayer<TSelf> where TSelf : Layer, IKerasLayer<TSelf>
{
    static abstract TSelf FromConfig(ConfigReader config);
}
