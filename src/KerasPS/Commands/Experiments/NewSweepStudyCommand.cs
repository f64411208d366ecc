using System.Collections;
using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Sweeps;
using KerasPS.Engine.Sweeps.Studies;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Experiments;

/// <summary>
/// <para type="synopsis">Creates a sweep study in a database (SQLite or PostgreSQL, in Optuna's storage format) that workers started
/// anywhere take trials from with Start-SweepWorker.</para>
/// <para type="description">The study keeps its search space (as Optuna distributions), search, pruning rule, monitor, budget of trials,
/// epochs per trial and seed; every worker reads them from the database, so a worker needs only the storage, the study's name, the data
/// and the model script. The tables are Optuna 3.1's (schema version 12): optuna.load_study, Optuna's plots and optuna-dashboard read the
/// study, and Python processes can run study.optimize on it beside KerasPS workers. Use SQLite (sqlite:///study.db) for workers on one
/// machine, PostgreSQL (postgresql://user@host:port/db) for many machines. The password comes from the URL, -Credential or PGPASSWORD
/// and is never written to the study, to messages or to results.</para>
/// </summary>
/// <example><code>$space = @{ Units = 16, 32, 64; LearningRate = [KerasPS.LogUniform]::new(1e-3, 1e-1) }
/// $study = @{ Storage = 'sqlite:///otto.db'; Name = 'otto'; Parameters = $space }
/// New-SweepStudy @study -Search Tpe -Trials 40 -Epochs 20 -Monitor val_loss -Seed 7</code></example>
/// <example><code>$cred = Get-Credential ml
/// $study = @{ Storage = 'postgresql://db1:5432/sweeps'; Credential = $cred; Name = 'otto-median'; Parameters = $space }
/// New-SweepStudy @study -Prune Median -Trials 200</code></example>
[Cmdlet(VerbsCommon.New, "SweepStudy", SupportsShouldProcess = true)]
[OutputType(typeof(SweepStudy))]
public sealed class NewSweepStudyCommand : KerasCmdlet
{
    /// <summary>Where the study lives: sqlite:///relative.db, sqlite:////absolute/path.db, or
    /// postgresql://user@host:port/database.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Storage { get; set; } = null!;

    /// <summary>The study's name, unique in the database (workers and Get-SweepTrial name it with -Study).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string Name { get; set; } = null!;

    /// <summary>The search space, as Invoke-ModelSweep's: name = list of values, or a range ([KerasPS.Uniform], [KerasPS.LogUniform],
    /// [KerasPS.IntRange]). Each parameter becomes one Optuna distribution, so a list may not mix ranges and values.</summary>
    [Parameter(Mandatory = true, Position = 2)]
    public IDictionary Parameters { get; set; } = null!;

    /// <summary>How trials are chosen: Random (the default), Tpe (after 10 random trials, each proposed from every worker's finished
    /// trials) or Grid (every combination; -Trials defaults to the grid's size).</summary>
    [Parameter]
    [ValidateSet("Grid", "Random", "Tpe")]
    public string Search { get; set; } = "Random";

    /// <summary>Stops hopeless trials early, decided as each epoch ends from every worker's history as it is then: Median (after 5
    /// finished trials, a trial stops after the first epoch at which its best so far is worse than the finished trials' median there,
    /// as Optuna's MedianPruner) or Hyperband (asynchronous successive halving, the rule Optuna's HyperbandPruner runs in each bracket:
    /// at epochs 1, f, f², ... a trial goes on only if its best so far is among the best 1/f of the values the other trials, running
    /// ones included, reached there). None by default.</summary>
    [Parameter]
    [ValidateSet("None", "Median", "Hyperband")]
    public string Prune { get; set; } = "None";

    /// <summary>With -Prune Hyperband: the reduction factor f (3 by default).</summary>
    [Parameter]
    [ValidateRange(2, 100)]
    public int PruneFactor { get; set; } = 3;

    /// <summary>History value to rank by (val_loss by default); its name sets the study's direction (minimize or maximize).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MonitorCompleter))]
    public string Monitor { get; set; } = "val_loss";

    /// <summary>The study's budget: trials the workers run in all (a retry of a lost trial does not count).</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int? Trials { get; set; }

    /// <summary>Epochs each trial trains for.</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int Epochs { get; set; } = 10;

    /// <summary>Seed that fixes every trial's sampled values and training seed (trial k gets what Invoke-ModelSweep's trial k gets
    /// with the same seed). Drawn at random when omitted.</summary>
    [Parameter] public long? Seed { get; set; }

    /// <summary>PostgreSQL user and password (instead of the URL's; PGPASSWORD is the last resort).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected override void Process()
    {
        Search = Search.ToLowerInvariant() switch { "grid" => "Grid", "tpe" => "Tpe", _ => "Random" };
        Prune = Prune.ToLowerInvariant() switch { "median" => "Median", "hyperband" => "Hyperband", _ => "None" };
        var space = StudyWorkers.Space(Parameters);
        var monitor = new TrialMonitor(Monitor);
        foreach (var (name, _) in space)
            if (StudyWorkers.Reserved.Contains(name) || name.Equals(KerasNames.ToPascal(monitor.Name), StringComparison.OrdinalIgnoreCase))
                Fail("ReservedParameterName", ErrorCategory.InvalidArgument,
                    $"A sweep parameter cannot be named '{name}': every result already has a property of that name. "
                    + $"Rename it (e.g. '{name}Value').", name);
        long seed = Seed ?? MersenneTwister.RandomSeed();
        int trials;
        if (Search == "Grid")
        {
            int size = SweepPlan.Grid(space, seed).Count;
            if (Trials is int t && t > size)
                Fail("TrialsBeyondGrid", ErrorCategory.InvalidArgument, $"The grid has {size} combinations; -Trials {t} is more. "
                    + "Leave -Trials out to run the whole grid.", t);
            trials = Trials ?? size;
        }
        else
        {
            if (Trials is null)
                Fail("TrialsRequired", ErrorCategory.InvalidArgument, $"-Search {Search} needs -Trials N (the study's budget).");
            trials = Trials!.Value;
        }
        var storage = StudyWorkers.Open(this, Storage, Credential);
        using var connections = storage.ConnectionScope();   // the study file is not held open afterwards
        if (!ShouldProcess($"{storage.Display} study '{Name}'", "Create a sweep study")) return;
        var info = StudyStore.Create(storage, new StudyDefinition
        {
            Name = Name, Space = space, Search = Search, Prune = Prune, PruneFactor = PruneFactor, Monitor = monitor, Trials = trials,
            Epochs = Epochs, Seed = seed,
        });
        WriteObject(new SweepStudy(storage, info));
    }
}
