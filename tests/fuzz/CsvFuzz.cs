// The CSV fuzz test's generator and strict reference parser. Shares no code with the module: the reference decodes
// strictly, tokenizes RFC 4180 itself and converts decimal text to float32 exactly with BigInteger arithmetic.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text;

namespace KerasPSFuzz
{
    public sealed class CsvCase
    {
        public byte[] Bytes;
        public char Delimiter;
        public string Description;
    }

    public sealed class CsvExpected
    {
        public string Error;                 // why a strict reader refuses the file; null when it loads
        public List<string> FeatureNames = new List<string>();
        public List<float[]> Rows = new List<float[]>();
        public string[] Classes;             // classification
        public int[] Labels;
        public float[] Targets;              // regression
    }

    public static class CsvFuzz
    {
        static readonly string[] EdgeNumbers =
        {
            "3.4028235e38", "3.4028235677973365e38", "3.4028235677973366e38", "3.4028236e38", "1e39", "-1e39", "1e-45",
            "7e-46", "7.1e-46", "1e-46", "1.17549435e-38", "-0", "0e999", "0.000", "1e-50", "4.9e-324", "1e309",
            "Infinity", "-inf", "Inf", "NaN", "16777217", "0.1", "123456789012345678901234567890", new string('9', 400),
            "1e2147483648", ".5", "5.", "+1", "1e+5", "1E5", " 7 ", "\t8", "0x1A", "1,5", "\u0661", "1_000", "1e", "e5",
            "--1", "1.2.3", "0.00000000001", "99999999", "-.0", "1e-38", "\u00a09", "2\0", "", "NA", "?",
        };

        static readonly string[] Inserts =
        {
            "\"", "\"\"", "\r", "\n", "\r\n", "\u00a0", "\u00e9", "\0", ",", ";", "\t", " ", "1e39", "Inf", "-0", "e", "-", ".",
        };

        static readonly byte[][] RawInserts =
        {
            new byte[] { 0xFF }, new byte[] { 0xFE }, new byte[] { 0xC3 }, new byte[] { 0x80 }, new byte[] { 0xED, 0xA0, 0x80 },
            new byte[] { 0xC0, 0xAF }, new byte[] { 0xF4, 0x90, 0x80, 0x80 }, new byte[] { 0xE2, 0x82 }, new byte[] { 0xEF, 0xBB, 0xBF },
        };

        public static CsvCase Make(int seed)
        {
            var rng = new Random(seed);
            var what = new List<string>();
            char d = ",;\t|"[rng.Next(4)];
            int numeric = rng.Next(1, 4);
            bool text = rng.Next(3) == 0;
            bool regression = rng.Next(3) == 0;
            var header = new List<string>();
            for (int c = 0; c < numeric; c++) header.Add("x" + c);
            if (text) header.Add("color");
            header.Insert(rng.Next(header.Count + 1), "y");
            int rows = rng.Next(2, 9);
            var table = new List<string[]>();
            for (int r = 0; r < rows; r++)
            {
                var row = new string[header.Count];
                for (int c = 0; c < header.Count; c++)
                {
                    string h = header[c];
                    if (h == "y") row[c] = regression ? Number(rng) : new[] { "a", "b", "c\u00e9" }[rng.Next(3)];
                    else if (h == "color") row[c] = new[] { "red", "blue", "gr\u00fcn" }[rng.Next(3)];
                    else row[c] = Number(rng);
                }
                table.Add(row);
            }
            int cells = rng.Next(0, 3);
            for (int k = 0; k < cells; k++)
            {
                int r = rng.Next(rows), c = rng.Next(header.Count);
                table[r][c] = EdgeNumbers[rng.Next(EdgeNumbers.Length)];
                what.Add($"cell[{r},{c}]='{Show(table[r][c])}'");
            }
            string eol = rng.Next(3) == 0 ? "\r\n" : "\n";
            var sb = new StringBuilder();
            sb.Append(string.Join(d.ToString(), header.Select(h => Quote(h, d, rng)))).Append(eol);
            foreach (var row in table) sb.Append(string.Join(d.ToString(), row.Select(v => Quote(v, d, rng)))).Append(eol);
            var s = sb.ToString();
            if (rng.Next(4) == 0) s = s.Substring(0, s.Length - eol.Length);
            byte[] bytes;
            int enc = rng.Next(16);
            if (enc == 0) { bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(s)).ToArray(); what.Add("utf-16le+bom"); }
            else if (enc == 1) { bytes = Encoding.Latin1.GetBytes(s); what.Add("latin-1"); }
            else if (enc == 2) { bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(s)).ToArray(); what.Add("utf-8+bom"); }
            else bytes = Encoding.UTF8.GetBytes(s);
            var list = bytes.ToList();
            int mutations = rng.Next(0, 3);
            for (int m = 0; m < mutations && list.Count > 0; m++)
            {
                int at = rng.Next(list.Count + 1);
                switch (rng.Next(5))
                {
                    case 0:
                        if (at == list.Count) at--;
                        byte b = new byte[] { 0, 0xFF, (byte)'"', (byte)d, (byte)'\n', (byte)'\r', (byte)' ', (byte)'e', (byte)'-', (byte)'.', (byte)('0' + rng.Next(10)), (byte)rng.Next(256) }[rng.Next(12)];
                        what.Add($"byte@{at}={b:X2}");
                        list[at] = b;
                        break;
                    case 1:
                        var ins = Inserts[rng.Next(Inserts.Length)];
                        what.Add($"insert@{at}='{Show(ins)}'");
                        list.InsertRange(at, Encoding.UTF8.GetBytes(ins));
                        break;
                    case 2:
                        var raw = RawInserts[rng.Next(RawInserts.Length)];
                        what.Add($"raw@{at}={BitConverter.ToString(raw)}");
                        list.InsertRange(at, raw);
                        break;
                    case 3:
                        int len = Math.Min(rng.Next(1, 4), list.Count - Math.Min(at, list.Count - 1));
                        at = Math.Min(at, list.Count - 1);
                        what.Add($"delete@{at}+{len}");
                        list.RemoveRange(at, len);
                        break;
                    default:
                        if (at == list.Count) at--;
                        what.Add($"delimiter@{at}");
                        list[at] = (byte)d;
                        break;
                }
            }
            return new CsvCase { Bytes = list.ToArray(), Delimiter = d, Description = string.Join(" ", what) };
        }

        static string Number(Random rng)
        {
            double v = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-6, 8));
            switch (rng.Next(5))
            {
                case 0: return ((float)v).ToString("R", CultureInfo.InvariantCulture);
                case 1: return v.ToString("E3", CultureInfo.InvariantCulture);
                case 2: return rng.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture);
                case 3: return v.ToString("F4", CultureInfo.InvariantCulture);
                default: return v.ToString("R", CultureInfo.InvariantCulture);
            }
        }

        static string Quote(string v, char d, Random rng) =>
            rng.Next(5) == 0 || v.IndexOf(d) >= 0 || v.Contains('"') || v.Contains('\n') || v.Contains('\r') ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;

        public static string Show(string s) => string.Concat(s.Take(40).Select(ch => ch < 0x20 || ch == 0x7F || ch > 0x7E ? $"\\u{(int)ch:X4}" : ch.ToString())) + (s.Length > 40 ? "..." : "");

        // ------------------------------------------------------------------ the strict reference

        static readonly HashSet<string> MissingTokens = new HashSet<string>(StringComparer.Ordinal)
            { "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "null", "NULL", "Null", "None", "#N/A", "#NA", "<NA>", "?" };

        public static CsvExpected Reference(byte[] bytes, char d, string target)
        {
            var e = new CsvExpected();
            string text;
            try { text = Decode(bytes); }
            catch (DecoderFallbackException) { e.Error = "not valid text in its encoding"; return e; }
            var records = Tokenize(text, d, out string malformed);
            if (malformed != null) { e.Error = malformed; return e; }
            if (records.Count == 0) { e.Error = "empty"; return e; }
            var header = records[0];
            if (header.All(h => h.Length == 0)) { e.Error = "no header"; return e; }
            if (header.All(h => Classify(h, out _) == Kind.Number)) { e.Error = "header of numbers"; return e; }
            if (header.Distinct(StringComparer.Ordinal).Count() != header.Count) { e.Error = "duplicate column"; return e; }
            int t = header.IndexOf(target);
            if (t < 0) t = header.FindIndex(h => string.Equals(h.Trim(), target.Trim(), StringComparison.OrdinalIgnoreCase));
            if (t < 0) { e.Error = "no target column"; return e; }
            var rows = records.Skip(1).ToList();
            if (rows.Count == 0) { e.Error = "no rows"; return e; }
            if (rows.Any(r => r.Count != header.Count)) { e.Error = "ragged row"; return e; }
            var features = Enumerable.Range(0, header.Count).Where(c => c != t).ToList();
            // per column: numbers, or categories
            var columnValues = new List<object[]>();
            foreach (int c in features)
            {
                var values = new object[rows.Count];
                bool? numericColumn = null;
                for (int r = 0; r < rows.Count; r++)
                {
                    var v = rows[r][c].Trim();
                    if (v.Length == 0 || MissingTokens.Contains(v)) { e.Error = $"missing value row {r + 1}"; return e; }
                    if (v.Contains('\0')) { e.Error = "NUL"; return e; }
                    var k = Classify(v, out float f);
                    if (numericColumn == null)
                    {
                        if (k == Kind.Unrepresentable) { e.Error = $"unrepresentable '{Show(v)}'"; return e; }
                        numericColumn = k == Kind.Number;
                    }
                    if (numericColumn == true)
                    {
                        if (k != Kind.Number) { e.Error = $"'{Show(v)}' in a numeric column"; return e; }
                        values[r] = f;
                    }
                    else
                    {
                        if (k == Kind.Number) { e.Error = $"number '{Show(v)}' in a text column"; return e; }
                        values[r] = v;
                    }
                }
                columnValues.Add(values);
            }
            var oneHot = new List<string[]>();
            for (int i = 0; i < features.Count; i++)
            {
                var name = header[features[i]];
                if (columnValues[i][0] is float) { e.FeatureNames.Add(name); oneHot.Add(null); continue; }
                var cats = SortLabels(columnValues[i].Cast<string>().Distinct(StringComparer.Ordinal).ToList());
                oneHot.Add(cats);
                foreach (var k in cats) e.FeatureNames.Add(name + "=" + k);
            }
            for (int r = 0; r < rows.Count; r++)
            {
                var row = new List<float>();
                for (int i = 0; i < features.Count; i++)
                {
                    if (oneHot[i] == null) { row.Add((float)columnValues[i][r]); continue; }
                    foreach (var k in oneHot[i]) row.Add(k == (string)columnValues[i][r] ? 1f : 0f);
                }
                e.Rows.Add(row.ToArray());
            }
            var labels = rows.Select(r => r[t].Trim()).ToList();
            if (labels.Any(l => l.Length == 0 || MissingTokens.Contains(l))) { e.Error = "missing target"; return e; }
            if (labels.Any(l => l.Contains('\0'))) { e.Error = "NUL in target"; return e; }
            var kinds = labels.Select(l => Classify(l, out _)).ToList();
            if (kinds.All(k => k != Kind.NotANumber))
            {
                if (kinds.Any(k => k == Kind.Unrepresentable)) { e.Error = "unrepresentable target"; return e; }
                e.Targets = labels.Select(l => { Classify(l, out float f); return f; }).ToArray();
            }
            else
            {
                e.Classes = SortLabels(labels.Distinct(StringComparer.Ordinal).ToList());
                e.Labels = labels.Select(l => Array.IndexOf(e.Classes, l)).ToArray();
            }
            return e;
        }

        // Ordering only (values are never taken from here): numeric order when every label reads as a double.
        static string[] SortLabels(List<string> distinct)
        {
            bool numeric = distinct.All(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            return numeric
                ? distinct.OrderBy(s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)).ThenBy(s => s, StringComparer.Ordinal).ToArray()
                : distinct.OrderBy(s => s, StringComparer.Ordinal).ToArray();
        }

        static string Decode(byte[] b)
        {
            if (b.Length >= 2 && b[0] == 0xFF && b[1] == 0xFE) return new UnicodeEncoding(false, false, true).GetString(b, 2, b.Length - 2);
            if (b.Length >= 2 && b[0] == 0xFE && b[1] == 0xFF) return new UnicodeEncoding(true, false, true).GetString(b, 2, b.Length - 2);
            int start = b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
            return new UTF8Encoding(false, true).GetString(b, start, b.Length - start);
        }

        /// <summary>RFC 4180 with CR, LF or CRLF line ends; a quote inside an unquoted field is a literal; empty lines are skipped.</summary>
        static List<List<string>> Tokenize(string s, char d, out string malformed)
        {
            malformed = null;
            var records = new List<List<string>>();
            var record = new List<string>();
            var field = new StringBuilder();
            int i = 0, n = s.Length;
            bool fieldQuoted = false;
            while (true)
            {
                // at the start of a field
                fieldQuoted = false;
                if (i < n && s[i] == '"')
                {
                    fieldQuoted = true;
                    i++;
                    while (true)
                    {
                        if (i >= n) { malformed = "unclosed quote"; return records; }
                        if (s[i] == '"')
                        {
                            if (i + 1 < n && s[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                            i++;
                            break;
                        }
                        field.Append(s[i++]);
                    }
                    if (i < n && s[i] != d && s[i] != '\r' && s[i] != '\n') { malformed = "text after a closing quote"; return records; }
                }
                else
                {
                    while (i < n && s[i] != d && s[i] != '\r' && s[i] != '\n') field.Append(s[i++]);
                }
                record.Add(field.ToString());
                field.Clear();
                if (i < n && s[i] == d) { i++; continue; }
                // end of record
                bool emptyLine = record.Count == 1 && record[0].Length == 0 && !fieldQuoted;
                if (!emptyLine) records.Add(record);
                record = new List<string>();
                if (i >= n) break;
                if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') i += 2; else i++;
                if (i >= n) break;
            }
            return records;
        }

        public enum Kind { NotANumber, Number, Unrepresentable }

        /// <summary>sign? (digits ('.' digits?)? | '.' digits) ([eE] sign? digits)?, ASCII digits, converted exactly (ties to even).</summary>
        public static Kind Classify(string s, out float value)
        {
            value = 0;
            string t = s.Trim(' ', '\t');
            string body = t.TrimStart('+', '-');
            if (t.Length - body.Length <= 1 && (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase) || body == "\u221e"))
                return Kind.Unrepresentable;
            int i = 0, n = t.Length;
            bool neg = false;
            if (i < n && (t[i] == '+' || t[i] == '-')) { neg = t[i] == '-'; i++; }
            var digits = new StringBuilder();
            int fraction = 0;
            while (i < n && t[i] >= '0' && t[i] <= '9') digits.Append(t[i++]);
            if (i < n && t[i] == '.')
            {
                i++;
                while (i < n && t[i] >= '0' && t[i] <= '9') { digits.Append(t[i++]); fraction++; }
            }
            if (digits.Length == 0) return Kind.NotANumber;
            long exp = 0;
            if (i < n && (t[i] == 'e' || t[i] == 'E'))
            {
                i++;
                bool eneg = false;
                if (i < n && (t[i] == '+' || t[i] == '-')) { eneg = t[i] == '-'; i++; }
                int start = i;
                while (i < n && t[i] >= '0' && t[i] <= '9') { if (exp < 1_000_000_000) exp = exp * 10 + (t[i] - '0'); i++; }
                if (i == start) return Kind.NotANumber;
                if (eneg) exp = -exp;
            }
            if (i != n) return Kind.NotANumber;
            string D = digits.ToString().TrimStart('0');
            if (D.Length == 0) { value = neg ? -0f : 0f; return Kind.Number; }
            long e10 = exp - fraction;
            long order = D.Length + e10 - 1;   // value is in [10^order, 10^(order+1))
            if (order > 39) return Kind.Unrepresentable;
            if (order < -47) return Kind.Unrepresentable;
            BigInteger num = BigInteger.Parse(D, CultureInfo.InvariantCulture), den = BigInteger.One;
            if (e10 >= 0) num *= BigInteger.Pow(10, (int)e10); else den = BigInteger.Pow(10, (int)-e10);
            // k with 2^k <= num/den < 2^(k+1)
            long k = (long)(num.GetBitLength() - den.GetBitLength());
            if (k >= 0 ? num < (den << (int)k) : (num << (int)-k) < den) k--;
            BigInteger m;
            if (k >= -126)
            {
                m = 23 - k >= 0 ? RoundDiv(num << (int)(23 - k), den) : RoundDiv(num, den << (int)(k - 23));
                if (m == (BigInteger.One << 24)) { m >>= 1; k++; }
                if (k > 127) return Kind.Unrepresentable;
                int bits = (int)((k + 127) << 23) | (int)(m - (BigInteger.One << 23));
                value = BitConverter.Int32BitsToSingle(bits);
            }
            else
            {
                m = RoundDiv(num << 149, den);
                if (m.IsZero) return Kind.Unrepresentable;
                value = BitConverter.Int32BitsToSingle((int)m);   // 2^23 is the smallest normal, also right
            }
            if (neg) value = -value;
            return Kind.Number;
        }

        static BigInteger RoundDiv(BigInteger num, BigInteger den)
        {
            var q = BigInteger.DivRem(num, den, out var r);
            var twice = r * 2;
            if (twice > den || (twice == den && !q.IsEven)) q += 1;
            return q;
        }
    }
}
