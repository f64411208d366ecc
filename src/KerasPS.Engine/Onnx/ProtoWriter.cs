using System.Text;

namespace KerasPS.Engine.Onnx;

/// <summary>
/// The few pieces of the protocol buffer wire format an ONNX file needs (varints, 32-bit floats and
/// length-delimited fields), written by hand so the engine carries no generated code or protobuf runtime.
/// A message is written into its own buffer first, since its length prefix precedes it.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream buffer = new();

    public byte[] ToArray() => buffer.ToArray();

    private void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        buffer.WriteByte((byte)value);
    }

    /// <summary>An int32/int64/enum field (wire type 0); negative values take ten bytes, as protobuf requires.</summary>
    public void Int(int field, long value)
    {
        Tag(field, 0);
        Varint(unchecked((ulong)value));
    }

    public void Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(b, value);
        buffer.Write(b);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        buffer.Write(value);
    }

    public void String(int field, string? value)
    {
        if (value is null) return;
        Bytes(field, Encoding.UTF8.GetBytes(value));
    }

    public void Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    /// <summary>A repeated int64 field, packed (one length-delimited run of varints).</summary>
    public void PackedInts(int field, IEnumerable<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var v in values) inner.Varint(unchecked((ulong)v));
        Bytes(field, inner.ToArray());
    }

    /// <summary>A repeated float field, packed (little-endian 32-bit values).</summary>
    public void PackedFloats(int field, IReadOnlyList<float> values)
    {
        var bytes = new byte[values.Count * 4];
        for (int i = 0; i < values.Count; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        Bytes(field, bytes);
    }
}
