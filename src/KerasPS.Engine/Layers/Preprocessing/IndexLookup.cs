using System.Globalization;

namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>
/// The vocabulary and encoding rules Keras's <c>IndexLookup</c> (keras/src/layers/preprocessing/index_lookup.py) gives
/// StringLookup, IntegerLookup and TextVectorization: index 0 is the mask token (int output with a mask token only),
/// then <see cref="NumOovIndices"/> OOV slots, then the tokens; an adapted vocabulary is ordered by count, most frequent
/// first, ties by the token in descending order (Keras's <c>np.lexsort((tokens, counts))[::-1]</c>). Tokens are held as
/// strings (an integer vocabulary as invariant integer text) and compared as integers where the vocabulary is integer.
/// </summary>
public sealed class IndexLookup
{
    public static readonly IReadOnlyList<string> OutputModes = new[] { "int", "one_hot", "multi_hot", "count", "tf_idf" };

    private string[] tokens = Array.Empty<string>();        // learned or given tokens, without special tokens
    private Dictionary<string, int> index = new(StringComparer.Ordinal);
    private double[]? idfWeights;                            // one per output index (special slots included), tf_idf only

    public IndexLookup(bool integerVocabulary, int? maxTokens, int numOovIndices, string? maskToken, string? oovToken,
        string outputMode, bool padToMaxTokens, bool invert)
    {
        outputMode = outputMode == "tf-idf" ? "tf_idf" : outputMode;
        if (!OutputModes.Contains(outputMode))
            throw KerasException.BadArgument("InvalidOutputMode",
                $"output_mode must be one of {string.Join(", ", OutputModes)}. Received: output_mode={outputMode}.", outputMode);
        if (maxTokens is <= 1)
            throw KerasException.BadArgument("InvalidMaxTokens",
                $"max_tokens must be greater than 1 (or left out for no limit). Received: max_tokens={maxTokens}.", maxTokens);
        if (numOovIndices < 0)
            throw KerasException.BadArgument("InvalidOovIndices",
                $"num_oov_indices must be 0 or more. Received: num_oov_indices={numOovIndices}.", numOovIndices);
        if (invert && outputMode != "int")
            throw KerasException.BadArgument("InvalidOutputMode",
                $"invert is only supported with output_mode int. Received: output_mode={outputMode}.", outputMode);
        if (padToMaxTokens && maxTokens is null && outputMode != "int")
            throw KerasException.BadArgument("InvalidMaxTokens",
                "pad_to_max_tokens needs max_tokens: give -MaxTokens, or leave -PadToMaxTokens out.");
        IntegerVocabulary = integerVocabulary;
        MaxTokens = maxTokens;
        NumOovIndices = numOovIndices;
        MaskToken = maskToken;
        OovToken = oovToken;
        OutputMode = outputMode;
        PadToMaxTokens = padToMaxTokens;
        Invert = invert;
    }

    public bool IntegerVocabulary { get; }
    public int? MaxTokens { get; }
    public int NumOovIndices { get; }
    public string? MaskToken { get; }
    public string? OovToken { get; }
    public string OutputMode { get; }
    public bool PadToMaxTokens { get; }
    public bool Invert { get; }

    /// <summary>True once a vocabulary was given or adapted.</summary>
    public bool HasVocabulary { get; private set; }

    /// <summary>Bumped whenever the vocabulary changes, so encodings cached for a dataset know they are stale.</summary>
    public int Version { get; private set; }

    /// <summary>Keras's <c>_oov_start_index</c>: 1 when index 0 is the mask (int output with a mask token), else 0.</summary>
    public int OovStart => MaskToken is not null && OutputMode == "int" ? 1 : 0;

    /// <summary>Keras's <c>_token_start_index</c>: the index of the first real token.</summary>
    public int TokenStart => OovStart + NumOovIndices;

    /// <summary>Keras's <c>vocabulary_size()</c>: the tokens plus the mask and OOV slots.</summary>
    public int VocabularySize => TokenStart + tokens.Length;

    /// <summary>Width of a multi_hot / count / tf_idf / one_hot row: max_tokens with pad_to_max_tokens, else the vocabulary size.</summary>
    public int Depth => PadToMaxTokens && MaxTokens is int m ? m : VocabularySize;

    /// <summary>Keras's <c>get_vocabulary()</c>: the special tokens then the tokens, so a token's position is its index.</summary>
    public IReadOnlyList<string> GetVocabulary(bool includeSpecialTokens = true)
    {
        if (!includeSpecialTokens) return tokens;
        var v = new List<string>(VocabularySize);
        if (OovStart == 1) v.Add(MaskToken!);
        for (int i = 0; i < NumOovIndices; i++) v.Add(OovToken ?? "");
        v.AddRange(tokens);
        return v;
    }

    /// <summary>The IDF weight of each output index (special slots first), or null outside tf_idf.</summary>
    public IReadOnlyList<double>? IdfWeights => idfWeights;

    /// <summary>
    /// Keras's <c>set_vocabulary</c>: the tokens, with or without the leading special tokens (mask, then OOV, in that
    /// order); for tf_idf one IDF weight per vocabulary entry (without the OOV weights they become the average).
    /// </summary>
    public void SetVocabulary(IReadOnlyList<string> vocabulary, IReadOnlyList<double>? idf = null)
    {
        if (OutputMode == "tf_idf" && idf is null)
            throw KerasException.BadArgument("MissingIdfWeights",
                "output_mode tf_idf with a given vocabulary needs -IdfWeights, one per vocabulary entry (or -Adapt the layer).");
        if (OutputMode != "tf_idf" && idf is not null)
            throw KerasException.BadArgument("InvalidIdfWeights",
                $"idf_weights are only used with output_mode tf_idf. Received: output_mode={OutputMode}.");
        var special = GetSpecialTokens();
        bool withSpecial = vocabulary.Count >= special.Count && special.Select((s, i) => vocabulary[i] == s).All(b => b)
            && special.Count > 0;
        var toks = withSpecial ? vocabulary.Skip(special.Count).ToArray() : vocabulary.ToArray();
        var repeated = toks.GroupBy(t => t, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (repeated.Length > 0)
            throw KerasException.BadArgument("RepeatedVocabulary",
                $"The vocabulary repeats {string.Join(", ", repeated.Take(5).Select(t => $"'{t}'"))}; give each term once.", repeated[0]);
        if (MaskToken is not null && toks.Contains(MaskToken, StringComparer.Ordinal))
            throw KerasException.BadArgument("MaskTokenInVocabulary",
                $"The vocabulary holds the mask token '{MaskToken}' after its start; leave the mask and OOV tokens out of it, or "
                    + $"give them only first, in this order: {string.Join(", ", special.Select(s => $"'{s}'"))}.", MaskToken);
        if (Invert && OovToken is not null && toks.Contains(OovToken, StringComparer.Ordinal))
            throw KerasException.BadArgument("OovTokenInVocabulary",
                $"The vocabulary holds the OOV token '{OovToken}' after its start; leave it out, or give it only first.", OovToken);
        if (IntegerVocabulary)
            foreach (var t in toks) ParseInteger(t);
        if (MaxTokens is int max && TokenStart + toks.Length > max)
            throw KerasException.BadArgument("VocabularyTooLarge",
                $"The vocabulary has {TokenStart + toks.Length} entries with its special tokens, more than max_tokens={max}. "
                    + "Give fewer terms or a larger -MaxTokens.", toks.Length);
        double[]? weights = null;
        if (idf is not null)
        {
            if (idf.Count != vocabulary.Count)
                throw KerasException.BadArgument("InvalidIdfWeights",
                    $"idf_weights must have one weight per vocabulary entry: {vocabulary.Count} entries, {idf.Count} weights.");
            double front = withSpecial ? 0 : idf.Count == 0 ? 0 : idf.Average();
            int pad = withSpecial ? 0 : TokenStart;
            weights = Enumerable.Repeat(front, pad).Concat(idf).ToArray();
        }
        Assign(toks, weights);
    }

    private List<string> GetSpecialTokens()
    {
        var s = new List<string>();
        if (OovStart == 1) s.Add(MaskToken!);
        for (int i = 0; i < NumOovIndices; i++) s.Add(OovToken ?? "");
        return s;
    }

    private void Assign(string[] toks, double[]? weights)
    {
        tokens = toks;
        index = new Dictionary<string, int>(toks.Length, StringComparer.Ordinal);
        for (int i = 0; i < toks.Length; i++) index[toks[i]] = TokenStart + i;
        idfWeights = weights;
        HasVocabulary = true;
        Version++;
    }

    /// <summary>
    /// Keras's adapt: counts every token of every document (and, for tf_idf, the documents each token is in), drops the
    /// mask and OOV tokens, orders by count descending with ties by token descending, keeps max_tokens minus the special
    /// slots, and for tf_idf sets each token's IDF to <c>log(1 + documents / (1 + documents with the token))</c> with the
    /// OOV slots at their average.
    /// </summary>
    public void Adapt(IEnumerable<IReadOnlyList<string>> documents)
    {
        var table = new TokenTable();
        int documentCount = 0;
        foreach (var doc in documents)
        {
            documentCount++;
            foreach (var t in doc) table.Add(t.AsSpan(), documentCount);
        }
        AdaptCounts(table.Entries(), documentCount);
    }

    /// <summary>The second half of <see cref="Adapt"/>: the vocabulary (and IDF weights) from each token's count and the
    /// number of documents it was in, out of <paramref name="documentCount"/>.</summary>
    internal void AdaptCounts(IEnumerable<(string Token, long Count, long Documents)> entries, long documentCount)
    {
        var ordered = entries.Where(e => e.Token != MaskToken && e.Token != OovToken).ToArray();
        Comparison<string> tokenOrder = IntegerVocabulary
            ? (a, b) => ParseInteger(b).CompareTo(ParseInteger(a))
            : (a, b) => string.CompareOrdinal(b, a);
        Array.Sort(ordered, (x, y) => x.Count != y.Count ? y.Count.CompareTo(x.Count) : tokenOrder(x.Token, y.Token));
        int keep = MaxTokens is int max ? Math.Max(0, Math.Min(ordered.Length, max - TokenStart)) : ordered.Length;
        var toks = new string[keep];
        for (int i = 0; i < keep; i++) toks[i] = ordered[i].Token;
        double[]? weights = null;
        if (OutputMode == "tf_idf")
        {
            var learned = new double[keep];
            for (int i = 0; i < keep; i++) learned[i] = Math.Log(1 + (double)documentCount / (1 + ordered[i].Documents));
            double mean = learned.Length == 0 ? 0 : learned.Select(w => (double)(float)w).Average();
            weights = Enumerable.Repeat(mean, TokenStart).Concat(learned).ToArray();
        }
        Assign(toks, weights);
    }

    /// <summary>Index of one token: the mask slot, its vocabulary index, or its OOV slot (Keras's floormod for integers).</summary>
    public long Lookup(string token)
    {
        if (MaskToken is not null && token == MaskToken) return OutputMode == "int" ? 0 : -1;   // dropped from bincounts
        if (index.TryGetValue(token, out var i)) return i;
        return NumOovIndices switch
        {
            0 => throw KerasException.BadData("OutOfVocabulary",
                $"'{token}' is not in the vocabulary and num_oov_indices=0; set -NumOovIndices 1 to map unseen values to OOV.", token),
            1 => OovStart,
            _ when IntegerVocabulary => OovStart + FloorMod(ParseInteger(token), NumOovIndices),
            _ => OovStart + (long)(Fingerprint64(token) % (ulong)NumOovIndices),
        };
    }

    /// <summary>
    /// <see cref="Lookup(string)"/> of a token given as characters: a string is made only for an OOV token spread over
    /// several OOV slots (by its hash) or refused.
    /// </summary>
    internal long Lookup(ReadOnlySpan<char> token)
    {
        if (MaskToken is not null && token.SequenceEqual(MaskToken)) return OutputMode == "int" ? 0 : -1;
        if (VocabularyTable().TryGetValue(token, out var i)) return i;
        return NumOovIndices == 1 ? OovStart : Lookup(token.ToString());
    }

    private sealed record VocabularyIndex(TokenTable Table, int Version);
    private VocabularyIndex? vocabularyIndex;

    /// <summary>The vocabulary's indices in a table searched by span, made once per vocabulary (read without a lock: the
    /// table and its version are one reference).</summary>
    private TokenTable VocabularyTable()
    {
        if (vocabularyIndex is { } known && known.Version == Version) return known.Table;
        var table = new TokenTable(tokens.Length);
        for (int i = 0; i < tokens.Length; i++) table.Set(tokens[i], TokenStart + i);
        vocabularyIndex = new VocabularyIndex(table, Version);
        return table;
    }

    /// <summary>The token at an index (invert): the mask at the mask slot, the OOV token for an OOV slot or an unknown index.</summary>
    public string Token(long i)
    {
        if (MaskToken is not null && i == 0 && OovStart == 1) return MaskToken;
        long t = i - TokenStart;
        return t >= 0 && t < tokens.Length ? tokens[t] : OovToken ?? "";
    }

    /// <summary>
    /// Writes one sample's tokens into <paramref name="row"/> (length <see cref="Depth"/>) as multi_hot, count or tf_idf;
    /// the mask token and indices past the depth are left out, as Keras's bincount leaves them.
    /// </summary>
    public void EncodeBag(IReadOnlyList<string> sample, Span<float> row)
    {
        int depth = row.Length;
        foreach (var t in sample)
        {
            long i = Lookup(t);
            if (i < 0 || i >= depth) continue;
            row[(int)i] = OutputMode == "multi_hot" ? 1 : row[(int)i] + 1;
        }
        if (OutputMode == "tf_idf" && idfWeights is not null)
            for (int i = 0; i < depth; i++) if (row[i] != 0) row[i] *= i < idfWeights.Length ? (float)idfWeights[i] : 0f;
    }

    /// <summary>
    /// The rows <see cref="EncodeBag"/> writes, for many samples, as sparse rows (<see cref="Data.SparseRows"/>): each row
    /// holds its distinct indices in ascending order with the value the dense row has there (1, the count, or the count
    /// times the IDF weight, computed in float32 as the dense row is), so that its dense form equals EncodeBag's row.
    /// </summary>
    public Data.SparseRows EncodeBags(IReadOnlyList<IReadOnlyList<string>> samples) =>
        EncodeBags(samples.Count, (r, ids) =>
        {
            foreach (var t in samples[r]) ids.Add(Lookup(t));
        });

    /// <summary>
    /// <see cref="EncodeBags(IReadOnlyList{IReadOnlyList{string}})"/> for <paramref name="n"/> samples whose indices
    /// <paramref name="indicesOf"/> adds (it may run on several threads at once, one sample each).
    /// </summary>
    internal Data.SparseRows EncodeBags(int n, Action<int, List<long>> indicesOf)
    {
        int depth = Depth;
        var ids = new int[n][];
        try
        {
            // ranges of rows rather than one call per row: a row is a few tokens, less work than a call's overhead
            int chunk = Math.Max(256, n / (8 * Environment.ProcessorCount));
            if (n > 0)
                Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, n, chunk),
                new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, range =>
                {
                    var buffer = new List<long>();
                    for (int r = range.Item1; r < range.Item2; r++)
                    {
                        buffer.Clear();
                        indicesOf(r, buffer);
                        int kept = 0;
                        foreach (long i in buffer) if (i >= 0 && i < depth) kept++;
                        var row = new int[kept];
                        kept = 0;
                        foreach (long i in buffer) if (i >= 0 && i < depth) row[kept++] = (int)i;
                        Array.Sort(row);
                        ids[r] = row;
                    }
                });
        }
        catch (AggregateException e) when (e.InnerException is KerasException k)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(k).Throw();
        }
        var offsets = new long[n + 1];
        for (int r = 0; r < n; r++)
        {
            var row = ids[r];
            int distinct = 0;
            for (int k = 0; k < row.Length; k++) if (k == 0 || row[k] != row[k - 1]) distinct++;
            offsets[r + 1] = offsets[r] + distinct;
        }
        var indices = new int[offsets[n]];
        var values = new float[offsets[n]];
        bool hot = OutputMode == "multi_hot";
        var idf = OutputMode == "tf_idf" ? idfWeights : null;
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, r =>
        {
            var row = ids[r];
            long at = offsets[r] - 1;
            for (int k = 0; k < row.Length; k++)
            {
                if (k == 0 || row[k] != row[k - 1]) { indices[++at] = row[k]; values[at] = 1; }
                else if (!hot) values[at] += 1;
            }
            if (idf is not null)
                for (long k = offsets[r]; k < offsets[r + 1]; k++)
                    values[k] *= indices[k] < idf.Length ? (float)idf[indices[k]] : 0f;
        });
        return new Data.SparseRows(depth, offsets, indices, values);
    }

    private static long FloorMod(long a, long n) => ((a % n) + n) % n;

    internal static long ParseInteger(string t) =>
        long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw KerasException.BadData("InvalidIntegerToken",
                $"IntegerLookup takes whole numbers; '{t}' is not one. Give integer values (or use StringLookup).", t);

    /// <summary>
    /// The string hash Keras uses to spread OOV strings over several OOV slots: FarmHash Fingerprint64 of the UTF-8
    /// bytes (TensorFlow's <c>to_hash_bucket_fast</c>), the Hashing layer's unsalted hash.
    /// </summary>
    private static ulong Fingerprint64(string token) => StableHash.Fingerprint64(token);

    public const string DefaultStringOov = "[UNK]";
    public const string DefaultIntegerOov = "-1";
}
