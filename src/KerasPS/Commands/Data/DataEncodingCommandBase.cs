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

    /// <summary>The encoding rules these parameters describe, with the cmdlet's -Categorical columns.</summary>
    protected TabularOptions EncodingOptions(string[]? categorical) => new()
    {
        MissingValue = MissingValue is { } m ? (float)m : null,
        Categorical = categorical,
        FeatureShape = FeatureShape ?? Template?.FeatureShape,
        TargetKind = TargetKind is null ? null : Enum.Parse<TargetKind>(TargetKind, true),
        Template = Template?.Engine,
    };
}
