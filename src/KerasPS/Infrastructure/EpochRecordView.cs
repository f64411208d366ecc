using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Training;

namespace KerasPS.Infrastructure;

/// <summary>Turns engine records into PowerShell objects with one property per value (Loss, Accuracy, ValLoss, ...).</summary>
public static class EpochRecordView
{
    public const string TypeName = "KerasPS.EpochRecord";

    public static PSObject ToPSObject(EpochRecord r, string? modelName = null)
    {
        var o = new PSObject();
        o.TypeNames.Insert(0, TypeName);
        o.Properties.Add(new PSNoteProperty("Epoch", r.Epoch));
        foreach (var kv in r.Values.Where(kv => !kv.Key.StartsWith("val_", StringComparison.Ordinal)))
            o.Properties.Add(new PSNoteProperty(KerasNames.ToPascal(kv.Key), kv.Value));
        foreach (var kv in r.Values.Where(kv => kv.Key.StartsWith("val_", StringComparison.Ordinal)))
            o.Properties.Add(new PSNoteProperty(KerasNames.ToPascal(kv.Key), kv.Value));
        o.Properties.Add(new PSNoteProperty("LearningRate", r.LearningRate));
        o.Properties.Add(new PSNoteProperty("Duration", r.Duration));
        o.Properties.Add(new PSNoteProperty("Samples", r.Samples));
        if (modelName is not null) o.Properties.Add(new PSNoteProperty("Model", modelName));
        return o;
    }

    /// <summary>The metrics other than loss/val_loss, as "accuracy=0.7612 val_accuracy=0.7544" (for the table view).</summary>
    public static string MetricsText(PSObject o) => string.Join("  ", o.Properties
        .Where(p => p.Name is not ("Epoch" or "Loss" or "ValLoss" or "LearningRate" or "Duration" or "Samples" or "Model") && p.Value is double)
        .Select(p => $"{p.Name}={((double)p.Value).ToString("0.0000", CultureInfo.InvariantCulture)}"));
}
