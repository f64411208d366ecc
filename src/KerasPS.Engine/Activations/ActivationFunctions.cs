using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace KerasPS.Engine.Activations;

/// <summary>Keras's named activations (keras.activations), applied to the last axis where it matters.</summary>
public static class ActivationFunctions
{
    private static readonly Dictionary<string, Func<Tensor, Tensor>> Table = new(StringComparer.OrdinalIgnoreCase)
    {
        ["linear"] = x => x.alias(),
        ["relu"] = x => F.relu(x),
        ["relu6"] = x => F.relu6(x),
        ["sigmoid"] = x => x.sigmoid(),
        ["tanh"] = x => x.tanh(),
        ["softmax"] = x => x.softmax(-1),
        ["log_softmax"] = x => x.log_softmax(-1),
        ["elu"] = x => x.elu(Scalars.Of(1.0), Scalars.Of(1.0), Scalars.Of(1.0)),   // F.elu(x, 1.0) with kept Scalars
        ["selu"] = x => F.selu(x),
        ["softplus"] = x => F.softplus(x, 1.0, 20.0),
        ["softsign"] = x => x.div(x.abs().add(Scalars.One, Scalars.One)),   // F.softsign, x / (1 + |x|), with kept Scalars
        ["gelu"] = x => F.gelu(x),
        ["swish"] = x => F.silu(x),
        ["silu"] = x => F.silu(x),
        ["leaky_relu"] = x => x.leaky_relu(Scalars.Of(0.2)),   // Keras 3's default negative_slope
        ["hard_sigmoid"] = x => F.hardsigmoid(x),    // Keras 3: relu6(x + 3) / 6
        // Keras 1 and 2's hard_sigmoid, clip(0.2x + 0.5, 0, 1): what a Keras 1/2 file's "hard_sigmoid" means.
        ["hard_sigmoid_keras2"] = x => x.mul(Scalars.Of(0.2)).Plus(0.5).clamp(Scalars.Zero, Scalars.One),
        ["hard_silu"] = x => F.hardswish(x),
        ["hard_swish"] = x => F.hardswish(x),
        ["mish"] = x => F.mish(x),
        ["exponential"] = x => x.exp(),
    };

    /// <summary>Every valid name, for completion and error messages.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Keys.ToArray();

    /// <summary>Checks a name and returns its canonical lower-case form; <c>null</c> or empty means linear.</summary>
    public static string Normalize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "linear";
        var key = name.Trim();
        if (!Table.ContainsKey(key))
            throw KerasException.BadArgument("UnknownActivation",
                $"Unknown activation '{name}'. Valid names: {string.Join(", ", Names)}.", name);
        return key.ToLowerInvariant();
    }

    public static Tensor Apply(string name, Tensor x) => Table[name](x);
}
