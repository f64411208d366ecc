using System.Text;

namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>
/// keras.layers.TextVectorization (keras/src/layers/preprocessing/text_vectorization.py): standardizes each string
/// (ASCII lower case, as <c>tf.strings.lower</c>, and Python's <c>string.punctuation</c> removed), splits it (on
/// whitespace runs, or into characters), forms n-grams joined by a space, and looks the tokens up in a StringLookup
/// vocabulary with the mask token <c>""</c> at 0 and <c>[UNK]</c> at 1 (int output) or <c>[UNK]</c> at 0 (bag outputs).
/// Int output is padded with 0 or truncated to output_sequence_length. Runs on the host (<see cref="HostEncodedLayer"/>).
/// </summary>
[KerasLayer("TextVectorization")]
public sealed class TextVectorization : HostEncodedLayer, IKerasLayer<TextVectorization>
{
    public static readonly IReadOnlyList<string> Standardizations = new[] { "lower_and_strip_punctuation", "lower", "strip_punctuation" };
    public static readonly IReadOnlyList<string> Splits = new[] { "whitespace", "character" };
    public static readonly IReadOnlyList<string> TextOutputModes = new[] { "int", "multi_hot", "count", "tf_idf" };

    /// <summary>Python's <c>string.punctuation</c>, the characters Keras's regex removes.</summary>
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private readonly IndexLookup lookup;

    public TextVectorization(int? maxTokens = null, string? standardize = "lower_and_strip_punctuation", string? split = "whitespace",
        int[]? ngrams = null, string outputMode = "int", int? outputSequenceLength = null, bool padToMaxTokens = false,
        IReadOnlyList<string>? vocabulary = null, IReadOnlyList<double>? idfWeights = null, string? name = null) : base(name)
    {
        standardize = standardize is null or "none" or "" ? null : standardize;
        split = split is null or "none" or "" ? null : split;
        if (standardize is not null && !Standardizations.Contains(standardize))
            throw KerasException.BadArgument("InvalidStandardize",
                $"standardize must be one of {string.Join(", ", Standardizations)} or none. "
                    + $"Received: standardize={standardize}.", standardize);
        if (split is not null && !Splits.Contains(split))
            throw KerasException.BadArgument("InvalidSplit",
                $"split must be whitespace, character or none. Received: split={split}.", split);
        outputMode = outputMode == "tf-idf" ? "tf_idf" : outputMode;
        if (!TextOutputModes.Contains(outputMode))
            throw KerasException.BadArgument("InvalidOutputMode",
                $"TextVectorization's output_mode must be one of {string.Join(", ", TextOutputModes)}. "
                    + $"Received: {outputMode}.", outputMode);
        if (ngrams is { } ng && (ng.Length == 0 || ng.Any(n => n < 1)))
            throw KerasException.BadArgument("InvalidNgrams",
                $"ngrams must be positive integers. Received: ngrams={string.Join(", ", ng)}.");
        if (ngrams is not null && split is null)
            throw KerasException.BadArgument("InvalidNgrams",
                "ngrams need a split (whitespace or character): set -Split or leave -Ngrams out.");
        if (outputSequenceLength is not null && outputMode != "int")
            throw KerasException.BadArgument("InvalidOutputSequenceLength",
                $"output_sequence_length only applies to output_mode int. Received: output_mode={outputMode}.", outputSequenceLength);
        if (outputSequenceLength is < 1)
            throw KerasException.BadArgument("InvalidOutputSequenceLength",
                $"output_sequence_length must be a positive integer. Received: {outputSequenceLength}.", outputSequenceLength);
        Standardize = standardize;
        Split = split;
        NgramsArgument = ngrams;
        Ngrams = ngrams is [var n] ? Enumerable.Range(1, n).ToArray() : ngrams;
        OutputSequenceLength = outputSequenceLength;
        lookup = new IndexLookup(false, maxTokens, 1, "", IndexLookup.DefaultStringOov, outputMode, padToMaxTokens, false);
        if (vocabulary is not null)
        {
            lookup.SetVocabulary(vocabulary, idfWeights);
            HasInputVocabulary = true;
        }
        else if (idfWeights is not null)
            throw KerasException.BadArgument("InvalidIdfWeights", "-IdfWeights needs -Vocabulary (one weight per term).");
    }

    public int? MaxTokens => lookup.MaxTokens;
    public string? Standardize { get; }
    public string? Split { get; }

    /// <summary>The n-gram widths made, in order (ngrams=2 means 1 and 2); null for none.</summary>
    public int[]? Ngrams { get; }

    /// <summary>ngrams as given (an integer n, or a list of widths), as the config keeps it.</summary>
    public int[]? NgramsArgument { get; }
    public string OutputMode => lookup.OutputMode;
    public int? OutputSequenceLength { get; }
    public bool PadToMaxTokens => lookup.PadToMaxTokens;

    /// <summary>True when the vocabulary was given, not adapted (Keras's <c>_has_input_vocabulary</c>).</summary>
    public bool HasInputVocabulary { get; private set; }

    /// <summary>The vocabulary with its special tokens, in index order.</summary>
    public IReadOnlyList<string> GetVocabulary(bool includeSpecialTokens = true) => lookup.GetVocabulary(includeSpecialTokens);
    public int VocabularySize => lookup.VocabularySize;
    public IReadOnlyList<double>? IdfWeights => lookup.IdfWeights;
    public IndexLookup Lookup => lookup;

    public override bool CanEncode => lookup.HasVocabulary && (OutputMode != "int" || OutputSequenceLength is not null);
    public override int EncodingVersion => lookup.Version;

    public override int[] EncodedShape
    {
        get
        {
            if (!lookup.HasVocabulary)
                throw KerasException.BadOperation("NoVocabulary",
                    $"TextVectorization{NameInText} has no vocabulary yet. Give it -Vocabulary or -Adapt it to training texts.");
            if (OutputMode == "int")
                return OutputSequenceLength is int n ? new[] { n }
                    : throw KerasException.BadArgument("MissingOutputSequenceLength",
                        $"TextVectorization{NameInText} in a model needs -OutputSequenceLength (the padded token count per text), "
                            + "as the model's tensors have a fixed width.");
            return new[] { lookup.Depth };
        }
    }

    /// <summary>Keras's <c>_preprocess</c> for one string: standardize, split, n-grams.</summary>
    public IReadOnlyList<string> Tokenize(string? text)
    {
        var s = StandardizeText(text ?? "");
        List<string> parts;
        if (Split is null) parts = new List<string>(1) { s };
        else if (Split == "whitespace") parts = SplitWhitespace(s);
        else
        {
            // unicode_split: one token per code point (a surrogate pair stays together)
            parts = new List<string>(s.Length);
            for (int i = 0; i < s.Length; i += char.IsSurrogatePair(s, i) ? 2 : 1)
                parts.Add(char.IsSurrogatePair(s, i) ? s.Substring(i, 2) : s[i].ToString());
        }
        if (Ngrams is null) return parts;
        var grams = new List<string>(parts.Count * Ngrams.Length);
        foreach (int w in Ngrams)
            for (int i = 0; i + w <= parts.Count; i++)
                grams.Add(w == 1 ? parts[i] : string.Join(' ', parts.GetRange(i, w)));
        return grams;
    }

    private string StandardizeText(string text)
    {
        if (Standardize is null) return text;
        bool lower = Standardize != "strip_punctuation", strip = Standardize != "lower";
        int i = 0;
        for (; i < text.Length; i++)
        {
            char ch = text[i];
            if ((lower && ch is >= 'A' and <= 'Z') || (strip && ch < 128 && Punctuation.Contains(ch))) break;
        }
        if (i == text.Length) return text;
        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            char ch = text[i];
            if (strip && ch < 128 && Punctuation.Contains(ch)) continue;
            sb.Append(lower && ch is >= 'A' and <= 'Z' ? (char)(ch + 32) : ch);
        }
        return sb.ToString();
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';

    private static readonly bool[] IsPunctuation = Enumerable.Range(0, 128).Select(c => Punctuation.Contains((char)c)).ToArray();

    /// <summary>True when <see cref="NextToken"/> gives <see cref="Tokenize"/>'s tokens: whitespace split, no n-grams.</summary>
    private bool ScansTokens => Split == "whitespace" && Ngrams is null;

    /// <summary>
    /// The next token of <paramref name="text"/> from <paramref name="position"/>, standardized, into
    /// <paramref name="buffer"/> (grown as needed): its length, or 0 at the end. The same tokens as <see cref="Tokenize"/>
    /// (standardizing removes characters and never adds whitespace, so standardizing each whitespace-separated run equals
    /// splitting the standardized text), without a string per token.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private int NextToken(string text, ref int position, ref char[] buffer)
    {
        bool lower = Standardize is "lower_and_strip_punctuation" or "lower";
        bool strip = Standardize is "lower_and_strip_punctuation" or "strip_punctuation";
        int length = 0;
        while (position < text.Length)
        {
            char c = text[position];
            if (IsSpace(c))
            {
                if (length > 0) break;
                position++;
                continue;
            }
            position++;
            if (strip && c < 128 && IsPunctuation[c]) continue;
            if (lower && c is >= 'A' and <= 'Z') c = (char)(c + 32);
            if (length == buffer.Length) Array.Resize(ref buffer, length * 2);
            buffer[length++] = c;
        }
        return length;
    }

    [ThreadStatic] private static char[]? tokenBuffer;

    private static List<string> SplitWhitespace(string s)
    {
        var parts = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsSpace(s[i])) i++;
            int start = i;
            while (i < s.Length && !IsSpace(s[i])) i++;
            if (i > start) parts.Add(s.Substring(start, i - start));
        }
        return parts;
    }

    /// <summary>Keras's adapt: builds the vocabulary (and IDF weights) from texts, one document each.</summary>
    public void Adapt(IReadOnlyList<string> texts)
    {
        if (HasInputVocabulary)
            throw KerasException.BadOperation("CannotAdapt",
                $"TextVectorization{NameInText} was given a vocabulary; a layer with a given vocabulary cannot be adapted.");
        if (!ScansTokens)
        {
            var docs = new IReadOnlyList<string>[texts.Count];
            Parallel.For(0, texts.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                i => docs[i] = Tokenize(texts[i]));
            lookup.Adapt(docs);
            return;
        }
        // Each thread counts a range of the texts in its own table (a string per distinct token, not per token), then the
        // tables are merged: the same counts and document counts as tokenizing every text.
        int parts = Math.Max(1, Math.Min(Environment.ProcessorCount, texts.Count / 1000));
        var tables = new TokenTable[parts];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, p =>
        {
            var table = new TokenTable(4096);
            var buffer = new char[64];
            int from = (int)((long)texts.Count * p / parts), to = (int)((long)texts.Count * (p + 1) / parts);
            for (int d = from; d < to; d++)
            {
                var text = texts[d] ?? "";
                int position = 0, length;
                while ((length = NextToken(text, ref position, ref buffer)) > 0) table.Add(buffer.AsSpan(0, length), d + 1);
            }
            tables[p] = table;
        });
        var all = tables[0];
        for (int p = 1; p < parts; p++)
            foreach (var (token, count, documents) in tables[p].Entries()) all.Add(token, count, documents);
        lookup.AdaptCounts(all.Entries(), texts.Count);
    }

    /// <summary>
    /// Keras's call on a batch of strings: int output padded with 0 (or truncated) to output_sequence_length, or to the
    /// longest text of the batch without one; bag outputs one row of the vocabulary's width each.
    /// </summary>
    public float[] Encode(IReadOnlyList<string> texts, out int[] rowShape)
    {
        if (!lookup.HasVocabulary)
            throw KerasException.BadOperation("NoVocabulary",
                $"TextVectorization{NameInText} has no vocabulary yet. Give it -Vocabulary or -Adapt it to training texts.");
        if (OutputMode == "int" && OutputSequenceLength is int length && ScansTokens)
        {
            // A model's int input: each text's first `length` token ids, scanned without a string per token
            rowShape = new[] { length };
            var ids = new float[(long)texts.Count * length];
            Parallel.For(0, texts.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, r =>
            {
                var buffer = tokenBuffer ??= new char[64];
                var row = ids.AsSpan((int)((long)r * length), length);
                var text = texts[r] ?? "";
                int position = 0, n, i = 0;
                while (i < length && (n = NextToken(text, ref position, ref buffer)) > 0) row[i++] = lookup.Lookup(buffer.AsSpan(0, n));
                tokenBuffer = buffer;
            });
            return ids;
        }
        var docs = new IReadOnlyList<string>[texts.Count];
        Parallel.For(0, texts.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => docs[i] = Tokenize(texts[i]));
        int width = OutputMode == "int" ? OutputSequenceLength ?? (docs.Length == 0 ? 0 : docs.Max(d => d.Count)) : lookup.Depth;
        rowShape = new[] { width };
        var values = new float[(long)texts.Count * width];
        Parallel.For(0, docs.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, r =>
        {
            var row = values.AsSpan((int)((long)r * width), width);
            if (OutputMode == "int")
            {
                var d = docs[r];
                for (int i = 0; i < d.Count && i < width; i++) row[i] = lookup.Lookup(d[i]);
            }
            else lookup.EncodeBag(docs[r], row);
        });
        return values;
    }

    public override float[] EncodeStrings(IReadOnlyList<string> rows)
    {
        var shape = EncodedShape;
        var values = Encode(rows, out var got);
        return got.SequenceEqual(shape) ? values : throw new InvalidOperationException("Encoded width differs from the layer's shape.");
    }

    /// <summary>The bag outputs (multi_hot, count, tf_idf) as sparse rows: only the tokens each text holds.</summary>
    public override Data.SparseRows? EncodeSparse(IReadOnlyList<string> rows)
    {
        if (OutputMode == "int") return null;
        _ = EncodedShape;   // the clear errors
        if (ScansTokens)
            return lookup.EncodeBags(rows.Count, (r, ids) =>
            {
                var buffer = tokenBuffer ??= new char[64];
                var text = rows[r] ?? "";
                int position = 0, length;
                while ((length = NextToken(text, ref position, ref buffer)) > 0) ids.Add(lookup.Lookup(buffer.AsSpan(0, length)));
                tokenBuffer = buffer;
            });
        var docs = new IReadOnlyList<string>[rows.Count];
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => docs[i] = Tokenize(rows[i]));
        return lookup.EncodeBags(docs);
    }

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c.Remove("input_shape");
        c["max_tokens"] = MaxTokens;
        c["standardize"] = Standardize;
        c["split"] = Split;
        c["ngrams"] = NgramsArgument is [var n] ? n : NgramsArgument;
        c["output_mode"] = OutputMode;
        c["output_sequence_length"] = OutputSequenceLength;
        c["pad_to_max_tokens"] = PadToMaxTokens;
        c["sparse"] = false;
        c["ragged"] = false;
        // The vocabulary travels in the config (with its special tokens, which Keras's set_vocabulary recognizes and strips),
        // so that .kpt and .keras files carry it without an assets folder.
        c["vocabulary"] = lookup.HasVocabulary ? lookup.GetVocabulary().ToArray() : null;
        c["idf_weights"] = lookup.IdfWeights?.ToArray();
        c["encoding"] = "utf-8";
        c["vocabulary_size"] = lookup.HasVocabulary ? lookup.VocabularySize : null;
    }

    public static TextVectorization FromConfig(ConfigReader c)
    {
        c.RequireDefault("ragged", false, "TextVectorization");
        c.RequireDefault("sparse", false, "TextVectorization");
        return new(c.NullableInt("max_tokens"), StandardizeOf(c, "standardize", "lower_and_strip_punctuation"),
            StandardizeOf(c, "split", "whitespace"), c.IntArray("ngrams"), c.String("output_mode") ?? "int",
            c.NullableInt("output_sequence_length"), c.Bool("pad_to_max_tokens", false), VocabularyOf(c), c.DoubleArray("idf_weights"),
            c.Name);
    }

    /// <summary>A string option whose absent key means the default and whose null means none.</summary>
    private static string? StandardizeOf(ConfigReader c, string key, string fallback)
    {
        if (c.Raw(key) is null) return c.Has(key) ? null : fallback;
        return c.String(key);
    }

    internal static string[]? VocabularyOf(ConfigReader c)
    {
        var raw = c.Raw("vocabulary");
        if (raw is string path)
            throw KerasException.BadData("UnsupportedVocabularyFile",
                $"Layer '{c.Name}' names a vocabulary file ({path}); give the vocabulary as a list instead.", path);
        return c.StringArray("vocabulary");
    }

    public override string? Details => DetailText.Join($"mode={OutputMode}",
        lookup.HasVocabulary ? $"vocabulary={lookup.VocabularySize}" : "not adapted",
        OutputSequenceLength is int n ? $"length={n}" : null, Ngrams is null ? null : $"ngrams={string.Join(",", Ngrams)}");
}
