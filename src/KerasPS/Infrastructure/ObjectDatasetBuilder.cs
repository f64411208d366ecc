using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Data;

namespace KerasPS.Infrastructure;

/// <summary>
/// Streams PowerShell objects (PSObjects, hashtables, any .NET object) into a dataset, one row per object, with the
/// rules of <see cref="TabularBuilder"/>. Cost is linear: one pass, one preallocated-and-doubled float32 buffer.
/// Feature columns are the <c>feature</c> names, or else the first object's properties (keys of an ordered
/// dictionary in order; keys of a plain hashtable sorted, since its order changes from process to process) minus the
/// target and <c>exclude</c>. A later object without a property has a missing value there.
/// </summary>
/// <example><code>
/// var b = new ObjectDatasetBuilder(target: null, feature: model.FeatureNames, exclude: null, new TabularOptions { Template = trainData });
/// foreach (var o in objects) b.Add(o);
/// EncodedData d = b.Build();
/// </code></example>
public sealed class ObjectDatasetBuilder
{
    private readonly string? target;
    private readonly IReadOnlyList<string>? feature;
    private readonly IReadOnlyList<string>? exclude;
    private readonly TabularOptions options;
    private TabularBuilder? builder;
    private string[] columns = Array.Empty<string>();
    private int index = -1;

    public ObjectDatasetBuilder(string? target, IReadOnlyList<string>? feature, IReadOnlyList<string>? exclude, TabularOptions? options)
    {
        this.target = string.IsNullOrEmpty(target) ? null : target;   // PowerShell passes $null strings as ""
        this.feature = feature is { Count: > 0 } ? feature : null;
        this.exclude = exclude;
        this.options = options ?? new TabularOptions();
        if (this.feature is null && this.options.FixedSourceColumns is { } cols) this.feature = cols;
    }

    /// <summary>Objects added so far.</summary>
    public int Count => index + 1;

    /// <summary>Adds one object as a row.</summary>
    public void Add(object? item)
    {
        if (PSValue.Unwrap(item) is IDictionary dict) item = dict;
        switch (item)
        {
            case null: throw KerasException.BadData("NullInput",
                $"Object {index + 1} (0-based) is null. Pipe objects with properties or hashtables.", index + 1);
            case IDictionary d: AddRow(d.Keys.Cast<object>().Select(k => Convert.ToString(k, CultureInfo.InvariantCulture) ?? "").ToArray(),
                d is Hashtable, name => Lookup(d, name)); break;
            default:
                var pso = item as PSObject ?? PSObject.AsPSObject(item);
                AddRow(null, false, name => PropertyValue(pso, name), pso);
                break;
        }
    }

    /// <summary>Adds one row given as names and plain .NET values (what Invoke-ModelPredict gets from objects).</summary>
    public void Add(IDictionary<string, object?> row) =>
        AddRow(row.Keys.ToArray(), false, name => row.TryGetValue(name, out var v) ? (true, v) : FindIgnoreCase(row, name));

    private static (bool, object?) FindIgnoreCase(IDictionary<string, object?> row, string name)
    {
        foreach (var kv in row) if (string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)) return (true, kv.Value);
        return (false, null);
    }

    private void AddRow(string[]? keys, bool unordered, Func<string, (bool Found, object? Value)> get, PSObject? pso = null)
    {
        index++;
        if (builder is null) Start(keys ?? pso!.Properties.Select(pr => pr.Name).ToArray(), unordered);
        var b = builder!;
        b.BeginRow();
        try { FillRow(b, get); }
        catch (KerasException) { b.DiscardRow(); throw; }   // a caller that skips the row goes on with a consistent builder
    }

    private void FillRow(TabularBuilder b, Func<string, (bool Found, object? Value)> get)
    {
        for (int c = 0; c < columns.Length; c++)
        {
            var (found, value) = get(columns[c]);
            DataFrameConverter.Cell(b, c, found ? PSValue.Unwrap(value) : null);
        }
        if (target is not null)
        {
            var (found, value) = get(target);
            value = PSValue.Unwrap(value);
            int i = index;
            if (!found && i == 0)
                throw KerasException.BadArgument("TargetNotFound",
                    $"The first object has no property '{target}' (given as -Target). Its properties are: {string.Join(", ", columns)}.",
                    target);
            var text = value switch
            {
                null => "",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
            if (!b.Target(text.Trim()))
                throw KerasException.BadData("MissingValue",
                    $"Object {i} (0-based), property '{target}' (the target) is missing or empty. Every object needs a target; "
                    + "filter out those without one.", i);
        }
    }

    private void Start(string[] names, bool unordered)
    {
        if (feature is not null)
        {
            var excluded = new HashSet<string>(exclude ?? Array.Empty<string>(), StringComparer.OrdinalIgnoreCase);
            columns = feature.Where(f => !excluded.Contains(f)).ToArray();
            if (target is not null && columns.Contains(target, StringComparer.OrdinalIgnoreCase))
                throw KerasException.BadArgument("TargetIsFeature",
                    $"Property '{target}' is both the target and a feature. Leave it out of -Feature.", target);
        }
        else
        {
            if (unordered) names = names.Order(StringComparer.Ordinal).ToArray();
            var (cols, _) = CsvLoader.SelectColumns(names, target, null, exclude, "The first object");
            columns = cols.Select(i => names[i]).ToArray();
        }
        if (columns.Length == 0)
            throw KerasException.BadArgument("NoFeatures",
                "No feature properties are left after the target and -Exclude. Keep at least one property as a feature.");
        var cs = columns;
        builder = new TabularBuilder(columns, target, options, (r, c) => $"Object {r} (0-based), property '{cs[c]}',");
    }

    /// <summary>The dataset of every object added; an error when none was.</summary>
    public EncodedData Build()
    {
        if (builder is null) throw KerasException.BadData("NoDataRows", "No objects came in. Pipe at least one object or hashtable.");
        return builder.Build(new Dictionary<string, object?> { ["Source"] = "objects" });
    }

    private static (bool, object?) Lookup(IDictionary d, string name)
    {
        if (d.Contains(name)) return (true, d[name]);
        if (d is Hashtable or OrderedDictionary) return (false, null);   // PowerShell's are already case-insensitive
        foreach (DictionaryEntry e in d)
            if (string.Equals(Convert.ToString(e.Key, CultureInfo.InvariantCulture), name, StringComparison.OrdinalIgnoreCase))
                return (true, e.Value);
        return (false, null);
    }

    private static (bool, object?) PropertyValue(PSObject o, string name)
    {
        var p = o.Properties[name];
        if (p is null) return (false, null);
        try { return (true, p.Value); }
        catch (Exception e) when (e is GetValueException or ExtendedTypeSystemException) { return (true, null); }
    }

}
