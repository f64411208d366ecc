<#
.SYNOPSIS
    Evidence for the searches that learn: best validation loss reached versus total training epochs spent, for random
    search, TPE (-Search Tpe) and Hyperband (-Prune Hyperband), each over several seeds, on the Otto MLP's
    width x learning rate x dropout space.
.DESCRIPTION
    The Otto MLP of the walkthrough (93 -> Dense(Units, relu) -> Dropout -> Dense(9, softmax), Adam, batch 128) over
    Units in IntRange(16, 256), LearningRate in LogUniform(1e-4, 1e-1), Dropout in Uniform(0, 0.5). To stay affordable on
    2 cores it uses a subset of Otto: Get-SampleData Otto -Rows $Rows (default 3,000: 2,400 to train, 600 to validate),
    not the 61,878 rows of the full set, so the losses are those of a small-data problem.
    Random and TPE run -Trials trials of -Epochs epochs each; Hyperband runs its brackets for -Epochs max epochs and
    factor 3 (17 trials for 9 epochs), retraining a promoted trial from its start (the epochs of every run are counted);
    Median is random search with -Prune Median (the same trials as Random, stopped early when behind the median).
    Every sweep writes a journal; the epochs-spent curve is read from it in the order the runs finished.
    Prints a table per seed and a summary; returns bench rows for build.ps1 -Task Bench.
.EXAMPLE
    dotnet pwsh tests/bench/Measure-SweepSearch.ps1 -Seeds 1, 2, 3
#>
param([int] $Rows = 3000, [int] $Epochs = 9, [int] $Trials = 20, [int[]] $Seeds = @(1, 2, 3))
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
Import-Module (Join-Path $root 'KerasPS.psd1')
$work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-sweepsearch-$PID"
New-Item -ItemType Directory -Force -Path $work | Out-Null

$otto = Get-SampleData Otto -Rows $Rows -Seed 42
$cut = [int]($Rows * 0.8)
$base = @{
    Parameters     = [ordered]@{
        Units        = [KerasPS.IntRange]::new(16, 256)
        LearningRate = [KerasPS.LogUniform]::new(1e-4, 1e-1)
        Dropout      = [KerasPS.Uniform]::new(0.0, 0.5)
    }
    ModelScript    = {
        param($p)
        New-Model -InputShape 93 | Add-DenseLayer -Units $p.Units -Activation relu | Add-DropoutLayer -Rate $p.Dropout |
            Add-DenseLayer -Units 9 -Activation softmax |
            Build-Model -Optimizer (New-Optimizer adam -LearningRate $p.LearningRate) -Loss categorical_crossentropy
    }
    Data           = $otto.Slice(0, $cut)
    ValidationData = $otto.Slice($cut, $Rows - $cut)
    Epochs         = $Epochs
    BatchSize      = 128
}
$methods = [ordered]@{
    Random    = @{ Random = $true; Trials = $Trials }
    Tpe       = @{ Search = 'Tpe'; Trials = $Trials }
    Hyperband = @{ Prune = 'Hyperband' }
    Median    = @{ Random = $true; Trials = $Trials; Prune = 'Median' }   # random search with the median stopping rule
}

# Best-so-far against epochs spent, from the journal in the order the runs finished (Hyperband journals every run).
function Get-Curve([string] $Journal) {
    $records = Get-Content $Journal | ConvertFrom-Json
    $runs = @($records | Where-Object kind -eq 'run')
    if ($runs.Count -eq 0) { $runs = @($records | Where-Object kind -eq 'result') }
    $spent = 0; $best = [double]::PositiveInfinity
    foreach ($r in $runs) {
        $spent += @($r.history).Count   # epochs trained: fewer than the budget for a pruned or early-stopped run
        if ($null -ne $r.best -and $r.best -lt $best) { $best = $r.best }
        [pscustomobject]@{ Epochs = $spent; Best = $best }
    }
}

try {
    $table = foreach ($seed in $Seeds) {
        $curves = [ordered]@{}
        $clock = @{}
        foreach ($m in $methods.Keys) {
            $journal = Join-Path $work "$m-$seed.jsonl"
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $a = $methods[$m]
            $null = Invoke-ModelSweep @base @a -Seed $seed -Journal $journal
            $clock[$m] = $sw.Elapsed.TotalSeconds
            $curves[$m] = @(Get-Curve $journal)
        }
        $randomBest = $curves.Random[-1].Best
        foreach ($m in $methods.Keys) {
            $c = $curves[$m]
            $reach = $c | Where-Object Best -le ($randomBest * 1.01) | Select-Object -First 1
            [pscustomobject]@{
                Seed = $seed; Method = $m; Trials = $(if ($m -eq 'Hyperband') { 17 } else { $Trials })
                EpochsSpent = $c[-1].Epochs; BestValLoss = [math]::Round($c[-1].Best, 4); Best = '{0:0.0000}' -f $c[-1].Best
                EpochsToRandomBest = $(if ($reach) { $reach.Epochs } else { 'never' })
                Seconds = [math]::Round($clock[$m], 1)
            }
        }
    }
    $table | Format-Table Seed, Method, Trials, EpochsSpent, @{ n = "BestValLoss"; e = { $_.Best } }, EpochsToRandomBest, Seconds -AutoSize | Out-String -Width 160 | Write-Host
    $summary = foreach ($m in $methods.Keys) {
        $mine = $table | Where-Object Method -eq $m
        [pscustomobject]@{
            Method = $m
            MeanBestValLoss = [math]::Round(($mine | Measure-Object BestValLoss -Average).Average, 4); Mean = '{0:0.0000}' -f ($mine | Measure-Object BestValLoss -Average).Average
            MeanEpochsSpent = [math]::Round(($mine | Measure-Object EpochsSpent -Average).Average, 1)
            ReachedRandomBest = '{0} of {1}' -f @($mine | Where-Object EpochsToRandomBest -ne 'never').Count, $mine.Count
        }
    }
    $summary | Format-Table Method, @{ n = "MeanBestValLoss"; e = { $_.Mean } }, MeanEpochsSpent, ReachedRandomBest -AutoSize | Out-String -Width 160 | Write-Host
    $random = $summary | Where-Object Method -eq Random
    foreach ($m in 'Tpe', 'Hyperband', 'Median') {
        $s = $summary | Where-Object Method -eq $m
        [pscustomobject]@{ Name = "Sweep search $m vs random: best val_loss (Otto $Rows rows, $($Seeds.Count) seeds)"; Unit = 'val_loss'; Value = $s.MeanBestValLoss; Peer = 'random search'; PeerValue = [double]$random.MeanBestValLoss; Note = "epochs $($s.MeanEpochsSpent) vs $($random.MeanEpochsSpent); reached random's best (1%) $($s.ReachedRandomBest)" }
    }
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
