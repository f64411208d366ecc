using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace KerasPS.Engine.Data;

/// <summary>
/// One pass over a UTF-8 CSV file before it is parsed: counts its data lines (so the feature buffer is allocated once)
/// and checks that every byte is valid UTF-8, naming the row and column of the first bad byte. A decoder that
/// replaced bad bytes with U+FFFD would make '\xff' and '\xfe' the same label and corrupt header names unnoticed.
/// </summary>
internal static class Utf8Scan
{
    private const int Chunk = 1 << 20;

    /// <summary>Data lines (line breaks, plus an unterminated last line, minus the header); throws InvalidEncoding at a bad byte.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="delimiter">The field separator, used to name the column of a bad byte; null to detect it.</param>
    /// <param name="marked">The encoding a UTF-16 or UTF-32 byte order mark names (then the file is not checked as UTF-8); null
    /// otherwise.</param>
    public static long CheckAndCountLines(string path, char? delimiter, out Encoding? marked)
    {
        marked = null;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        var chars = ArrayPool<char>.Shared.Rent(Chunk);
        try
        {
            long count = 0, offset = 0;
            int carry = 0, last = '\n';
            bool validate = true, first = true;
            while (true)
            {
                int n = fs.Read(buffer, carry, Chunk - carry);
                int filled = carry + n;
                bool final = n == 0;
                if (filled == 0) break;
                var span = buffer.AsSpan(0, filled);
                if (first && (filled >= 2 || final))
                {
                    first = false;
                    // A UTF-16 or UTF-32 byte order mark: no UTF-8 file; the reader decodes it by the mark, strictly.
                    marked = span.StartsWith(new byte[] { 0xFF, 0xFE, 0, 0 }) ? new UTF32Encoding(false, true)
                        : span.StartsWith(new byte[] { 0, 0, 0xFE, 0xFF }) ? new UTF32Encoding(true, true)
                        : span.StartsWith(new byte[] { 0xFF, 0xFE }) ? new UnicodeEncoding(false, true)
                        : span.StartsWith(new byte[] { 0xFE, 0xFF }) ? new UnicodeEncoding(true, true)
                        : null;
                    validate = marked is null;
                }
                int consumed = filled;
                if (validate)
                {
                    var status = Utf8.ToUtf16(span, chars, out consumed, out _, replaceInvalidSequences: false, isFinalBlock: final);
                    if (status == OperationStatus.InvalidData) throw BadByte(path, offset + consumed, delimiter);
                }
                count += span[..consumed].Count((byte)'\n');
                if (consumed > 0) last = span[consumed - 1];
                offset += consumed;
                carry = filled - consumed;
                span[consumed..].CopyTo(buffer);   // at most 3 bytes of a character cut by the chunk end
                if (final) break;
            }
            // A decoder drops a last, incomplete UTF-16/32 character without a word: the last value would lose its end.
            if (marked is not null && offset % (marked is UTF32Encoding ? 4 : 2) != 0)
                throw KerasException.BadData("InvalidEncoding",
                    $"'{Path.GetFileName(path)}' is {marked.EncodingName} by its byte order mark, "
                        + $"but its {offset} bytes end in the middle of a character (truncated or damaged). Save the file again, "
                        + "or give its encoding with -Encoding.", path);
            return count + (last == '\n' ? 0 : 1) - 1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>The error for the bad byte at <paramref name="offset"/>: its record and field, found by a quote-aware rescan.</summary>
    private static KerasException BadByte(string path, long offset, char? delimiter)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var prefix = new byte[(int)Math.Min(offset + 1, 64L * 1024 * 1024)];
        long skip = offset + 1 - prefix.Length;   // a bad byte deep in a huge file: count from a later point (row may then be approximate)
        fs.Position = skip;
        fs.ReadExactly(prefix);
        byte bad = prefix[^1];
        byte sep = delimiter is { } d ? (byte)d : DetectSeparator(prefix);
        long record = 0;
        int field = 0;
        bool quoted = false;
        var header = new List<byte[]>();
        var current = new List<byte>();
        for (int i = 0; i < prefix.Length - 1; i++)
        {
            byte b = prefix[i];
            if (b == (byte)'"') quoted = !quoted;
            else if (!quoted && b == sep) { if (record == 0) header.Add(current.ToArray()); current.Clear(); field++; continue; }
            else if (!quoted && b == (byte)'\n')
                { if (record == 0) header.Add(current.ToArray()); current.Clear(); record++; field = 0; continue; }
            if (record == 0) current.Add(b);
        }
        string file = Path.GetFileName(path);
        string where;
        if (skip > 0) where = $"Byte {offset} of '{file}'";
        else if (record == 0) where = $"The header of '{file}', column {field + 1},";
        else
        {
            var name = field < header.Count ? Encoding.UTF8.GetString(header[field]).Trim().Trim('"').Trim('\r') : null;
            where = $"Row {record}, column "
                + $"{(name is { Length: > 0 } ? $"'{TabularBuilder.Clip(name)}' (column {field + 1})" : $"{field + 1}")} of '{file}'";
        }
        return KerasException.BadData("InvalidEncoding",
            $"{where} holds the byte 0x{bad:X2} (file offset {offset}), which is not valid UTF-8. Save the file as UTF-8, "
                + "or give its encoding with -Encoding (for example -Encoding Latin1).", path);
    }

    private static byte DetectSeparator(ReadOnlySpan<byte> start)
    {
        int end = start.IndexOf((byte)'\n');
        var line = end < 0 ? start : start[..end];
        byte best = (byte)',';
        int most = 0;
        foreach (var c in new[] { (byte)',', (byte)';', (byte)'\t', (byte)'|' })
        {
            int k = line.Count(c);
            if (k > most) { most = k; best = c; }
        }
        return best;
    }
}
