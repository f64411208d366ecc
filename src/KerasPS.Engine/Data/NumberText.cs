using System.Globalization;

namespace KerasPS.Engine.Data;

/// <summary>What a piece of text is to the data loaders.</summary>
public enum NumberKind
{
    /// <summary>Not a number (a category, a missing-value marker, or garbage).</summary>
    NotANumber,

    /// <summary>A finite number that float32 represents (rounded to the nearest float32, as any float32 is).</summary>
    Number,

    /// <summary>
    /// Written as a number but not one float32 can hold: an infinity (Inf, Infinity, 1e999), a value beyond
    /// ±3.4028235E+38, or a non-zero value so small that it would become 0. Loading it would silently change it.
    /// </summary>
    Unrepresentable,
}

/// <summary>
/// The data loaders' one number grammar, for text and for UTF-8 bytes alike: optional spaces or tabs around an
/// optional sign, digits with at most one decimal point, and an optional exponent (invariant culture, no thousands
/// separators, no hex). Anything else, a NUL or other control byte included, is not a number. A number is parsed
/// straight to the nearest float32 (never through double, which could round twice).
/// </summary>
public static class NumberText
{
    private const NumberStyles Grammar = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    public static NumberKind Parse(ReadOnlySpan<char> s, out float value)
    {
        value = 0;
        s = s.Trim(" \t");
        if (s.Length == 0) return NumberKind.NotANumber;
        if (IsInfinityWord(s)) return NumberKind.Unrepresentable;
        if (!HasGrammar(s)) return NumberKind.NotANumber;
        // The grammar is checked first because .NET's parser also takes trailing NULs, "∞" and culture words.
        if (!float.TryParse(s, Grammar, CultureInfo.InvariantCulture, out var f)) return NumberKind.NotANumber;
        if (float.IsInfinity(f)) return NumberKind.Unrepresentable;
        if (f == 0 && HasNonZeroDigit(s)) return NumberKind.Unrepresentable;
        value = f;
        return NumberKind.Number;
    }

    public static NumberKind Parse(ReadOnlySpan<byte> utf8, out float value)
    {
        value = 0;
        // Numbers are short and ASCII; anything else is decided without decoding.
        if (utf8.Length > 4096 || utf8.Length == 0)
            return utf8.Length == 0 ? NumberKind.NotANumber : ParseLong(utf8, out value);
        Span<char> chars = stackalloc char[utf8.Length];
        for (int i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] >= 0x80) return NumberKind.NotANumber;
            chars[i] = (char)utf8[i];
        }
        return Parse(chars, out value);
    }

    private static NumberKind ParseLong(ReadOnlySpan<byte> utf8, out float value)
    {
        value = 0;
        foreach (var b in utf8) if (b >= 0x80) return NumberKind.NotANumber;
        return Parse(System.Text.Encoding.ASCII.GetString(utf8), out value);
    }

    /// <summary>
    /// True when <paramref name="s"/> is a finite float32 number (see <see cref="Parse(ReadOnlySpan{char}, out float)"/>).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> s, out float value) => Parse(s, out value) == NumberKind.Number;

    /// <summary>The message tail for an <see cref="NumberKind.Unrepresentable"/> value.</summary>
    internal const string RangeRule = "which float32 cannot hold (an infinity, beyond ±3.4028235E+38, "
        + "or a non-zero value so small it would become 0)";

    private static bool IsInfinityWord(ReadOnlySpan<char> s)
    {
        if (s[0] is '+' or '-') s = s[1..];
        return s.Equals("inf", StringComparison.OrdinalIgnoreCase) || s.Equals("infinity", StringComparison.OrdinalIgnoreCase)
            || s.SequenceEqual("∞");
    }

    /// <summary>sign? (digits ('.' digits?)? | '.' digits) ([eE] sign? digits)?</summary>
    private static bool HasGrammar(ReadOnlySpan<char> s)
    {
        int i = 0, n = s.Length;
        if (s[i] is '+' or '-') i++;
        int digits = 0;
        while (i < n && char.IsAsciiDigit(s[i])) { i++; digits++; }
        if (i < n && s[i] == '.')
        {
            i++;
            while (i < n && char.IsAsciiDigit(s[i])) { i++; digits++; }
        }
        if (digits == 0) return false;
        if (i < n && s[i] is 'e' or 'E')
        {
            i++;
            if (i < n && s[i] is '+' or '-') i++;
            int exp = 0;
            while (i < n && char.IsAsciiDigit(s[i])) { i++; exp++; }
            if (exp == 0) return false;
        }
        return i == n;
    }

    private static bool HasNonZeroDigit(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c is 'e' or 'E') return false;
            if (c is >= '1' and <= '9') return true;
        }
        return false;
    }
}
