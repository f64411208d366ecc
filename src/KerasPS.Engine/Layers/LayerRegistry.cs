using System.Globalization;
using KerasPS.Engine.Constraints;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Layers.Activations;
using KerasPS.Engine.Layers.Convolution;
using KerasPS.Engine.Layers.Core;
using KerasPS.Engine.Layers.Normalization;
using KerasPS.Engine.Layers.Pooling;
using KerasPS.Engine.Layers.Regularization;
using KerasPS.Engine.Layers.Reshaping;
using KerasPS.Engine.Layers.Rnn;
using KerasPS.Engine.Regularizers;

namespace KerasPS.Engine.Layers;

/// <summary>Turns a Keras-style (class_name, config) pair back into a layer: the inverse of <see cref="Layer.GetConfig"/>.</summary>
public static class LayerRegistry
{
    private static readonly Dictionary<string, Func<ConfigReader, Layer>> Factories = new(StringComparer.Ordinal)
    {
        ["Dense"] = Dense.FromConfig,
        ["Activation"] = c => new ActivationLayer(c.String("activation")!, c.Name, c.InputShape),
        ["Dropout"] = c => new Dropout(c.Double("rate"), c.Name, c.InputShape),
        ["Flatten"] = c => new Flatten(c.Name, c.InputShape),
        ["Reshape"] = c => new Reshape(c.IntArray("target_shape")!, c.Name, c.InputShape),
        ["Permute"] = c => new Permute(c.IntArray("dims")!, c.Name, c.InputShape),
        ["RepeatVector"] = c => new RepeatVector(c.Int("n"), c.Name, c.InputShape),
        ["Lambda"] = c => Lambda.FromConfig(c, allowUnsafeCode: false),
        ["ActivityRegularization"] = c => new ActivityRegularization(c.Double("l1", 0), c.Double("l2", 0), c.Name, c.InputShape),
        ["LeakyReLU"] = c => new LeakyReLU(c.Double("negative_slope", 0.3), c.Name, c.InputShape),
        ["PReLU"] = c => new PReLU(Initializer.FromConfig(c.Raw("alpha_initializer") ?? "zeros"), c.IntArray("shared_axes"), c.Name, c.InputShape),
        ["ELU"] = c => new ELU(c.Double("alpha", 1.0), c.Name, c.InputShape),
        ["ReLU"] = c => new ReLU(c.NullableDouble("max_value"), c.Double("negative_slope", 0), c.Double("threshold", 0), c.Name, c.InputShape),
        ["Softmax"] = c => new Softmax(c.Int("axis", -1), c.Name, c.InputShape),
        ["BatchNormalization"] = c => new BatchNormalization(c.Double("momentum", 0.99), c.Double("epsilon", 1e-3), c.Bool("center", true), c.Bool("scale", true), c.Name, c.InputShape),
        ["LayerNormalization"] = c => new LayerNormalization(c.Double("epsilon", 1e-3), c.Bool("center", true), c.Bool("scale", true), c.Name, c.InputShape),
        ["GaussianNoise"] = c => new GaussianNoise(c.Double("stddev"), c.Name, c.InputShape),
        ["AlphaDropout"] = c => new AlphaDropout(c.Double("rate"), c.Name, c.InputShape),
        ["Conv1D"] = c => ConvBase.FromConfig(c, (f, k, s, p, d, df, o) => new Conv1D(f, k, s, p, d, df, o, c.Name, c.InputShape)),
        ["Conv2D"] = c => ConvBase.FromConfig(c, (f, k, s, p, d, df, o) => new Conv2D(f, k, s, p, d, df, o, c.Name, c.InputShape)),
        ["MaxPooling1D"] = c => PoolingBase.FromConfig(c, (k, s, p, df, n, i) => new MaxPooling1D(k, s, p, df, n, i)),
        ["MaxPooling2D"] = c => PoolingBase.FromConfig(c, (k, s, p, df, n, i) => new MaxPooling2D(k, s, p, df, n, i)),
        ["AveragePooling1D"] = c => PoolingBase.FromConfig(c, (k, s, p, df, n, i) => new AveragePooling1D(k, s, p, df, n, i)),
        ["AveragePooling2D"] = c => PoolingBase.FromConfig(c, (k, s, p, df, n, i) => new AveragePooling2D(k, s, p, df, n, i)),
        ["GlobalAveragePooling1D"] = c => new GlobalAveragePooling1D(c.String("data_format"), c.Bool("keepdims", false), c.Name, c.InputShape),
        ["GlobalAveragePooling2D"] = c => new GlobalAveragePooling2D(c.String("data_format"), c.Bool("keepdims", false), c.Name, c.InputShape),
        ["Embedding"] = c => new Embedding(c.Int("input_dim"), c.Int("output_dim"), Initializer.FromConfig(c.Raw("embeddings_initializer") ?? "random_uniform"),
            Regularizer.FromConfig(c.Raw("embeddings_regularizer")), Constraint.FromConfig(c.Raw("embeddings_constraint")), c.Name, c.InputShape),
        ["SimpleRNN"] = c => new SimpleRNN(c.Int("units"), c.String("activation"), c.Bool("use_bias", true), c.Bool("return_sequences", false), c.Bool("go_backwards", false),
            Initializer.FromConfig(c.Raw("kernel_initializer")), Initializer.FromConfig(c.Raw("recurrent_initializer") ?? "orthogonal"), Initializer.FromConfig(c.Raw("bias_initializer") ?? "zeros"), c.Name, c.InputShape),
        ["LSTM"] = c => new LSTM(c.Int("units"), c.String("activation"), c.String("recurrent_activation"), c.Bool("use_bias", true), c.Bool("return_sequences", false), c.Bool("go_backwards", false),
            c.Bool("unit_forget_bias", true), Initializer.FromConfig(c.Raw("kernel_initializer")), Initializer.FromConfig(c.Raw("recurrent_initializer") ?? "orthogonal"), Initializer.FromConfig(c.Raw("bias_initializer") ?? "zeros"), c.Name, c.InputShape),
        ["GRU"] = c => new GRU(c.Int("units"), c.String("activation"), c.String("recurrent_activation"), c.Bool("use_bias", true), c.Bool("return_sequences", false), c.Bool("go_backwards", false),
            c.Bool("reset_after", true), Initializer.FromConfig(c.Raw("kernel_initializer")), Initializer.FromConfig(c.Raw("recurrent_initializer") ?? "orthogonal"), Initializer.FromConfig(c.Raw("bias_initializer") ?? "zeros"), c.Name, c.InputShape),
    };

    /// <summary>Adds a layer class, so configs and checkpoints can name it.</summary>
    public static void Register(string className, Func<ConfigReader, Layer> factory) => Factories[className] = factory;

    /// <summary>
    /// Rebuilds a layer from its config. A layer that carries code (a script-block Lambda) is refused with
    /// <c>UnsafeLayerConfig</c> unless <paramref name="allowUnsafeCode"/> says the caller trusts the source.
    /// </summary>
    public static Layer FromConfig(string className, IDictionary<string, object?> config, bool allowUnsafeCode = false)
    {
        if (!Factories.TryGetValue(className, out var make))
            throw KerasException.BadData("UnknownLayerClass", $"Unknown layer class '{className}'. Known classes: {string.Join(", ", Factories.Keys.Order())}.", className);
        var reader = new ConfigReader(config);
        var layer = className == "Lambda" ? Lambda.FromConfig(reader, allowUnsafeCode) : make(reader);
        layer.Name = reader.Name ?? layer.Name;
        layer.Trainable = reader.Bool("trainable", true);
        return layer;
    }
}
