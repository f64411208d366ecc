using System.Management.Automation;

namespace KerasPS.Infrastructure;

/// <summary>Turns a model's raw outputs into KerasPS.Prediction objects, one per row, keyed by row id or index.</summary>
internal static class PredictionView
{
    public const string TypeName = "KerasPS.Prediction";

    /// <param name="keys">Row keys (an id column), or null for 0-based indices.</param>
    /// <param name="submission">Only the key and one probability per class (Kaggle's submission layout).</param>
    public static IEnumerable<PSObject> Rows(IReadOnlyList<string>? classes, float[] raw, int rows, int perRow,
        IReadOnlyList<string>? keys = null, string? keyName = null, bool submission = false, int[]? indices = null)
    {
        bool classifier = classes is not null && (perRow == classes.Count || (perRow == 1 && classes.Count == 2));
        var names = classifier ? classes!.ToArray() : null;
        for (int r = 0; r < rows; r++)
        {
            var o = new PSObject();
            o.TypeNames.Insert(0, TypeName);
            int row = indices?[r] ?? r;
            if (keys is not null) o.Properties.Add(new PSNoteProperty(keyName ?? "Id", keys[row]));
            else o.Properties.Add(new PSNoteProperty("Index", row));
            int off = r * perRow;
            if (classifier)
            {
                var probs = new double[names!.Length];
                if (perRow == 1) { probs[1] = raw[off]; probs[0] = 1 - raw[off]; }
                else for (int k = 0; k < perRow; k++) probs[k] = raw[off + k];
                int best = 0;
                for (int k = 1; k < probs.Length; k++) if (probs[k] > probs[best]) best = k;
                if (!submission)
                {
                    o.Properties.Add(new PSNoteProperty("Class", names[best]));
                    o.Properties.Add(new PSNoteProperty("Probability", probs[best]));
                }
                for (int k = 0; k < probs.Length; k++) o.Properties.Add(new PSNoteProperty(names[k], probs[k]));
            }
            else if (perRow == 1) o.Properties.Add(new PSNoteProperty("Value", (double)raw[off]));
            else for (int k = 0; k < perRow; k++) o.Properties.Add(new PSNoteProperty($"Value{k + 1}", (double)raw[off + k]));
            yield return o;
        }
    }
}
