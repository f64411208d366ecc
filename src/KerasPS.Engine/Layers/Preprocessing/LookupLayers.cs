using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>The config keys StringLookup and IntegerLookup share (Keras's IndexLookup.get_config), written and read once.</summary>
internal static class LookupConfig
{
    public static void Write(IDictionary<string, object?> c, IndexLookup l, object? maskToken, object? oovToken, string dtype)
    {
        c["invert"] = l.Invert;
        c["max_tokens"] = l.MaxTokens;
        c["num_oov_indices"] = l.NumOovIndices;
        c["oov_token"] = oovToken;
        c["mask_token"] = maskToken;
        c["output_mode"] = l.OutputMode;
        c["sparse"] = false;
        c["pad_to_max_tokens"] = l.PadToMaxTokens;
        c["vocabulary_dtype"] = dtype;
        // The vocabulary travels in the config, with its special tokens first (Keras's set_vocabulary strips them).
        c["idf_weights"] = l.IdfWeights?.ToArray();
        c["vocabulary"] = l.HasVocabulary ? VocabularyValues(l) : null;
        c["vocabulary_size"] = l.HasVocabulary ? l.VocabularySize : null;
        c["oov_method"] = "floormod";
        c["salt"] = null;
    }

    private static object VocabularyValues(IndexLookup l) => l.IntegerVocabulary
        ? l.GetVocabulary().Select(t => t.Length == 0 ? 0L : IndexLookup.ParseInteger(t)).ToArray()
        : l.GetVocabulary().ToArray();

    public static void RequireDefaults(ConfigReader c, string className)
    {
        c.RequireDefault("sparse", false, className);
        if (c.String("oov_method") is { } m && m != "floormod" && c.Int("num_oov_indices", 1) > 1)
            throw KerasException.BadData("UnsupportedLayerOption",
                $"{className} '{c.Name}' sets oov_method={m}, which KerasPS does not support (it runs floormod).", "oov_method");
    }
}

/// <summary>
/// keras.layers.StringLookup (keras/src/layers/preprocessing/string_lookup.py): maps one string per row to its
/// vocabulary index (OOV to 1 slot at the front by default, <c>[UNK]</c>), or to a one_hot / multi_hot / count /
/// tf_idf row. Runs on the host (<see cref="HostEncodedLayer"/>).
/// </summary>
[KerasLayer("StringLookup")]
public sealed class StringLookup : HostEncodedLayer, IKerasLayer<StringLookup>
{
    public StringLookup(int? maxTokens = null, int numOovIndices = 1, string? maskToken = null,
        string? oovToken = IndexLookup.DefaultStringOov,
        IReadOnlyList<string>? vocabulary = null, IReadOnlyList<double>? idfWeights = null, bool invert = false, string outputMode = "int",
        bool padToMaxTokens = false, string? name = null) : base(name)
    {
        Lookup = new IndexLookup(false, maxTokens, numOovIndices, maskToken, oovToken ?? IndexLookup.DefaultStringOov, outputMode,
            padToMaxTokens, invert);
        if (vocabulary is not null)
        {
            Lookup.SetVocabulary(vocabulary, idfWeights);
            HasInputVocabulary = true;
        }
    }

    public IndexLookup Lookup { get; }
    public bool HasInputVocabulary { get; }

    public override bool CanEncode => Lookup.HasVocabulary && !Lookup.Invert;
    public override int EncodingVersion => Lookup.Version;

    public override int[] EncodedShape => !Lookup.HasVocabulary
        ? throw KerasException.BadOperation("NoVocabulary",
            $"StringLookup{NameInText} has no vocabulary yet. Give it -Vocabulary or -Adapt it to training values.")
        : Lookup.Invert ? throw KerasException.BadOperation("InvertInModel",
            $"StringLookup{NameInText} has -Invert, which outputs strings; a model's tensors cannot hold them.")
        : Lookup.OutputMode == "int" ? new[] { 1 } : new[] { Lookup.Depth };

    /// <summary>Keras's adapt on one value per row.</summary>
    public void Adapt(IReadOnlyList<string> values)
    {
        if (HasInputVocabulary)
            throw KerasException.BadOperation("CannotAdapt",
                $"StringLookup{NameInText} was given a vocabulary; a layer with a given vocabulary cannot be adapted.");
        Lookup.Adapt(values.Select(v => (IReadOnlyList<string>)new[] { v ?? "" }));
    }

    /// <summary>Keras's call on samples of several values each: int output one index per value, bag outputs one row each.</summary>
    public float[] Encode(IReadOnlyList<IReadOnlyList<string>> samples, out int width)
    {
        bool ints = Lookup.OutputMode == "int";
        width = ints ? (samples.Count == 0 ? 0 : samples.Max(s => s.Count)) : Lookup.Depth;
        var values = new float[(long)samples.Count * width];
        for (int r = 0; r < samples.Count; r++)
        {
            var row = values.AsSpan(r * width, width);
            if (!ints) Lookup.EncodeBag(samples[r], row);
            else for (int i = 0; i < samples[r].Count; i++) row[i] = Lookup.Lookup(samples[r][i]);
        }
        return values;
    }

    public override float[] EncodeStrings(IReadOnlyList<string> rows)
    {
        _ = EncodedShape;   // the clear errors
        if (Lookup.OutputMode != "int")
            return Encode(rows.Select(r => (IReadOnlyList<string>)new[] { r ?? "" }).ToArray(), out _);
        var values = new float[rows.Count];
        for (int i = 0; i < rows.Count; i++) values[i] = Lookup.Lookup(rows[i] ?? "");
        return values;
    }

    /// <summary>The one_hot, multi_hot, count and tf_idf rows as sparse rows (one value per row at most).</summary>
    public override Data.SparseRows? EncodeSparse(IReadOnlyList<string> rows)
    {
        _ = EncodedShape;   // the clear errors
        return Lookup.OutputMode == "int" ? null : Lookup.EncodeBags(rows.Select(r => (IReadOnlyList<string>)new[] { r ?? "" }).ToArray());
    }

    /// <summary>invert: the tokens of indices (the OOV token for an unknown index).</summary>
    public string[] InvertIndices(IReadOnlyList<long> indices) => indices.Select(Lookup.Token).ToArray();

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c.Remove("input_shape");   // its input is raw strings; the encoded shape follows from the vocabulary
        LookupConfig.Write(c, Lookup, Lookup.MaskToken, Lookup.OovToken, "string");
        c["encoding"] = "utf-8";
    }

    public static StringLookup FromConfig(ConfigReader c)
    {
        LookupConfig.RequireDefaults(c, "StringLookup");
        return new(c.NullableInt("max_tokens"), c.Int("num_oov_indices", 1), c.String("mask_token"),
            c.Has("oov_token") ? c.String("oov_token") : IndexLookup.DefaultStringOov, TextVectorization.VocabularyOf(c),
            c.DoubleArray("idf_weights"), c.Bool("invert", false), c.String("output_mode") ?? "int", c.Bool("pad_to_max_tokens", false),
            c.Name);
    }

    public override string? Details => DetailText.Join($"mode={Lookup.OutputMode}",
        Lookup.HasVocabulary ? $"vocabulary={Lookup.VocabularySize}" : "not adapted");
}

/// <summary>
/// keras.layers.IntegerLookup (keras/src/layers/preprocessing/integer_lookup.py): maps whole numbers to vocabulary
/// indices (OOV token -1 at index 0 by default; several OOV slots by Keras's floormod), or to one_hot / multi_hot /
/// count / tf_idf rows over the last axis. Numbers fit in tensors, so it runs in the model; the lookup itself is done on
/// the host, as Keras runs its hash table on the CPU.
/// </summary>
[KerasLayer("IntegerLookup")]
public sealed class IntegerLookup : Layer, IKerasLayer<IntegerLookup>
{
    public IntegerLookup(int? maxTokens = null, int numOovIndices = 1, long? maskToken = null, long oovToken = -1,
        IReadOnlyList<long>? vocabulary = null, IReadOnlyList<double>? idfWeights = null, bool invert = false, string outputMode = "int",
        bool padToMaxTokens = false, string? name = null, int[]? inputShape = null) : base(name, inputShape)
    {
        Lookup = new IndexLookup(true, maxTokens, numOovIndices, maskToken is long m ? Text(m) : null, Text(oovToken), outputMode,
            padToMaxTokens, invert);
        if (vocabulary is not null)
        {
            Lookup.SetVocabulary(vocabulary.Select(Text).ToArray(), idfWeights);
            HasInputVocabulary = true;
        }
    }

    private static string Text(long v) => v.ToString(CultureInfo.InvariantCulture);

    public IndexLookup Lookup { get; }
    public bool HasInputVocabulary { get; }

    /// <summary>The vocabulary as numbers (special tokens first).</summary>
    public long[] GetVocabulary(bool includeSpecialTokens = true) =>
        Lookup.GetVocabulary(includeSpecialTokens).Select(IndexLookup.ParseInteger).ToArray();

    /// <summary>Keras's adapt: every value of every row counts; each row is a document for tf_idf.</summary>
    public void Adapt(IReadOnlyList<long[]> rows)
    {
        if (HasInputVocabulary)
            throw KerasException.BadOperation("CannotAdapt",
                $"IntegerLookup{NameInText} was given a vocabulary; a layer with a given vocabulary cannot be adapted.");
        Lookup.Adapt(rows.Select(r => (IReadOnlyList<string>)r.Select(Text).ToArray()));
    }

    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (Lookup.OutputMode == "int") return (int[])inputShape.Clone();
        if (!Lookup.HasVocabulary && !Lookup.PadToMaxTokens)
            throw KerasException.BadOperation("NoVocabulary",
                $"IntegerLookup{NameInText} has no vocabulary yet. Give it -Vocabulary or -Adapt it to training values.");
        int depth = Lookup.Depth;
        if (Lookup.OutputMode == "one_hot")
            return inputShape is [.., 1] ? inputShape[..^1].Append(depth).ToArray() : inputShape.Append(depth).ToArray();
        return inputShape[..^1].Append(depth).ToArray();
    }

    /// <summary>Keras's call on rows of whole numbers (row-major, <paramref name="width"/> values a row).</summary>
    public float[] Encode(long[] values, int width, out int outWidth)
    {
        int rows = width == 0 ? 0 : values.Length / width;
        var mode = Lookup.OutputMode;
        if (mode == "int")
        {
            outWidth = width;
            return values.Select(v => Lookup.Invert ? (float)IndexLookup.ParseInteger(Lookup.Token(v)) : Lookup.Lookup(Text(v))).ToArray();
        }
        int depth = Lookup.Depth;
        if (mode == "one_hot")
        {
            outWidth = width == 1 ? depth : width * depth;
            var oh = new float[(long)values.Length * depth];
            for (int i = 0; i < values.Length; i++)
            {
                long k = Lookup.Lookup(Text(values[i]));
                if (k >= 0 && k < depth) oh[(long)i * depth + k] = 1;
            }
            return oh;
        }
        outWidth = depth;
        var bag = new float[(long)rows * depth];
        for (int r = 0; r < rows; r++)
            Lookup.EncodeBag(values.Skip(r * width).Take(width).Select(Text).ToArray(), bag.AsSpan(r * depth, depth));
        return bag;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var shape = x.shape;
        using var cpu = x.detach().to(ScalarType.Float64).cpu().contiguous();
        var values = cpu.data<double>().Select(v => (long)Math.Round(v)).ToArray();
        int width = (int)shape[^1];
        var encoded = Encode(values, width, out _);
        var tail = ComputeOutputShape(shape.Skip(1).Select(d => (int)d).ToArray());
        var full = new long[] { shape[0] }.Concat(tail.Select(d => (long)d)).ToArray();
        return torch.tensor(encoded, full, dtype: ScalarType.Float32).to(x.device);
    }

    protected override void WriteConfig(IDictionary<string, object?> c) =>
        LookupConfig.Write(c, Lookup, Lookup.MaskToken is { } m ? IndexLookup.ParseInteger(m) : null,
            IndexLookup.ParseInteger(Lookup.OovToken!), "int64");

    public static IntegerLookup FromConfig(ConfigReader c)
    {
        LookupConfig.RequireDefaults(c, "IntegerLookup");
        var vocab = c.Raw("vocabulary") is null ? null : c.StringArray("vocabulary")!.Select(IndexLookup.ParseInteger).ToArray();
        return new(c.NullableInt("max_tokens"), c.Int("num_oov_indices", 1), c.NullableLong("mask_token"), c.Long("oov_token", -1),
            vocab, c.DoubleArray("idf_weights"), c.Bool("invert", false), c.String("output_mode") ?? "int",
            c.Bool("pad_to_max_tokens", false),
            c.Name, c.InputShape);
    }

    public override string? Details => DetailText.Join($"mode={Lookup.OutputMode}",
        Lookup.HasVocabulary ? $"vocabulary={Lookup.VocabularySize}" : "not adapted");
}
