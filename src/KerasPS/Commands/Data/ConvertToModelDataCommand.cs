using System.Management.Automation;
using KerasPS.Engine.Data;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Data;

/// <summary>
/// <para type="synopsis">Turns any PowerShell objects, hashtables or a DataFrame into a dataset to train on.</para>
/// <para type="description">One row per piped object. Property names become feature names: the -Feature list, or else the first object's
/// properties (an [ordered] hashtable's keys in order, a plain hashtable's keys sorted) without -Target and -Exclude. Numbers and booleans
/// are numbers; strings are parsed as numbers with the invariant culture (1.5, not 1,5); a property whose first value is text is one-hot
/// encoded, as in Import-ModelData (categories in the dataset's Categories; -Template reuses another dataset's). A missing property or
/// empty value is an error naming the object's index, unless -MissingValue fills it. Objects stream in: 100,000 objects cost about as much
/// per object as 1,000.</para>
/// <para type="description">-DataFrame takes a Microsoft.Data.Analysis DataFrame (a dataset's .DataFrame, changed or not) and applies the
/// same rules to its columns.</para>
/// </summary>
/// <example><code>Get-Process |
/// ConvertTo-ModelData -Feature CPU, WorkingSet64, Handles -Target ProcessName -MissingValue 0</code></example>
/// <example><code>Import-Csv ./houses.csv | ConvertTo-ModelData -Target price -Exclude id</code></example>
/// <example><code>@{ x1 = 1; x2 = 2; y = 'a' }, @{ x1 = 3; x2 = 4; y = 'b' } | ConvertTo-ModelData -Target y</code></example>
/// <example><code>$df = $train.DataFrame; ConvertTo-ModelData -DataFrame $df -Target target</code></example>
/// <example><code>Import-Csv ./items.csv |
/// ConvertTo-ModelData -Inputs @{ numbers = 'a', 'b'; text = 'd' } -Targets @{ class = 'label'; price = 'price' }</code></example>
[Cmdlet(VerbsData.ConvertTo, "ModelData", DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(Dataset))]
public sealed class ConvertToModelDataCommand : DataEncodingCommandBase
{
    private const string ObjectSet = "InputObject";
    private const string FrameSet = "DataFrame";
    private ObjectDatasetBuilder? builder;

    /// <summary>The objects or hashtables, usually piped; one row each.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [AllowNull]
    public PSObject? InputObject { get; set; }

    /// <summary>A Microsoft.Data.Analysis DataFrame, such as a dataset's .DataFrame.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FrameSet)]
    public object DataFrame { get; set; } = null!;

    /// <summary>The property (or DataFrame column) holding the target: class labels or numbers. Without it the dataset has features
    /// only.</summary>
    [Parameter]
    public string? Target { get; set; }

    /// <summary>The feature properties, in this order; by default every property of the first object but the target and -Exclude.</summary>
    [Parameter]
    public string[]? Feature { get; set; }

    /// <summary>Properties to leave out.</summary>
    [Parameter]
    public string[]? Exclude { get; set; }

    /// <summary>Properties to one-hot encode as categories even when their values are numbers.</summary>
    [Parameter]
    public string[]? Categorical { get; set; }

    protected override void Begin()
    {
        var (target, feature) = TargetAndFeatures(Target, Feature);
        if (ParameterSetName == ObjectSet) builder = new ObjectDatasetBuilder(target, feature, Exclude, EncodingOptions(Categorical));
    }

    protected override void Process()
    {
        if (ParameterSetName != ObjectSet) return;
        // -InputObject @(...) given directly (not piped): one row per element, as if piped.
        if (InputObject?.BaseObject is System.Collections.IEnumerable many and not string and not System.Collections.IDictionary
            && !MyInvocation.ExpectingInput)
            foreach (var item in many) builder!.Add(item);
        else builder!.Add(InputObject);
    }

    protected override void End()
    {
        if (ParameterSetName == FrameSet)
        {
            var (target, feature) = TargetAndFeatures(Target, Feature ?? Template?.Encoding.SourceColumns?.ToArray());
            WriteObject(new Dataset(WithBlocks(DataFrameConverter.FromFrame(DataFrame, target, feature, Exclude,
                EncodingOptions(Categorical)))));
        }
        else WriteObject(new Dataset(WithBlocks(builder!.Build())));
    }
}
