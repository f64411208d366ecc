#Requires -Version 7.4
<#
.SYNOPSIS
    The Otto Group walkthrough of the classic Keras tutorial, in KerasPS.
.DESCRIPTION
    Runs offline on the Otto-shaped sample (Get-SampleData -Name Otto; the same rows that
    shared/tools/make-otto.py writes). Builds the module first when it is not built yet.
      1. The logistic-regression cell: Dense(9) + softmax, SGD, 10 epochs (846 parameters).
      2. The MLP cell: Dense(100, relu) -> Dense(9) + softmax, SGD, 20 epochs (10,309 parameters).
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./examples/Otto.ps1
#>
[CmdletBinding()]
param(
    # Where to write the history CSV files.
    [string] $OutputDirectory = (Join-Path ([IO.Path]::GetTempPath()) 'kerasps-otto'),
    [int] $Seed = 42
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
if (-not (Test-Path (Join-Path $root 'module/bin/KerasPS.dll'))) {
    & (Join-Path $root 'build.ps1') -Task Build
}
Import-Module (Join-Path $root 'KerasPS.psd1') -Force
New-Item -ItemType Directory -Force -Path $OutputDirectory | Out-Null

Write-Host '== Data: the Otto-shaped training set =='
$data = Get-SampleData -Name Otto -Seed $Seed
$data | Format-List Count, Shape, TargetName, ClassBalance | Out-Host

Write-Host '== Cell 1: logistic regression (Dense 9 + softmax, SGD, 10 epochs) =='
$logreg = New-Model -Name logistic_regression -InputShape 93 -Seed $Seed |
    Add-DenseLayer -Units 9 |
    Add-ActivationLayer -Activation softmax |
    Build-Model -Optimizer sgd -Loss categorical_crossentropy -Metrics accuracy
$logreg | Get-ModelSummary | Out-Host
$history = $logreg | Invoke-ModelFit -Data $data -Epochs 10 -BatchSize 128 -ValidationSplit 0.15 -Seed $Seed
$history | Out-Host
$history | Export-Csv (Join-Path $OutputDirectory 'logistic-regression-history.csv') -NoTypeInformation

Write-Host '== Cell 2: MLP (Dense 100 relu -> Dense 9 + softmax, SGD, 20 epochs) =='
$mlp = New-Model -Name mlp -InputShape 93 -Seed $Seed |
    Add-DenseLayer -Units 100 -Activation relu |
    Add-DenseLayer -Units 9 |
    Add-ActivationLayer -Activation softmax |
    Build-Model -Optimizer sgd -Loss categorical_crossentropy -Metrics accuracy
$mlp | Get-ModelSummary | Out-Host
$history = $mlp | Invoke-ModelFit -Data $data -Epochs 20 -BatchSize 128 -ValidationSplit 0.15 -Seed $Seed
$history | Out-Host
$history | Export-Csv (Join-Path $OutputDirectory 'mlp-history.csv') -NoTypeInformation
Write-Host "History CSV files are in $OutputDirectory"
