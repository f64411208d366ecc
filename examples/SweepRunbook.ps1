<#
.SYNOPSIS
    An Azure-Automation-style sweep runbook: searches the Otto MLP's width, learning rate and dropout, and when it is
    started again after an interruption, finishes the sweep instead of starting it over.
.DESCRIPTION
    Runbooks are restarted from the top after a worker restart or their time limit, so the sweep keeps its progress in
    a journal: Invoke-ModelSweep -Journal appends every finished trial to that file (one JSON line, on the disk before
    the next trial starts), and a run that finds the file skips the trials it records, reruns the one that was cut
    short and writes the same results an unbroken sweep would (the seed is kept in the journal). Every trial ends up in
    the journal exactly once. -Search Tpe and -Prune Hyperband resume the same way: their decisions depend only on
    the results in the journal.
    No console is assumed: no progress bars, no per-trial output; one summary object at the end.
    Run it on a Hybrid Runbook Worker (PowerShell 7.4): the cloud sandbox cannot hold libtorch (see module/RUNBOOKS.md).
.EXAMPLE
    pwsh -NonInteractive -File ./examples/SweepRunbook.ps1 -JournalPath /var/lib/kerasps/sweeps/otto.jsonl -Trials 40
#>
[CmdletBinding()]
param(
    # Where the journal lives between runs: a persistent folder on the worker, or a share every worker mounts.
    [Parameter(Mandatory)] [string] $JournalPath,
    # Trials of the search (with -Prune Hyperband the brackets decide, from -Epochs).
    [int] $Trials = 20,
    # Epochs per trial (the largest budget with -Prune Hyperband).
    [int] $Epochs = 10,
    # Random or Tpe.
    [ValidateSet('Random', 'Tpe')] [string] $Search = 'Random',
    # None or Hyperband.
    [ValidateSet('None', 'Hyperband')] [string] $Prune = 'None',
    # Rows of the Otto sample to use (the last fifth is the validation set).
    [int] $Rows = 20000,
    # The sweep's seed: fixes every trial's parameters and training seed.
    [long] $Seed = 42,
    # Trials at once, and libtorch threads per trial (0: KerasPS's default).
    [int] $ThrottleLimit = 1,
    [int] $Threads = 0,
    # KerasPS as installed on the worker (a module name or the path of KerasPS.psd1).
    [string] $ModulePath = 'KerasPS'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath

$otto = Get-SampleData Otto -Rows $Rows -Seed 42
$cut = [int]($Rows * 0.8)
$train = $otto.Slice(0, $cut)
$validation = $otto.Slice($cut, $Rows - $cut)

$sweep = @{
    Parameters     = [ordered]@{
        Units        = 32, 64, 128, 256
        LearningRate = [KerasPS.LogUniform]::new(1e-4, 3e-2)
        Dropout      = [KerasPS.Uniform]::new(0.0, 0.5)
    }
    ModelScript    = {
        param($p)
        New-Model -InputShape 93 | Add-DenseLayer -Units $p.Units -Activation relu | Add-DropoutLayer -Rate $p.Dropout |
            Add-DenseLayer -Units 9 -Activation softmax |
            Build-Model -Optimizer (New-Optimizer adam -LearningRate $p.LearningRate) -Loss categorical_crossentropy -Metrics accuracy
    }
    Data           = $train
    ValidationData = $validation
    Epochs         = $Epochs
    BatchSize      = 128
    Seed           = $Seed
    Journal        = $JournalPath
    ThrottleLimit  = $ThrottleLimit
}
if ($Prune -eq 'Hyperband') { $sweep.Prune = 'Hyperband' } else { $sweep.Search = $Search; $sweep.Trials = $Trials }
if ($Threads -gt 0) { $sweep.Threads = $Threads }

$clock = [Diagnostics.Stopwatch]::StartNew()
$results = @(Invoke-ModelSweep @sweep)
$best = $results | Where-Object Status -eq Completed | Sort-Object Best | Select-Object -First 1

# One small object for the job output, not one line per trial.
[pscustomobject]@{
    PSTypeName   = 'KerasPS.SweepRunbookSummary'
    Trials       = $results.Count
    RanThisRun   = @($results | Where-Object { -not $_.FromJournal }).Count
    FromJournal  = @($results | Where-Object FromJournal).Count
    Pruned       = @($results | Where-Object Status -eq Pruned).Count
    Failed       = @($results | Where-Object Status -eq Failed).Count
    BestTrial    = $best.Trial
    BestValLoss  = $best.Best
    BestParameters = $best.Parameters
    Seconds      = [math]::Round($clock.Elapsed.TotalSeconds, 1)
    Journal      = $JournalPath
}
