using static TorchSharp.torch;
using KerasPS.Engine.Onnx;

namespace KerasPS.Engine.Layers.Core;

/// <summary>
/// keras.layers.InputLayer: where a functional model's input enters (Keras's <c>Input</c> makes one). It has no weights;
/// its output is the value given for it. <c>dtype</c> is the kind of value the input takes (float32, int64, string).
/// </summary>
[KerasLayer("InputLayer")]
public sealed class InputLayer : Layer, IKerasLayer<InputLayer>, IOnnxIdentity
{
    public const string DefaultDType = "float32";

    /// <summary>The dtypes an input may declare.</summary>
    public static readonly IReadOnlyList<string> DTypes = new[] { "float32", "int32", "int64", "string" };

    public InputLayer(int[] shape, string? name = null, string dtype = DefaultDType) : base(name, shape)
    {
        if (shape is null || shape.Length == 0)
            throw KerasException.BadArgument("InvalidInputShape",
                "An input needs a shape without the batch axis, for example -Shape 93 or -Shape 28,28,1.");
        if (!DTypes.Contains(dtype))
            throw KerasException.BadArgument("InvalidDType", $"Unknown input dtype '{dtype}'. Valid dtypes: {string.Join(", ", DTypes)}.",
                dtype);
        if (dtype == "string" && (shape.Length != 1 || shape[0] != 1))
            throw KerasException.BadArgument("StringInputShape",
                $"A string input takes one string per row: its shape is (1,), as keras.Input(shape=(1,), dtype='string'). "
                    + $"Received shape {Shapes.Format(shape)}; leave out -Shape or give -Shape 1, one input per text column.",
                Shapes.Format(shape));
        DType = dtype;
    }

    public string DType { get; }

    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;
    public override Tensor Forward(Tensor x, bool training) => x;

    protected override void WriteConfig(IDictionary<string, object?> config)
    {
        config.Remove("input_shape");
        config.Remove("trainable");
        config["batch_shape"] = new object?[] { null }.Concat(DeclaredInputShape!.Cast<object?>()).ToList();
        config["dtype"] = DType;
        config["sparse"] = false;
    }

    /// <summary>Keras 3 writes <c>batch_shape</c>, Keras 2 <c>batch_input_shape</c>; both lead with the batch axis.</summary>
    public static InputLayer FromConfig(ConfigReader c)
    {
        var raw = c.Raw("batch_shape") is List<object?> b ? b : c.Raw("batch_input_shape") as List<object?>;
        int[] shape = raw is { Count: > 1 }
            ? raw.Skip(1).Select(d => d is null
                ? throw KerasException.BadData("InvalidModelConfig",
                    $"Input '{c.Name}' has a dimension of unknown size; KerasPS needs every size but the batch's.")
                : Convert.ToInt32(d, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : raw is { Count: 1 } && c.String("dtype") == "string" ? new[] { 1 }   // keras.Input(shape=(), dtype="string")
            : c.InputShape ?? throw KerasException.BadData("InvalidModelConfig", $"Input '{c.Name}' has no batch_shape.");
        var dtype = c.String("dtype") ?? DefaultDType;
        return new InputLayer(shape, c.Name, DTypes.Contains(dtype) ? dtype : DefaultDType);
    }
}
