namespace KerasPS.Engine.Data.Streaming;

/// <summary>
/// Rows that stay in their source (a CSV file, later an image folder) and are read chunk by chunk each time they are
/// needed: what fit, evaluate and predict take instead of a <see cref="EncodedData"/> when the data is larger than memory.
/// A source knows its row count and its encoding (feature columns, categories, classes) up front, from one pass or a
/// template, so that every chunk is encoded the same way.
/// </summary>
public interface IBatchSource
{
    /// <summary>Rows in the source.</summary>
    int Count { get; }

    /// <summary>The encoding every chunk has, as a dataset of no rows: feature names and shape, categories, target name, kind and
    /// classes. Pass it as a template to encode other data the same way.</summary>
    EncodedData Encoding { get; }

    /// <summary>Rows per class, in <see cref="EncodedData.Classes"/> order (classification only).</summary>
    IReadOnlyList<int> ClassCounts { get; }

    /// <summary>Rows a fit's shuffle buffer holds (tf.data's buffer_size).</summary>
    int ShuffleBuffer { get; }

    /// <summary>Where the rows come from (a file path), for messages.</summary>
    string Source { get; }

    /// <summary>
    /// Reads every row in source order, in chunks of at most <paramref name="chunkRows"/> rows encoded as <see cref="Encoding"/>
    /// (class labels indexed into its classes), and hands each chunk to <paramref name="sink"/>; stops when the sink returns
    /// false. A source whose rows changed since it was opened (another count, a new class or category) is a StreamChanged error.
    /// </summary>
    void Read(int chunkRows, Func<EncodedData, bool> sink);
}
