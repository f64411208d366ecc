using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Layers;

/// <summary>keras.layers.Dense: <c>activation(x @ kernel + bias)</c> on the last axis; kernel is (in, out) as in Keras.</summary>
public sealed class Dense : Layer, IActivationHead
{
    private Weight? kernel, bias;

    public Dense(int units, string? activation = null, bool useBias = true, string? name = null, int[]? inputShape = null,
        object? kernelInitializer = null, object? biasInitializer = null)
        : base(name, inputShape)
    {
        if (units <= 0)
            throw KerasException.BadArgument("InvalidUnits", $"Dense units must be a positive integer. Received: units={units}.", units);
        Units = units;
        Activation = Activations.Normalize(activation);
        UseBias = useBias;
        KernelInitializer = Initializer.From(kernelInitializer, "glorot_uniform");
        BiasInitializer = Initializer.From(biasInitializer, "zeros");
    }

    public override string ClassName => "Dense";
    public int Units { get; }
    public string Activation { get; }
    public bool UseBias { get; }
    public Initializer KernelInitializer { get; }
    public Initializer BiasInitializer { get; }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var r = (int[])inputShape.Clone();
        r[^1] = Units;
        return r;
    }

    protected override void BuildCore(int[] inputShape, MersenneTwister rng)
    {
        kernel = AddWeight("kernel", new[] { inputShape[^1], Units }, KernelInitializer, rng);
        bias = UseBias ? AddWeight("bias", new[] { Units }, BiasInitializer, rng) : null;
    }

    public Tensor ForwardWithoutActivation(Tensor x, bool training)
    {
        if (x.dim() == 2)
            return bias is null ? x.matmul(kernel!.Value) : torch.addmm(bias.Value, x, kernel!.Value, 1f, 1f);
        var y = x.matmul(kernel!.Value);
        return bias is null ? y : y.add_(bias.Value);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var y = ForwardWithoutActivation(x, training);
        return Activation switch
        {
            "linear" => y,
            "relu" => y.relu_(),   // in place: the matmul's output is not needed by its backward
            _ => Activations.Apply(Activation, y),
        };
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["units"] = Units;
        c["activation"] = Activation;
        c["use_bias"] = UseBias;
        c["kernel_initializer"] = KernelInitializer.GetConfig();
        c["bias_initializer"] = BiasInitializer.GetConfig();
    }

    public override string? Details => Activation == "linear" ? null : $"activation={Activation}";
}
