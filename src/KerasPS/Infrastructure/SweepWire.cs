using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KerasPS.Engine;
using KerasPS.Engine.Data;
using KerasPS.Engine.Sweeps;
using KerasPS.Engine.Training;

namespace KerasPS.Infrastructure;

/// <summary>
/// Plain-data forms of what a sweep sends to and gets back from a remote host: datasets as base64 arrays plus names,
/// histories as hashtables. Live objects (models, tensors) never cross a remoting boundary; these do, unchanged by
/// PowerShell's serializer, and the remote side (which imports the same module) turns them back. A dataset carries an Id:
/// a host keeps the last few datasets it was sent, so a caller sends the data once per host and then only the Id.
/// Internal: the trial command is plumbing between two copies of this module, and so is its wire format.
/// </summary>
internal static class SweepWire
{
    private const int HostCacheSize = 4;
    private static readonly LinkedList<(string Id, Dataset Data)> HostCache = new();

    // The plain form of a dataset is made once per dataset (the caller's side), whatever the number of hosts and runs.
    private static readonly ConditionalWeakTable<EncodedData, Hashtable> WireCache = new();

    public static Hashtable DatasetToWire(EncodedData data) => WireCache.GetValue(data, Encode);

    private static Hashtable Encode(EncodedData d)
    {
        return new Hashtable
        {
            ["Id"] = Guid.NewGuid().ToString("n"),
            ["Features"] = Convert.ToBase64String(MemoryMarshal.AsBytes(d.Features.AsSpan())),
            ["FeatureShape"] = d.FeatureShape.ToArray(),
            ["FeatureNames"] = d.FeatureNames.ToArray(),
            ["TargetName"] = d.TargetName,
            ["Labels"] = d.Labels is null ? null : Convert.ToBase64String(MemoryMarshal.AsBytes(d.Labels.AsSpan())),
            ["Classes"] = d.Classes?.ToArray(),
            ["Targets"] = d.Targets is null ? null : Convert.ToBase64String(MemoryMarshal.AsBytes(d.Targets.AsSpan())),
            ["TargetWidth"] = d.TargetWidth,
            ["Inputs"] = d.InputBlocks?.Select(b => (object)new Hashtable { ["Name"] = b.Name, ["Columns"] = b.Columns.ToArray() })
                .ToArray(),
            ["OutputTargets"] = d.OutputTargets?.Select(t => (object)new Hashtable
            {
                ["Name"] = t.Name,
                ["Column"] = t.Column,
                ["Labels"] = t.Labels is null ? null : Convert.ToBase64String(MemoryMarshal.AsBytes(t.Labels.AsSpan())),
                ["Classes"] = t.Classes?.ToArray(),
                ["Values"] = t.Values is null ? null : Convert.ToBase64String(MemoryMarshal.AsBytes(t.Values.AsSpan())),
                ["Width"] = t.Width,
            }).ToArray(),
        };
    }

    /// <summary>What a caller sends once the host has the dataset: only its Id.</summary>
    public static Hashtable Reference(Hashtable wire) => new() { ["Id"] = wire["Id"] };

    /// <summary>A dataset from what a trial was given: the dataset itself (same process), its plain form, or the Id of one this host
    /// already has.</summary>
    public static Dataset Resolve(object data)
    {
        if (PSValue.Unwrap(data) is Dataset ds) return ds;
        var h = AsDictionary(data, "dataset");
        var id = Read(h).String("Id") ?? "";
        lock (HostCache)
        {
            for (var node = HostCache.First; node is not null; node = node.Next)
                if (node.Value.Id == id) { HostCache.Remove(node); HostCache.AddFirst(node); return node.Value.Data; }
        }
        if (!h.Contains("Features"))
            throw KerasException.BadOperation("TrialDataMissing",
                $"This host no longer has the dataset {id} the trial refers to. Run the sweep again; every host gets the data anew.", id);
        var decoded = DatasetFromWire(h);
        lock (HostCache)
        {
            HostCache.AddFirst((id, decoded));
            while (HostCache.Count > HostCacheSize) HostCache.RemoveLast();
        }
        return decoded;
    }

    public static Dataset DatasetFromWire(object wire)
    {
        // Everything is checked before any array a tensor would be made from: text that is not base64, bytes that are
        // not whole 4-byte values (never silently dropped), labels without classes or outside the class list.
        var r = Read(AsDictionary(wire, "dataset"));
        var features = Decode<float>(r.String("Features") ?? "", "Features")!;
        var labels = r.String("Labels") is { } l ? Decode<int>(l, "Labels") : null;
        var targets = r.String("Targets") is { } t ? Decode<float>(t, "Targets") : null;
        var classes = r.StringArray("Classes");
        CheckLabels(labels, classes, "the dataset");
        var h = AsDictionary(wire, "dataset");
        return new Dataset(new EncodedData(features, r.IntArray("FeatureShape") ?? Array.Empty<int>(),
            r.StringArray("FeatureNames") ?? Array.Empty<string>(),
            r.String("TargetName"), labels, classes, targets, r.Int("TargetWidth", 1))
        {
            InputBlocks = Entries(h, "Inputs")?
                .Select(b => new InputBlock(b.String("Name") ?? "", b.IntArray("Columns") ?? Array.Empty<int>())).ToArray(),
            OutputTargets = Entries(h, "OutputTargets")?.Select(OutputTargetOf).ToArray(),
        });
    }

    /// <summary>One named target of a wire dataset, checked as the dataset's own labels are.</summary>
    private static OutputTarget OutputTargetOf(ConfigReader t)
    {
        var name = t.String("Name") ?? "";
        var labels = t.String("Labels") is { } tl ? Decode<int>(tl, $"Labels of output '{name}'") : null;
        var classes = t.StringArray("Classes");
        CheckLabels(labels, classes, $"output '{name}'");
        return new OutputTarget(name, t.String("Column") ?? "", labels, classes,
            t.String("Values") is { } tv ? Decode<float>(tv, $"Values of output '{name}'") : null, t.Int("Width", 1));
    }

    /// <summary>Labels need a class list, and each label must index into it.</summary>
    private static void CheckLabels(int[]? labels, string[]? classes, string what)
    {
        if (labels is null) return;
        if (classes is null || classes.Length == 0)
            throw WireError("MissingWireClasses", $"The labels of {what} sent to this host come without a class list.");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= classes.Length)
                throw WireError("WireLabelOutOfRange",
                    $"Row {i + 1} of {what} sent to this host has label {labels[i]}, outside its {classes.Length} classes "
                        + $"(0 to {classes.Length - 1}).");
    }

    /// <summary>The entries of a list of hashtables in a wire dataset (named inputs, named targets), or null.</summary>
    private static IEnumerable<ConfigReader>? Entries(IDictionary h, string key) =>
        h.Contains(key) && PSValue.Unwrap(h[key]) is IEnumerable list and not string
            ? list.Cast<object?>().Select(e => Read(AsDictionary(e!, "dataset"))).ToArray()
            : null;

    private static T[] Decode<T>(string base64, string what) where T : unmanaged
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(base64); }
        catch (FormatException)
        {
            throw WireError("InvalidWireBase64", $"The {what} sent to this host are not valid base64.");
        }
        int size = Unsafe.SizeOf<T>();
        if (bytes.Length % size != 0)
            throw WireError("InvalidWireLength",
                $"The {what} sent to this host are {bytes.Length} bytes, not a whole number of {size}-byte values.");
        return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    private static KerasException WireError(string id, string what) => KerasException.BadData(id,
        what + " The data was damaged on the way, or the other side runs another KerasPS version: run the sweep again "
            + "with the same KerasPS on every host.");

    /// <summary>The outcome of a trial from the trial command's reply (see InvokeModelTrialCommand).</summary>
    public static TrialOutcome OutcomeFromReply(IDictionary reply)
    {
        object? Get(string k) => reply.Contains(k) ? PSValue.Unwrap(reply[k]) : null;
        return new TrialOutcome
        {
            Records = HistoryFromWire(Get("History")),
            Duration = TimeSpan.FromTicks(Convert.ToInt64(Get("DurationTicks") ?? 0L, CultureInfo.InvariantCulture)),
            ErrorId = Get("ErrorId") as string,
            Error = Convert.ToString(Get("Error"), CultureInfo.InvariantCulture),
            Predictions = Get("Predictions") is string p ? Decode<float>(p, "Predictions") : null,
            PredictionWidth = Convert.ToInt32(Get("PredictionWidth") ?? 0, CultureInfo.InvariantCulture),
            Checkpoint = Get("Checkpoint") is string c ? Convert.FromBase64String(c) : null,
            PrunedAtEpoch = Get("PrunedAtEpoch") is { } pe ? Convert.ToInt32(pe, CultureInfo.InvariantCulture) : null,
        };
    }

    public static object[] HistoryToWire(IEnumerable<EpochRecord> history) => history.Select(r => (object)new Hashtable
    {
        ["Epoch"] = r.Epoch,
        ["Values"] = new Hashtable(r.Values.ToDictionary(kv => kv.Key, kv => (object)kv.Value)),
        ["LearningRate"] = r.LearningRate,
        ["DurationTicks"] = r.Duration.Ticks,
        ["Samples"] = r.Samples,
    }).ToArray();

    public static List<EpochRecord> HistoryFromWire(object? wire)
    {
        var list = new List<EpochRecord>();
        if (PSValue.Unwrap(wire) is not IEnumerable items || PSValue.Unwrap(wire) is string) return list;
        foreach (var item in items)
        {
            var h = AsDictionary(item, "history record");
            var r = Read(h);
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            var valueTable = AsDictionary(h["Values"], "history values");
            var valueReader = Read(valueTable);
            foreach (var name in valueTable.Keys.Cast<object>()
                .Select(k => Convert.ToString(PSValue.Unwrap(k), CultureInfo.InvariantCulture)!))
                values[name] = valueReader.Double(name);
            // Keras order: loss first, then the training metrics, then the validation ones.
            var ordered = values
                .OrderBy(kv => kv.Key == "loss" ? 0
                    : kv.Key.StartsWith("val_", StringComparison.Ordinal) ? (kv.Key == "val_loss" ? 2 : 3) : 1)
                .ThenBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value);
            list.Add(new EpochRecord(r.Int("Epoch"), ordered, r.Double("LearningRate"), TimeSpan.FromTicks(r.Long("DurationTicks", 0)),
                r.Long("Samples", 0)));
        }
        return list;
    }


    private static IDictionary AsDictionary(object? o, string what) => PSValue.Unwrap(o) as IDictionary
        ?? throw KerasException.BadData("InvalidSweepWireData",
            $"Expected a {what} as a hashtable from the sweep worker. Received: {PSValue.Unwrap(o)?.GetType().Name ?? "nothing"}. "
            + "Check that the remote host runs the same KerasPS version.");

    private static ConfigReader Read(IDictionary h) => new(h, PSValue.Unwrap);
}
