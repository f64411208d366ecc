<#
.SYNOPSIS
    A runbook for Azure Automation's cloud sandbox that trains on a CSV larger than the job's memory: the file is
    streamed (Import-ModelData -Stream), read in batches each epoch, never held whole.
.DESCRIPTION
    The sandbox gives a job about 400 MB of memory and 1 GB of disk. The runtime goes into the job's temporary folder
    (Install-KerasRuntime -Path, as examples/SandboxRunbook.ps1 does), the CSV is copied there (or generated, without
    -CsvPath, to try the runbook), and the fit reads it through a shuffle buffer of -ShuffleBuffer rows: memory holds the
    buffer, a chunk of the file and a batch, whatever the file's size. Normalization statistics come from one pass over
    the file. Output: one summary object with the rows, the last epoch's loss and accuracy, and the job's peak memory
    (PeakMemoryMB: VmHWM on Linux, the peak working set on Windows). module/RUNBOOKS.md says what was measured.
.EXAMPLE
    ./examples/StreamRunbook.ps1 -CsvPath ./big.csv -Target target -Exclude id -Epochs 2
.EXAMPLE
    ./examples/StreamRunbook.ps1 -GenerateMB 420 -Epochs 1   # a generated 420 MB file, deleted at the end
#>
[CmdletBinding()]
param(
    [string] $CsvPath,
    [string] $Target = 'y',
    [string[]] $Exclude,
    # Without -CsvPath: the size of the CSV to generate in the temporary folder (20 numbers and a 5-class target per row).
    [ValidateRange(1, 100000)] [int] $GenerateMB = 420,
    [ValidateRange(1, 1000)] [int] $Epochs = 1,
    [ValidateRange(1, 10000000)] [int] $ShuffleBuffer = 20000,
    [string] $RuntimeSource,
    [string] $ModulePath = 'KerasPS'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-stream-$PID"
New-Item -ItemType Directory -Force -Path $work | Out-Null
try {
    $install = @{ Path = Join-Path ([IO.Path]::GetTempPath()) 'kerasps-runtime' }
    if ($RuntimeSource) { $install.Source = $RuntimeSource }
    $null = Install-KerasRuntime @install

    if (-not $CsvPath) {
        # 10,000 distinct rows written over and over: a file of any size in seconds, with no memory to speak of.
        $CsvPath = Join-Path $work 'generated.csv'
        $rng = [Random]::new(1)
        $sb = [Text.StringBuilder]::new()
        for ($i = 0; $i -lt 10000; $i++) {
            $x = 1..20 | ForEach-Object { [math]::Round($rng.NextDouble() * 10, 3).ToString([cultureinfo]::InvariantCulture) }
            [void] $sb.Append($x -join ',').Append(',c').Append($i % 5).Append("`n")
        }
        $block = [Text.Encoding]::UTF8.GetBytes($sb.ToString())
        $file = [IO.File]::Create($CsvPath)
        try {
            $header = [Text.Encoding]::UTF8.GetBytes(((1..20 | ForEach-Object { "f$_" }) + 'y' -join ',') + "`n")
            $file.Write($header, 0, $header.Length)
            while ($file.Length -lt $GenerateMB * 1MB) { $file.Write($block, 0, $block.Length) }
        }
        finally { $file.Dispose() }
    }

    $load = @{ Path = $CsvPath; Target = $Target; Stream = $true; ShuffleBuffer = $ShuffleBuffer }
    if ($Exclude) { $load.Exclude = $Exclude }
    $train = Import-ModelData @load
    $model = New-Model -InputShape $train.FeatureShape -Seed 1 |
        Add-NormalizationLayer -Adapt $train |
        Add-DenseLayer -Units 64 -Activation relu |
        Add-DenseLayer -Units $train.Classes.Count -Activation softmax |
        Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
    $history = $model | Invoke-ModelFit -Data $train -Epochs $Epochs -BatchSize 512 -Threads 1 -Seed 1 -MaxDuration 150m
    $model | Export-Checkpoint -Path (Join-Path $work 'stream.kpt') -Force

    $process = [Diagnostics.Process]::GetCurrentProcess()
    $process.Refresh()
    $peak = if ($IsLinux) {
        [double]((Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -replace '\D', '') * 1KB
    } else { $process.PeakWorkingSet64 }
    [pscustomobject]@{
        FileMB       = [math]::Round((Get-Item $CsvPath).Length / 1MB, 1)
        Rows         = $train.Count
        Epochs       = @($history).Count
        Loss         = [math]::Round($history[-1].Loss, 4)
        Accuracy     = [math]::Round($history[-1].Accuracy, 4)
        PeakMemoryMB = [math]::Round($peak / 1MB, 1)
    }
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
