# Sweep studies in a database (issue 26): New-SweepStudy, Start-SweepWorker, Get-SweepTrial and Invoke-ModelSweep -Storage
# on SQLite and on a private PostgreSQL cluster this file starts, read back by Debian's Python Optuna 3.1.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:toy = Get-ToyCurveSweep
    $script:space = [ordered]@{ W = [KerasPS.Uniform]::new(0.5, 2); R = 0.1, 0.2 }
    $script:worker = @{ Data = $toy.Data; ValidationData = $toy.ValidationData; BatchSize = 4; Shuffle = $false; ModelScript = $toy.ModelScript }
    $script:python = '/usr/bin/python3'
    $script:hasOptuna = (Test-Path $python) -and ((& $python -c 'import optuna, psycopg2; print(optuna.__version__)' 2>$null) -eq '3.1.0')
    $script:pgBin = '/usr/lib/postgresql/15/bin'
    $script:hasPostgres = (Test-Path "$pgBin/initdb") -and $IsLinux -and ((id -u) -eq '0') -and (Test-Path /usr/sbin/runuser)

    function script:Invoke-Python([string] $Code) {
        $file = Join-Path $TestDrive "py-$([guid]::NewGuid().ToString('n')).py"
        Set-Content -Path $file -Value $Code
        $out = & $python $file 2>&1
        if ($LASTEXITCODE -ne 0) { throw "python failed: $($out -join "`n")" }
        ($out | Where-Object { $_ -is [string] -and $_.StartsWith('{') } | Select-Object -Last 1) | ConvertFrom-Json -AsHashtable
    }

    # What optuna.load_study sees: per trial number its state, params, value, intermediate values and KerasPS trial number.
    function script:Read-OptunaStudy([string] $Url, [string] $Name) {
        Invoke-Python @"
import json, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
s = optuna.load_study(study_name='$Name', storage='$Url')
print(json.dumps({'direction': s.direction.name, 'trials': [
    {'number': t.number, 'state': t.state.name, 'params': t.params, 'value': t.value,
     'intermediate': {str(k): v for k, v in t.intermediate_values.items()}, 'k': t.user_attrs.get('kerasps_trial')}
    for t in s.trials]}))
"@
    }

    # The toy model, built after a pause, so a trial lasts long enough to be killed or to outlive a database restart.
    function script:New-SlowWorker([int] $Milliseconds) {
        $slow = @{} + $worker
        $slow.ModelScript = [scriptblock]::Create("param(`$p)`nStart-Sleep -Milliseconds $Milliseconds`n" +
            ($toy.ModelScript.ToString() -replace '^\s*param\(\$p\)', ''))
        $slow
    }

    # A worker whose trial waits at the end of epoch e, before the epoch is reported, until the file go<e> exists in
    # $Flags (at most 90 s): a test reads the study between two epochs of a RUNNING trial, with no race.
    function script:New-GatedWorker([string] $Flags) {
        $gated = @{} + $worker
        $gated.Callbacks = [scriptblock]::Create(@"
param(`$p)
New-LambdaCallback -OnEpochEnd { param(`$epoch)
    `$until = [datetime]::UtcNow.AddSeconds(90)
    while (-not (Test-Path (Join-Path '$Flags' "go`$(`$epoch + 1)")) -and [datetime]::UtcNow -lt `$until) { Start-Sleep -Milliseconds 50 }
}
"@)
        $gated
    }

    # Start-SweepWorker in a thread job of this process (Stop-Job stops it as Ctrl+C stops a pipeline).
    function script:Start-WorkerJob([string] $Url, [string] $Study, [hashtable] $Arguments) {
        $manifest = if ($env:KERASPS_TEST_MODULE) { $env:KERASPS_TEST_MODULE } else { Join-Path $RepoRoot 'KerasPS.psd1' }
        Start-ThreadJob { Import-Module $using:manifest; $a = $using:Arguments; Start-SweepWorker -Storage $using:Url -Study $using:Study @a }
    }

    # The study's RUNNING trial once it holds $Count intermediate values, as another connection reads it (at most 90 s).
    function script:Wait-RunningTrial([string] $Url, [string] $Study, [int] $Count) {
        $until = (Get-Date).AddSeconds(90)
        while ((Get-Date) -lt $until) {
            $r = Get-SweepTrial -Storage $Url -Study $Study -Status Running | Select-Object -First 1
            if ($r -and @($r.Records).Count -eq $Count) { return $r }
            Start-Sleep -Milliseconds 100
        }
        throw "Study '$Study' had no RUNNING trial with $Count intermediate values within 90 s."
    }

    # Optuna's own rows (state, value, intermediate values) through the engine: a second connection, no Python needed.
    function script:Get-RawTrial([string] $Url, [string] $Study) {
        $engine = [KerasPS.Dataset].GetProperty('Engine').PropertyType.Assembly
        $store = $engine.GetType('KerasPS.Engine.Sweeps.Studies.StudyStore')
        $storage = $engine.GetType('KerasPS.Engine.Sweeps.Studies.StudyStorage')::Open($Url, "$TestDrive", $null, $null)
        $store::Trials($storage, $store::Load($storage, $Study))
    }

    function script:Get-FreePort {
        $l = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop(); $port
    }

    function script:Assert-SameAsOptuna($results, $optuna) {
        $optuna.trials.Count | Should -Be $results.Count
        foreach ($r in $results) {
            $o = $optuna.trials | Where-Object { $_.k -eq $r.Trial -and $_.state -eq 'COMPLETE' }
            @($o).Count | Should -Be 1
            $o.value | Should -Be $r.Best
            $o.params.W | Should -Be $r.W
            $o.params.R | Should -Be $r.R
            foreach ($e in $r.Records) { $o.intermediate["$($e.Epoch)"] | Should -Be $e.ValLoss }
        }
    }
}

Describe 'Sweep studies on SQLite' {
    BeforeAll {
        $script:db = Join-Path $TestDrive 'study.db'
        $script:url = "sqlite:///$db"
        $null = New-SweepStudy -Storage $url -Name toy -Parameters $space -Trials 4 -Epochs 3 -Seed 11
        $script:ran = @(Start-SweepWorker -Storage $url -Study toy @worker)
        $script:local = @(Invoke-ModelSweep -Random -Trials 4 -Parameters $space -Epochs 3 -Seed 11 @toy)
    }

    It 'runs the budget once each, with the values of the closed form' {
        $ran.Count | Should -Be 4
        ($ran.Trial | Sort-Object) -join ',' | Should -Be '1,2,3,4'
        foreach ($r in $ran) {
            $r.Status | Should -Be Completed
            $expected = $r.W * $r.W * [math]::Pow(1 - 2 * $r.R, 6)
            $r.Best | Should -BeGreaterThan ($expected * 0.999)
            $r.Best | Should -BeLessThan ($expected * 1.001)
        }
    }

    It 'gives trial k the parameters, seed and result of the local sweep with the same seed' {
        foreach ($r in $ran) {
            $l = $local | Where-Object Trial -eq $r.Trial
            $r.W | Should -Be $l.W
            $r.R | Should -Be $l.R
            $r.Seed | Should -Be $l.Seed
            $r.Best | Should -Be $l.Best
        }
    }

    It 'gives the same per-trial results through Invoke-ModelSweep -Storage with two local workers' {
        $viaStorage = @(Invoke-ModelSweep -Random -Trials 4 -Parameters $space -Epochs 3 -Seed 11 @toy -Storage "sqlite:///$TestDrive/local.db" -Study s -ThrottleLimit 2)
        $viaStorage.Count | Should -Be 4
        foreach ($r in $viaStorage) { $r.Best | Should -Be ($local | Where-Object Trial -eq $r.Trial).Best }
    }

    It 'reads back every trial with Get-SweepTrial' {
        $read = @(Get-SweepTrial -Storage $url -Study toy)
        $read.Count | Should -Be 4
        foreach ($r in $ran) {
            $x = $read | Where-Object Trial -eq $r.Trial
            $x.Status | Should -Be Completed
            $x.ValLoss | Should -Be $r.ValLoss
            $x.Records.Count | Should -Be 3
        }
    }

    It 'is read by Python Optuna with the same trials, states, parameters, values and intermediate values' {
        if (-not $hasOptuna) { Set-ItResult -Skipped -Because "Debian's python3-optuna 3.1 and python3-psycopg2 are not installed"; return }
        $o = Read-OptunaStudy $url toy
        $o.direction | Should -Be MINIMIZE
        Assert-SameAsOptuna $ran $o
    }

    It 'keeps two studies in one database apart' {
        $null = New-SweepStudy -Storage $url -Name other -Parameters @{ W = 1.5; R = 0.1, 0.2 } -Search Grid -Epochs 1 -Seed 3
        $other = @(Start-SweepWorker -Storage $url -Study other @worker)
        $other.Count | Should -Be 2
        @(Get-SweepTrial -Storage $url -Study other).Count | Should -Be 2
        @(Get-SweepTrial -Storage $url -Study toy).Count | Should -Be 4
        (Get-SweepTrial -Storage $url -Study other).W | Should -Be @(1.5, 1.5)
    }

    It 'refuses a taken name, a missing study and a parameter Optuna cannot hold' {
        { New-SweepStudy -Storage $url -Name toy -Parameters $space -Trials 1 } | Should -Throw -ErrorId 'StudyExists,*'
        { Get-SweepTrial -Storage $url -Study nope } | Should -Throw -ErrorId 'StudyNotFound,*'
        { New-SweepStudy -Storage $url -Name mixed -Parameters @{ W = 1, [KerasPS.Uniform]::new(0, 1) } -Trials 1 } |
            Should -Throw -ErrorId 'MixedParameterInStudy,*'
        { Start-SweepWorker -Storage mysql://x/y -Study toy @worker } | Should -Throw -ErrorId 'InvalidStorage,*'
    }

    It 'searches with TPE after 10 random trials and prunes by the median of every finished trial' {
        $null = New-SweepStudy -Storage $url -Name tpe -Parameters $space -Search Tpe -Prune Median -Trials 13 -Epochs 3 -Seed 11
        $tpe = @(Start-SweepWorker -Storage $url -Study tpe @worker)
        $tpe.Count | Should -Be 13
        $random = @(Invoke-ModelSweep -Random -Trials 10 -Parameters $space -Epochs 1 -Seed 11 @toy)
        foreach ($r in $tpe | Where-Object Trial -le 10) { $r.W | Should -Be ($random | Where-Object Trial -eq $r.Trial).W }
        $read = @(Get-SweepTrial -Storage $url -Study tpe)
        foreach ($r in $read | Where-Object Status -eq Pruned) {
            $r.PrunedAtEpoch | Should -BeLessThan 3
            $r.Records.Count | Should -Be $r.PrunedAtEpoch
            # The rule: its best so far is worse than the median, at that epoch, of the trials finished before it.
            $before = @($read | Where-Object { $_.Trial -lt $r.Trial -and $_.Status -ne 'Failed' })
            $before.Count | Should -BeGreaterOrEqual 5
        }
    }

    It 'writes each epoch''s value as the epoch ends: another connection and Python Optuna see a RUNNING trial''s values grow' {
        $null = New-SweepStudy -Storage $url -Name live -Parameters @{ W = 1.5; R = 0.1 } -Search Grid -Epochs 3 -Seed 7
        $flags = Join-Path $TestDrive 'live'
        New-Item -ItemType Directory $flags | Out-Null
        $job = Start-WorkerJob $url live (New-GatedWorker $flags)
        try {
            $seen = foreach ($e in 1..3) {
                # The trial waits at the end of epoch $e: the study holds the values of the epochs before it, and no more.
                $r = Wait-RunningTrial $url live ($e - 1)
                if ($e -eq 3 -and $hasOptuna) { $script:pyLive = Read-OptunaStudy $url live }
                New-Item -ItemType File (Join-Path $flags "go$e") | Out-Null
                , @($r.Records | ForEach-Object ValLoss)
            }
            $done = @($job | Wait-Job -Timeout 120 | Receive-Job)
        }
        finally {
            1..3 | ForEach-Object { New-Item -ItemType File -Force (Join-Path $flags "go$_") | Out-Null }
            $job | Remove-Job -Force
        }
        # val_loss after epoch e is W^2 (1-2R)^(2e): 1.44, then 0.9216.
        $seen[0].Count | Should -Be 0
        $seen[1].Count | Should -Be 1
        $seen[1][0] | Should -BeGreaterThan (1.44 * 0.99999)
        $seen[1][0] | Should -BeLessThan (1.44 * 1.00001)
        $seen[2].Count | Should -Be 2
        $seen[2][1] | Should -BeGreaterThan (0.9216 * 0.99999)
        $seen[2][1] | Should -BeLessThan (0.9216 * 1.00001)
        $done.Count | Should -Be 1
        $done[0].Status | Should -Be Completed
        $done[0].Records[0].ValLoss | Should -Be $seen[2][0] -Because 'the value written live is the value of the finished trial'
        $done[0].Records[1].ValLoss | Should -Be $seen[2][1]
        if (-not $hasOptuna) { Set-ItResult -Skipped -Because "Debian's python3-optuna 3.1 is not installed (the live values were checked)"; return }
        $pyLive.trials.Count | Should -Be 1
        $pyLive.trials[0].state | Should -Be RUNNING
        ($pyLive.trials[0].intermediate.Keys | Sort-Object) -join ',' | Should -Be '1,2'
        $pyLive.trials[0].intermediate['2'] | Should -Be $seen[2][1]
    }

    It 'prunes a running trial by the median of the trials another worker finished meanwhile, with Optuna''s value for it' {
        # Grid order: trial 1 has W = 2 (val_loss 2.56 after epoch 1); trials 2-6 have W = 0.5 .. 0.9 (median 0.49 * 0.64).
        $null = New-SweepStudy -Storage $url -Name livemedian -Parameters ([ordered]@{ W = 2.0, 0.5, 0.6, 0.7, 0.8, 0.9; R = 0.1 }) `
            -Search Grid -Prune Median -Epochs 3 -Seed 7
        $flags = Join-Path $TestDrive 'livemedian'
        New-Item -ItemType Directory $flags | Out-Null
        $slow = Start-WorkerJob $url livemedian (New-GatedWorker $flags)
        try {
            # Trial 1 was claimed when no trial had finished; it waits at the end of epoch 1 while another worker runs 2-6.
            $first = Wait-RunningTrial $url livemedian 0
            $first.W | Should -Be 2.0
            $fast = Start-WorkerJob $url livemedian $worker
            $until = (Get-Date).AddSeconds(120)
            while (@(Get-SweepTrial -Storage $url -Study livemedian -Status Completed).Count -lt 5 -and (Get-Date) -lt $until) { Start-Sleep -Milliseconds 200 }
            New-Item -ItemType File (Join-Path $flags 'go1') | Out-Null
            $ranSlow = @($slow | Wait-Job -Timeout 120 | Receive-Job)
            $ranFast = @($fast | Wait-Job -Timeout 120 | Receive-Job)
        }
        finally {
            1..3 | ForEach-Object { New-Item -ItemType File -Force (Join-Path $flags "go$_") | Out-Null }
            $slow, $fast | Where-Object { $_ } | Remove-Job -Force
        }
        ($ranFast.Trial | Sort-Object) -join ',' | Should -Be '2,3,4,5,6'
        $ranFast.Status | Sort-Object -Unique | Should -Be Completed
        $ranSlow.Count | Should -Be 1
        $ranSlow[0].Trial | Should -Be 1
        $ranSlow[0].Status | Should -Be Pruned -Because 'the five trials finished while it ran put the median far below it'
        $ranSlow[0].PrunedAtEpoch | Should -Be 1
        $ranSlow[0].Records.Count | Should -Be 1
        $raw = @(Get-RawTrial $url livemedian) | Where-Object Number -eq 0
        $raw.State | Should -Be PRUNED
        $raw.Intermediate.Count | Should -Be 1
        $raw.Value | Should -Be $raw.Intermediate[1] -Because "Optuna's value of a pruned trial is its last intermediate value"
        $raw.Value | Should -BeGreaterThan (2.56 * 0.99999)
        $raw.Value | Should -BeLessThan (2.56 * 1.00001)
        if (-not $hasOptuna) { Set-ItResult -Skipped -Because "Debian's python3-optuna 3.1 is not installed (the rows were checked)"; return }
        $py = (Read-OptunaStudy $url livemedian).trials | Where-Object number -eq 0
        $py.state | Should -Be PRUNED
        $py.value | Should -Be $py.intermediate['1']
    }

    It 'ranks a trial at a Hyperband rung among the trials still running there, as Optuna''s successive halving does' {
        # Grid order: trials 1 and 2 (W = 0.5, 0.6) reach epoch 1 and wait there, RUNNING; trial 3 (W = 2) comes to the
        # rung at epoch 1 with 2.56 against their 0.16 and 0.2304: with factor 2 only the best half goes on.
        $null = New-SweepStudy -Storage $url -Name liverung -Parameters ([ordered]@{ W = 0.5, 0.6, 2.0; R = 0.1 }) `
            -Search Grid -Prune Hyperband -PruneFactor 2 -Epochs 3 -Seed 7
        $flags = Join-Path $TestDrive 'liverung'
        New-Item -ItemType Directory $flags | Out-Null
        New-Item -ItemType File (Join-Path $flags 'go1') | Out-Null   # the gated trials report epoch 1, then wait at epoch 2
        $jobs = @()
        try {
            $jobs += Start-WorkerJob $url liverung (New-GatedWorker $flags)
            $null = Wait-RunningTrial $url liverung 1
            $jobs += Start-WorkerJob $url liverung (New-GatedWorker $flags)
            $until = (Get-Date).AddSeconds(90)
            while (@(Get-SweepTrial -Storage $url -Study liverung -Status Running | Where-Object { @($_.Records).Count -eq 1 }).Count -lt 2 -and
                (Get-Date) -lt $until) { Start-Sleep -Milliseconds 100 }
            $jobs += Start-WorkerJob $url liverung $worker
            $until = (Get-Date).AddSeconds(60)
            while (@(Get-SweepTrial -Storage $url -Study liverung | Where-Object { $_.Trial -eq 3 -and $_.Status -in 'Pruned', 'Completed' }).Count -eq 0 -and
                (Get-Date) -lt $until) { Start-Sleep -Milliseconds 100 }
            $running = @(Get-SweepTrial -Storage $url -Study liverung -Status Running)
            2..3 | ForEach-Object { New-Item -ItemType File -Force (Join-Path $flags "go$_") | Out-Null }
            $all = @($jobs | Wait-Job -Timeout 120 | Receive-Job)
            $third = @($all | Where-Object Trial -eq 3)
            $gated = @($all | Where-Object Trial -ne 3)
        }
        finally {
            1..3 | ForEach-Object { New-Item -ItemType File -Force (Join-Path $flags "go$_") | Out-Null }
            $jobs | Remove-Job -Force
        }
        $running.Count | Should -Be 2 -Because 'trials 1 and 2 were still running when trial 3 was ranked'
        $third.Count | Should -Be 1
        $third[0].Status | Should -Be Pruned
        $third[0].PrunedAtEpoch | Should -Be 1
        ($gated.Trial | Sort-Object) -join ',' | Should -Be '1,2'
        $gated.Status | Sort-Object -Unique | Should -Be Completed
    }

    It 'fails its trial at once when the worker is stopped with Stop-Job, and the retry runs on the next worker' {
        $null = New-SweepStudy -Storage $url -Name stopped -Parameters @{ W = 1.5, 0.5; R = 0.1 } -Search Grid -Epochs 2 -Seed 7
        $flags = Join-Path $TestDrive 'stopped'
        New-Item -ItemType Directory $flags | Out-Null
        $gated = New-GatedWorker $flags
        $gated.GracePeriod = 3600   # only the stop can fail the trial this hour
        $gated.RetryFailed = 1
        $job = Start-WorkerJob $url stopped $gated
        try {
            $null = Wait-RunningTrial $url stopped 0
            $job | Stop-Job
            $job.State | Should -Be Stopped
            $rows = @(Get-SweepTrial -Storage $url -Study stopped)
        }
        finally {
            1..3 | ForEach-Object { New-Item -ItemType File -Force (Join-Path $flags "go$_") | Out-Null }
            $job | Remove-Job -Force
        }
        # Read as soon as Stop-Job returned: FAIL, with a retry waiting, not RUNNING until the grace period.
        $rows.Count | Should -Be 2
        $rows[0].Trial | Should -Be 1
        $rows[0].Status | Should -Be Failed
        $rows[0].ErrorId | Should -Be TrialWorkerStopped
        $rows[1].Trial | Should -Be 1
        $rows[1].Status | Should -Be Waiting
        $rows[1].Attempts | Should -Be 2
        $next = @(Start-SweepWorker -Storage $url -Study stopped @worker)
        ($next.Trial | Sort-Object) -join ',' | Should -Be '1,2'
        $next.Status | Sort-Object -Unique | Should -Be Completed
        ($next | Where-Object Trial -eq 1).Attempts | Should -Be 2
        $all = @(Get-SweepTrial -Storage $url -Study stopped)
        $all.Count | Should -Be 3
        @($all | Where-Object Status -eq Completed).Count | Should -Be 2
    }

    It 'fails its trial at once when -MaxDuration passes mid-trial, and the retry runs on the next worker' {
        $null = New-SweepStudy -Storage $url -Name maxed -Parameters @{ W = 1.5; R = 0.1 } -Search Grid -Epochs 2 -Seed 7
        $slow = New-SlowWorker 20000
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $ran = @(Start-SweepWorker -Storage $url -Study maxed @slow -MaxDuration 2 -RetryFailed 1 -GracePeriod 3600)
        $clock.Stop()
        $ran.Count | Should -Be 0
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 19 -Because 'the 20 s trial was stopped, not waited for'
        $rows = @(Get-SweepTrial -Storage $url -Study maxed)
        $rows.Count | Should -Be 2
        $rows[0].Status | Should -Be Failed
        $rows[0].ErrorId | Should -Be TrialWorkerMaxDuration
        $rows[1].Status | Should -Be Waiting
        $again = @(Start-SweepWorker -Storage $url -Study maxed @worker -RetryFailed 1)
        $again.Count | Should -Be 1
        $again[0].Status | Should -Be Completed
        $again[0].Attempts | Should -Be 2
    }

    It 'runs beside a Python study.optimize on the same study, each seeing the other''s trials' {
        if (-not $hasOptuna) { Set-ItResult -Skipped -Because "Debian's python3-optuna 3.1 is not installed"; return }
        $null = New-SweepStudy -Storage $url -Name shared -Parameters $space -Trials 8 -Epochs 2 -Seed 5
        $slow = New-SlowWorker 400
        $py = Join-Path $TestDrive 'optimize.py'
        Set-Content $py @"
import json, time, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
s = optuna.load_study(study_name='shared', storage='$url')
seen = []
def objective(t):
    w = t.suggest_float('W', 0.5, 2.0); r = t.suggest_categorical('R', [0.1, 0.2])
    time.sleep(0.5)
    seen.append(sum(1 for x in s.get_trials(deepcopy=False) if 'kerasps_trial' in x.user_attrs))
    return w * w * (1 - 2 * r) ** 4
s.optimize(objective, n_trials=4)
print(json.dumps({'seen': seen}))
"@
        $job = Start-ThreadJob { & $using:python $using:py 2>&1 }
        Start-Sleep -Milliseconds 300
        $mine = @(Start-SweepWorker -Storage $url -Study shared @slow)
        $pyOut = ($job | Wait-Job -Timeout 120 | Receive-Job) | Where-Object { "$_".StartsWith('{') } | ConvertFrom-Json
        $job | Remove-Job -Force
        $pyOut.seen[-1] | Should -BeGreaterThan 0 -Because 'Python saw KerasPS trials while it optimized'
        $all = @(Get-SweepTrial -Storage $url -Study shared)
        @($all | Where-Object Host -eq '').Count | Should -Be 4 -Because 'KerasPS reads the four trials Python wrote'
        $all.Count | Should -Be ([math]::Max(8, 4 + $mine.Count))
        $mine.Count | Should -BeGreaterThan 0
        $mine.Status | Sort-Object -Unique | Should -Be Completed
        ($mine.Trial | Sort-Object -Unique).Count | Should -Be $mine.Count
    }
}

Describe 'Sweep workers in processes that die' -Tag Slow {
    It 'finishes the budget when one of 4 worker processes is killed mid-trial: that trial FAIL, retried once, none run twice' {
        $db = Join-Path $TestDrive 'kill.db'
        $url = "sqlite:///$db"
        $null = New-SweepStudy -Storage $url -Name kill -Parameters $space -Trials 8 -Epochs 2 -Seed 21
        $module = Join-Path $RepoRoot 'KerasPS.psd1'
        $script = Join-Path $TestDrive 'worker.ps1'
        Set-Content $script @"
Import-Module '$module'
`$data = 1..4 | ForEach-Object { [pscustomobject]@{ x = 1.0; y = 0.0 } } | ConvertTo-ModelData -Target y -TargetKind Regression
`$build = { param(`$p) Start-Sleep -Seconds 2
    New-Model -InputShape 1 | Add-DenseLayer -Units 1 -UseBias:`$false -KernelInitializer (New-Initializer constant -Value `$p.W) |
        Build-Model -Optimizer (New-Optimizer sgd -LearningRate `$p.R) -Loss mse }
Start-SweepWorker -Storage '$url' -Study kill -Data `$data -ValidationData `$data -BatchSize 4 -ModelScript `$build ``
    -HeartbeatInterval 0.5 -GracePeriod 4 -RetryFailed 1 -Threads 1 | Out-Null
"@
        $pwsh = @(Get-PwshCommand)
        $procs = 1..4 | ForEach-Object {
            $args = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $script)
            Start-Process -FilePath $pwsh[0] -ArgumentList $args -PassThru -RedirectStandardError (Join-Path $TestDrive "err$_.txt") -RedirectStandardOutput (Join-Path $TestDrive "out$_.txt")
        }
        try {
            $victim = $procs[0]
            $deadline = (Get-Date).AddSeconds(120)
            # Wait until the victim runs a trial (its host is machine#pid), then kill it without warning.
            while ((Get-Date) -lt $deadline) {
                $running = Get-SweepTrial -Storage $url -Study kill -Status Running -ErrorAction SilentlyContinue
                if (-not $running) { Start-Sleep -Milliseconds 200; continue }
                $rows = & { Get-SweepTrial -Storage $url -Study kill }
                if ((Get-Process -Id $victim.Id -ErrorAction SilentlyContinue) -and
                    (@(Get-ChildItem /proc/$($victim.Id)/fd -ErrorAction SilentlyContinue | Where-Object { $_.Target -like "*kill.db*" }).Count -gt 0) -and
                    $running.Count -ge 2) { break }
                Start-Sleep -Milliseconds 200
            }
            Start-Sleep -Milliseconds 800
            kill -9 $victim.Id
            foreach ($p in $procs | Select-Object -Skip 1) { $p.WaitForExit(180000) | Should -BeTrue }
        }
        finally {
            foreach ($p in $procs) { if (-not $p.HasExited) { $p.Kill() } }
        }
        $trials = @(Get-SweepTrial -Storage $url -Study kill)
        $failed = @($trials | Where-Object Status -eq Failed)
        $completed = @($trials | Where-Object Status -eq Completed)
        ($completed.Trial | Sort-Object) -join ',' | Should -Be '1,2,3,4,5,6,7,8' -Because 'every trial of the budget completed once'
        if ($failed.Count -gt 0) {
            $failed.Count | Should -Be 1
            $failed[0].ErrorId | Should -Be 'TrialHeartbeatLost'
            $retry = $completed | Where-Object Trial -eq $failed[0].Trial
            $retry.Attempts | Should -Be 2
            $trials.Count | Should -Be 9
        }
        else {
            Set-ItResult -Inconclusive -Because 'the victim was killed between trials'
        }
    }
}

Describe 'Sweep studies on PostgreSQL' -Tag Slow {
    BeforeAll {
        if (-not $hasPostgres) { return }
        $script:pgData = Join-Path ([IO.Path]::GetTempPath()) "kerasps-pg-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        New-Item -ItemType Directory $pgData | Out-Null
        $script:pgPassword = 'S3cret-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        Set-Content (Join-Path $pgData 'pw') $pgPassword
        & chown -R postgres $pgData
        $script:pgPort = Get-FreePort
        & runuser -u postgres -- "$pgBin/initdb" -D "$pgData/db" -U postgres --auth=scram-sha-256 --pwfile="$pgData/pw" -E UTF8 *> "$pgData/initdb.log"
        function script:Start-Pg { & runuser -u postgres -- "$pgBin/pg_ctl" -D "$pgData/db" -l "$pgData/server.log" -w -o "-p $pgPort -k $pgData -c listen_addresses=127.0.0.1" start *> $null }
        function script:Stop-Pg { & runuser -u postgres -- "$pgBin/pg_ctl" -D "$pgData/db" -m fast -w stop *> $null }
        Start-Pg
        $script:pgUrl = "postgresql://postgres:$pgPassword@127.0.0.1:$pgPort/postgres"
    }
    AfterAll {
        if ($hasPostgres -and $pgData) {
            Stop-Pg
            Remove-Item -Recurse -Force $pgData -ErrorAction SilentlyContinue
        }
    }

    It 'holds a study that Python Optuna reads with the same trials, and keeps two studies apart' {
        if (-not $hasPostgres) { Set-ItResult -Skipped -Because "PostgreSQL 15 is not installed in $pgBin (apt-get install postgresql)"; return }
        $null = New-SweepStudy -Storage $pgUrl -Name toy -Parameters $space -Trials 3 -Epochs 2 -Seed 11
        $null = New-SweepStudy -Storage $pgUrl -Name other -Parameters $space -Trials 2 -Epochs 1 -Seed 12
        $ran = @(Start-SweepWorker -Storage $pgUrl -Study toy @worker)
        $other = @(Start-SweepWorker -Storage $pgUrl -Study other @worker)
        $ran.Count | Should -Be 3
        $other.Count | Should -Be 2
        @(Get-SweepTrial -Storage $pgUrl -Study toy).Count | Should -Be 3
        @(Get-SweepTrial -Storage $pgUrl -Study other).Count | Should -Be 2
        $local = @(Invoke-ModelSweep -Random -Trials 3 -Parameters $space -Epochs 2 -Seed 11 @toy)
        foreach ($r in $ran) { $r.Best | Should -Be ($local | Where-Object Trial -eq $r.Trial).Best }
        if (-not $hasOptuna) { Set-ItResult -Skipped -Because "Debian's python3-optuna and python3-psycopg2 are not installed"; return }
        Assert-SameAsOptuna $ran (Read-OptunaStudy $pgUrl toy)
    }

    It 'says a wrong password is wrong, without the password' {
        if (-not $hasPostgres) { Set-ItResult -Skipped -Because "PostgreSQL 15 is not installed in $pgBin"; return }
        $wrong = 'Wr0ngPass-' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $err = $null
        try { Get-SweepTrial -Storage "postgresql://postgres:$wrong@127.0.0.1:$pgPort/postgres" -Study toy } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'StudyStorageAuthenticationFailed,*'
        "$err" | Should -Not -Match $wrong
        "$err" | Should -Match 'postgresql://postgres@127.0.0.1'
        $cred = [pscredential]::new('postgres', (ConvertTo-SecureString $wrong -AsPlainText -Force))
        { Get-SweepTrial -Storage "postgresql://127.0.0.1:$pgPort/postgres" -Credential $cred -Study toy } |
            Should -Throw -ErrorId 'StudyStorageAuthenticationFailed,*'
    }

    It 'goes on when the database stops for 10 s and comes back: nothing lost' {
        if (-not $hasPostgres) { Set-ItResult -Skipped -Because "PostgreSQL 15 is not installed in $pgBin"; return }
        $null = New-SweepStudy -Storage $pgUrl -Name restart -Parameters $space -Trials 6 -Epochs 2 -Seed 31
        $slow = New-SlowWorker 1500
        $ctl = @("$pgBin/pg_ctl", '-D', "$pgData/db", '-w')
        $startArgs = $ctl + @('-l', "$pgData/server.log", '-o', "-p $pgPort -k $pgData -c listen_addresses=127.0.0.1", 'start')
        $job = Start-ThreadJob {
            Start-Sleep -Seconds 3
            $ctl = $using:ctl
            & runuser -u postgres -- @ctl -m fast stop 2>&1
            $stopped = Get-Date
            Start-Sleep -Seconds 10
            & runuser -u postgres -- @using:startArgs 2>&1
            "down for $(((Get-Date) - $stopped).TotalSeconds) s"
        }
        $ran = @(Start-SweepWorker -Storage $pgUrl -Study restart @slow -GracePeriod 60 -WarningAction SilentlyContinue)
        $log = $job | Wait-Job -Timeout 60 | Receive-Job
        $job | Remove-Job -Force
        ($log -join "`n") | Should -Match 'down for 1\d' -Because 'the server was stopped for 10 s while the worker ran'
        $trials = @(Get-SweepTrial -Storage $pgUrl -Study restart)
        ($trials | Where-Object Status -eq Completed).Trial -join ',' | Should -Be '1,2,3,4,5,6'
        $trials.Count | Should -Be 6
        $ran.Count | Should -Be 6
    }
}
