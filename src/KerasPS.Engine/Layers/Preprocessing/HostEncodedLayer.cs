using KerasPS.Engine.Data;
using static TorchSharp.torch;

namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>
/// A layer that takes raw strings (TextVectorization, StringLookup). Tensors cannot hold strings, so such a layer is
/// the model's first and its work runs on the host: the strings of a dataset are encoded once into what the layer
/// outputs (<see cref="EncodeStrings"/>), that block of numbers is the model's tensor input, and the layer's forward
/// passes it through. The layer's <see cref="Layer.DeclaredInputShape"/> is therefore its encoded shape.
/// </summary>
public abstract class HostEncodedLayer : Layer
{
    protected HostEncodedLayer(string? name) : base(name, null) { }

    /// <summary>The shape of one encoded row (without the batch axis): what the next layer sees.</summary>
    public abstract int[] EncodedShape { get; }

    /// <summary>Whether the layer can encode (it has a vocabulary and, for int output, a sequence length).</summary>
    public abstract bool CanEncode { get; }

    /// <summary>Changes whenever the encoding changes (a new vocabulary), so that cached encodings are redone.</summary>
    public abstract int EncodingVersion { get; }

    /// <summary>Encodes one string per row into row-major float32 values of <see cref="EncodedShape"/> each.</summary>
    public abstract float[] EncodeStrings(IReadOnlyList<string> rows);

    /// <summary>
    /// The same encoding as sparse rows, for outputs that are mostly zeros (multi_hot, count, tf_idf, one_hot rows over a
    /// vocabulary); null when the layer's output is not such a row (token ids).
    /// </summary>
    public virtual SparseRows? EncodeSparse(IReadOnlyList<string> rows) => null;

    public override int[]? DeclaredInputShape => CanEncode ? EncodedShape : null;

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var shape = EncodedShape;
        if (!Shapes.SameAs(shape, inputShape))
            throw KerasException.BadArgument("StringInputShape",
                $"{ClassName} '{Name}' takes raw strings, which KerasPS encodes on the host into {Shapes.Format(shape)} per row; "
                    + $"it cannot take a tensor of {Shapes.Format(inputShape)}. Make it the model's first layer, fed by a "
                    + "dataset with a text column (Import-ModelData -Text <column>) or by strings.", ClassName);
        return (int[])shape.Clone();
    }

    /// <summary>
    /// The strings were encoded on the host before the model ran: the tensor already holds this layer's output, or, for a
    /// sparse encoding, handles of its rows (<see cref="SparseRows.HandleTensor"/>), which become the batch's dense rows.
    /// </summary>
    public override Tensor Forward(Tensor x, bool training) => SparseRows.IsHandles(x) ? SparseRows.Dense(x) : x.view(x.shape);

    /// <summary>
    /// The output as <paramref name="next"/> takes it: a Dense layer over one axis gets a sparse batch for handles (its
    /// sparse x dense product has the dense rows' forward and gradient, without making the rows dense); any other layer the
    /// dense rows.
    /// </summary>
    public Tensor Forward(Tensor x, bool training, Layer next) =>
        SparseRows.IsHandles(x) && next is Core.Dense { InputShape.Length: 1 } ? SparseRows.Sparse(x) : Forward(x, training);
}
