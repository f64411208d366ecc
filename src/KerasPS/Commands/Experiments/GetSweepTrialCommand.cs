using System.Management.Automation;
using KerasPS.Engine.Sweeps.Studies;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Experiments;

/// <summary>
/// <para type="synopsis">Reads the trials of a sweep study in a database (KerasPS's or Python Optuna's) as KerasPS.TrialResult
/// objects.</para>
/// <para type="description">One result per row of the study's trials table, in the order they were created: Completed, Pruned,
/// Failed, or Running and Waiting for trials still in progress or queued for a retry. Trial is KerasPS's trial number (a retry keeps
/// the number of the trial it repeats; Attempts counts the runs); for a trial Python wrote it is Optuna's number + 1. Best is the
/// trial's value, Records its history per epoch (the monitor's intermediate values for a Python trial), and each parameter is a
/// property of its own, as on Invoke-ModelSweep's output.</para>
/// </summary>
/// <example><code>Get-SweepTrial -Storage sqlite:///otto.db -Study otto | Where-Object Status -eq Completed |
///     Sort-Object ValLoss | Select-Object -First 5</code></example>
/// <example><code>Get-SweepTrial -Storage postgresql://ml@db1/sweeps -Study otto -Status Failed |
///     Format-List Trial, Host, ErrorId, Error</code></example>
[Cmdlet(VerbsCommon.Get, "SweepTrial")]
[OutputType(typeof(TrialResult))]
public sealed class GetSweepTrialCommand : KerasCmdlet
{
    /// <summary>Where the study lives: sqlite:///relative.db, sqlite:////absolute/path.db, or
    /// postgresql://user@host:port/database.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Storage { get; set; } = null!;

    /// <summary>The study's name.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(StudyNameCompleter))]
    public string Study { get; set; } = null!;

    /// <summary>Only trials in these states (Completed, Pruned, Failed, Running, Waiting).</summary>
    [Parameter]
    [ValidateSet("Completed", "Pruned", "Failed", "Running", "Waiting")]
    public string[]? Status { get; set; }

    /// <summary>PostgreSQL user and password (instead of the URL's; PGPASSWORD is the last resort).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected override void Process()
    {
        var storage = StudyWorkers.Open(this, Storage, Credential);
        using var connections = storage.ConnectionScope();   // the study file is not held open afterwards
        var study = StudyStore.Load(storage, Study);
        foreach (var t in StudyStore.Trials(storage, study))
        {
            var run = StudyStore.ToRun(study, t);
            if (Status is not null && !Status.Contains(run.Status, StringComparer.OrdinalIgnoreCase)) continue;
            WriteObject(ResultView.Trial(new TrialResult(run)));
        }
    }
}
