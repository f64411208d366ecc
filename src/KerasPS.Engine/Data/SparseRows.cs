using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Data;

/// <summary>
/// Rows of a wide, mostly-zero float32 matrix in compressed sparse row form (scikit-learn's CSR): row r's values sit at
/// <c>RowOffsets[r]..RowOffsets[r+1]-1</c> of <see cref="Indices"/> (columns) and <see cref="Values"/>. The host encoding
/// of a text column in multi_hot, count or tf_idf form (<see cref="TextInputs"/>) is kept so: 100,000 texts of 20,000
/// possible tokens are a few million numbers, where the dense rows would be 8 GB. A model gets dense rows one batch at a
/// time (<see cref="Dense(Tensor)"/>).
/// </summary>
public sealed class SparseRows
{
    private static readonly ConcurrentDictionary<int, WeakReference<SparseRows>> Sources = new();
    private static int lastId;
    private int id;

    public SparseRows(int width, long[] rowOffsets, int[] indices, float[] values)
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width));
        if (rowOffsets.Length == 0 || rowOffsets[0] != 0 || rowOffsets[^1] != indices.LongLength || indices.Length != values.Length)
            throw KerasException.BadData("InvalidSparseRows",
                "Sparse rows need offsets that start at 0 and end at the number of values, and one column index per value.");
        Width = width;
        RowOffsets = rowOffsets;
        Indices = indices;
        Values = values;
    }

    /// <summary>Number of rows.</summary>
    public int Count => RowOffsets.Length - 1;

    /// <summary>Columns of a row (the dense width).</summary>
    public int Width { get; }

    /// <summary>Start of each row in <see cref="Indices"/> and <see cref="Values"/>, plus the end of the last (Count + 1).</summary>
    public long[] RowOffsets { get; }

    /// <summary>Column of each stored value.</summary>
    public int[] Indices { get; }

    /// <summary>The stored (non-zero) values.</summary>
    public float[] Values { get; }

    /// <summary>Number of stored values.</summary>
    public long NonZeros => Values.LongLength;

    /// <summary>Writes row <paramref name="r"/> into <paramref name="destination"/> (length <see cref="Width"/>, zeroed).</summary>
    public void WriteRow(int r, Span<float> destination)
    {
        for (long k = RowOffsets[r], end = RowOffsets[r + 1]; k < end; k++) destination[Indices[k]] = Values[k];
    }

    /// <summary>Dense rows <paramref name="start"/>..start+count-1, row-major.</summary>
    public float[] ToDense(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw KerasException.BadArgument("IndexOutOfRange", $"Rows {start}..{start + count - 1} are outside 0..{Count - 1}.");
        var dense = new float[(long)count * Width];
        for (int i = 0; i < count; i++) WriteRow(start + i, dense.AsSpan((int)((long)i * Width), Width));
        return dense;
    }

    /// <summary>The given rows, in that order.</summary>
    public SparseRows Subset(IReadOnlyList<int> rows)
    {
        var offsets = new long[rows.Count + 1];
        for (int i = 0; i < rows.Count; i++)
        {
            int r = rows[i];
            if ((uint)r >= (uint)Count)
                throw KerasException.BadArgument("IndexOutOfRange", $"Row {r} is outside the dataset (0..{Count - 1}).", r);
            offsets[i + 1] = offsets[i] + RowOffsets[r + 1] - RowOffsets[r];
        }
        var indices = new int[offsets[^1]];
        var values = new float[offsets[^1]];
        for (int i = 0; i < rows.Count; i++)
        {
            long from = RowOffsets[rows[i]], n = RowOffsets[rows[i] + 1] - from;
            Array.Copy(Indices, from, indices, offsets[i], n);
            Array.Copy(Values, from, values, offsets[i], n);
        }
        return new SparseRows(Width, offsets, indices, values);
    }

    /// <summary>
    /// The tensor a model's training loop holds for these rows: one int64 handle per row, shape [Count, 1], that
    /// <see cref="Dense(Tensor)"/> turns back into dense rows. The loop shuffles, splits and batches the handles as it
    /// would the rows themselves, so the dense rows exist one batch at a time.
    /// </summary>
    public Tensor HandleTensor()
    {
        if (id == 0)
            lock (Sources)
            {
                if (id == 0)
                {
                    foreach (var dead in Sources.Where(kv => !kv.Value.TryGetTarget(out _)).Select(kv => kv.Key).ToArray())
                        Sources.TryRemove(dead, out _);
                    id = Interlocked.Increment(ref lastId);
                    Sources[id] = new WeakReference<SparseRows>(this);
                }
            }
        var handles = new long[Count];
        long high = (long)id << 32;
        for (int r = 0; r < handles.Length; r++) handles[r] = high | (uint)r;
        return torch.tensor(handles, new long[] { Count, 1 }, dtype: ScalarType.Int64);
    }

    /// <summary>True when <paramref name="x"/> holds row handles (<see cref="HandleTensor"/>) rather than values.</summary>
    public static bool IsHandles(Tensor x) => x.dtype == ScalarType.Int64 && x.dim() == 2 && x.shape[1] == 1;

    /// <summary>The dense float32 rows [batch, Width] that a tensor of handles stands for, on the handles' device.</summary>
    public static Tensor Dense(Tensor handles) => Gather(handles, sparse: false);

    /// <summary>
    /// The same rows as a sparse COO tensor [batch, Width] on the handles' device, for a Dense layer that multiplies it
    /// (sparse x dense) without making the rows dense.
    /// </summary>
    public static Tensor Sparse(Tensor handles) => Gather(handles, sparse: true);

    private static Tensor Gather(Tensor handles, bool sparse)
    {
        long[] h;
        using (var cpu = handles.device_type == DeviceType.CPU ? handles.contiguous() : handles.cpu().contiguous())
            h = cpu.data<long>().ToArray();
        if (h.Length == 0) throw KerasException.BadArgument("EmptyBatch", "A batch of sparse rows needs at least one row.");
        var first = Source(h[0]);
        var rows = new SparseRows[h.Length];
        long nnz = 0;
        for (int i = 0; i < h.Length; i++)
        {
            var s = (h[i] >> 32) == first.id ? first : Source(h[i]);
            if (s.Width != first.Width) throw new InvalidOperationException("Sparse rows of different widths in one batch.");
            rows[i] = s;
            int r = (int)(uint)h[i];
            nnz += s.RowOffsets[r + 1] - s.RowOffsets[r];
        }
        long width = first.Width;
        // sparse: [2, nnz] (row, column) pairs; dense: the flat position of each value
        var at = new long[sparse ? 2 * nnz : nnz];
        var values = new float[nnz];
        long k = 0;
        for (int i = 0; i < h.Length; i++)
        {
            var s = rows[i];
            int r = (int)(uint)h[i];
            for (long j = s.RowOffsets[r], end = s.RowOffsets[r + 1]; j < end; j++, k++)
            {
                values[k] = s.Values[j];
                if (sparse) { at[k] = i; at[nnz + k] = s.Indices[j]; }
                else at[k] = i * width + s.Indices[j];
            }
        }
        var device = handles.device;
        using var v = torch.tensor(values, dtype: ScalarType.Float32, device: device);
        if (sparse)
        {
            using var indices = torch.tensor(at, new long[] { 2, nnz }, dtype: ScalarType.Int64, device: device);
            return torch.sparse_coo_tensor(indices, v, new long[] { h.Length, width }, device: device);
        }
        using var flat = torch.zeros(h.Length * width, dtype: ScalarType.Float32, device: device);
        using var positions = torch.tensor(at, dtype: ScalarType.Int64, device: device);
        flat.index_put_(v, positions);
        return flat.view(h.Length, width);
    }

    private static SparseRows Source(long handle)
    {
        int id = (int)(handle >> 32);
        if (Sources.TryGetValue(id, out var weak) && weak.TryGetTarget(out var s) && (uint)handle < (uint)s.Count) return s;
        throw KerasException.BadData("StaleSparseRows",
            "The tensor holds handles of encoded text rows that are no longer kept; encode the data again (pass the dataset, "
                + "not a tensor taken from it).");
    }
}
