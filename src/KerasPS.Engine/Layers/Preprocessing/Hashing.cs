using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>
/// keras.layers.Hashing: every value goes to one of <c>num_bins</c> bins by a stable hash of its text, as Keras does it
/// through TensorFlow: a number is cast to a 64-bit integer (toward zero) and hashed as its decimal text, a string as its
/// UTF-8 bytes; the hash is FarmHash Fingerprint64, or SipHash-2-4 keyed by the two <c>salt</c> words when a salt is
/// given; the bin is the hash modulo the bins. With a <c>mask_value</c>, bin 0 is kept for it and the others shift up
/// by one. The bins are then encoded as <c>int</c>, <c>one_hot</c>, <c>multi_hot</c> or <c>count</c>. No weights.
/// </summary>
/// <remarks>
/// The hash runs on the CPU (as Keras runs it, under <c>tf.device("CPU:0")</c>). ONNX has no FarmHash or SipHash
/// operator, so the exporter refuses the layer by name. <see cref="HashString"/> hashes a raw string with the
/// layer's settings, for string columns fed to the model.
/// </remarks>
[KerasLayer("Hashing")]
public sealed class Hashing : Layer, IKerasLayer<Hashing>
{
    public Hashing(int numBins, object? maskValue = null, ulong[]? salt = null, string outputMode = CategoricalOutput.Int,
        string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        if (numBins <= 0)
            throw KerasException.BadArgument("InvalidNumBins",
                $"The num_bins for Hashing cannot be non-positive. Received: num_bins={numBins}.", numBins);
        if (salt is not null && salt.Length == 1) salt = new[] { salt[0], salt[0] };
        if (salt is not null && salt.Length != 2)
            throw KerasException.BadArgument("InvalidSalt",
                $"The salt for Hashing is one integer or two. Received {salt.Length} values.", salt);
        maskValue = maskValue switch
        {
            null or string => maskValue,
            IConvertible n => Convert.ToDouble(n, CultureInfo.InvariantCulture),
            _ => throw KerasException.BadArgument("InvalidMaskValue",
                $"The mask_value for Hashing is a number or a string. Received a {maskValue.GetType().Name}."),
        };
        NumBins = numBins;
        MaskValue = maskValue;
        Salt = salt;
        OutputMode = CategoricalOutput.CheckMode(outputMode, "Hashing", CategoricalOutput.Int, CategoricalOutput.OneHot,
            CategoricalOutput.MultiHot, CategoricalOutput.Count);
    }

    public static Hashing FromConfig(ConfigReader c)
    {
        c.RequireDefault("sparse", false, "Hashing");
        // Read as text, not through double: a salt word may be any 64-bit unsigned integer.
        var salt = c.StringArray("salt")?.Select(v => ulong.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var w)
            ? w : throw KerasException.BadData("InvalidSalt", $"A Hashing salt word must be an unsigned integer. Received: {v}.", v))
            .ToArray();
        var mask = c.Raw("mask_value");
        if (mask is not null and not string) mask = c.Double("mask_value");
        return new(c.Int("num_bins"), mask, salt, c.String("output_mode") ?? CategoricalOutput.Int, c.Name, c.InputShape);
    }

    public int NumBins { get; }

    /// <summary>The value that goes to bin 0 (a number, a string, or null for no mask).</summary>
    public object? MaskValue { get; }

    /// <summary>The SipHash key (two words), or null for FarmHash Fingerprint64.</summary>
    public IReadOnlyList<ulong>? Salt { get; }
    public string OutputMode { get; }

    /// <summary>The bin of a string under this layer's settings (Keras's Hashing on a string input).</summary>
    public long HashString(string value) => Bin(value, MaskValue is string m && m == value);

    /// <summary>The bin of a number: the decimal text of its 64-bit integer (toward zero) is hashed, as TensorFlow does.</summary>
    public long HashNumber(double value)
    {
        bool masked = MaskValue is double m && value == m;
        long whole = double.IsNaN(value) ? 0 : (long)Math.Clamp(Math.Truncate(value), long.MinValue, long.MaxValue);
        var text = whole.ToString(CultureInfo.InvariantCulture);
        return Bin(text, masked || (MaskValue is string s && s == text));
    }

    private long Bin(string text, bool masked)
    {
        bool hasMask = MaskValue is not null && NumBins > 1;
        if (hasMask && masked) return 0;
        ulong bins = (ulong)(hasMask ? NumBins - 1 : NumBins);
        var bytes = Encoding.UTF8.GetBytes(text);
        ulong hash = Salt is null ? StableHash.Fingerprint64(bytes) : StableHash.SipHash64(Salt[0], Salt[1], bytes);
        return (long)(hash % bins) + (hasMask ? 1 : 0);
    }

    public override int[] ComputeOutputShape(int[] inputShape) => CategoricalOutput.Shape(inputShape, OutputMode, NumBins, Name);

    public override Tensor Forward(Tensor x, bool training)
    {
        using var cpu = x.detach().to(ScalarType.Float64).cpu().contiguous();
        var values = cpu.data<double>().ToArray();
        var bins = new long[values.Length];
        for (int i = 0; i < values.Length; i++) bins[i] = HashNumber(values[i]);
        using var ids = torch.tensor(bins, x.shape, device: x.device);
        return CategoricalOutput.Encode(ids, OutputMode, NumBins);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["num_bins"] = NumBins;
        c["salt"] = Salt?.ToArray();
        c["mask_value"] = MaskValue;
        c["output_mode"] = OutputMode;
        c["sparse"] = false;
    }

    public override string? Details => $"num_bins={NumBins}" + (Salt is null ? "" : ", salted") + (MaskValue is null ? "" : ", masked")
        + (OutputMode == CategoricalOutput.Int ? "" : $", {OutputMode}");
}
