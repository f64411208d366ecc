using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using KerasPS.Engine;
using KerasPS.Engine.Training;
using KerasPS.Engine.Training.Callbacks;
using MetricMonitor = KerasPS.Engine.Training.Callbacks.Monitor;

namespace KerasPS.Infrastructure;

/// <summary>
/// Turns engine records into PowerShell objects with one property per value (Loss, Accuracy, ValLoss, ...), and gives
/// each set of values a table view of its own, one column per metric, so a history reads as Keras prints it.
/// </summary>
public static class EpochRecordView
{
    public const string TypeName = "KerasPS.EpochRecord";

    public static PSObject ToPSObject(EpochRecord r, string? modelName = null)
    {
        var o = new PSObject();
        o.TypeNames.Insert(0, TypeName);
        o.TypeNames.Insert(0, ViewTypeName(r));
        o.Properties.Add(new PSNoteProperty("Epoch", r.Epoch));
        foreach (var name in Ordered(r.Values.Keys)) o.Properties.Add(new PSNoteProperty(KerasNames.ToPascal(name), r.Values[name]));
        o.Properties.Add(new PSNoteProperty("LearningRate", r.LearningRate));
        o.Properties.Add(new PSNoteProperty("Seconds", Math.Round(r.Duration.TotalSeconds, 4)));
        o.Properties.Add(new PSNoteProperty("Samples", r.Samples));
        if (modelName is not null) o.Properties.Add(new PSNoteProperty("Model", modelName));
        return o;
    }

    /// <summary>Training values first, then their validation values, each in the fit's order.</summary>
    private static IEnumerable<string> Ordered(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        static bool Val(string k) => k.StartsWith("val_", StringComparison.Ordinal);
        return list.Where(k => !Val(k)).Concat(list.Where(Val));
    }

    /// <summary>
    /// The type name whose view has exactly this record's columns: KerasPS.EpochRecord#loss,accuracy,val_loss,val_accuracy.
    /// </summary>
    private static string ViewTypeName(EpochRecord r) => TypeName + "#" + string.Join(",", Ordered(r.Values.Keys));

    /// <summary>
    /// The metrics other than loss/val_loss, as "Accuracy=0.7612 ValAccuracy=0.7544" (the fallback view, for a history no view was made
    /// for).
    /// </summary>
    public static string MetricsText(PSObject o) => MetricsText(o, int.MaxValue);

    /// <summary>
    /// The metrics as <see cref="MetricsText(PSObject)"/> writes them, each whole, within <paramref name="width"/> characters.
    /// </summary>
    public static string MetricsText(PSObject o, int width)
    {
        ArgumentNullException.ThrowIfNull(o);
        return CellText.Join(o.Properties
            .Where(p => p.Value is double && p.Name is not ("Epoch" or "Loss" or "ValLoss" or "LearningRate" or "Seconds" or "Samples"))
            .Select(p => $"{p.Name}={CellText.Cell(p.Value, 10)}"), width);
    }

    private static readonly ConcurrentDictionary<(Guid, string), bool> Registered = new();

    /// <summary>
    /// Makes sure the current runspace has the table view for this record's set of values: one column per value, so a
    /// history reads as Keras prints it. A static view cannot know which metrics a model has, so each set gets a view of
    /// its own (the record's first type name says which), built with PowerShell's formatting API (TableControl) and
    /// added to the runspace's format data once per set. Loss with an accuracy and their validation values fit 80
    /// columns; a longer set loses whole columns from the right on a narrow terminal, never part of a number (every
    /// value is a property: Format-List shows them all). Where the format data cannot be updated, the records fall back
    /// to the checked-in KerasPS.EpochRecord view (module/KerasPS.Format.ps1xml).
    /// </summary>
    public static void EnsureView(PSCmdlet cmdlet, EpochRecord r)
    {
        var runspace = Runspace.DefaultRunspace;
        if (runspace?.InitialSessionState is not { } iss) return;
        var type = ViewTypeName(r);
        if (!Registered.TryAdd((runspace.InstanceId, type), true)) return;
        try
        {
            var view = new FormatViewDefinition(type, Table(Ordered(r.Values.Keys).ToList()));
            iss.Formats.Add(new SessionStateFormatEntry(new ExtendedTypeDefinition(type, new List<FormatViewDefinition> { view })));
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand("Update-FormatData").Invoke();
        }
        catch (Exception e) when (e is RuntimeException or InvalidOperationException)
        {
            cmdlet.WriteDebug($"No table view for {type}: {e.Message}");
        }
    }

    /// <summary>
    /// The columns of a record's table: Epoch, one per value in the record's order, then LR and Seconds. Values are
    /// written as Keras prints them, with four decimals (CellText.Cell). A metric where higher is better (accuracy,
    /// AUC, precision, recall: between 0 and 1) needs 6 characters; a loss or error can be large, so its column holds
    /// 10 (77844.3647 whole) and a larger value switches to the compact 8.0546e+10 rather than being cut. Each column is
    /// at least as wide as its header, so headers never wrap. A four-metric fit with validation is 119 characters.
    /// </summary>
    internal static List<(string Label, string Property, int Width)> Columns(IReadOnlyList<string> keys)
    {
        var columns = new List<(string Label, string Property, int Width)> { ("Epoch", "Epoch", 5) };
        foreach (var k in keys)
        {
            var p = KerasNames.ToPascal(k);
            var bounded = MetricMonitor.AutoMode(k) == MonitorMode.Max;
            columns.Add((p, p, Math.Max(p.Length, bounded ? 6 : 10)));
        }
        columns.Add(("LR", "LearningRate", 8));
        columns.Add(("Seconds", "Seconds", 7));
        return columns;
    }

    private static TableControl Table(IReadOnlyList<string> keys)
    {
        var columns = Columns(keys);
        var builder = TableControl.Create(outOfBand: false, autoSize: false, hideTableHeaders: false);
        foreach (var c in columns) builder.AddHeader(Alignment.Right, c.Width, c.Label);
        var row = builder.StartRowDefinition(false, null, null);
        foreach (var c in columns)
        {
            var script = c.Property switch
            {
                "Epoch" => null,
                "LearningRate" => "'{0:G4}' -f $_.LearningRate",
                "Seconds" => "'{0:0.00}' -f $_.Seconds",
                _ => $"[KerasPS.Infrastructure.CellText]::Cell($_.'{c.Property}', {c.Width})",
            };
            if (script is null) row.AddPropertyColumn(c.Property, Alignment.Right, null);
            else row.AddScriptBlockColumn(script, Alignment.Right, null);
        }
        return row.EndRowDefinition().EndTable();
    }
}
