using System.Runtime.CompilerServices;

namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>
/// A hash table from tokens to numbers that is searched with a span of characters, so that a tokenizer can count or look
/// up the tokens of a text without making a string of each (.NET 8's Dictionary cannot be searched by span). Open
/// addressing with linear probing; a token's string is made once, when it is first added. Not thread-safe: one per thread.
/// </summary>
internal sealed class TokenTable
{
    private string?[] keys;
    private int[] hashes;
    private long[] values;
    private long[] documents;
    private int[] lastDocument;
    private int mask;

    public TokenTable(int capacity = 1024)
    {
        int size = 16;
        while (size < capacity * 2) size <<= 1;
        keys = new string?[size];
        hashes = new int[size];
        values = new long[size];
        documents = new long[size];
        lastDocument = new int[size];
        mask = size - 1;
    }

    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Hash(ReadOnlySpan<char> s)
    {
        uint h = 2166136261;
        foreach (char c in s) h = (h ^ c) * 16777619;
        return (int)(h ^ (h >> 15));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Find(ReadOnlySpan<char> token, int hash)
    {
        int i = hash & mask;
        while (keys[i] is { } k)
        {
            if (hashes[i] == hash && token.SequenceEqual(k)) return i;
            i = (i + 1) & mask;
        }
        return ~i;
    }

    /// <summary>Counts one occurrence of <paramref name="token"/> in document <paramref name="document"/> (numbered from 1),
    /// and the document once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<char> token, int document)
    {
        int hash = Hash(token);
        int i = Find(token, hash);
        if (i < 0) i = Insert(token.ToString(), hash, ~i);
        values[i]++;
        if (lastDocument[i] != document) { lastDocument[i] = document; documents[i]++; }
    }

    /// <summary>Adds counts of a token (merging another table's entries).</summary>
    public void Add(string token, long count, long documentCount)
    {
        int hash = Hash(token);
        int i = Find(token, hash);
        if (i < 0) i = Insert(token, hash, ~i);
        values[i] += count;
        documents[i] += documentCount;
    }

    /// <summary>Sets the value of a token (a vocabulary index).</summary>
    public void Set(string token, long value)
    {
        int hash = Hash(token);
        int i = Find(token, hash);
        if (i < 0) i = Insert(token, hash, ~i);
        values[i] = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGetValue(ReadOnlySpan<char> token, out long value)
    {
        int i = Find(token, Hash(token));
        value = i >= 0 ? values[i] : 0;
        return i >= 0;
    }

    /// <summary>Every token with its count (or value) and the number of documents it was in.</summary>
    public IEnumerable<(string Token, long Count, long Documents)> Entries()
    {
        for (int i = 0; i < keys.Length; i++)
            if (keys[i] is { } k) yield return (k, values[i], documents[i]);
    }

    private int Insert(string token, int hash, int slot)
    {
        if ((Count + 1) * 2 > keys.Length)
        {
            Grow();
            slot = ~Find(token, hash);
        }
        keys[slot] = token;
        hashes[slot] = hash;
        Count++;
        return slot;
    }

    private void Grow()
    {
        var (oldKeys, oldHashes, oldValues, oldDocuments, oldLast) = (keys, hashes, values, documents, lastDocument);
        int size = keys.Length * 2;
        keys = new string?[size];
        hashes = new int[size];
        values = new long[size];
        documents = new long[size];
        lastDocument = new int[size];
        mask = size - 1;
        for (int j = 0; j < oldKeys.Length; j++)
        {
            if (oldKeys[j] is null) continue;
            int i = oldHashes[j] & mask;
            while (keys[i] is not null) i = (i + 1) & mask;
            keys[i] = oldKeys[j];
            hashes[i] = oldHashes[j];
            values[i] = oldValues[j];
            documents[i] = oldDocuments[j];
            lastDocument[i] = oldLast[j];
        }
    }
}
