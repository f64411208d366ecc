<#
.SYNOPSIS
    Sweep studies in a database (issue 26): the cost of claiming a trial and reporting an epoch on SQLite and on a
    local PostgreSQL (median over -Claims), and the trials per minute of 4 worker processes against 1 on a small MLP.
.DESCRIPTION
    Latency: a Random study with one more trial than -Claims; each step is one StudyStore.Claim (the transaction that
    takes the next trial under the study's lock, with its heartbeat row) plus one ReportEpoch (an intermediate value and
    a heartbeat), timed together; the goal is <= 10 ms. PostgreSQL is a private cluster started in a temporary folder on
    a free port as the postgres user (skipped when /usr/lib/postgresql/15/bin is missing or this is not root).
    Throughput: Start-SweepWorker in 1 and then 4 fresh pwsh processes, -Threads 1 each, on a 93-32-9 MLP over
    Get-SampleData Otto; trials per minute counted from the first trial's start to the last trial's end in the study,
    so process start-up is not counted; the goal on 2 cores is >= 1.8x.
.EXAMPLE
    dotnet pwsh tests/bench/StudyBench.ps1 -Claims 200 -TrialsPerWorker 3
#>
param([int] $Claims = 1000, [int] $TrialsPerWorker = 4, [int] $Epochs = 3, [int] $Rows = 3000)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
Import-Module (Join-Path $root 'KerasPS.psd1')
$work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-studybench-$PID"
New-Item -ItemType Directory -Force $work | Out-Null
# The engine lives in the module's own load context: reach its types through an assembly the module already loaded.
$engine = [KerasPS.Dataset].GetProperty('Engine').PropertyType.Assembly
$store = $engine.GetType('KerasPS.Engine.Sweeps.Studies.StudyStore')
$storageType = $engine.GetType('KerasPS.Engine.Sweeps.Studies.StudyStorage')
$pgBin = '/usr/lib/postgresql/15/bin'

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

function Measure-ClaimLatency([string] $Url) {
    $name = "latency-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
    $null = New-SweepStudy -Storage $Url -Name $name -Parameters @{ W = [KerasPS.Uniform]::new(0, 1) } -Trials ($Claims + 1) -Epochs 1 -Seed 1 -Monitor loss
    $storage = $storageType::Open($Url, $work, $null, $null)
    $study = $store::Load($storage, $name)
    $none = [System.Threading.CancellationToken]::None
    $sw = [Diagnostics.Stopwatch]::new()
    $ms = foreach ($i in 1..$Claims) {
        $sw.Restart()
        $claim = $store::Claim($storage, $study, 0, [timespan]::FromMinutes(5), $null, $none)
        $store::ReportEpoch($storage, $claim.Item2.TrialId, 1, 0.5, $none)
        $sw.Stop()
        $sw.Elapsed.TotalMilliseconds
    }
    Get-Median $ms
}

$pg = $null
try {
    $sqliteMs = Measure-ClaimLatency "sqlite:///$work/latency.db"
    [pscustomobject]@{ Name = "Study: claim a trial + report an epoch, SQLite (median of $Claims)"; Unit = 'ms'; Value = $sqliteMs; Peer = 'goal'; PeerValue = 10.0 }
    if ((Test-Path "$pgBin/initdb") -and $IsLinux -and ((id -u) -eq '0')) {
        $pg = Join-Path $work 'pg'
        New-Item -ItemType Directory $pg | Out-Null
        & chown -R postgres $work
        $l = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0); $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop()
        & runuser -u postgres -- "$pgBin/initdb" -D "$pg/db" -U postgres --auth=trust -E UTF8 *> "$pg/initdb.log"
        & runuser -u postgres -- "$pgBin/pg_ctl" -D "$pg/db" -l "$pg/server.log" -w -o "-p $port -k $pg -c listen_addresses=127.0.0.1" start *> $null
        $pgMs = Measure-ClaimLatency "postgresql://postgres@127.0.0.1:$port/postgres"
        [pscustomobject]@{ Name = "Study: claim a trial + report an epoch, local PostgreSQL (median of $Claims)"; Unit = 'ms'; Value = $pgMs; Peer = 'goal'; PeerValue = 10.0 }
    }
    else { Write-Warning 'PostgreSQL 15 (or root) is missing: the PostgreSQL latency is not measured.' }

    # Throughput: 1 worker process, then 4, each on its own study of TrialsPerWorker trials per worker.
    $pwsh = @([Environment]::ProcessPath) + @(if ([Environment]::GetCommandLineArgs()[0] -like '*.dll') { [Environment]::GetCommandLineArgs()[0] })
    $perMinute = @{}
    foreach ($n in 1, 4) {
        $url = "sqlite:///$work/throughput-$n.db"
        $null = New-SweepStudy -Storage $url -Name mlp -Parameters @{ Units = 32; LearningRate = [KerasPS.LogUniform]::new(0.01, 0.1) } `
            -Trials ($n * $TrialsPerWorker) -Epochs $Epochs -Seed 3
        $script = Join-Path $work "worker-$n.ps1"
        Set-Content $script @"
Import-Module '$(Join-Path $root 'KerasPS.psd1')'
`$all = Get-SampleData Otto -Rows $Rows -Seed 1
`$cut = [int]($Rows * 0.8)
`$build = { param(`$p) New-Model -InputShape 93 | Add-DenseLayer -Units `$p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
    Build-Model -Optimizer (New-Optimizer sgd -LearningRate `$p.LearningRate) -Loss categorical_crossentropy }
Start-SweepWorker -Storage '$url' -Study mlp -Data `$all.Slice(0, `$cut) -ValidationData `$all.Slice(`$cut, $Rows - `$cut) -ModelScript `$build -Threads 1 -BatchSize 64 | Out-Null
"@
        $procs = 1..$n | ForEach-Object { Start-Process -FilePath $pwsh[0] -ArgumentList (@($pwsh | Select-Object -Skip 1) + '-NoProfile', '-NonInteractive', '-File', $script) -PassThru }
        $procs | ForEach-Object { $_.WaitForExit() }
        $storage = $storageType::Open($url, $work, $null, $null)
        $trials = $store::Trials($storage, $store::Load($storage, 'mlp'))
        $span = (($trials | ForEach-Object Complete | Measure-Object -Maximum).Maximum - ($trials | ForEach-Object Start | Measure-Object -Minimum).Minimum).TotalMinutes
        $perMinute[$n] = @($trials | Where-Object State -eq 'COMPLETE').Count / $span
    }
    $ratio = $perMinute[4] / $perMinute[1]
    Write-Host ('{0} cores, load average {1}: 4 worker processes {2:0.0} trials/min, 1 worker {3:0.0} trials/min: {4:0.00}x' -f [Environment]::ProcessorCount,
        ((Get-Content /proc/loadavg -ErrorAction Ignore) -split ' ')[0], $perMinute[4], $perMinute[1], $ratio)
    [pscustomobject]@{ Name = 'Study: trials per minute, 4 worker processes vs 1 (1 thread each; goal >= 1.8x)'; Unit = 'trials/min'; Value = $perMinute[4]; Peer = '1 worker'; PeerValue = [double]$perMinute[1] }
}
finally {
    if ($pg) { & runuser -u postgres -- "$pgBin/pg_ctl" -D "$pg/db" -m fast -w stop *> $null }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
