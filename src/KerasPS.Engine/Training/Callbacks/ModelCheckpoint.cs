using System.Globalization;
using System.Text.RegularExpressions;
using KerasPS.Engine.Checkpoints;

namespace KerasPS.Engine.Training.Callbacks;

/// <summary>
/// keras.callbacks.ModelCheckpoint: saves the model (with optimizer state, so a fit can resume from it) or only its
/// weights after each epoch, or only when the monitored value improves. The path may hold Keras-style placeholders:
/// <c>{epoch}</c>, <c>{epoch:02d}</c>, <c>{val_loss:.4f}</c>, or any history name. Every write is atomic.
/// As in Keras, the best value is kept across fits, so a continued fit does not overwrite a better checkpoint.
/// </summary>
[KerasObject("keras.callbacks", "ModelCheckpoint")]
public sealed partial class ModelCheckpoint : Callback, IKerasObject<ModelCheckpoint>
{
    /// <summary>Keras's monitor.</summary>
    public const string DefaultMonitor = "val_loss";

    [GeneratedRegex(@"\{(?<key>[A-Za-z_][A-Za-z0-9_]*)(?::(?<spec>[^}]*))?\}")]
    private static partial Regex Placeholder();

    private double best;

    public ModelCheckpoint(string path, string monitor = DefaultMonitor, bool saveBestOnly = false, bool saveWeightsOnly = false,
        MonitorMode mode = MonitorMode.Auto, double? initialValueThreshold = null)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw KerasException.BadArgument("InvalidCheckpointPath",
                "ModelCheckpoint needs a file path, e.g. best.kpt or epoch-{epoch:02d}.kpt.");
        // On Windows, names it cannot hold are refused now; parts with a placeholder are checked when filled in, at each save.
        WindowsFileNames.CheckPath(path, OperatingSystem.IsWindows(), template: true);
        PathTemplate = path;
        Monitor = new Monitor(monitor, mode, 0);
        SaveBestOnly = saveBestOnly;
        SaveWeightsOnly = saveWeightsOnly;
        InitialValueThreshold = initialValueThreshold;
        best = initialValueThreshold ?? Monitor.Worst;
        // checks the format specs now
        foreach (Match m in Placeholder().Matches(path)) _ = FormatValue(1.0, m.Groups["spec"].Value, m.Value);
    }

    /// <summary>Keras's filepath is required; the rest take the defaults.</summary>
    public static ModelCheckpoint FromConfig(ConfigReader c) => new(c.String("filepath") ?? "", c.String("monitor") ?? DefaultMonitor,
        c.Bool("save_best_only", false), c.Bool("save_weights_only", false), Monitor.ReadMode(c),
        c.NullableDouble("initial_value_threshold"));

    protected override void WriteConfig(IDictionary<string, object?> c)
    {
        c["filepath"] = PathTemplate;
        Monitor.WriteConfig(c);
        c["save_best_only"] = SaveBestOnly;
        c["save_weights_only"] = SaveWeightsOnly;
        c["initial_value_threshold"] = InitialValueThreshold;
    }

    public string PathTemplate { get; }
    public double? InitialValueThreshold { get; }
    public Monitor Monitor { get; }
    public bool SaveBestOnly { get; }
    public bool SaveWeightsOnly { get; }
    public double BestValue => best;

    /// <summary>Path of the last file written, or null.</summary>
    public string? LastSavedPath { get; private set; }

    public override void CheckNames(IReadOnlyCollection<string> produced)
    {
        if (SaveBestOnly) Monitor.Check(produced, "ModelCheckpoint");
    }

    public override void OnTrainBegin(TrainingContext context) => Monitor.ResetWarning();

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        string path = FormatPath(record);
        if (SaveBestOnly)
        {
            var current = Monitor.Read(record, context, "ModelCheckpoint");
            if (current is not double value) return;
            if (!Monitor.IsImprovement(value, best))
            {
                context.Log($"Epoch {record.Epoch}: {Monitor.Name} did not improve from {Monitor.Format(best)}.");
                return;
            }
            context.Log(double.IsInfinity(best)
                ? $"Epoch {record.Epoch}: {Monitor.Name} is {Monitor.Format(value)}, saving model to {path}."
                : $"Epoch {record.Epoch}: {Monitor.Name} improved from {Monitor.Format(best)} to {Monitor.Format(value)}, "
                    + $"saving model to {path}.");
            best = value;
        }
        else context.Log($"Epoch {record.Epoch}: saving model to {path}.");
        Checkpoint.Save(context.Model, path, new CheckpointSaveOptions { Overwrite = true, WeightsOnly = SaveWeightsOnly,
            IncludeOptimizer = !SaveWeightsOnly && KerasFiles.FormatOf(path) == CheckpointFormat.KerasPS });
        LastSavedPath = path;
    }

    /// <summary>The path for an epoch's record: placeholders replaced by the record's values.</summary>
    public string FormatPath(EpochRecord record) => Placeholder().Replace(PathTemplate, m =>
    {
        var key = m.Groups["key"].Value;
        double? v = key == "epoch" ? record.Epoch : record.Get(key);
        if (v is null)
            throw KerasException.BadArgument("InvalidCheckpointPath",
                $"The checkpoint path uses {{{key}}}, which this fit does not produce. Available: epoch, "
                    + $"{string.Join(", ", record.Values.Keys)}.", PathTemplate);
        return FormatValue(v.Value, m.Groups["spec"].Value, m.Value);
    });

    private static string FormatValue(double v, string spec, string placeholder)
    {
        var ci = CultureInfo.InvariantCulture;
        if (string.IsNullOrEmpty(spec)) return v == Math.Floor(v) && Math.Abs(v) < 1e15 ? ((long)v).ToString(ci) : v.ToString("0.####", ci);
        var d = Regex.Match(spec, @"^0?(\d+)d$");
        if (d.Success) return ((long)v).ToString("D" + d.Groups[1].Value, ci);
        var f = Regex.Match(spec, @"^\.(\d+)([fe])$");
        if (f.Success) return v.ToString((f.Groups[2].Value == "f" ? "F" : "E") + f.Groups[1].Value, ci);
        throw KerasException.BadArgument("InvalidCheckpointPath",
            $"Unsupported format '{spec}' in {placeholder}. Use {{epoch}}, {{epoch:02d}}, {{val_loss:.4f}} or {{val_loss:.2e}}.",
                placeholder);
    }
}
