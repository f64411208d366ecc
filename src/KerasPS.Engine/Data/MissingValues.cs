using System.Globalization;

namespace KerasPS.Engine.Data;

/// <summary>How the missing cells of a column are filled: scikit-learn's <c>SimpleImputer</c> strategies.</summary>
public enum ImputeStrategy { Constant, Mean, Median, MostFrequent }

/// <summary>
/// One column's fill rule: a strategy learnt from the column's values (mean, median, most frequent), or a constant (a number for a
/// numeric column, a category for a text column; a number in a text column fills it with all zeros, as a single -MissingValue does).
/// </summary>
public sealed record ImputeRule(ImputeStrategy Strategy, double? Number = null, string? Category = null)
{
    /// <summary>The names a user types for each learnt strategy (scikit-learn's first).</summary>
    public static readonly IReadOnlyList<string> StrategyNames = new[] { "mean", "median", "most_frequent" };

    /// <summary>A constant number.</summary>
    public static ImputeRule Constant(double value) => new(ImputeStrategy.Constant, Number: value);

    /// <summary>A rule from text: a strategy name (mean, median, most_frequent, also mostfrequent, most-frequent, mode), a number
    /// (a constant), or any other text (a constant category for a text column).</summary>
    public static ImputeRule FromText(string text)
    {
        var t = text.Trim();
        switch (t.ToLowerInvariant())
        {
            case "mean": return new(ImputeStrategy.Mean);
            case "median": return new(ImputeStrategy.Median);
            case "most_frequent" or "mostfrequent" or "most-frequent" or "mode": return new(ImputeStrategy.MostFrequent);
        }
        if (t.Length == 0)
            throw KerasException.BadArgument("InvalidMissingValue",
                "-MissingValue was given an empty text. Give a number, a category, or one of: " + string.Join(", ", StrategyNames) + ".");
        return NumberText.TryParse(t, out var f) ? Constant(f) : new(ImputeStrategy.Constant, Category: t);
    }

    /// <summary>The rule as a user writes it (median, 0, 'missing').</summary>
    public override string ToString() => Strategy switch
    {
        ImputeStrategy.Mean => "mean",
        ImputeStrategy.Median => "median",
        ImputeStrategy.MostFrequent => "most_frequent",
        _ => Number is double n ? n.ToString("R", CultureInfo.InvariantCulture) : $"'{Category}'",
    };
}

/// <summary>
/// The -MissingValue and -AddIndicator settings: a rule for every column (<see cref="Default"/>), rules by column name
/// (<see cref="Columns"/>, which win), and whether to add scikit-learn's missing indicators.
/// </summary>
public sealed class MissingValueRules
{
    /// <summary>The rule for columns <see cref="Columns"/> does not name; null leaves their missing cells errors.</summary>
    public ImputeRule? Default { get; init; }

    /// <summary>Rules by column name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, ImputeRule> Columns { get; init; } =
        new Dictionary<string, ImputeRule>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Adds one 0/1 feature per column that has missing cells in the data the rules are learnt on (scikit-learn's
    /// <c>add_indicator=True</c>), named <see cref="IndicatorName"/>, after the other features.
    /// </summary>
    public bool AddIndicator { get; init; }

    /// <summary>The rule for a column, or null.</summary>
    public ImputeRule? RuleFor(string column) => Columns.TryGetValue(column, out var r) ? r : Default;

    /// <summary>Whether the rule for <paramref name="column"/> was named for it (not the default for every column).</summary>
    public bool Names(string column) => Columns.ContainsKey(column);

    /// <summary>The feature name of a column's missing indicator, as scikit-learn's <c>get_feature_names_out</c> writes it.</summary>
    public static string IndicatorName(string column) => "missingindicator_" + column;
}
