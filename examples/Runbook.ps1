<#
.SYNOPSIS
    An Azure-Automation-style runbook: trains an Otto classifier with a checkpoint after every epoch, and when it is
    started again after an interruption, continues from that checkpoint instead of starting over.
.DESCRIPTION
    Runbooks are restarted from the top after a worker restart or a stop, so this script keeps its progress on disk:
    Invoke-ModelFit -Resume takes the weights, optimizer state, epoch count and fit seed from -CheckpointPath when the
    file exists (and starts fresh when it does not), and New-ModelCheckpoint rewrites that file after every epoch
    (atomically: a killed job leaves the previous checkpoint intact). The checkpoint remembers the total the fit was
    started with, so a restart trains only the epochs that are left. The fit stops cleanly before -MaxDuration, below the job's time limit.
    No console is assumed: no progress bars, no per-epoch output; one summary object at the end.
    Run it on a Hybrid Runbook Worker (PowerShell 7.4): the cloud sandbox cannot hold libtorch (see module/RUNBOOKS.md).
.EXAMPLE
    pwsh -NonInteractive -File ./examples/Runbook.ps1 -CheckpointPath /var/lib/kerasps/checkpoints/otto.kpt
#>
[CmdletBinding()]
param(
    # Where the checkpoint lives between runs: a persistent folder on the worker, or a share every worker mounts.
    [Parameter(Mandatory)] [string] $CheckpointPath,
    # Total epochs; a restarted run trains the rest.
    [int] $Epochs = 30,
    # Rows of the Otto sample to train on (the last fifth is the validation set).
    [int] $Rows = 20000,
    # Stop cleanly (between epochs) before this much time has passed in one run.
    [TimeSpan] $MaxDuration = '02:30:00',
    # libtorch threads (0: KerasPS's default); set it on a worker that runs other jobs too.
    [int] $Threads = 0,
    # KerasPS as installed on the worker (a module name or the path of KerasPS.psd1).
    [string] $ModulePath = 'KerasPS'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath

$folder = Split-Path -Parent ([IO.Path]::GetFullPath($CheckpointPath))
if (-not (Test-Path $folder)) { New-Item -ItemType Directory -Path $folder -Force | Out-Null }

$otto = Get-SampleData Otto -Rows $Rows -Seed 42
$cut = [int]($Rows * 0.8)
$train = $otto.Slice(0, $cut)
$validation = $otto.Slice($cut, $Rows - $cut)

# The same architecture on every run; -Resume replaces its fresh weights with the checkpoint's.
$model = New-Model -Name otto -InputShape 93 -Seed 1 |
    Add-DenseLayer -Units 256 -Activation relu |
    Add-DenseLayer -Units 128 -Activation relu |
    Add-DenseLayer -Units 9 -Activation softmax |
    Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.001) -Loss categorical_crossentropy -Metrics accuracy

$fit = @{
    Data           = $train
    ValidationData = $validation
    Epochs         = $Epochs
    BatchSize      = 128
    Seed           = 7
    Resume         = $CheckpointPath
    Callbacks      = New-ModelCheckpoint -Path $CheckpointPath
    MaxDuration    = $MaxDuration
}
if ($Threads -gt 0) { $fit.Threads = $Threads }

$clock = [Diagnostics.Stopwatch]::StartNew()
$thisRun = 0
$last = $null
$model | Invoke-ModelFit @fit | ForEach-Object { $thisRun++; $last = $_ }

# One small object for the job output, not one line per epoch.
[pscustomobject]@{
    PSTypeName    = 'KerasPS.RunbookSummary'
    Completed     = $model.EpochsTrained -ge $Epochs
    EpochsThisRun = $thisRun
    EpochsTrained = $model.EpochsTrained
    Epochs        = $Epochs
    Loss          = $last.Loss
    ValLoss       = $last.ValLoss
    ValAccuracy   = $last.ValAccuracy
    Seconds       = [math]::Round($clock.Elapsed.TotalSeconds, 1)
    Checkpoint    = $CheckpointPath
}
