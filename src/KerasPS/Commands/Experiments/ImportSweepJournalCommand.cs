using System.Management.Automation;
using KerasPS.Engine.Sweeps;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Experiments;

/// <summary>
/// <para type="synopsis">Reads the trials a sweep recorded in its journal (Invoke-ModelSweep -Journal) back as KerasPS.TrialResult objects,
/// one per trial, in trial order.</para>
/// <para type="description">The results are those the sweep wrote: Completed, Pruned (with PrunedAtEpoch) or Failed, with their parameters,
/// seed, host and per-epoch history, and, as on Invoke-ModelSweep's output, each parameter and the best monitored value (ValLoss for
/// val_loss) as properties of their own, so Sort-Object, Export-Csv and Export-HistoryPlot work as they do on a live sweep. The journal may
/// belong to a sweep that is still running or was killed: a half-written last record is ignored, and the trials it has not finished yet are
/// simply not there.</para>
/// </summary>
/// <example><code>Import-SweepJournal ./sweep.jsonl | Sort-Object ValLoss |
///     Select-Object -First 5 Trial, Status, ValLoss, Units, LearningRate</code></example>
/// <example><code>Import-SweepJournal ./sweep.jsonl | Where-Object Status -eq Completed | Export-Csv sweep.csv</code></example>
[Cmdlet(VerbsData.Import, "SweepJournal")]
[OutputType(typeof(TrialResult))]
public sealed class ImportSweepJournalCommand : KerasCmdlet
{
    /// <summary>The journal file (the -Journal of Invoke-ModelSweep).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    public string Path { get; set; } = null!;

    protected override void Process()
    {
        var path = ResolveFilePath(Path);
        var records = SweepJournal.Read(path);
        var results = new SortedDictionary<int, JournalRecord>();
        foreach (var r in records.Where(r => r.Kind == "result")) results[r.Trial] = r;
        foreach (var r in results.Values)
        {
            var result = new TrialResult(TrialRun.FromRecord(r));
            WriteObject(ResultView.Trial(result));
        }
    }
}
