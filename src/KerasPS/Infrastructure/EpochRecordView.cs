using System.Collections.Concurrent;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Text;
using KerasPS.Engine;
using KerasPS.Engine.Training;

namespace KerasPS.Infrastructure;

/// <summary>
/// Turns engine records into PowerShell objects with one property per value (Loss, Accuracy, ValLoss, ...), and gives
/// each set of values a table view of its own, one column per metric, so a history fits the console.
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
        return list.Where(k => !k.StartsWith("val_", StringComparison.Ordinal)).Concat(list.Where(k => k.StartsWith("val_", StringComparison.Ordinal)));
    }

    /// <summary>The type name whose view has exactly this record's columns: KerasPS.EpochRecord#loss,accuracy,val_loss,val_accuracy.</summary>
    private static string ViewTypeName(EpochRecord r) => TypeName + "#" + string.Join(",", Ordered(r.Values.Keys));

    /// <summary>The metrics other than loss/val_loss, as "Accuracy=0.7612 ValAccuracy=0.7544" (the fallback view, for a history no view was made for).</summary>
    public static string MetricsText(PSObject o) => string.Join("  ", o.Properties
        .Where(p => p.Name is not ("Epoch" or "Loss" or "ValLoss" or "LearningRate" or "Seconds" or "Samples" or "Model") && p.Value is double)
        .Select(p => $"{p.Name}={((double)p.Value).ToString("0.0000", CultureInfo.InvariantCulture)}"));

    private static readonly ConcurrentDictionary<(Guid, string), bool> Registered = new();

    /// <summary>
    /// Makes sure the current runspace has the table view for this record's set of values (one column per value, each as
    /// narrow as its header, so loss + four metrics with validation fit 120 columns). Views are generated once per set
    /// and runspace with Update-FormatData; where that is not allowed, the records fall back to the KerasPS.EpochRecord view.
    /// </summary>
    public static void EnsureView(PSCmdlet cmdlet, EpochRecord r)
    {
        var runspace = Runspace.DefaultRunspace;
        if (runspace is null) return;
        var type = ViewTypeName(r);
        if (!Registered.TryAdd((runspace.InstanceId, type), true)) return;
        try
        {
            var file = WriteView(type, Ordered(r.Values.Keys).ToList());
            cmdlet.InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($p) Update-FormatData -PrependPath $p"), null, file);
        }
        catch (Exception e) when (e is RuntimeException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            cmdlet.WriteDebug($"No table view for {type}: {e.Message}");
        }
    }

    private static string WriteView(string type, IReadOnlyList<string> keys)
    {
        var folder = Path.Combine(Path.GetTempPath(), "KerasPS-views-" + Environment.UserName);
        Directory.CreateDirectory(folder);
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(type)))[..16];
        var file = Path.Combine(folder, $"EpochRecord-{hash}.Format.ps1xml");
        var columns = new List<(string Label, int Width, string Item)> { ("Epoch", 5, "<PropertyName>Epoch</PropertyName>") };
        foreach (var k in keys)
        {
            var p = KerasNames.ToPascal(k);
            columns.Add((p, Math.Max(p.Length, 7), $"<ScriptBlock>$v = $_.PSObject.Properties['{p}']; if ($null -ne $v) {{ '{{0:0.0000}}' -f $v.Value }}</ScriptBlock>"));
        }
        columns.Add(("LR", 8, "<ScriptBlock>'{0:G4}' -f $_.LearningRate</ScriptBlock>"));
        columns.Add(("Seconds", 7, "<ScriptBlock>'{0:0.00}' -f $_.Seconds</ScriptBlock>"));
        var xml = new StringBuilder();
        xml.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Configuration><ViewDefinitions><View>")
           .Append("<Name>").Append(SecurityElement.Escape(type)).Append("</Name>")
           .Append("<ViewSelectedBy><TypeName>").Append(SecurityElement.Escape(type)).Append("</TypeName></ViewSelectedBy>")
           .Append("<TableControl><TableHeaders>");
        foreach (var c in columns)
            xml.Append($"<TableColumnHeader><Label>{SecurityElement.Escape(c.Label)}</Label><Width>{c.Width}</Width><Alignment>Right</Alignment></TableColumnHeader>");
        xml.Append("</TableHeaders><TableRowEntries><TableRowEntry><TableColumnItems>");
        foreach (var c in columns) xml.Append("<TableColumnItem>").Append(c.Item).Append("</TableColumnItem>");
        xml.Append("</TableColumnItems></TableRowEntry></TableRowEntries></TableControl></View></ViewDefinitions></Configuration>\n");
        var temp = file + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temp, xml.ToString(), new UTF8Encoding(false));
        File.Move(temp, file, overwrite: true);
        return file;
    }
}
