using System.Management.Automation;
using KerasPS.Engine.Data;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Data;

/// <summary>
/// <para type="synopsis">Splits a dataset into training and test parts (and a validation part), as scikit-learn's train_test_split.</para>
/// <para type="description">Rows are shuffled with a Mersenne Twister seeded by -Seed, so the same seed gives the same split on every
/// machine and .NET version. -TestSize and -ValidationSize are fractions in (0, 1) (rounded up to whole rows) or row counts. -Stratify
/// keeps each class's share in every part, within one row per class. -NoShuffle takes the test rows from the end (validation just before
/// them). The seed used, given or drawn, is on the result, so any split can be reproduced.</para>
/// <para type="description">Errors: InvalidSplitSize (a size outside (0, 1) that is not a whole row count, or sizes that leave no training
/// rows), StratifyNeedsClasses (data without class labels), StratifyClassAbsent (a class too small to keep a row for training),
/// StratifyNeedsShuffle.</para>
/// </summary>
/// <example><code>$split = $data | Split-TrainTest -TestSize 0.15 -Seed 42; $split.Train; $split.Test</code></example>
/// <example><code>$parts = $data | Split-TrainTest -TestSize 0.2 -ValidationSize 0.1 -Stratify -Seed 1</code></example>
/// <example><code>$split = Split-TrainTest -Data $data 100 -NoShuffle   # the last 100 rows are the test part</code></example>
[Cmdlet(VerbsCommon.Split, "TrainTest")]
[OutputType(typeof(TrainTestSplit))]
public sealed class SplitTrainTestCommand : KerasCmdlet
{
    /// <summary>The dataset to split (Import-ModelData, ConvertTo-ModelData, Get-SampleData).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Dataset Data { get; set; } = null!;

    /// <summary>The test part: a fraction in (0, 1), such as 0.15, or a whole number of rows.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public double TestSize { get; set; }

    /// <summary>A validation part, taken like the test part: a fraction of all rows or a row count.</summary>
    [Parameter]
    public double? ValidationSize { get; set; }

    /// <summary>Seed of the shuffle; the same seed gives the same split everywhere. By default one is drawn (and reported on the
    /// result).</summary>
    [Parameter]
    public long? Seed { get; set; }

    /// <summary>Keep each class's share of rows in every part (classification data).</summary>
    [Parameter]
    public SwitchParameter Stratify { get; set; }

    /// <summary>Do not shuffle: the test rows are the last ones, in order.</summary>
    [Parameter]
    public SwitchParameter NoShuffle { get; set; }

    protected override void Process()
    {
        var r = DataSplitter.Split(Data.Engine, TestSize, ValidationSize, Seed, Stratify.IsPresent, !NoShuffle.IsPresent);
        WriteObject(new TrainTestSplit(new Dataset(r.Train), new Dataset(r.Test), r.Validation is null ? null : new Dataset(r.Validation),
            r.Seed, Stratify.IsPresent));
    }
}
