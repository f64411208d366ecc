using TorchSharp;
using static TorchSharp.torch;
using KerasPS.Engine.Activations;
using KerasPS.Engine.Onnx;
using static KerasPS.Engine.Onnx.OnnxLowering;

namespace KerasPS.Engine.Layers.Core;

/// <summary>
/// keras.layers.Dense: <c>activation(x @ kernel + bias)</c> on the last axis; kernel is (in, out) as in Keras.
/// Regularizers add to the training loss; constraints project the weights after each optimizer step.
/// </summary>
[KerasLayer("Dense")]
public sealed class Dense : KernelLayer, IKerasLayer<Dense>, IOnnxSingleLowering
{
    /// <summary>Keras 3 supports masking here: the input's mask passes to the output unchanged.</summary>
    public override bool SupportsMasking => true;

    public Dense(int units, KernelOptions? options = null, string? name = null, int[]? inputShape = null)
        : base(options, name, inputShape)
    {
        if (units <= 0)
            throw KerasException.BadArgument("InvalidUnits", $"Dense units must be a positive integer. Received: units={units}.", units);
        Units = units;
    }

    public int Units { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var r = (int[])inputShape.Clone();
        r[^1] = Units;
        return r;
    }

    protected override void BuildCore(int[] inputShape, MersenneTwister rng) =>
        AddKernelAndBias(new[] { inputShape[^1], Units }, Units, rng);

    /// <summary>x @ kernel + bias on the last axis.</summary>
    private Tensor Affine(Tensor x)
    {
        if (InputShape is { Length: 1 } || (InputShape is null && x.dim() == 2))   // rank known from the build: no native call
            return Bias is null ? x.matmul(Kernel!.Value) : torch.addmm(Bias.Value, x, Kernel!.Value, 1f, 1f);
        var y = x.matmul(Kernel!.Value);
        return Bias is null ? y : y.PlusInPlace(Bias.Value);
    }

    public override Tensor ForwardWithoutActivation(Tensor x, bool training)
    {
        var y = Affine(x);
        ObserveBeforeActivation(y);
        return y;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var y = Affine(x);
        return ObserveActivity(Activation switch
        {
            "linear" => y,
            "relu" => y.relu_(),   // in place: the matmul's output is not needed by its backward
            _ => ActivationFunctions.Apply(Activation, y),
        });
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["units"] = Units;
        WriteKernelConfig(c);
    }

    public static Dense FromConfig(ConfigReader c) => new(c.Int("units"), KernelOptions.FromConfig(c), c.Name, c.InputShape);

    public override string? Details => DetailText.Join(new[]
    {
        Activation == "linear" ? null : $"activation={Activation}",
        UseBias ? null : "use_bias=False",
    }.Concat(RuleDetails()).ToArray());

    /// <summary>MatMul with the (in, out) kernel, Add the bias, then the activation.</summary>
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph g, string x)
    {
        var y = g.Op("MatMul", new[] { x, g.Constant(WeightOf(this, "kernel")) });
        if (OptionalWeightOf(this, "bias") is { } b) y = g.Op("Add", new[] { y, g.Constant(b) });
        return OnnxActivations.Apply(g, Activation, y);
    }
}
