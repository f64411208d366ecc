#Requires -Version 7.4
<#
.SYNOPSIS
    CSV load time of Import-ModelData next to pandas.read_csv, on the same file in the same run.
.DESCRIPTION
    Times Import-ModelData -Path $CsvPath (median of -Runs runs after one warm-up) and, when a python3 with pandas
    is found (python3 on PATH, then /usr/bin/python3), pandas.read_csv on the same file, timed the same way inside
    Python. Writes one object: Name='csv_load', KerasPS_s, Pandas_s (null without pandas), Ratio (KerasPS / pandas),
    and the median CPU seconds of each (KerasPS_cpu_s, Pandas_cpu_s), steadier than wall time on a busy machine.
    The target is Ratio <= 0.5. Make an Otto-shaped file with: python3 ../shared/tools/make-otto.py otto.csv
.EXAMPLE
    ./tests/bench/CsvBench.ps1 -CsvPath ./otto.csv -Target target -Exclude id
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $CsvPath,
    [string] $Target = 'target',
    [string[]] $Exclude = @('id'),
    [ValidateRange(1, 50)] [int] $Runs = 5
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Module KerasPS)) { Import-Module (Join-Path $PSScriptRoot '../../KerasPS.psd1') }
$CsvPath = (Resolve-Path -LiteralPath $CsvPath).ProviderPath

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

$load = { Import-ModelData -Path $CsvPath -Target $Target -Exclude $Exclude }
$rows = (& $load).Count   # warm-up: JIT, file cache
$proc = [Diagnostics.Process]::GetCurrentProcess()
$cpu = [Collections.Generic.List[double]]::new()
$times = foreach ($i in 1..$Runs) {
    $proc.Refresh(); $c0 = $proc.TotalProcessorTime
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $null = & $load
    $sw.Elapsed.TotalSeconds
    $proc.Refresh(); $cpu.Add(($proc.TotalProcessorTime - $c0).TotalSeconds)
}
$ours = Get-Median $times
$oursCpu = Get-Median $cpu

$pandas = $null; $pandasCpu = $null
$python = @('python3', '/usr/bin/python3') | Where-Object { Get-Command $_ -ErrorAction Ignore } |
    Where-Object { & $_ -c 'import pandas' 2>$null; $LASTEXITCODE -eq 0 } | Select-Object -First 1
if ($python) {
    $code = @'
import sys, time, statistics, pandas
path, runs = sys.argv[1], int(sys.argv[2])
pandas.read_csv(path)
ts, cs = [], []
for _ in range(runs):
    t, c = time.perf_counter(), time.process_time()
    pandas.read_csv(path)
    ts.append(time.perf_counter() - t); cs.append(time.process_time() - c)
print(statistics.median(ts), statistics.median(cs))
'@
    $out = & $python -c $code $CsvPath $Runs
    if ($LASTEXITCODE -eq 0) {
        $wall, $c = ($out | Select-Object -Last 1) -split ' '
        $pandas = [double]::Parse($wall, [cultureinfo]::InvariantCulture)
        $pandasCpu = [double]::Parse($c, [cultureinfo]::InvariantCulture)
    }
}

[pscustomobject]@{
    Name      = 'csv_load'
    KerasPS_s = [math]::Round($ours, 4)
    Pandas_s  = if ($null -ne $pandas) { [math]::Round($pandas, 4) } else { $null }
    Ratio     = if ($pandas) { [math]::Round($ours / $pandas, 3) } else { $null }
    # CPU seconds too: on a shared machine wall time swings with the load, CPU time much less.
    KerasPS_cpu_s = [math]::Round($oursCpu, 4)
    Pandas_cpu_s  = if ($null -ne $pandasCpu) { [math]::Round($pandasCpu, 4) } else { $null }
    Rows      = $rows
}
