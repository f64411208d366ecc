using System.Collections;
using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine.Data;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Data;

/// <summary>
/// Shared parameters of the cmdlets that encode data into a dataset (Import-ModelData, ConvertTo-ModelData): how
/// missing values, the feature shape and the target are treated, and the dataset whose encoding to reuse. The column
/// parameters (-Target, -Feature, -Exclude, -Categorical) stay on each cmdlet, since one names CSV columns (with a
/// completer that reads the file) and the other names properties.
/// </summary>
public abstract class DataEncodingCommandBase : KerasCmdlet
{
    /// <summary>How empty cells (and NA, NaN, null, ?) are filled; by default they are errors. One value for every column: a
    /// number (text columns get all zeros), or mean, median or most_frequent. Or a hashtable with a rule per column, as
    /// scikit-learn's SimpleImputer: @{ Age = 'median'; Cabin = 'missing'; Fare = 0 } (a text column takes a category or
    /// most_frequent). Mean, median and most frequent values are learnt on the data being loaded, or taken from -Template, and
    /// kept in the dataset's MissingFills: data loaded with it as -Template, and objects piped to a model trained on it, are
    /// filled the same way.</summary>
    [Parameter]
    public object? MissingValue { get; set; }

    /// <summary>Adds a 0/1 feature per column that has empty cells in this data (scikit-learn's add_indicator=True), named
    /// missingindicator_&lt;column&gt;, after the other features: 1 where the cell was empty. Data loaded with this dataset as
    /// -Template gets the same indicator columns.</summary>
    [Parameter]
    public SwitchParameter AddIndicator { get; set; }

    /// <summary>Shape of one row's features, e.g. 28,28,1 for 784 pixel columns; by default a flat vector (or the -Template's
    /// shape).</summary>
    [Parameter]
    public int[]? FeatureShape { get; set; }

    /// <summary>Classification or Regression; by default a target with text is classification and an all-numeric target
    /// regression.</summary>
    [Parameter]
    [ValidateSet("Classification", "Regression")]
    public string? TargetKind { get; set; }

    /// <summary>A dataset (the training data) whose encoding to reuse: the same feature columns and the same one-hot categories.</summary>
    [Parameter]
    public Dataset? Template { get; set; }

    /// <summary>For a model with several inputs: the columns of each input, by input name (@{ numbers = 'a', 'b', 'c'; text = 'd' }).
    /// A one-hot encoded text column is named by its column name. Columns no input names feed nothing; without -Inputs the features are
    /// one block for a model with one input.</summary>
    [Parameter]
    public Hashtable? Inputs { get; set; }

    /// <summary>For a model with several outputs: the target column of each output, by output name (@{ class = 'label'; price = 'price'
    /// }; several columns give a regression output several values per row). A text column is a classification target, a numeric one a
    /// regression target (-TargetKind Classification makes numeric ones classes). Use it instead of -Target.</summary>
    [Parameter]
    public Hashtable? Targets { get; set; }

    /// <summary>Columns of free text (ticket titles, log messages) kept as strings, not one-hot encoded, for a model that starts with
    /// Add-TextVectorizationLayer or Add-StringLookupLayer; the model encodes them once per dataset. With -Template, the template's text
    /// columns.</summary>
    [Parameter]
    public string[]? Text { get; set; }

    /// <summary>The columns -Targets names, to load with the features before they are taken out as targets.</summary>
    protected string[] TargetColumns() => Targets is null ? Array.Empty<string>() : Map(Targets).SelectMany(kv => kv.Value).ToArray();

    /// <summary>
    /// The -Target a loader uses (none when -Targets is given; both is a ConflictingTarget error) and the -Feature list
    /// with the -Targets columns added, so that the loader reads them.
    /// </summary>
    protected (string? Target, string[]? Feature) TargetAndFeatures(string? target, string[]? feature)
    {
        if (Targets is null) return (target, feature);
        if (target is not null)
            throw Engine.KerasException.BadArgument("ConflictingTarget",
                "Give either -Target (one target) or -Targets (one per output), not both.");
        return (null, feature is null || feature.Length == 0 ? feature : feature.Concat(TargetColumns()).Distinct().ToArray());
    }

    /// <summary>The loaded data with -Targets taken out as named targets and -Inputs split into named inputs.</summary>
    protected EncodedData WithBlocks(EncodedData data)
    {
        if (Targets is not null)
            data = DataBlocks.WithTargets(data, Map(Targets), TargetKind is null ? null : Enum.Parse<TargetKind>(TargetKind, true));
        if (Inputs is not null) data = DataBlocks.WithInputs(data, Map(Inputs));
        return data;
    }

    private static List<KeyValuePair<string, string[]>> Map(Hashtable h)
    {
        var list = new List<KeyValuePair<string, string[]>>();
        foreach (DictionaryEntry e in h)
        {
            var value = PSValue.Unwrap(e.Value);
            var columns = value is IEnumerable many and not string
                ? many.Cast<object?>().Select(c => Convert.ToString(PSValue.Unwrap(c), CultureInfo.InvariantCulture) ?? "").ToArray()
                : new[] { Convert.ToString(value, CultureInfo.InvariantCulture) ?? "" };
            list.Add(new(Convert.ToString(PSValue.Unwrap(e.Key), CultureInfo.InvariantCulture) ?? "", columns));
        }
        return list;
    }

    /// <summary>-MissingValue and -AddIndicator as fill rules: one rule for every column, or one per column from a hashtable.</summary>
    protected MissingValueRules? MissingRules()
    {
        var value = PSValue.Unwrap(MissingValue);
        if (value is null) return AddIndicator ? new MissingValueRules { AddIndicator = true } : null;
        if (value is IDictionary table)
        {
            var rules = new Dictionary<string, ImputeRule>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry e in table)
            {
                var column = Convert.ToString(PSValue.Unwrap(e.Key), CultureInfo.InvariantCulture) ?? "";
                rules[column] = Rule(PSValue.Unwrap(e.Value), column);
            }
            return new MissingValueRules { Columns = rules, AddIndicator = AddIndicator };
        }
        return new MissingValueRules { Default = Rule(value, null), AddIndicator = AddIndicator };
    }

    private static ImputeRule Rule(object? value, string? column) => value switch
    {
        string text => ImputeRule.FromText(text),
        char ch => ImputeRule.FromText(ch.ToString()),
        byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal
            => ImputeRule.Constant(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        _ => throw Engine.KerasException.BadArgument("InvalidMissingValue",
            $"-MissingValue{(column is null ? "" : $" for column '{column}'")} is "
                + $"{(value is null ? "null" : $"a {value.GetType().Name}")}; "
                + "give a number, a category, or mean, median or most_frequent.", value),
    };

    /// <summary>The encoding rules these parameters describe, with the cmdlet's -Categorical columns.</summary>
    protected TabularOptions EncodingOptions(string[]? categorical) => new()
    {
        MissingRules = MissingRules(),
        Categorical = categorical,
        // With -Targets the loader reads the target columns too; the template's shape is that of its features without them.
        FeatureShape = FeatureShape ?? (Targets is null ? Template?.FeatureShape : null),
        TargetKind = TargetKind is null || Targets is not null ? null : Enum.Parse<TargetKind>(TargetKind, true),
        Template = Template?.Encoding,
        Warn = WriteWarning,
        Text = Text,
    };
}
