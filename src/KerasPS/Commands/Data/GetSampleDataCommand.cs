using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Data;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Data;

/// <summary>
/// <para type="synopsis">Returns a built-in data set, so examples and tests run offline.</para>
/// <para type="description">Iris (150 rows, 4 measurements, 3 species) and Wine (178 rows, 13 measurements, 3 cultivars): the real data
/// sets as scikit-learn ships them (BSD-3-Clause, see module/data/NOTICE.txt), loaded from the module's data folder.</para>
/// <para type="description">Otto: an Otto-Group-shaped training set (61,878 rows, 93 count features, target Class_1..Class_9), generated in
/// process; for a given -Seed it is number for number the file that shared/tools/make-otto.py writes.</para>
/// </summary>
/// <example><code>$iris = Get-SampleData Iris; $iris.ClassBalance</code></example>
/// <example><code>$data = Get-SampleData -Name Otto</code></example>
/// <example><code>$small = Get-SampleData Otto -Rows 5000 -Seed 7</code></example>
[Cmdlet(VerbsCommon.Get, "SampleData")]
[OutputType(typeof(Dataset))]
public sealed class GetSampleDataCommand : KerasCmdlet
{
    /// <summary>Data set name: Iris, Wine or Otto.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(SampleDataCompleter))]
    public string[] Name { get; set; } = null!;

    /// <summary>Rows to generate (Otto; default 61,878, the size of the Kaggle training file).</summary>
    [Parameter]
    public int Rows { get; set; } = SampleData.OttoRows;

    /// <summary>Seed of the generated rows (Otto; default 42).</summary>
    [Parameter]
    public long Seed { get; set; } = 42;

    protected override void Process() => ForEachInput(Name, requested =>
    {
        var name = SampleData.Names.FirstOrDefault(n => n.Equals(requested, StringComparison.OrdinalIgnoreCase))
            ?? throw new KerasException("UnknownSampleData", ErrorKind.ObjectNotFound,
                $"Unknown sample data '{requested}'. Valid names: {string.Join(", ", SampleData.Names)}.") { Target = requested };
        if (name == "Otto") { WriteObject(new Dataset(SampleData.Otto(Rows, Seed))); return; }
        if (IsBound(nameof(Rows)) || IsBound(nameof(Seed)))
            throw KerasException.BadArgument("SampleDataFixed",
                $"{name} is a fixed, real data set; -Rows and -Seed apply to Otto only. "
                + "Use Split-TrainTest or $data.Slice() for fewer rows.", name);
        var file = System.IO.Path.Combine(DataFolder, SampleData.FileOf(name));
        WriteObject(new Dataset(CsvLoader.Load(file, new CsvLoadOptions { Target = SampleData.TargetOf(name), Delimiter = ',' })));
    });

    /// <summary>module/data, next to module/bin where the assembly is.</summary>
    internal static string DataFolder =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(GetSampleDataCommand).Assembly.Location)!,
            "..", "data"));
}

public sealed class SampleDataCompleter : NameCompleter { protected override IEnumerable<string> Names => SampleData.Names; }
