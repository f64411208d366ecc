using System.Globalization;

namespace KerasPS.Engine.Training.Callbacks;

/// <summary>Which way a monitored value improves.</summary>
public enum MonitorMode { Auto, Min, Max }

/// <summary>
/// A monitored history value (val_loss, accuracy, ...) and the rule that says whether a new value improves on a
/// reference: Keras's monitor/mode/min_delta logic shared by EarlyStopping, ModelCheckpoint and ReduceLROnPlateau.
/// </summary>
public sealed class Monitor
{
    public Monitor(string name, MonitorMode mode, double minDelta)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw KerasException.BadArgument("InvalidMonitor", "Monitor needs a history name such as val_loss, loss or val_accuracy.");
        if (!(minDelta >= 0))
            throw KerasException.BadArgument("InvalidMinDelta",
                $"MinDelta must be 0 or more. Received: {minDelta.ToString(CultureInfo.InvariantCulture)}.", minDelta);
        Name = KerasNames.ToHistoryName(name);   // val_loss and ValLoss are one name
        Mode = mode == MonitorMode.Auto ? AutoMode(Name) : mode;
        MinDelta = minDelta;
    }

    public string Name { get; }
    public MonitorMode Mode { get; }
    public double MinDelta { get; }

    /// <summary>
    /// Keras's auto mode: a loss is minimised; a metric (<c>auc</c>, <c>val_auc</c>) goes the way its class says
    /// (<see cref="KerasMetricAttribute.HigherIsBetter"/>); a metric renamed with New-Metric -Name (precision_b) the way
    /// the longest registered name it contains says; anything else is minimised.
    /// </summary>
    public static MonitorMode AutoMode(string name)
    {
        var n = name.StartsWith("val_", StringComparison.OrdinalIgnoreCase) ? name[4..] : name;
        if (n.Contains("loss", StringComparison.OrdinalIgnoreCase)) return MonitorMode.Min;
        var higher = (KerasObjects.Metrics.Find(n)?.Attribute as KerasMetricAttribute)?.HigherIsBetter ?? KerasObjects.Metrics.Entries
            .SelectMany(e => e.Aliases.Select(a => (Alias: a, ((KerasMetricAttribute)e.Attribute).HigherIsBetter)))
            .Where(a => n.Contains(a.Alias, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(a => a.Alias.Length).Select(a => (bool?)a.HigherIsBetter).FirstOrDefault();
        return higher == true ? MonitorMode.Max : MonitorMode.Min;
    }

    /// <summary>Keras's monitor settings: the name and the mode, auto resolved (min or max).</summary>
    public void WriteConfig(IDictionary<string, object?> c)
    {
        c["monitor"] = Name;
        c["mode"] = Mode == MonitorMode.Max ? "max" : "min";
    }

    /// <summary>The mode a config names: auto (or absent), min or max.</summary>
    public static MonitorMode ReadMode(ConfigReader c) => (c.String("mode") ?? "auto").ToLowerInvariant() switch
    {
        "auto" => MonitorMode.Auto,
        "min" => MonitorMode.Min,
        "max" => MonitorMode.Max,
        var other => throw KerasException.BadData("InvalidCallbackConfig", $"mode must be auto, min or max. Received: mode={other}.",
            other),
    };

    public double Worst => Mode == MonitorMode.Min ? double.PositiveInfinity : double.NegativeInfinity;

    /// <summary>True when <paramref name="value"/> beats <paramref name="reference"/> by more than MinDelta.</summary>
    public bool IsImprovement(double value, double reference) =>
        Mode == MonitorMode.Min ? value + MinDelta < reference : value - MinDelta > reference;

    /// <summary>
    /// Refuses, before the first epoch, a name this fit will never produce (a typo, or val_* without validation data):
    /// a callback that silently never fires is worse than an error. <paramref name="produced"/> are the fit's history names.
    /// </summary>
    public void Check(IReadOnlyCollection<string> produced, string who)
    {
        if (produced.Contains(Name)) return;
        var hint = Name.StartsWith("val_", StringComparison.Ordinal) && !produced.Any(p => p.StartsWith("val_", StringComparison.Ordinal))
            ? " val_* values need -ValidationData or -ValidationSplit."
            : "";
        throw new KerasException("UnknownMonitor", ErrorKind.InvalidArgument,
            $"{who} monitors '{Name}', which this fit does not produce. This fit produces: "
                + $"{string.Join(", ", produced)} (as record properties: {string.Join(", ", produced.Select(KerasNames.ToPascal))}).{hint}")
                { Target = Name };
    }

    public override string ToString() =>
        $"{Name} ({Mode.ToString().ToLowerInvariant()}{(MinDelta > 0 ? $", min_delta {Format(MinDelta)}" : "")})";

    private bool warned;

    /// <summary>The monitored value of a record, or null with one warning naming what is available.</summary>
    public double? Read(EpochRecord record, TrainingContext context, string who)
    {
        var v = record.Get(Name);
        if (v is null && !warned)
        {
            warned = true;
            context.Warn($"{who} monitors '{Name}', which this fit does not produce. Available: {string.Join(", ", record.Values.Keys)}. "
                + "(val_* values need -ValidationData or -ValidationSplit.)");
        }
        return v;
    }

    internal void ResetWarning() => warned = false;

    public static string Format(double v) => v.ToString("0.#####", CultureInfo.InvariantCulture);
}
