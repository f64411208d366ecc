#Requires -Version 7.4
<#
.SYNOPSIS
    Streamed CSV (Import-ModelData -Stream) next to the in-memory dataset: epoch time on Otto, and peak RSS of a
    streamed fit for a 200 MB and a 2 GB generated CSV, side by side.
.DESCRIPTION
    Epochs: the Otto walkthrough's MLP (93-100-9, SGD, batch 128) on the 61,878-row Otto CSV, one epoch per fit,
    streamed with -Cache (default 10,000-row shuffle buffer; the warm-up epoch parses the file and writes the cache,
    later epochs read the encoded rows from it), streamed without a cache (the file parsed again each epoch on a
    background thread) and in memory, alternated, -Rounds times each; medians after one warm-up of each. Goal: the
    cached streamed epoch <= 1.3 x in-memory; the uncached ratio is reported beside it.
    Memory: each file is generated in this script's temp folder (20 numeric columns and a 5-class target, 10,000
    distinct rows repeated), streamed through one epoch of a small MLP in a fresh pwsh, and its peak RSS read from
    /proc/self/status (VmHWM, Linux only); the files are deleted afterwards. Goal: under 500 MiB for 2 GB, and about
    the same figure for both sizes.
    Writes the bench runner's objects (Name, Unit, Value, Peer, PeerValue, Note).
.EXAMPLE
    ./tests/bench/StreamBench.ps1 -CsvPath ./otto.csv -SkipLarge
#>
[CmdletBinding()]
param(
    # An Otto-shaped CSV (python3 ../shared/tools/make-otto.py otto.csv); by default the built-in Otto sample is written.
    [string] $CsvPath,
    [ValidateRange(1, 20)] [int] $Rounds = 3,
    # Sizes of the generated files for the memory figures, in MB.
    [int[]] $SizesMB = @(200, 2048),
    # Skip the memory figures (the 2 GB file takes minutes to write and read).
    [switch] $SkipLarge,
    # Repository root (the bench runner passes it); by default the one this script is in.
    [string] $Root = (Join-Path $PSScriptRoot '../..')
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Module KerasPS)) { Import-Module (Join-Path $Root 'KerasPS.psd1') }
$work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-streambench-$PID"
New-Item -ItemType Directory -Force -Path $work | Out-Null

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

try {
    if (-not $CsvPath) {
        $CsvPath = Join-Path $work 'otto.csv'
        [KerasPS.Engine.Data.SampleData]::WriteCsv((Get-SampleData -Name Otto).Engine, $CsvPath, $true)
    }
    $header = (Get-Content $CsvPath -TotalCount 1) -split ','
    $exclude = @($header | Where-Object { $_ -eq 'id' })
    $load = @{ Path = $CsvPath; Target = 'target' }
    if ($exclude) { $load.Exclude = $exclude }
    $memory = Import-ModelData @load
    $stream = Import-ModelData @load -Stream
    $cached = Import-ModelData @load -Stream -Cache
    $model = New-Model -InputShape 93 -Seed 42 | Add-DenseLayer 100 -Activation relu | Add-DenseLayer 9 -Activation softmax |
        Build-Model -Optimizer sgd -Loss categorical_crossentropy -Metrics accuracy
    $inMemory = [Collections.Generic.List[double]]::new()
    $streamed = [Collections.Generic.List[double]]::new()
    $fromCache = [Collections.Generic.List[double]]::new()
    for ($round = 0; $round -le $Rounds; $round++) {
        $m = (Measure-Command { $null = $model | Invoke-ModelFit -Data $memory -Epochs 1 -BatchSize 128 -Seed $round }).TotalSeconds
        $s = (Measure-Command { $null = $model | Invoke-ModelFit -Data $stream -Epochs 1 -BatchSize 128 -Seed $round }).TotalSeconds
        $c = (Measure-Command { $null = $model | Invoke-ModelFit -Data $cached -Epochs 1 -BatchSize 128 -Seed $round }).TotalSeconds
        if ($round -gt 0) { $inMemory.Add($m); $streamed.Add($s); $fromCache.Add($c) }   # round 0 warms up all three, and writes the cache
    }
    $mem = Get-Median $inMemory
    $str = Get-Median $streamed
    $cac = Get-Median $fromCache
    [pscustomobject]@{
        Name = "Streamed epoch with -Cache, Otto $($memory.Count) x 93 (batch 128, SGD)"; Unit = 's/epoch'; Value = [math]::Round($cac, 4)
        Peer = 'the same epoch in memory'; PeerValue = [math]::Round($mem, 4)
        Note = "goal <= 1.3; median of $Rounds alternated fits; cache $([math]::Round($cached.Stream.Cache.Bytes / 1MB, 1)) MiB on disk; ratio $([math]::Round($cac / $mem, 3))"
    }
    [pscustomobject]@{
        Name = "Streamed epoch, Otto $($memory.Count) x 93 (batch 128, SGD)"; Unit = 's/epoch'; Value = [math]::Round($str, 4)
        Peer = 'the same epoch in memory'; PeerValue = [math]::Round($mem, 4)
        Note = "without -Cache (parses the file each epoch); median of $Rounds alternated fits; buffer $($stream.ShuffleBuffer) rows; ratio $([math]::Round($str / $mem, 3))"
    }

    if (-not $SkipLarge -and $IsLinux) {
        $module = (Get-Module KerasPS).Path -replace '\.dll$', '.psd1'
        if (-not (Test-Path $module)) { $module = Join-Path $Root 'KerasPS.psd1' }
        $peaks = [ordered]@{}
        foreach ($mb in $SizesMB) {
            $path = Join-Path $work "gen-$mb.csv"
            $rng = [Random]::new(1)
            $sb = [Text.StringBuilder]::new()
            for ($i = 0; $i -lt 10000; $i++) {
                for ($f = 0; $f -lt 20; $f++) {
                    [void] $sb.Append([math]::Round($rng.NextDouble() * 10, 3).ToString([cultureinfo]::InvariantCulture)).Append(',')
                }
                [void] $sb.Append('c').Append($i % 5).Append("`n")
            }
            $block = [Text.Encoding]::UTF8.GetBytes($sb.ToString())
            $file = [IO.File]::Create($path)
            try {
                $h = [Text.Encoding]::UTF8.GetBytes(((1..20 | ForEach-Object { "f$_" }) + 'y' -join ',') + "`n")
                $file.Write($h, 0, $h.Length)
                while ($file.Length -lt $mb * 1MB) { $file.Write($block, 0, $block.Length) }
            }
            finally { $file.Dispose() }
            $child = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$module'
`$sw = [Diagnostics.Stopwatch]::StartNew()
`$data = Import-ModelData '$path' -Target y -Stream
`$m = New-Model -InputShape 20 -Seed 1 | Add-DenseLayer 16 -Activation relu | Add-DenseLayer 5 -Activation softmax |
    Build-Model -Optimizer sgd -Loss categorical_crossentropy
`$null = `$m | Invoke-ModelFit -Data `$data -Epochs 1 -BatchSize 1024 -Seed 1
'ROWS=' + `$data.Count + ' SECONDS=' + [math]::Round(`$sw.Elapsed.TotalSeconds, 1)
'HWM=' + ((Get-Content /proc/self/status | Where-Object { `$_ -like 'VmHWM:*' }) -replace '\D', '')
"@
            # A fresh pwsh: this one's executable, with pwsh.dll when it runs under the dotnet host (the dotnet tool).
            $exe = [Environment]::ProcessPath
            [string[]] $pre = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
            $out = (& $exe @pre -NoProfile -NonInteractive -Command $child 2>&1) -join "`n"
            Remove-Item $path -Force
            if ($out -notmatch 'HWM=(\d+)') { Write-Warning "The streamed fit of $mb MB failed: $out"; continue }
            $peak = [double]$Matches[1] / 1024
            $null = $out -match 'ROWS=(\d+) SECONDS=([\d.]+)'
            $peaks["$mb"] = [pscustomobject]@{ MB = $mb; PeakMiB = [math]::Round($peak, 1); Rows = [long]$Matches[1]; Seconds = [double]$Matches[2] }
        }
        $sizes = @($peaks.Values)
        if ($sizes.Count -eq 2) {
            $small, $large = $sizes
            [pscustomobject]@{
                Name = "Peak RSS, streamed fit of a $($large.MB) MB CSV ($($large.Rows) rows)"; Unit = 'MiB'; Value = $large.PeakMiB
                Peer = "the same fit of a $($small.MB) MB CSV ($($small.Rows) rows)"; PeerValue = $small.PeakMiB
                Note = "goal < 500 MiB and independent of size; import + 1 epoch took $($small.Seconds) s and $($large.Seconds) s"
            }
        }
        else { foreach ($p in $sizes) { [pscustomobject]@{ Name = "Peak RSS, streamed fit of a $($p.MB) MB CSV"; Unit = 'MiB'; Value = $p.PeakMiB } } }
    }
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
