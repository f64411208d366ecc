namespace KerasPS.Engine.Data.Streaming;

/// <summary>
/// A batch source whose rows can be read in any order for about what reading them in order costs: image files (one file a
/// row) or the windows of a series stored once (a window is a start index). A shuffled fit then needs no buffer of rows: the
/// epoch's order is a list of row indexes (4 bytes a row), and each batch reads only its own rows, so the fit holds a few
/// batches whatever the source's size.
/// </summary>
public interface IRowSource : IBatchSource
{
    /// <summary>The rows <paramref name="rows"/> (indexes in source order), in that order, as one chunk encoded as
    /// <see cref="IBatchSource.Encoding"/>; its features are written into <paramref name="features"/> when it is given (exactly
    /// rows x features-per-row floats, reused by the caller for a later chunk), else into a new array.</summary>
    EncodedData ReadRows(ReadOnlySpan<int> rows, float[]? features = null);
}

/// <summary>
/// Feature arrays reused round-robin by one pass over a source, so that a pass over a large source (image batches of many
/// MB) does not leave an array per chunk for the garbage collector: a chunk's array is written again
/// <see cref="Size"/> chunks later. <see cref="BatchReader.Prefetch"/> keeps at most two chunks queued and one being read
/// ahead, the consumer holds one and the trainer's tensors of the one before may still be alive: five, so a chunk is not
/// overwritten while any of them can be read.
/// </summary>
public sealed class BufferRing
{
    /// <summary>Arrays in the ring.</summary>
    public const int Size = 6;

    private readonly float[]?[] buffers = new float[Size][];
    private int next;

    /// <summary>An array of exactly <paramref name="length"/> floats: the ring's next one when it has that length (or is not made
    /// yet), else a new one (a last, shorter chunk).</summary>
    public float[] Next(long length)
    {
        int slot = next;
        next = (next + 1) % Size;
        var b = buffers[slot];
        if (b is null) return buffers[slot] = new float[length];
        return b.LongLength == length ? b : new float[length];
    }
}

/// <summary>Batches of an <see cref="IRowSource"/> in a shuffled order, read ahead on a background thread.</summary>
public static class RowBatches
{
    /// <summary>
    /// Batches of <paramref name="batchSize"/> rows (the last one smaller) in the order a shuffle buffer of
    /// <paramref name="bufferRows"/> rows gives: with a buffer of every row, <paramref name="permutation"/>(count), the in-memory
    /// fit's order; else the order <see cref="BatchReader.Shuffled"/> gives the same rows through that buffer with the same
    /// seed. Only the row indexes go through the buffer; each batch's rows are read when the batch is due.
    /// </summary>
    public static IEnumerable<EncodedData> Shuffled(IRowSource source, int batchSize, int bufferRows, long seed,
        Func<int, long[]> permutation)
    {
        int n = source.Count;
        int[] order = bufferRows >= n ? Array.ConvertAll(permutation(n), r => (int)r) : BufferedOrder(n, bufferRows, seed);
        int bs = Math.Max(1, batchSize);
        // Small batches (windows of a short sequence) travel from the read-ahead thread several to a chunk: one hand-over per
        // batch would cost more than the batch's step.
        int per = (int)Math.Clamp(ChunkValues / ((long)bs * Math.Max(1, source.Encoding.FeatureCount)), 1, 64);
        per = Math.Min(per, Math.Max(1, int.MaxValue / bs));
        foreach (var chunk in BatchReader.Prefetch(new Ordered(source, order), bs * per))
        {
            if (per == 1)
            {
                yield return chunk;
                continue;
            }
            for (int s = 0; s < chunk.Count; s += bs) yield return Cut(chunk, s, Math.Min(bs, chunk.Count - s));
        }
    }

    /// <summary>Values a chunk of several batches holds at most (4 MB of floats).</summary>
    public const long ChunkValues = 1 << 20;

    /// <summary>Rows start..start+count-1 of a chunk as a new dataset of the same encoding (arrays copied).</summary>
    private static EncodedData Cut(EncodedData chunk, int start, int count)
    {
        long w = chunk.FeatureCount;
        int tw = chunk.TargetWidth;
        var features = chunk.Features.AsSpan((int)(start * w), (int)(count * w)).ToArray();
        int[]? labels = chunk.Labels?.AsSpan(start, count).ToArray();
        float[]? targets = chunk.Targets?.AsSpan(start * tw, count * tw).ToArray();
        return new EncodedData(features, chunk.FeatureShape, chunk.FeatureNames, chunk.TargetName, labels, chunk.Classes, targets, tw)
        {
            RowKeys = chunk.RowKeys?.Skip(start).Take(count).ToArray(),
            RowKeyName = chunk.RowKeyName,
        };
    }

    /// <summary>
    /// The order in which tf.data's <c>shuffle(buffer_size)</c> hands out rows 0..n-1, drawn as <see cref="BatchReader.Shuffled"/>
    /// draws them (one <see cref="MersenneTwister"/> seeded with <paramref name="seed"/>): the buffer fills with the first rows,
    /// then each row read replaces the one drawn out; at the end the buffer empties in random order.
    /// </summary>
    public static int[] BufferedOrder(int n, int bufferRows, long seed)
    {
        var order = new int[n];
        var buffer = new int[Math.Min(bufferRows, n)];
        var random = new MersenneTwister(seed);
        int filled = 0, next = 0;
        for (int r = 0; r < n; r++)
        {
            if (filled < bufferRows)
            {
                buffer[filled++] = r;
                continue;
            }
            int pick = random.NextInt(bufferRows);
            order[next++] = buffer[pick];
            buffer[pick] = r;
        }
        while (filled > 0)
        {
            int pick = random.NextInt(filled);
            order[next++] = buffer[pick];
            filled--;
            if (pick != filled) buffer[pick] = buffer[filled];
        }
        return order;
    }

    /// <summary>A row source seen in a given order: its chunks are the order's consecutive runs of rows.</summary>
    private sealed class Ordered : IBatchSource
    {
        private readonly IRowSource source;
        private readonly int[] order;

        public Ordered(IRowSource source, int[] order)
        {
            this.source = source;
            this.order = order;
        }

        public int Count => order.Length;
        public EncodedData Encoding => source.Encoding;
        public IReadOnlyList<int> ClassCounts => source.ClassCounts;
        public int ShuffleBuffer => source.ShuffleBuffer;
        public string Source => source.Source;

        public void Read(int chunkRows, Func<EncodedData, bool> sink)
        {
            var ring = new BufferRing();
            long width = source.Encoding.FeatureCount;
            for (int s = 0; s < order.Length; s += chunkRows)
            {
                int len = Math.Min(chunkRows, order.Length - s);
                if (!sink(source.ReadRows(order.AsSpan(s, len), ring.Next(len * width)))) return;
            }
        }
    }
}
