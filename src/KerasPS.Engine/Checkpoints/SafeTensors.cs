using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace KerasPS.Engine.Checkpoints;

/// <summary>One tensor as the safetensors header describes it: name, shape and byte range in the data buffer.</summary>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>
/// The safetensors format (https://github.com/huggingface/safetensors), float32 only: an 8-byte little-endian header
/// length N, N bytes of UTF-8 JSON <c>{ "name": { "dtype", "shape", "data_offsets": [begin, end] }, "__metadata__": {..} }</c>
/// padded with spaces to 8 bytes, then the tensors' raw little-endian bytes, row-major, back to back.
/// Written and read here so that no pickle, no Python and no foreign library is involved.
/// </summary>
public static class SafeTensors
{
    /// <summary>The reference implementation refuses headers above 100 MB; so do we, before allocating anything.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    public const string Float32 = "F32";

    /// <summary>
    /// Writes tensors in the order given. Values are fetched one tensor at a time (row-major float32), so a large model
    /// is never copied whole; the callback must return exactly as many values as the shape holds.
    /// </summary>
    public static void Write(Stream output, IReadOnlyList<(string Name, long[] Shape, Func<float[]> Values)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var kv in metadata) json.WriteString(kv.Key, kv.Value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, shape, _) in tensors)
            {
                if (!names.Add(name) || name == "__metadata__")
                    throw new ArgumentException($"Tensor name '{name}' is used twice or reserved.", nameof(tensors));
                long count = shape.Aggregate(1L, (a, d) => a * d);
                json.WriteStartObject(name);
                json.WriteString("dtype", Float32);
                json.WriteStartArray("shape");
                foreach (var d in shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += count * sizeof(float);
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad with spaces so that the data starts 8-byte aligned, as the reference writer does.
        while ((8 + header.Length) % 8 != 0) header.WriteByte((byte)' ');
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        output.Write(len);
        header.Position = 0;
        header.CopyTo(output);
        foreach (var (name, shape, read) in tensors)
        {
            var values = read();
            if (values.LongLength != shape.Aggregate(1L, (a, d) => a * d))
                throw new ArgumentException($"Tensor '{name}' has {values.LongLength} values for shape [{string.Join(", ", shape)}].",
                    nameof(tensors));
            WriteFloats(output, values);
        }
    }

    private static void WriteFloats(Stream output, float[] values)
    {
        if (BitConverter.IsLittleEndian)
        {
            output.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        var buffer = new byte[4096 * sizeof(float)];
        for (int i = 0; i < values.Length;)
        {
            int n = Math.Min(4096, values.Length - i);
            for (int j = 0; j < n; j++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(j * 4), values[i + j]);
            output.Write(buffer, 0, n * 4);
            i += n;
        }
    }

    /// <summary>
    /// Reads and checks the header of a safetensors stream of <paramref name="length"/> bytes, leaving the stream at the
    /// first data byte. Every size is checked against the length before anything is allocated; tensors come back in data order.
    /// </summary>
    public static (List<SafeTensorInfo> Tensors, Dictionary<string, string> Metadata) ReadHeader(Stream input, long length, string what)
    {
        if (length < 8) throw Invalid($"{what} is truncated: it has {length} bytes, fewer than the 8-byte header length.");
        Span<byte> len = stackalloc byte[8];
        ReadExactly(input, len, what);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (n > (ulong)(length - 8))
            throw Invalid($"{what} declares a header of {n} bytes, but the file has only {length - 8} bytes after the length field "
                + "(truncated or not a safetensors file).");
        if (n > MaxHeaderBytes)
            throw Invalid($"{what} declares a header of {n} bytes; safetensors headers are limited to {MaxHeaderBytes} bytes.");
        if (n < 2) throw Invalid($"{what} has an empty header.");
        var bytes = new byte[(int)n];
        ReadExactly(input, bytes, what);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes); }
        catch (JsonException e) { throw Invalid($"{what} has a header that is not valid JSON ({e.Message})."); }
        using (doc)
        try
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Invalid($"{what} has a header that is not a JSON object.");
            var tensors = new List<SafeTensorInfo>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(p.Name)) throw Invalid($"{what} names tensor '{p.Name}' twice.");
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind != JsonValueKind.Object)
                        throw Invalid($"{what} has a __metadata__ entry that is not an object of strings.");
                    foreach (var m in p.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw Invalid($"{what} has __metadata__ value '{m.Name}' that is not a string.");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                tensors.Add(ParseTensor(p, what));
            }
            long dataLength = length - 8 - (long)n;
            CheckOffsets(tensors, dataLength, what);
            return (tensors.OrderBy(t => t.Begin).ThenBy(t => t.End).ToList(), metadata);
        }
        catch (InvalidOperationException e) { throw Invalid($"{what} has a header with text that is not valid UTF-8 ({e.Message})."); }
    }

    private static SafeTensorInfo ParseTensor(JsonProperty p, string what)
    {
        var t = p.Value;
        if (t.ValueKind != JsonValueKind.Object
            || !t.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !t.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !t.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array
                || offsets.GetArrayLength() != 2)
            throw Invalid($"{what}: tensor '{p.Name}' needs a dtype string, a shape array and two data_offsets.");
        var dims = new List<long>();
        foreach (var d in shape.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var v) || v < 0)
                throw Invalid($"{what}: tensor '{p.Name}' has a shape entry that is not a non-negative integer.");
            dims.Add(v);
        }
        var o = offsets.EnumerateArray().ToArray();
        if (o.Any(x => x.ValueKind != JsonValueKind.Number) || !o[0].TryGetInt64(out var begin) || !o[1].TryGetInt64(out var end)
            || begin < 0 || end < begin)
            throw Invalid($"{what}: tensor '{p.Name}' has data_offsets that are not two increasing non-negative integers.");
        var type = dtype.GetString()!;
        if (type != Float32)
            throw Invalid($"{what}: tensor '{p.Name}' has dtype {type}; KerasPS checkpoints hold {Float32} (float32) tensors. "
                + "Convert it to float32 before saving.");
        // Overflow-safe element count: stop as soon as it passes what the byte range could hold.
        long count = 1;
        foreach (var d in dims)
        {
            if (d != 0 && count > long.MaxValue / 4 / d) throw Invalid($"{what}: tensor '{p.Name}' has a shape too large for any file.");
            count *= d;
        }
        if (count * sizeof(float) != end - begin)
            throw Invalid($"{what}: tensor '{p.Name}' has shape [{string.Join(", ", dims)}] ({count * sizeof(float)} bytes of {type}) but "
                + $"its data_offsets span {end - begin} bytes.");
        return new SafeTensorInfo(p.Name, type, dims.ToArray(), begin, end);
    }

    private static void CheckOffsets(List<SafeTensorInfo> tensors, long dataLength, string what)
    {
        long expected = 0;
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.Begin != expected)
                throw Invalid($"{what}: tensor '{t.Name}' starts at byte {t.Begin} but the previous tensor ends at {expected}; "
                    + "the data offsets overlap or leave a gap.");
            expected = t.End;
        }
        if (expected != dataLength)
            throw Invalid($"{what}: the tensors' data offsets cover {expected} bytes but the file holds {dataLength} bytes of data "
                + "(truncated or padded).");
    }

    /// <summary>Reads the data of tensors in the order <see cref="ReadHeader"/> returned them (the stream must be at the first data
    /// byte).</summary>
    public static void ReadData(Stream input, IReadOnlyList<SafeTensorInfo> tensors, Func<SafeTensorInfo, float[]?> destination,
        string what)
    {
        var skip = new byte[64 * 1024];
        foreach (var t in tensors)
        {
            var target = destination(t);
            if (target is null)
            {
                for (long left = t.End - t.Begin; left > 0;)
                {
                    int k = (int)Math.Min(skip.Length, left);
                    ReadExactly(input, skip.AsSpan(0, k), what);
                    left -= k;
                }
                continue;
            }
            if (target.LongLength != t.Count)
                throw new ArgumentException($"Buffer for '{t.Name}' has {target.LongLength} values; {t.Count} expected.");
            var bytes = MemoryMarshal.AsBytes(target.AsSpan());
            ReadExactly(input, bytes, what);
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < target.Length; i++) target[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
        }
    }

    private static void ReadExactly(Stream s, Span<byte> buffer, string what)
    {
        try
        {
            while (buffer.Length > 0)
            {
                int k = s.Read(buffer);
                if (k == 0) throw Invalid($"{what} is truncated: the data ends before the last tensor.");
                buffer = buffer[k..];
            }
        }
        catch (InvalidDataException e) { throw Invalid($"{what} is damaged ({e.Message})."); }
    }

    internal static KerasException Invalid(string message) => Checkpoint.Invalid(message);
}
