using System.Management.Automation;
using KerasPS.Engine.Data;
using KerasPS.Infrastructure;

namespace KerasPS.Commands;

/// <summary>
/// <para type="synopsis">Returns a built-in data set, so examples and tests run offline.</para>
/// <para type="description">Otto: an Otto-Group-shaped training set (61,878 rows, 93 count features, target Class_1..Class_9), generated in process; for a given -Seed it is number for number the file that shared/tools/make-otto.py writes.</para>
/// </summary>
/// <example><code>$data = Get-SampleData -Name Otto</code></example>
/// <example><code>$small = Get-SampleData Otto -Rows 5000 -Seed 7</code></example>
[Cmdlet(VerbsCommon.Get, "SampleData")]
[OutputType(typeof(Dataset))]
public sealed class GetSampleDataCommand : KerasCmdlet
{
    /// <summary>Data set name: Otto.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(SampleDataCompleter))]
    public string Name { get; set; } = null!;

    /// <summary>Rows to generate (Otto; default 61,878, the size of the Kaggle training file).</summary>
    [Parameter]
    public int Rows { get; set; } = SampleData.OttoRows;

    /// <summary>Seed of the generated rows (Otto; default 42).</summary>
    [Parameter]
    public long Seed { get; set; } = 42;

    protected override void Process()
    {
        var name = SampleData.Names.FirstOrDefault(n => n.Equals(Name, StringComparison.OrdinalIgnoreCase));
        if (name is null)
            Fail("UnknownSampleData", ErrorCategory.InvalidArgument, $"Unknown sample data '{Name}'. Valid names: {string.Join(", ", SampleData.Names)}.", Name);
        WriteObject(new Dataset(SampleData.Otto(Rows, Seed)));
    }
}

public sealed class SampleDataCompleter : NameCompleter { protected override IEnumerable<string> Names => SampleData.Names; }
