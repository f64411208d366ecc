using System.Management.Automation;

namespace KerasPS.Infrastructure;

/// <summary>Turns a model's raw outputs into KerasPS.Prediction objects, one per row, keyed by row id or index.</summary>
internal static class PredictionView
{
    public const string TypeName = "KerasPS.Prediction";

    /// <param name="classes">The model's class names, or null for a regression model.</param>
    /// <param name="raw">The model's outputs, row after row.</param>
    /// <param name="rows">How many rows <paramref name="raw"/> holds.</param>
    /// <param name="perRow">Outputs per row.</param>
    /// <param name="keys">Row keys (an id column), or null for 0-based indices.</param>
    /// <param name="keyName">The name of the key property; "Id" when null.</param>
    /// <param name="submission">Only the key and one probability per class (Kaggle's submission layout).</param>
    /// <param name="indices">The input position of each row, when the rows are a selection; null for 0, 1, 2, ...</param>
    public static IEnumerable<PSObject> Rows(IReadOnlyList<string>? classes, float[] raw, int rows, int perRow,
        IReadOnlyList<string>? keys = null, string? keyName = null, bool submission = false, int[]? indices = null)
    {
        bool classifier = classes is not null && (perRow == classes.Count || (perRow == 1 && classes.Count == 2));
        var names = classifier ? ClassPropertyNames(classes!, keys is not null ? keyName ?? "Id" : "Index", submission) : null;
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
                    o.Properties.Add(new PSNoteProperty("Class", classes![best]));
                    o.Properties.Add(new PSNoteProperty("Probability", probs[best]));
                }
                for (int k = 0; k < probs.Length; k++) o.Properties.Add(new PSNoteProperty(names[k], probs[k]));
            }
            else if (perRow == 1) o.Properties.Add(new PSNoteProperty("Value", (double)raw[off]));
            else for (int k = 0; k < perRow; k++) o.Properties.Add(new PSNoteProperty($"Value{k + 1}", (double)raw[off + k]));
            yield return o;
        }
    }

    /// <summary>
    /// Kaggle's layout for a two-class task (Titanic's PassengerId,Survived): per row the key and, under the target's name, the
    /// predicted class, or with <paramref name="probability"/> the probability of the second class (for AUC-scored tasks).
    /// </summary>
    public static IEnumerable<PSObject> BinarySubmissionRows(IReadOnlyList<string> classes, float[] raw, int rows, int perRow,
        string targetName, bool probability, IReadOnlyList<string>? keys, string? keyName, int[]? indices)
    {
        for (int r = 0; r < rows; r++)
        {
            var o = new PSObject();
            o.TypeNames.Insert(0, TypeName);
            int row = indices?[r] ?? r;
            if (keys is not null) o.Properties.Add(new PSNoteProperty(keyName ?? "Id", keys[row]));
            else o.Properties.Add(new PSNoteProperty("Index", row));
            double second = perRow == 1 ? raw[r] : raw[r * perRow + 1];
            bool secondWins = perRow == 1 ? second > 0.5 : second > raw[r * perRow];
            o.Properties.Add(new PSNoteProperty(targetName, probability ? second : classes[secondWins ? 1 : 0]));
            yield return o;
        }
    }

    /// <summary>
    /// The property that holds each class's probability: the class name, unless PowerShell (whose property names are
    /// case-insensitive) would take it for the row key, Class, Probability or an earlier class; then the name with _2,
    /// _3, ... A class called 'Class' would otherwise overwrite the predicted class, and 'yes'/'Yes' each other.
    /// </summary>
    public static string[] ClassPropertyNames(IReadOnlyList<string> classes, string keyName, bool submission)
    {
        // One row at a time (a predict per request) asks for the same model's names every call: keep the last answer.
        var last = lastNames;
        if (last is not null && ReferenceEquals(last.Classes, classes) && last.KeyName == keyName && last.Submission == submission)
            return last.Names;
        var names = NewClassPropertyNames(classes, keyName, submission);
        lastNames = new NameCache(classes, keyName, submission, names);
        return names;
    }

    private sealed record NameCache(IReadOnlyList<string> Classes, string KeyName, bool Submission, string[] Names);
    private static NameCache? lastNames;

    private static string[] NewClassPropertyNames(IReadOnlyList<string> classes, string keyName, bool submission)
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { keyName };
        if (!submission) { taken.Add("Class"); taken.Add("Probability"); }
        var names = new string[classes.Count];
        for (int k = 0; k < names.Length; k++)
        {
            var name = classes[k];
            for (int n = 2; !taken.Add(name); n++) name = $"{classes[k]}_{n}";
            names[k] = name;
        }
        return names;
    }

    /// <summary>A warning naming the classes whose probability property got another name, or null when none did.</summary>
    public static string? RenamedClassesWarning(IReadOnlyList<string>? classes, IReadOnlyList<string>? keys, string? keyName,
        bool submission)
    {
        if (classes is null) return null;
        var names = ClassPropertyNames(classes, keys is not null ? keyName ?? "Id" : "Index", submission);
        List<string>? renamed = null;
        for (int k = 0; k < names.Length; k++)
            if (!ReferenceEquals(names[k], classes[k])) (renamed ??= new()).Add($"'{classes[k]}' as {names[k]}");
        return renamed is null ? null
            : "PowerShell property names are case-insensitive, so these class probabilities are written under other names: "
                + $"{string.Join(", ", renamed)}.";
    }
}
