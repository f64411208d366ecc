<#
.SYNOPSIS
    Sweep studies in a database (issue 26): the cost of claiming a trial and reporting an epoch on SQLite and on a
    local PostgreSQL (median over -Claims); the trials per minute and per-trial cost of 4 worker processes against 1 on
    a small MLP, beside the machine's own ceiling; and a -StudyTrials TPE study run by 4 worker processes, checked
    trial by trial and compared with the driver-based TPE sweep.
.DESCRIPTION
    Latency: a Random study with one more trial than -Claims; each step is one StudyStore.Claim (the transaction that
    takes the next trial under the study's lock, with its heartbeat row) plus one ReportEpoch (an intermediate value and
    a heartbeat), timed together; the goal is <= 10 ms. PostgreSQL is a private cluster started in a temporary folder on
    a free port as the postgres user (skipped when /usr/lib/postgresql/15/bin is missing or this is not root).
    Throughput: Start-SweepWorker in 1 and then 4 fresh pwsh processes, -Threads 1 each, -TrialsPerWorker trials per
    worker on a 93-32-9 MLP over Get-SampleData Otto; each process imports the module, loads its data and fits one
    warm-up epoch, then waits at a gate until all are ready, so process start-up, module import and JIT are not
    counted; trials per minute run from the gate's opening to the last trial's end, and the per-trial cost is the
    median trial duration (model build, fit, and the per-epoch reports to the study). The goal on 2 cores is >= 1.8x; the ceiling beside it is what 4 plain CPU-bound processes
    (Python loops, no KerasPS) get against 1 on this machine at the same time: 4 one-thread workers on 2 cores cannot do
    better than that, and a machine shared with other jobs gives less.
    Scale: a -StudyTrials TPE study (Units and LearningRate of a 93-Units-9 MLP on 1,000 Otto rows) run by 4 worker
    processes; the bench throws unless every trial 1..N ran exactly once and completed (no FAIL, none twice). Its best
    val_loss is printed beside Invoke-ModelSweep -Search Tpe's on the same space, data and seed (TPE in a study learns
    from whatever has finished when a worker claims, so the two runs differ; neither is reproducible trial for trial).
.EXAMPLE
    dotnet pwsh tests/bench/StudyBench.ps1 -Claims 200 -TrialsPerWorker 10 -StudyTrials 200 -Part Throughput
#>
param([int] $Claims = 1000, [int] $TrialsPerWorker = 10, [int] $Epochs = 10, [int] $Rows = 3000, [int] $StudyTrials = 200,
    # Which parts to run (all by default).
    [ValidateSet('Latency', 'Throughput', 'Scale')] [string[]] $Part = @('Latency', 'Throughput', 'Scale'))
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
        $null = $store::ReportEpoch($storage, $claim.Item2.TrialId, 1, 0.5, $none)   # true: the trial was RUNNING
        $sw.Stop()
        $sw.Elapsed.TotalMilliseconds
    }
    Get-Median $ms
}

$pg = $null
try {
    $pwsh = @([Environment]::ProcessPath) + @(if ([Environment]::GetCommandLineArgs()[0] -like '*.dll') { [Environment]::GetCommandLineArgs()[0] })
    # Starts the workers and lets them go together once every one has imported the module, loaded its data and warmed
    # up (a worker script writes ready-<pid> and waits for the file go): process start-up is not measured. Returns
    # when all have ended, with the time they were let go.
    function Start-Workers([int] $Count, [string] $Url, [string] $Script) {
        $gate = Join-Path $work "gate-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory $gate | Out-Null
        $procs = 1..$Count | ForEach-Object { Start-Process -FilePath $pwsh[0] -ArgumentList (@($pwsh | Select-Object -Skip 1) + '-NoProfile', '-NonInteractive', '-File', $Script, $gate) -PassThru }
        while (@(Get-ChildItem $gate -Filter 'ready-*').Count -lt $Count -and @($procs | Where-Object HasExited).Count -eq 0) { Start-Sleep -Milliseconds 50 }
        $go = Get-Date
        New-Item -ItemType File (Join-Path $gate 'go') | Out-Null
        $procs | ForEach-Object { $_.WaitForExit() }
        $go
    }
    # What a worker script does before Start-SweepWorker: one warm-up epoch of its model, then wait at the gate.
    $gateScript = @'
param([string] $Gate)
$null = & $build @{ Units = 32; LearningRate = 0.05 } | Invoke-ModelFit -Data $train -Epochs 1 -BatchSize 64 -Threads 1
New-Item -ItemType File (Join-Path $Gate "ready-$PID") | Out-Null
while (-not (Test-Path (Join-Path $Gate 'go'))) { Start-Sleep -Milliseconds 20 }
'@
    function Get-StudyTrials([string] $Url, [string] $Name) {
        $storage = $storageType::Open($Url, $work, $null, $null)
        $store::Trials($storage, $store::Load($storage, $Name))
    }
    if ('Latency' -in $Part) {
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
    }

    # Throughput: 1 worker process, then 4, each on its own study of TrialsPerWorker trials per worker; first as the
    # processes start by default, then with DOTNET_TieredCompilation=0 in their environment. With tiered compilation a
    # short-lived worker spends a fifth of a core on .NET's background re-JIT, so the 1-worker baseline uses more than
    # its one core and 4 workers on 2 cores cannot reach 2x of it; worker fleets set the variable (module/RUNBOOKS.md).
    if ('Throughput' -in $Part) {
        $perMinute = @{}
        $perTrial = @{}
        foreach ($tc in '', '0') { foreach ($n in 1, 4) {
            $key = "$tc$n"
            if ($tc) { $env:DOTNET_TieredCompilation = $tc } else { Remove-Item Env:DOTNET_TieredCompilation -ErrorAction Ignore }
            $url = "sqlite:///$work/throughput-$key.db"
            $null = New-SweepStudy -Storage $url -Name mlp -Parameters @{ Units = 32; LearningRate = [KerasPS.LogUniform]::new(0.01, 0.1) } `
                -Trials ($n * $TrialsPerWorker) -Epochs $Epochs -Seed 3
            $script = Join-Path $work "worker-$n.ps1"
            Set-Content $script @"
Import-Module '$(Join-Path $root 'KerasPS.psd1')'
`$all = Get-SampleData Otto -Rows $Rows -Seed 1
`$cut = [int]($Rows * 0.8)
`$build = { param(`$p) New-Model -InputShape 93 | Add-DenseLayer -Units `$p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
    Build-Model -Optimizer (New-Optimizer sgd -LearningRate `$p.LearningRate) -Loss categorical_crossentropy }
`$train = `$all.Slice(0, `$cut)
$($gateScript -replace '^param\(\[string\] \$Gate\)', '$Gate = $args[0]')
Start-SweepWorker -Storage '$url' -Study mlp -Data `$train -ValidationData `$all.Slice(`$cut, $Rows - `$cut) -ModelScript `$build -Threads 1 -BatchSize 64 | Out-Null
"@
            $go = Start-Workers $n $url $script
            Remove-Item Env:DOTNET_TieredCompilation -ErrorAction Ignore
            $trials = @(Get-StudyTrials $url mlp)
            # From the moment the (ready, warmed-up) workers were let go to the last trial's end.
            $span = (($trials | ForEach-Object Complete | Measure-Object -Maximum).Maximum - $go).TotalMinutes
            $complete = @($trials | Where-Object State -eq 'COMPLETE')
            $perMinute[$key] = $complete.Count / $span
            $perTrial[$key] = Get-Median @($complete | ForEach-Object { [double]$_.UserAttrs['kerasps_duration_seconds'] })
        } }
        $ratio = $perMinute['4'] / $perMinute['1']
        $ratioTc = $perMinute['04'] / $perMinute['01']

        # The machine's ceiling at this moment: 4 plain CPU-bound processes against 1 (the same fixed work each).
        $ceiling = $null
        $py = '/usr/bin/python3'
        if (Test-Path $py) {
            $loop = Join-Path $work 'busy.py'
            Set-Content $loop "s = 0`nfor i in range(12000000):`n    s += i * i"
            $busy = { param([int] $Count)
                $sw = [Diagnostics.Stopwatch]::StartNew()
                $ps = 1..$Count | ForEach-Object { Start-Process -FilePath $py -ArgumentList $loop -PassThru }
                $ps | ForEach-Object { $_.WaitForExit() }
                $sw.Elapsed.TotalSeconds }
            $one = & $busy 1
            $four = & $busy 4
            $ceiling = 4 * $one / $four
        }
        $load = ((Get-Content /proc/loadavg -ErrorAction Ignore) -split ' ')[0]
        Write-Host ('{0} cores, load average {1}: 4 worker processes {2:0.0} trials/min ({3:0.00} s per trial), 1 worker {4:0.0} trials/min ({5:0.00} s per trial): {6:0.00}x; 4 plain CPU-bound processes vs 1 on this machine now: {7}; with DOTNET_TieredCompilation=0: {8:0.00}x' -f `
            [Environment]::ProcessorCount, $load, $perMinute['4'], $perTrial['4'], $perMinute['1'], $perTrial['1'], $ratio, $(if ($ceiling) { '{0:0.00}x' -f $ceiling } else { 'not measured (no /usr/bin/python3)' }), $ratioTc)
        [pscustomobject]@{ Name = 'Study: trials per minute, 4 worker processes vs 1 (1 thread each)'; Unit = 'trials/min'; Value = $perMinute['4']; Peer = '1 worker'; PeerValue = [double]$perMinute['1']; Note = "load average $load; processes started as they are by default" }
        [pscustomobject]@{ Name = 'Study: seconds per trial, 4 worker processes vs 1'; Unit = 's'; Value = $perTrial['4']; Peer = '1 worker'; PeerValue = [double]$perTrial['1'] }
        [pscustomobject]@{ Name = 'Study: trials per minute, 4 worker processes vs 1, DOTNET_TieredCompilation=0 (goal >= 1.8x)'; Unit = 'trials/min'; Value = $perMinute['04']; Peer = '1 worker'; PeerValue = [double]$perMinute['01']; Note = 'the setting module/RUNBOOKS.md gives worker fleets' }
        if ($ceiling) {
            [pscustomobject]@{ Name = 'Machine ceiling: 4 plain CPU-bound processes vs 1 (throughput ratio)'; Unit = 'x'; Value = $ceiling; Peer = 'goal for the workers'; PeerValue = 1.8 }
        }
    }

    # Scale: a TPE study of StudyTrials trials taken by 4 worker processes; every trial must run exactly once.
    if ($StudyTrials -gt 0 -and 'Scale' -in $Part) {
        $space = [ordered]@{ Units = 8, 16, 32; LearningRate = [KerasPS.LogUniform]::new(0.005, 0.5) }
        $url = "sqlite:///$work/scale.db"
        $null = New-SweepStudy -Storage $url -Name scale -Parameters $space -Search Tpe -Trials $StudyTrials -Epochs 2 -Seed 5
        $script = Join-Path $work 'worker-scale.ps1'
        Set-Content $script @"
Import-Module '$(Join-Path $root 'KerasPS.psd1')'
`$all = Get-SampleData Otto -Rows 1000 -Seed 2
`$build = { param(`$p) New-Model -InputShape 93 | Add-DenseLayer -Units `$p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
Build-Model -Optimizer (New-Optimizer sgd -LearningRate `$p.LearningRate) -Loss categorical_crossentropy }
`$train = `$all.Slice(0, 800)
$($gateScript -replace '^param\(\[string\] \$Gate\)', '$Gate = $args[0]')
Start-SweepWorker -Storage '$url' -Study scale -Data `$train -ValidationData `$all.Slice(800, 200) -ModelScript `$build -Threads 1 -BatchSize 64 | Out-Null
"@
        $go = Start-Workers 4 $url $script
        $clock = [pscustomobject]@{ Elapsed = (Get-Date) - $go }
        $trials = @(Get-StudyTrials $url scale)
        $ks = @($trials | ForEach-Object { [int]$_.UserAttrs['kerasps_trial'] })
        $bad = @($trials | Where-Object State -ne 'COMPLETE')
        $twice = @($ks | Group-Object | Where-Object Count -gt 1)
        $missing = @(1..$StudyTrials | Where-Object { $_ -notin $ks })
        if ($trials.Count -ne $StudyTrials -or $bad.Count -or $twice.Count -or $missing.Count) {
            throw "The $StudyTrials-trial study did not run every trial exactly once: $($trials.Count) rows, $($bad.Count) not COMPLETE, " +
                "$($twice.Count) trial numbers more than once, missing $($missing -join ',')."
        }
        $hosts = @($trials | ForEach-Object { $_.UserAttrs['kerasps_host'] } | Sort-Object -Unique).Count
        $studyBest = ($trials | ForEach-Object Value | Measure-Object -Minimum).Minimum
        $all = Get-SampleData Otto -Rows 1000 -Seed 2
        $build = { param($p) New-Model -InputShape 93 | Add-DenseLayer -Units $p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
            Build-Model -Optimizer (New-Optimizer sgd -LearningRate $p.LearningRate) -Loss categorical_crossentropy }
        $driverClock = [Diagnostics.Stopwatch]::StartNew()
        $driver = @(Invoke-ModelSweep -Search Tpe -Trials $StudyTrials -Parameters $space -ModelScript $build -Data $all.Slice(0, 800) `
            -ValidationData $all.Slice(800, 200) -Epochs 2 -Seed 5 -BatchSize 64 -ThrottleLimit 2 -Threads 1)
        $driverClock.Stop()
        $driverBest = ($driver | Where-Object Status -eq Completed | ForEach-Object Best | Measure-Object -Minimum).Minimum
        Write-Host ('{0}-trial TPE study, 4 worker processes ({1} hosts in the rows): every trial ran exactly once, {2:0} s; best val_loss {3:0.0000}. ' -f `
            $StudyTrials, $hosts, $clock.Elapsed.TotalSeconds, $studyBest) +
            ('Driver-based Invoke-ModelSweep -Search Tpe (ThrottleLimit 2): best val_loss {0:0.0000} in {1:0} s.' -f $driverBest, $driverClock.Elapsed.TotalSeconds)
        [pscustomobject]@{ Name = "Study: best val_loss of a $StudyTrials-trial TPE study, 4 worker processes (every trial once)"; Unit = 'val_loss'; Value = [double]$studyBest; Peer = 'Invoke-ModelSweep -Search Tpe'; PeerValue = [double]$driverBest }
    }
}
finally {
    if ($pg) { & runuser -u postgres -- "$pgBin/pg_ctl" -D "$pg/db" -m fast -w stop *> $null }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
