// The checkpoint fuzz test's mutator and an independent safetensors reader. Shares no code with the module.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;

namespace KerasPSFuzz
{
    public sealed class KptCase
    {
        public byte[] Bytes;
        public string Description;
    }

    /// <summary>
    /// The per-case watchdog inside the fuzz process: a background thread that ends the process (exit code 124) when
    /// one case runs past its time limit or the process's resident memory passes its bound, after writing which case
    /// it was to the trace file and standard error. The trace file names each case before it runs, so a case that
    /// crashes the process (a stack overflow cannot be caught) is its last line.
    /// </summary>
    public static class CaseWatchdog
    {
        static volatile string current;
        static long started;
        static string trace;
        static Thread thread;

        public static void Start(double limitSeconds, long maxBytes, string traceFile)
        {
            trace = traceFile;
            if (thread != null) return;
            thread = new Thread(() =>
            {
                while (true)
                {
                    Thread.Sleep(100);
                    string name = current;
                    string why = null;
                    if (name != null && Stopwatch.GetElapsedTime(Interlocked.Read(ref started)).TotalSeconds > limitSeconds) why = $"ran past {limitSeconds} s";
                    else
                    {
                        using (var p = Process.GetCurrentProcess()) if (p.WorkingSet64 > maxBytes) why = $"took the process past {maxBytes / (1 << 20)} MB";
                    }
                    if (why == null) continue;
                    string line = $"WATCHDOG: {name ?? "between cases"} {why}";
                    try { if (trace != null) File.AppendAllText(trace, line + "\n"); } catch (IOException) { }
                    Console.Error.WriteLine(line);
                    Console.Out.WriteLine(line);
                    Environment.Exit(124);
                }
            }) { IsBackground = true, Name = "fuzz watchdog" };
            thread.Start();
        }

        public static void Enter(string name)
        {
            if (trace != null) File.AppendAllText(trace, name + "\n");
            Interlocked.Exchange(ref started, Stopwatch.GetTimestamp());
            current = name;
        }

        /// <summary>The longest case so far: seconds and name.</summary>
        public static double LongestSeconds;
        public static string LongestCase;

        public static void Leave()
        {
            double seconds = Stopwatch.GetElapsedTime(Interlocked.Read(ref started)).TotalSeconds;
            if (seconds > LongestSeconds) { LongestSeconds = seconds; LongestCase = current; }
            current = null;
        }
    }

    /// <summary>True when every weight (path to values) of <paramref name="a"/> is bit for bit the one in <paramref name="b"/>.</summary>
    public static class WeightCompare
    {
        public static bool Same(Dictionary<string, float[]> a, Dictionary<string, float[]> b) =>
            a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v.Length == kv.Value.Length
                && kv.Value.Select(BitConverter.SingleToInt32Bits).SequenceEqual(v.Select(BitConverter.SingleToInt32Bits)));
    }

    public static class CheckpointFuzz
    {
        static readonly string[] SizeKeys = { "units", "filters", "kernel_size", "input_dim", "output_dim", "input_shape", "pool_size", "strides", "n", "target_shape", "axis", "size", "dims" };

        public static List<KeyValuePair<string, byte[]>> ReadEntries(byte[] zipBytes)
        {
            var list = new List<KeyValuePair<string, byte[]>>();
            using (var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read))
                foreach (var e in zip.Entries)
                {
                    using (var s = e.Open()) using (var ms = new MemoryStream()) { s.CopyTo(ms); list.Add(new KeyValuePair<string, byte[]>(e.FullName, ms.ToArray())); }
                }
            return list;
        }

        public static byte[] WriteEntries(List<KeyValuePair<string, byte[]>> entries)
        {
            var ms = new MemoryStream();
            using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, true))
                foreach (var kv in entries)
                {
                    var entry = zip.CreateEntry(kv.Key, kv.Key.EndsWith(".json") ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                    entry.LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);   // the same bytes on every run
                    using (var s = entry.Open()) s.Write(kv.Value, 0, kv.Value.Length);
                }
            return ms.ToArray();
        }

        /// <summary>A base checkpoint without what changes from run to run (save time, epoch durations), so that a seed replays exactly.</summary>
        public static byte[] Normalize(byte[] kpt)
        {
            var entries = ReadEntries(kpt);
            int c = entries.FindIndex(e => e.Key == "config.json");
            var root = JsonNode.Parse(entries[c].Value);
            root["saved_at"] = "2026-01-01T00:00:00Z";
            foreach (var h in (root["training"]?["history"] as JsonArray) ?? new JsonArray()) h["duration_seconds"] = 1.0;
            entries[c] = new KeyValuePair<string, byte[]>("config.json", Encoding.UTF8.GetBytes(root.ToJsonString()));
            return WriteEntries(entries);
        }

        public static KptCase Make(byte[] baseKpt, int seed)
        {
            var rng = new Random(seed);
            var what = new List<string>();
            var entries = ReadEntries(baseKpt);
            int kind = rng.Next(10);
            byte[] bytes;
            if (kind == 0)
            {
                bytes = (byte[])baseKpt.Clone();
                int flips = rng.Next(1, 9);
                for (int i = 0; i < flips; i++) { int at = rng.Next(bytes.Length); bytes[at] ^= (byte)rng.Next(1, 256); what.Add($"flip@{at}"); }
                return new KptCase { Bytes = bytes, Description = string.Join(" ", what) };
            }
            if (kind == 1)
            {
                int len = rng.Next(baseKpt.Length);
                what.Add($"truncate@{len}");
                return new KptCase { Bytes = baseKpt.Take(len).ToArray(), Description = string.Join(" ", what) };
            }
            if (kind == 2) EntryMutation(entries, rng, what);
            else if (kind <= 6) ConfigMutation(entries, rng, what);
            else if (kind <= 8) HeaderMutation(entries, rng, what);
            else DataMutation(entries, rng, what);
            return new KptCase { Bytes = WriteEntries(entries), Description = string.Join(" ", what) };
        }

        /// <summary>
        /// A mutated Keras file (.h5, or .keras when <paramref name="isZip"/>): byte flips, a truncation, a zeroed or
        /// copied block (HDF5's object headers and B-trees sit between the data), or, in a .keras zip, its entries and
        /// config.json changed as for .kpt files.
        /// </summary>
        public static KptCase MakeKeras(byte[] baseFile, bool isZip, bool bytes0, int seed)
        {
            var rng = new Random(seed);
            var what = new List<string>();
            var bytes = (byte[])baseFile.Clone();
            // Without byte-level mutations (bytes0 false) a .keras file gets only its zip entries and config.json
            // changed: the HDF5 structure inside is left whole (see Invoke-CheckpointFuzz.ps1 -KerasByteMutations).
            int kind = bytes0 ? rng.Next(isZip ? 8 : 4) : 4 + rng.Next(2);
            if (kind >= 6)
            {
                // The HDF5 weights file inside a .keras damaged, and the zip written again with valid CRC-32s as a
                // forger would, so that the damage reaches the HDF5 reader instead of the CRC check.
                var entries = ReadEntries(baseFile);
                int w = entries.FindIndex(e => e.Key == "model.weights.h5");
                var inner = MakeKeras(entries[w].Value, false, true, rng.Next());
                entries[w] = new KeyValuePair<string, byte[]>(entries[w].Key, inner.Bytes);
                return new KptCase { Bytes = WriteEntries(entries), Description = "rezipped model.weights.h5: " + inner.Description };
            }
            switch (kind)
            {
                case 0:
                    int flips = rng.Next(1, 9);
                    for (int i = 0; i < flips; i++) { int at = rng.Next(bytes.Length); bytes[at] ^= (byte)rng.Next(1, 256); what.Add($"flip@{at}"); }
                    break;
                case 1:
                    int len = rng.Next(bytes.Length); what.Add($"truncate@{len}"); bytes = bytes.Take(len).ToArray();
                    break;
                case 2:
                    int zeroAt = rng.Next(bytes.Length), zeroLen = Math.Min(rng.Next(1, 4096), bytes.Length - zeroAt);
                    what.Add($"zero {zeroLen}@{zeroAt}"); Array.Clear(bytes, zeroAt, zeroLen);
                    break;
                case 3:
                    int from = rng.Next(bytes.Length), to = rng.Next(bytes.Length), n = Math.Min(rng.Next(1, 512), Math.Min(bytes.Length - from, bytes.Length - to));
                    what.Add($"copy {n} {from}->{to}"); Array.Copy(baseFile, from, bytes, to, n);
                    break;
                case 4:
                    var entries = ReadEntries(baseFile); ConfigMutation(entries, rng, what); bytes = WriteEntries(entries);
                    break;
                default:
                    var list = ReadEntries(baseFile); EntryMutation(list, rng, what); bytes = WriteEntries(list);
                    break;
            }
            return new KptCase { Bytes = bytes, Description = string.Join(" ", what) };
        }

        static void EntryMutation(List<KeyValuePair<string, byte[]>> entries, Random rng, List<string> what)
        {
            int i = rng.Next(entries.Count), j = rng.Next(entries.Count);
            switch (rng.Next(5))
            {
                case 0: what.Add($"drop {entries[i].Key}"); entries.RemoveAt(i); break;
                case 1:
                    what.Add($"swap {entries[i].Key}<->{entries[j].Key}");
                    var a = entries[i].Value; entries[i] = new KeyValuePair<string, byte[]>(entries[i].Key, entries[j].Value); entries[j] = new KeyValuePair<string, byte[]>(entries[j].Key, a);
                    break;
                case 2: what.Add($"duplicate {entries[i].Key}"); entries.Add(entries[i]); break;
                case 3:
                    var name = new[] { "../evil", "/abs", "a\\b", "config.JSON", "extra.bin", "C:x", "dir/" }[rng.Next(7)];
                    what.Add($"rename {entries[i].Key}->{name}"); entries[i] = new KeyValuePair<string, byte[]>(name, entries[i].Value); break;
                default: what.Add("add junk"); var junk = new byte[rng.Next(1, 5000)]; rng.NextBytes(junk); entries.Add(new KeyValuePair<string, byte[]>("junk.bin", junk)); break;
            }
        }

        static JsonNode Hostile(Random rng, List<string> what)
        {
            switch (rng.Next(16))
            {
                case 0: what.Add("2147483648"); return JsonValue.Create(2147483648L);
                case 1: what.Add("long.Max"); return JsonValue.Create(long.MaxValue);
                case 2: what.Add("1e308"); return JsonValue.Create(1e308);
                case 3: what.Add("-1"); return JsonValue.Create(-1);
                case 4: what.Add("-2147483649"); return JsonValue.Create(-2147483649L);
                case 5: what.Add("0"); return JsonValue.Create(0);
                case 6: what.Add("0.5"); return JsonValue.Create(0.5);
                case 7: what.Add("'x'"); return JsonValue.Create("x");
                case 8: what.Add("true"); return JsonValue.Create(true);
                case 9: what.Add("null"); return null;
                case 10: what.Add("[]"); return new JsonArray();
                case 11: what.Add("{}"); return new JsonObject();
                case 12:
                    int depth = rng.Next(2) == 0 ? 70 : 500;
                    what.Add($"nested{depth}");
                    JsonNode n = JsonValue.Create(1);
                    for (int k = 0; k < depth; k++) n = new JsonArray(n);
                    return n;
                case 13: what.Add("200k string"); return JsonValue.Create(new string('A', 200_000));
                case 14: what.Add("50k list"); return new JsonArray(Enumerable.Range(0, 50_000).Select(x => (JsonNode)JsonValue.Create(x)).ToArray());
                default:
                    long big = new[] { 1_000_000L, 20_000_000L, 300_000_000L, 2_000_000_000L }[rng.Next(4)];
                    what.Add(big.ToString()); return JsonValue.Create(big);
            }
        }

        static List<(JsonNode Parent, string Key, int Index)> Slots(JsonNode root)
        {
            var slots = new List<(JsonNode, string, int)>();
            void Walk(JsonNode n)
            {
                if (n is JsonObject o) foreach (var kv in o.ToList()) { slots.Add((o, kv.Key, -1)); if (kv.Value != null) Walk(kv.Value); }
                else if (n is JsonArray a) for (int i = 0; i < a.Count; i++) { slots.Add((a, null, i)); if (a[i] != null) Walk(a[i]); }
            }
            Walk(root);
            return slots;
        }

        static void Set((JsonNode Parent, string Key, int Index) slot, JsonNode value)
        {
            if (slot.Parent is JsonObject o) o[slot.Key] = value; else ((JsonArray)slot.Parent)[slot.Index] = value;
        }

        static string PathOf((JsonNode Parent, string Key, int Index) slot) => slot.Parent.GetPath() + (slot.Key != null ? "." + slot.Key : $"[{slot.Index}]");

        static void ConfigMutation(List<KeyValuePair<string, byte[]>> entries, Random rng, List<string> what)
        {
            int at = entries.FindIndex(e => e.Key == "config.json");
            if (at < 0) return;
            var root = JsonNode.Parse(entries[at].Value, documentOptions: new JsonDocumentOptions { MaxDepth = 1000 });
            var slots = Slots(root);
            int count = rng.Next(1, 4);
            for (int k = 0; k < count; k++)
            {
                // Half the time a size-like key (units, filters, input_shape...), where a lie costs memory.
                var sized = slots.Where(s => s.Key != null && SizeKeys.Contains(s.Key) || (s.Parent.GetPath().Contains("shape") && s.Key == null)).ToList();
                var slot = rng.Next(2) == 0 && sized.Count > 0 ? sized[rng.Next(sized.Count)] : slots[rng.Next(slots.Count)];
                what.Add(PathOf(slot) + "=");
                Set(slot, Hostile(rng, what));
                slots = Slots(root);
            }
            entries[at] = new KeyValuePair<string, byte[]>("config.json", Encoding.UTF8.GetBytes(root.ToJsonString()));
        }

        static void HeaderMutation(List<KeyValuePair<string, byte[]>> entries, Random rng, List<string> what)
        {
            int at = entries.FindIndex(e => e.Key == "model.safetensors" || e.Key == "optimizer.safetensors");
            if (at < 0) return;
            var b = entries[at].Value;
            what.Add(entries[at].Key);
            if (rng.Next(3) == 0)
            {
                ulong len = BitConverter.ToUInt64(b, 0);
                ulong[] choices = { len + 1, len - 1, len + 8, len - 8, 0, 1, ulong.MaxValue, (ulong)b.Length, (ulong)rng.Next() };
                ulong v = choices[rng.Next(choices.Length)];
                what.Add($"length={v}");
                BitConverter.GetBytes(v).CopyTo(b, 0);
            }
            else
            {
                int n = (int)BitConverter.ToUInt64(b, 0);
                var root = JsonNode.Parse(Encoding.UTF8.GetString(b, 8, n));
                var slots = Slots(root);
                var slot = slots[rng.Next(slots.Count)];
                what.Add(PathOf(slot) + "=");
                JsonNode value = rng.Next(3) == 0 ? Hostile(rng, what) : JsonValue.Create(new[] { 0L, 1L, 3L, 4L, 7L, 1L << 31, 1L << 40, -4L }[rng.Next(8)]);
                if (value is JsonValue jv && jv.TryGetValue<long>(out var lv)) what.Add(lv.ToString());
                Set(slot, value);
                var header = Encoding.UTF8.GetBytes(root.ToJsonString());
                b = BitConverter.GetBytes((ulong)header.Length).Concat(header).Concat(b.Skip(8 + n)).ToArray();
            }
            entries[at] = new KeyValuePair<string, byte[]>(entries[at].Key, b);
            if (rng.Next(10) < 7) Rehash(entries, at, what);
        }

        static void DataMutation(List<KeyValuePair<string, byte[]>> entries, Random rng, List<string> what)
        {
            int at = entries.FindIndex(e => e.Key == "model.safetensors");
            if (at < 0) return;
            var b = (byte[])entries[at].Value.Clone();
            int n = (int)BitConverter.ToUInt64(b, 0);
            if (b.Length <= 8 + n) return;
            int flips = rng.Next(1, 6);
            for (int i = 0; i < flips; i++) { int p = rng.Next(8 + n, b.Length); b[p] ^= (byte)rng.Next(1, 256); what.Add($"data@{p}"); }
            entries[at] = new KeyValuePair<string, byte[]>(entries[at].Key, b);
            if (rng.Next(10) < 8) Rehash(entries, at, what);
        }

        /// <summary>Records the changed entry's SHA-256 and size in config.json, as a forger would.</summary>
        static void Rehash(List<KeyValuePair<string, byte[]>> entries, int at, List<string> what)
        {
            int c = entries.FindIndex(e => e.Key == "config.json");
            if (c < 0) return;
            var root = JsonNode.Parse(entries[c].Value);
            var file = root?["files"]?[entries[at].Key] as JsonObject;
            if (file == null) return;
            using (var sha = SHA256.Create()) file["sha256"] = Convert.ToHexString(sha.ComputeHash(entries[at].Value)).ToLowerInvariant();
            file["bytes"] = entries[at].Value.Length;
            entries[c] = new KeyValuePair<string, byte[]>("config.json", Encoding.UTF8.GetBytes(root.ToJsonString()));
            what.Add("rehashed");
        }

        /// <summary>An independent reading of model.safetensors in a .kpt: tensor name to float32 values; throws when it is not readable.</summary>
        public static Dictionary<string, float[]> ReadWeights(byte[] kpt)
        {
            var entries = ReadEntries(kpt);
            var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
            var matches = entries.Where(e => e.Key == "model.safetensors").ToList();
            if (matches.Count == 0) return result;
            if (matches.Count > 1) throw new InvalidDataException("two model.safetensors");
            var b = matches[0].Value;
            ulong n = BitConverter.ToUInt64(b, 0);
            if (n > (ulong)b.Length - 8) throw new InvalidDataException("header length");
            using (var doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(b, 8, (int)n)))
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Name == "__metadata__") continue;
                    var o = p.Value.GetProperty("data_offsets");
                    long begin = o[0].GetInt64(), end = o[1].GetInt64();
                    var values = new float[(end - begin) / 4];
                    Buffer.BlockCopy(b, 8 + (int)n + (int)begin, values, 0, (int)(end - begin));
                    result[p.Name] = values;
                }
            return result;
        }
    }
}
