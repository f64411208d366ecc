#Requires -Version 7.4
<#
.SYNOPSIS
    CSV load time of Import-ModelData next to pandas.read_csv, on the same file in the same run.
.DESCRIPTION
    Times Import-ModelData -Path $CsvPath (median of -Runs runs after one warm-up) and, when a python3 with pandas
    is found (python3 on PATH, then /usr/bin/python3), pandas.read_csv on the same file, timed inside one
    long-lived Python process and alternated with the KerasPS runs, so both see the same machine load.
    Writes one object: Name='csv_load', KerasPS_s, Pandas_s (null without pandas), Ratio (KerasPS / pandas),
    the bench runner's Unit/Value/Peer/PeerValue/Note,
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
    [ValidateRange(1, 50)] [int] $Runs = 5,
    # Repository root (the bench runner passes it); by default the one this script is in.
    [string] $Root = (Join-Path $PSScriptRoot '../..')
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Module KerasPS)) { Import-Module (Join-Path $Root 'KerasPS.psd1') }
$CsvPath = (Resolve-Path -LiteralPath $CsvPath).ProviderPath

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

$load = { Import-ModelData -Path $CsvPath -Target $Target -Exclude $Exclude }

# pandas runs in one long-lived python process that times a read each time it is asked, so that the two readers
# alternate run by run and share the machine's load of the moment (on a busy machine this matters more than either).
$pandasProc = $null
$python = @('python3', '/usr/bin/python3') | Where-Object { Get-Command $_ -ErrorAction Ignore } |
    Where-Object { & $_ -c 'import pandas' 2>$null; $LASTEXITCODE -eq 0 } | Select-Object -First 1
if ($python) {
    $code = 'import sys, time, pandas' + "`n" +
        'for line in sys.stdin:' + "`n" +
        '    t, c = time.perf_counter(), time.process_time()' + "`n" +
        '    pandas.read_csv(line.rstrip(chr(10)))' + "`n" +
        '    print(time.perf_counter() - t, time.process_time() - c, flush=True)'
    $psi = [Diagnostics.ProcessStartInfo]::new((Get-Command $python).Source)
    $psi.ArgumentList.Add('-c'); $psi.ArgumentList.Add($code)
    $psi.RedirectStandardInput = $true; $psi.RedirectStandardOutput = $true; $psi.UseShellExecute = $false
    $pandasProc = [Diagnostics.Process]::Start($psi)
}
function Invoke-PandasRead {
    $pandasProc.StandardInput.WriteLine($CsvPath)
    $wall, $c = $pandasProc.StandardOutput.ReadLine() -split ' '
    [double]::Parse($wall, [cultureinfo]::InvariantCulture), [double]::Parse($c, [cultureinfo]::InvariantCulture)
}

$rows = (& $load).Count   # warm-up: JIT, file cache
if ($pandasProc) { $null = Invoke-PandasRead }
$proc = [Diagnostics.Process]::GetCurrentProcess()
$times = [Collections.Generic.List[double]]::new(); $cpu = [Collections.Generic.List[double]]::new()
$pTimes = [Collections.Generic.List[double]]::new(); $pCpu = [Collections.Generic.List[double]]::new()
try {
    foreach ($i in 1..$Runs) {
        $proc.Refresh(); $c0 = $proc.TotalProcessorTime
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $null = & $load
        $times.Add($sw.Elapsed.TotalSeconds)
        $proc.Refresh(); $cpu.Add(($proc.TotalProcessorTime - $c0).TotalSeconds)
        if ($pandasProc) { $w, $c = Invoke-PandasRead; $pTimes.Add($w); $pCpu.Add($c) }
    }
}
finally {
    if ($pandasProc) { $pandasProc.StandardInput.Close(); $null = $pandasProc.WaitForExit(5000); $pandasProc.Dispose() }
}
$ours = Get-Median $times
$oursCpu = Get-Median $cpu
$pandas = if ($pTimes.Count) { Get-Median $pTimes } else { $null }
$pandasCpu = if ($pCpu.Count) { Get-Median $pCpu } else { $null }

[pscustomobject]@{
    Name      = 'csv_load'
    # The runner's columns (tests/bench/Invoke-Bench.ps1: Name, Unit, Value, Peer, PeerValue, Note) ...
    Unit      = 's'
    Value     = [math]::Round($ours, 4)
    Peer      = if ($null -ne $pandas) { 'pandas.read_csv' } else { '' }
    PeerValue = if ($null -ne $pandas) { [math]::Round($pandas, 4) } else { $null }
    Note      = "Otto-shaped CSV, $rows rows; median of $Runs alternated runs; CPU s KerasPS $([math]::Round($oursCpu, 3))" + $(if ($null -ne $pandasCpu) { " vs pandas $([math]::Round($pandasCpu, 3))" } else { ', pandas not installed' })
    # ... and this script's own.
    KerasPS_s = [math]::Round($ours, 4)
    Pandas_s  = if ($null -ne $pandas) { [math]::Round($pandas, 4) } else { $null }
    Ratio     = if ($pandas) { [math]::Round($ours / $pandas, 3) } else { $null }
    # CPU seconds too: on a shared machine wall time swings with the load, CPU time much less.
    KerasPS_cpu_s = [math]::Round($oursCpu, 4)
    Pandas_cpu_s  = if ($null -ne $pandasCpu) { [math]::Round($pandasCpu, 4) } else { $null }
    Rows      = $rows
}
