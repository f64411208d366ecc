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
    /// <summary>The number for missing or empty numeric values (categorical features get all zeros). By default they are errors.</summary>
    [Parameter]
    public double? MissingValue { get; set; }

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

    /// <summary>The encoding rules these parameters describe, with the cmdlet's -Categorical columns.</summary>
    protected TabularOptions EncodingOptions(string[]? categorical) => new()
    {
        MissingValue = MissingValue is { } m ? (float)m : null,
        Categorical = categorical,
        // With -Targets the loader reads the target columns too; the template's shape is that of its features without them.
        FeatureShape = FeatureShape ?? (Targets is null ? Template?.FeatureShape : null),
        TargetKind = TargetKind is null || Targets is not null ? null : Enum.Parse<TargetKind>(TargetKind, true),
        Template = Template?.Encoding,
        Warn = WriteWarning,
    };
}
