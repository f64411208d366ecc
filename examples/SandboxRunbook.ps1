<#
.SYNOPSIS
    A runbook for Azure Automation's cloud sandbox: installs the libtorch runtime into the job's temporary folder,
    then trains a small Otto classifier, predicts, writes a checkpoint, and reports its score, the install time and
    the job's memory: the peak working set, private memory, and how much address space the loaded images take.
.DESCRIPTION
    The cloud sandbox imports modules of at most 100 MB and gives a job about 400 MB of memory and a temporary folder
    that lives as long as the job. The KerasPS package (managed code, about 17 MB) fits the module limit; the native
    runtime does not belong in a module at all, so each job places it in its temporary folder with
    Install-KerasRuntime -Path, which also makes this process use it. From the internet (the default source) that is
    a download of about 130 MB, verified against the SHA-512 KerasPS pins; -RuntimeSource takes a folder or feed
    of your own (for example an Azure Files share holding the two .nupkg files) instead.
    Memory: libtorch's file is large (460 MB on Linux) but only the pages used are resident. Keep the data and the
    model small, use one thread, and check PeakMemoryMB in the output against the sandbox's limit; what does not fit
    belongs on a Hybrid Runbook Worker (module/RUNBOOKS.md). No console is assumed: one summary object at the end.
.EXAMPLE
    ./examples/SandboxRunbook.ps1 -Rows 20000 -Epochs 10
.EXAMPLE
    ./examples/SandboxRunbook.ps1 -RuntimeSource ~/.nuget/packages -Rows 5000
#>
[CmdletBinding()]
param(
    # Where Install-KerasRuntime takes libtorch from: the NuGet flat container by default, or a folder / feed URL.
    [string] $RuntimeSource,
    # Rows of the Otto sample to train on (the last fifth is the validation set).
    [ValidateRange(100, 61878)] [int] $Rows = 20000,
    [ValidateRange(1, 1000)] [int] $Epochs = 10,
    # KerasPS as imported in the Automation account (a module name or the path of KerasPS.psd1).
    [string] $ModulePath = 'KerasPS'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath

# The job's own temporary folder: the runtime lives as long as the job, and -Path makes this process use it.
$runtimeRoot = Join-Path ([IO.Path]::GetTempPath()) 'kerasps-runtime'
$install = @{ Path = $runtimeRoot }
if ($RuntimeSource) { $install.Source = $RuntimeSource }
$clock = [Diagnostics.Stopwatch]::StartNew()
$runtime = Install-KerasRuntime @install
$installSeconds = $clock.Elapsed.TotalSeconds

$otto = Get-SampleData Otto -Rows $Rows -Seed 42
$cut = [int]($Rows * 0.8)
$model = New-Model -Name otto -InputShape 93 -Seed 42 |
    Add-NormalizationLayer -Adapt $otto.Slice(0, $cut) |
    Add-DenseLayer -Units 100 -Activation relu |
    Add-DenseLayer -Units 9 -Activation softmax |
    Build-Model -Optimizer sgd -Loss categorical_crossentropy -Metrics accuracy
$history = $model | Invoke-ModelFit -Data $otto.Slice(0, $cut) -ValidationData $otto.Slice($cut, $Rows - $cut) `
    -Epochs $Epochs -BatchSize 128 -Threads 1 -Seed 42

# Predict the validation rows, and keep the model where the job can copy it from (the temporary folder goes with
# the job: copy it to Azure storage if a later job needs it).
$predicted = $model | Invoke-ModelPredict -Data $otto.Slice($cut, $Rows - $cut) -AsMatrix
$checkpoint = Join-Path ([IO.Path]::GetTempPath()) 'otto-sandbox.kpt'
$model | Export-Checkpoint -Path $checkpoint -Force

# Memory, read once at the end. The peak working set counts every page the process touched, its own (private) and
# the pages of the files it mapped, libtorch's DLLs among them, which Windows can share and drop; private memory is
# what the job itself allocated. The modules' sizes are how much of the address space the loaded images take (an
# upper bound of what of them can be resident).
$process = [Diagnostics.Process]::GetCurrentProcess()
$process.Refresh()
$modules = @($process.Modules)
$runtimeModules = @($modules | Where-Object { $_.FileName -and $_.FileName.StartsWith($runtime.Path, [StringComparison]::OrdinalIgnoreCase) })
$imageBytes = ($modules | Measure-Object -Property ModuleMemorySize -Sum).Sum
$runtimeImageBytes = ($runtimeModules | Measure-Object -Property ModuleMemorySize -Sum).Sum
# Peak resident memory of this job's process: VmHWM on Linux, the peak working set elsewhere. Private memory: the
# commit charge (PagefileUsage) on Windows, anonymous resident memory (RssAnon) on Linux; no peak of it on Linux.
$peakBytes = $process.PeakWorkingSet64
$privateBytes = $process.PagedMemorySize64
$peakPrivateBytes = $process.PeakPagedMemorySize64
if ($IsLinux -and (Test-Path /proc/self/status)) {
    $hwm = Select-String -Path /proc/self/status -Pattern '^VmHWM:\s+(\d+) kB' | Select-Object -First 1
    if ($hwm) { $peakBytes = [long]$hwm.Matches[0].Groups[1].Value * 1KB }
    $anon = Select-String -Path /proc/self/status -Pattern '^RssAnon:\s+(\d+) kB' | Select-Object -First 1
    $privateBytes = if ($anon) { [long]$anon.Matches[0].Groups[1].Value * 1KB } else { $process.PrivateMemorySize64 }
    $peakPrivateBytes = $null
}
[pscustomobject]@{
    Rows           = $Rows
    Epochs         = $history.Count
    ValLoss        = [math]::Round($history[-1].ValLoss, 4)
    ValAccuracy    = [math]::Round($history[-1].ValAccuracy, 4)
    RuntimePath    = $runtime.Path
    RuntimeMB      = $runtime.SizeMB
    InstallSeconds = [math]::Round($installSeconds, 2)
    PeakMemoryMB   = [math]::Round($peakBytes / 1MB, 1)
    WorkingSetMB   = [math]::Round($process.WorkingSet64 / 1MB, 1)
    PrivateMB      = [math]::Round($privateBytes / 1MB, 1)
    PeakPrivateMB  = if ($null -ne $peakPrivateBytes) { [math]::Round($peakPrivateBytes / 1MB, 1) }
    ImagesMB       = [math]::Round($imageBytes / 1MB, 1)
    RuntimeImagesMB = [math]::Round($runtimeImageBytes / 1MB, 1)
    Predictions    = $predicted.GetLength(0)
    CheckpointPath = $checkpoint
}
