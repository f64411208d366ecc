<#
.SYNOPSIS
    A hyperparameter sweep on the Otto sample: a grid of layer widths and learning rates, two trials at a time,
    ranked by validation loss and exported as CSV and a chart.
.DESCRIPTION
    Each trial builds its model from the script block with one combination of -Parameters and trains it with the
    same data and seed derivation, so trial k gives the same numbers on every run (and on a remote host). Results
    stream out as each trial finishes; this script collects them, sorts them and writes:
      sweep.csv         one row per trial: the parameters, the best val_loss, its epoch, duration, seed, status
      sweep.svg/.png    val_loss per epoch, one line per trial
.EXAMPLE
    ./examples/Sweep.ps1 -OutputDirectory ./out
.EXAMPLE
    ./examples/Sweep.ps1 -Random -Trials 12     # sample learning rates log-uniformly instead of the grid
#>
[CmdletBinding()]
param(
    [string] $OutputDirectory = (Join-Path ([IO.Path]::GetTempPath()) 'kerasps-sweep'),
    [int] $Epochs = 8,
    [int] $ThrottleLimit = 2,
    [switch] $Random,
    [int] $Trials = 8,
    [long] $Seed = 42
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Module KerasPS)) { Import-Module (Join-Path $PSScriptRoot '../KerasPS.psd1') }
New-Item -ItemType Directory -Path $OutputDirectory -Force | Out-Null

$otto = Get-SampleData Otto -Rows 5000
$train = $otto.Slice(0, 4000)
$validation = $otto.Slice(4000, 1000)

# The model of one trial: $p holds that trial's values. The script runs in its own runspace, so everything it
# needs comes in through $p. (Dropout layers draw from libtorch's process-wide generator: with -ThrottleLimit above 1
# their trials are not reproducible bit for bit, so this sweep leaves dropout out.)
$buildModel = {
    param($p)
    New-Model -InputShape 93 |
        Add-DenseLayer -Units $p.Units -Activation $p.Activation |
        Add-DenseLayer -Units 9 -Activation softmax |
        Build-Model -Optimizer (New-Optimizer adam -LearningRate $p.LearningRate) -Loss categorical_crossentropy -Metrics accuracy
}

$sweep = @{
    ModelScript    = $buildModel
    Data           = $train
    ValidationData = $validation
    Epochs         = $Epochs
    BatchSize      = 64
    Monitor        = 'val_loss'
    ThrottleLimit  = $ThrottleLimit
    Seed           = $Seed
}
$results = if ($Random) {
    Invoke-ModelSweep @sweep -Random -Trials $Trials -Parameters ([ordered]@{
            Units        = [KerasPS.IntRange]::new(32, 256)
            LearningRate = [KerasPS.LogUniform]::new(1e-4, 1e-2)
            Activation   = 'relu', 'tanh'
        })
}
else {
    Invoke-ModelSweep @sweep -Parameters ([ordered]@{ Units = 64, 128; LearningRate = 0.003, 0.001; Activation = 'relu', 'tanh' })
}

$ranked = $results | Where-Object Status -eq 'Completed' | Sort-Object ValLoss
$ranked | Select-Object Trial, Units, LearningRate, Activation, ValLoss, BestEpoch, EpochsRun, Seconds, Seed |
    Export-Csv -Path (Join-Path $OutputDirectory 'sweep.csv') -NoTypeInformation
$results | Export-HistoryPlot -Path (Join-Path $OutputDirectory 'sweep.svg') -Force -Title 'Otto sweep: val_loss per trial'
$ranked | Select-Object -First 4 | Export-HistoryPlot -Path (Join-Path $OutputDirectory 'sweep.png') -Force -Metric loss, val_loss -Title 'Best 4 trials' -Height 600
$ranked | Select-Object -First 5 | Show-History

$failed = @($results | Where-Object Status -ne 'Completed')
if ($failed) { Write-Warning "$($failed.Count) trial(s) failed: $(($failed | ForEach-Object { "trial $($_.Trial): $($_.ErrorId)" }) -join '; ')" }
Write-Host "Best: trial $($ranked[0].Trial) (Units=$($ranked[0].Units), LearningRate=$($ranked[0].LearningRate), Activation=$($ranked[0].Activation)) val_loss $('{0:0.0000}' -f $ranked[0].ValLoss) at epoch $($ranked[0].BestEpoch). Files in $OutputDirectory."
$ranked | Select-Object -First 3
