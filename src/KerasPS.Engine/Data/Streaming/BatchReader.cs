using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace KerasPS.Engine.Data.Streaming;

/// <summary>
/// Turns a <see cref="IBatchSource"/> into batches of rows, as tf.data's <c>batch</c> after <c>shuffle(buffer_size)</c>:
/// each row comes out of a buffer of the next <c>buffer_size</c> rows, picked uniformly at random (seeded), and the row read
/// next takes its place. A buffer as large as the source holds every row and uses the caller's permutation of them, the
/// one the in-memory fit uses, so the two fits see the same batches. Chunks are read on a background thread while the
/// caller trains on the previous batches. A batch is valid until the next one is read (its arrays are reused).
/// </summary>
public static class BatchReader
{
    /// <summary>Batches of <paramref name="batchSize"/> rows (the last one smaller) in source order.</summary>
    public static IEnumerable<EncodedData> Sequential(IBatchSource source, int batchSize)
    {
        var batch = new RowStore(source.Encoding, Math.Min(batchSize, Math.Max(1, source.Count)));
        foreach (var chunk in Prefetch(source, Math.Max(FileSource.ChunkRows, Math.Min(batchSize, 1 << 16))))
            for (int r = 0; r < chunk.Count; r++)
            {
                batch.CopyFrom(chunk, r, batch.Rows++);
                if (batch.Rows == batch.Capacity) yield return batch.Take();
            }
        if (batch.Rows > 0) yield return batch.Take();
    }

    /// <summary>
    /// Batches of shuffled rows. With a buffer of at least <see cref="IBatchSource.Count"/> rows, the rows come in the order of
    /// <paramref name="permutation"/>(count); otherwise through a buffer of <paramref name="bufferRows"/> rows drawn from with a
    /// generator seeded by <paramref name="seed"/>.
    /// </summary>
    public static IEnumerable<EncodedData> Shuffled(IBatchSource source, int batchSize, int bufferRows, long seed,
        Func<int, long[]> permutation)
    {
        if (source is IRowSource rows)
        {
            // Rows read by index (image files, series windows): only the indexes are shuffled, in the same order.
            foreach (var chunk in RowBatches.Shuffled(rows, batchSize, bufferRows, seed, permutation)) yield return chunk;
            yield break;
        }
        int n = source.Count;
        var batch = new RowStore(source.Encoding, Math.Min(batchSize, Math.Max(1, n)));
        if (bufferRows >= n)
        {
            var all = new RowStore(source.Encoding, n);
            foreach (var chunk in Prefetch(source, FileSource.ChunkRows))
                for (int r = 0; r < chunk.Count; r++) all.CopyFrom(chunk, r, all.Rows++);
            foreach (var row in permutation(n))
            {
                batch.CopyFrom(all, (int)row, batch.Rows++);
                if (batch.Rows == batch.Capacity) yield return batch.Take();
            }
        }
        else
        {
            var buffer = new RowStore(source.Encoding, bufferRows);
            var random = new MersenneTwister(seed);
            foreach (var chunk in Prefetch(source, FileSource.ChunkRows))
                for (int r = 0; r < chunk.Count; r++)
                {
                    if (buffer.Rows < bufferRows)
                    {
                        buffer.CopyFrom(chunk, r, buffer.Rows++);
                        continue;
                    }
                    int pick = random.NextInt(bufferRows);
                    batch.CopyFrom(buffer, pick, batch.Rows++);
                    buffer.CopyFrom(chunk, r, pick);
                    if (batch.Rows == batch.Capacity) yield return batch.Take();
                }
            while (buffer.Rows > 0)
            {
                int pick = random.NextInt(buffer.Rows);
                batch.CopyFrom(buffer, pick, batch.Rows++);
                buffer.Rows--;
                if (pick != buffer.Rows) buffer.CopyFrom(buffer, buffer.Rows, pick);
                if (batch.Rows == batch.Capacity) yield return batch.Take();
            }
        }
        if (batch.Rows > 0) yield return batch.Take();
    }

    /// <summary>The source's chunks, read ahead on a background thread (two chunks at most wait), in order.</summary>
    public static IEnumerable<EncodedData> Prefetch(IBatchSource source, int chunkRows)
    {
        using var queue = new BlockingCollection<EncodedData>(2);
        using var cancel = new CancellationTokenSource();
        Exception? failure = null;
        var producer = Task.Run(() =>
        {
            try
            {
                source.Read(chunkRows, chunk =>
                {
                    try { queue.Add(chunk, cancel.Token); return true; }
                    catch (OperationCanceledException) { return false; }
                });
            }
            catch (Exception e) { failure = e; }
            finally { queue.CompleteAdding(); }
        });
        try
        {
            foreach (var chunk in queue.GetConsumingEnumerable()) yield return chunk;
            producer.Wait();
            if (failure is not null) ExceptionDispatchInfo.Capture(failure).Throw();
        }
        finally
        {
            cancel.Cancel();
            try { producer.Wait(); } catch (AggregateException) { }
        }
    }

    /// <summary>Rows of one encoding in flat arrays: features, and class labels or target values.</summary>
    private sealed class RowStore
    {
        private readonly EncodedData encoding;
        private readonly int width, targetWidth;
        private readonly float[] features;
        private readonly int[]? labels;
        private readonly float[]? targets;

        public RowStore(EncodedData encoding, int capacity)
        {
            this.encoding = encoding;
            width = encoding.FeatureCount;
            targetWidth = encoding.TargetWidth;
            Capacity = capacity;
            features = new float[(long)capacity * width];
            labels = encoding.Labels is null ? null : new int[capacity];
            targets = encoding.Targets is null ? null : new float[(long)capacity * targetWidth];
        }

        public int Capacity { get; }
        public int Rows { get; set; }

        public void CopyFrom(EncodedData chunk, int row, int slot)
        {
            Array.Copy(chunk.Features, (long)row * width, features, (long)slot * width, width);
            if (labels is not null) labels[slot] = chunk.Labels![row];
            if (targets is not null) Array.Copy(chunk.Targets!, (long)row * targetWidth, targets, (long)slot * targetWidth, targetWidth);
        }

        public void CopyFrom(RowStore other, int row, int slot)
        {
            Array.Copy(other.features, (long)row * width, features, (long)slot * width, width);
            if (labels is not null) labels[slot] = other.labels![row];
            if (targets is not null) Array.Copy(other.targets!, (long)row * targetWidth, targets, (long)slot * targetWidth, targetWidth);
        }

        /// <summary>The rows held as a dataset of the encoding, and the store starts empty. A full store's arrays are handed out
        /// and then reused for the next batch (valid until the next batch is read: the trainer copies a batch into tensors
        /// at once), so an epoch does not allocate a batch per step.</summary>
        public EncodedData Take()
        {
            int n = Rows;
            var f = n == Capacity ? features : features.AsSpan(0, n * width).ToArray();
            var l = labels is null ? null : n == Capacity ? labels : labels.AsSpan(0, n).ToArray();
            var t = targets is null ? null : n == Capacity ? targets : targets.AsSpan(0, n * targetWidth).ToArray();
            var data = new EncodedData(f, encoding.FeatureShape, encoding.FeatureNames, encoding.TargetName, l, encoding.Classes, t,
                targetWidth)
            {
                Categories = encoding.Categories,
                SourceColumns = encoding.SourceColumns,
            };
            Rows = 0;
            return data;
        }
    }
}
