using static TorchSharp.torch;

namespace KerasPS.Engine.Layers.Core;

/// <summary>
/// keras.layers.Masking: marks the timesteps whose features all equal <c>mask_value</c> as padding. The output is the
/// input with those timesteps set to 0, and it carries a mask (batch, steps), true where any feature differs from
/// mask_value, that the layers after it read: recurrent layers skip the masked steps, GlobalAveragePooling1D and
/// attention leave them out, and a sequence-shaped model output gives them no weight in the loss. It has no ONNX form
/// (the exporter refuses it by name, <c>OnnxUnsupportedLayer</c>): ONNX has no mask beside a tensor, and the layers after
/// it would compute something else without one.
/// </summary>
[KerasLayer("Masking")]
public sealed class Masking : Layer, IKerasLayer<Masking>
{
    /// <summary>Keras's default mask_value.</summary>
    public const double DefaultMaskValue = 0.0;

    public Masking(double maskValue = DefaultMaskValue, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (double.IsNaN(maskValue))
            throw KerasException.BadArgument("InvalidMaskValue",
                "Masking mask_value must be a number; NaN never equals a feature, so nothing would be masked. Received: mask_value=NaN.",
                maskValue);
        MaskValue = maskValue;
    }

    public double MaskValue { get; }

    public override bool SupportsMasking => true;

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (inputShape.Length < 1)
            throw KerasException.BadArgument("InvalidInputShape",
                $"Masking takes inputs (batch, steps, features); received {Shapes.Format(inputShape)}.", inputShape);
        return (int[])inputShape.Clone();
    }

    /// <summary>Keras's <c>any(inputs != mask_value, axis=-1)</c>.</summary>
    public override Tensor? ComputeMask(Tensor input, Tensor? mask) => input.ne(Scalars.Of(MaskValue)).any(-1);

    public override Tensor Forward(Tensor x, bool training)
    {
        var keep = x.ne(Scalars.Of(MaskValue)).any(-1, keepdim: true);
        return where(keep, x, zeros_like(x));
    }

    protected override void WriteConfig(IDictionary<string, object?> c) => c["mask_value"] = MaskValue;

    public static Masking FromConfig(ConfigReader c) => new(c.Double("mask_value", DefaultMaskValue), c.Name, c.InputShape);

    public override string? Details => $"mask_value={F(MaskValue)}";
}
