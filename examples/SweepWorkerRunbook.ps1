<#
.SYNOPSIS
    A sweep worker runbook for an Azure Automation Hybrid Runbook Worker group: every job started from it takes trials
    from one study in a PostgreSQL database until the study's budget is spent or its time is up.
.DESCRIPTION
    Start the runbook as often as you like, on the group's workers, at once or one after another: each job is one
    Start-SweepWorker, claiming trials in a database transaction, so no trial runs twice and no driver has to stay
    alive. The first job creates the study (New-SweepStudy) if it is missing; the others join it. A job killed mid-trial
    (a worker restart, the fair-share limit) leaves a trial whose heartbeat stops: after the grace period another job
    marks it FAIL and runs it again (-RetryFailed). The password comes from an Automation credential asset, never from
    the script or its output. Python can read the study at any time:
    optuna.load_study(study_name='otto', storage='postgresql://ml:...@db1/sweeps').
    See module/RUNBOOKS.md for when to use this instead of a journal sweep (examples/SweepRunbook.ps1).
.EXAMPLE
    Start-AzAutomationRunbook -Name SweepWorker -RunOn ml-workers -Parameters @{ Storage = 'postgresql://db1:5432/sweeps' }
.EXAMPLE
    pwsh -NonInteractive -File ./examples/SweepWorkerRunbook.ps1 -Storage sqlite:////var/lib/kerasps/otto.db -MaxMinutes 30
#>
[CmdletBinding()]
param(
    # The study's database: postgresql://host:port/db for a worker group, sqlite:////path.db for one machine.
    [Parameter(Mandatory)] [string] $Storage,
    [string] $Study = 'otto',
    # The Automation credential asset that holds the database user and password (ignored outside Azure Automation).
    [string] $CredentialAsset = 'SweepDatabase',
    # The study's budget and epochs per trial (used only by the job that creates the study).
    [int] $Trials = 60,
    [int] $Epochs = 10,
    [long] $Seed = 42,
    # Rows of the Otto sample (the last fifth validates).
    [int] $Rows = 20000,
    # Take no new trial after this many minutes (below the fair-share limit of the job).
    [int] $MaxMinutes = 150,
    [string] $ModulePath = 'KerasPS'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath

$db = @{ Storage = $Storage }
if (Get-Command Get-AutomationPSCredential -ErrorAction Ignore) { $db.Credential = Get-AutomationPSCredential -Name $CredentialAsset }

$space = [ordered]@{
    Units        = [KerasPS.IntRange]::new(32, 256)
    LearningRate = [KerasPS.LogUniform]::new(1e-3, 3e-1)
    Dropout      = [KerasPS.Uniform]::new(0, 0.5)
}
try {
    $null = New-SweepStudy @db -Name $Study -Parameters $space -Search Tpe -Prune Median -Trials $Trials -Epochs $Epochs `
        -Monitor val_loss -Seed $Seed
}
catch {
    if ($_.FullyQualifiedErrorId -notlike 'StudyExists,*') { throw }   # another job created it first: join it
}

$data = Get-SampleData Otto -Rows $Rows -Seed 1
$train = $data.Slice(0, [int]($Rows * 0.8))
$val = $data.Slice([int]($Rows * 0.8), $Rows - [int]($Rows * 0.8))
$build = {
    param($p)
    New-Model -InputShape 93 | Add-DenseLayer -Units $p.Units -Activation relu | Add-DropoutLayer -Rate $p.Dropout |
        Add-DenseLayer -Units 9 -Activation softmax |
        Build-Model -Optimizer (New-Optimizer adam -LearningRate $p.LearningRate) -Loss categorical_crossentropy -Metrics accuracy
}
$ran = @(Start-SweepWorker @db -Study $Study -Data $train -ValidationData $val -ModelScript $build -BatchSize 256 `
    -MaxDuration ([timespan]::FromMinutes($MaxMinutes)) -RetryFailed 1 -Threads 1)

$all = @(Get-SweepTrial @db -Study $Study)
$best = $all | Where-Object Status -eq Completed | Sort-Object Best | Select-Object -First 1
[pscustomobject]@{
    Study          = $Study
    RanHere        = $ran.Count
    StudyCompleted = @($all | Where-Object Status -eq Completed).Count
    StudyPruned    = @($all | Where-Object Status -eq Pruned).Count
    StudyFailed    = @($all | Where-Object Status -eq Failed).Count
    BestTrial      = $best.Trial
    BestValLoss    = $best.Best
    BestParameters = if ($best) { ($best.Parameters.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join '; ' }
}
