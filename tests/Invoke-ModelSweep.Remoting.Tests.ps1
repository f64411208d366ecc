# Remoting for real: PowerShell over SSH to a throw-away sshd on 127.0.0.1 (tests/SshTestHost.ps1).
# If sshd cannot be installed or started, BeforeAll throws and these tests fail; they are never skipped.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/SshTestHost.ps1
    $script:sshHost = Start-SshTestHost
    $script:manifest = Join-Path $RepoRoot 'KerasPS.psd1'
    $all = Get-SampleData Otto -Rows 400 -Seed 5
    $build = {
        param($p)
        if ($global:KerasPSTestDropOut) { Stop-Process -Id $PID -Force }   # this host "drops out" mid-sweep
        New-Model -InputShape 93 | Add-DenseLayer -Units $p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
            Build-Model -Optimizer (New-Optimizer sgd -LearningRate $p.LearningRate) -Loss categorical_crossentropy -Metrics accuracy
    }
    $script:sweep = @{
        Parameters = @{ Units = 8, 16; LearningRate = 0.1, 0.05 }; ModelScript = $build; Data = $all.Slice(0, 300)
        ValidationData = $all.Slice(300, 100); Epochs = 2; BatchSize = 64; Seed = 9; Threads = 1
    }
    $script:local = @(Invoke-ModelSweep @sweep | Sort-Object Trial)
    $p = $sshHost.SessionParameters
    $script:sessions = @(New-PSSession @p; New-PSSession @p)
}

AfterAll {
    if ($script:sessions) { $script:sessions | Remove-PSSession -ErrorAction Ignore }
    if ($script:sshHost) { Stop-SshTestHost $script:sshHost }
}

Describe 'Invoke-ModelSweep across hosts' -Tag Slow, MachineChanging {
    It 'returns the same trial results as a local run with the same seed' {
        $remote = @(Invoke-ModelSweep @sweep -Session $sessions -ModulePath $manifest | Sort-Object Trial)
        $remote.Count | Should -Be 4
        for ($i = 0; $i -lt 4; $i++) {
            $remote[$i].Status | Should -Be 'Completed'
            $remote[$i].Host | Should -Match '^127\.0\.0\.1#\d+$'
            $remote[$i].Units | Should -Be $local[$i].Units
            $remote[$i].Seed | Should -Be $local[$i].Seed
            $remote[$i].Best | Should -Be $local[$i].Best
            ($remote[$i].History.ValAccuracy -join ',') | Should -Be ($local[$i].History.ValAccuracy -join ',')
        }
        @($remote.Host | Select-Object -Unique).Count | Should -Be 2
        # The sessions are the caller's: the sweep defines no variables or functions in them (trials run in Invoke-ModelTrial).
        Invoke-Command -Session $sessions[0] { Test-Path variable:global:KerasPSSweep } | Should -BeFalse
        Invoke-Command -Session $sessions[0] { @(Get-ChildItem function: | Where-Object Name -like '*Sweep*').Count } | Should -Be 0
    }

    It 'retries the trial of a host that drops out on another host, and says so' {
        $p = $sshHost.SessionParameters
        $doomed = New-PSSession @p
        $pair = @($sessions[0], $doomed)
        try {
            Invoke-Command -Session $pair[1] { $global:KerasPSTestDropOut = $true }
            $warnings = $null
            $remote = @(Invoke-ModelSweep @sweep -Session $pair -ModulePath $manifest -WarningVariable warnings -WarningAction SilentlyContinue | Sort-Object Trial)
            $remote.Count | Should -Be 4
            $retried = @($remote | Where-Object Attempts -eq 2)
            $retried.Count | Should -Be 1
            $retried[0].Host | Should -Be "127.0.0.1#$($pair[0].Id)"
            ($warnings -join "`n") | Should -Match "dropped out during trial $($retried[0].Trial)"
            for ($i = 0; $i -lt 4; $i++) {
                $remote[$i].Status | Should -Be 'Completed'
                $remote[$i].Best | Should -Be $local[$i].Best
            }
            $pair[1].State | Should -Be 'Broken'
        }
        finally { $doomed | Remove-PSSession -ErrorAction Ignore }
    }

    It 'opens and closes its own sessions with -HostName' {
        $before = @(Get-PSSession).Count
        $h = $sshHost
        $remote = @(Invoke-ModelSweep @sweep -HostName $h.HostName -Port $h.Port -UserName $h.UserName -KeyFilePath $h.KeyFilePath -Options $h.Options -ModulePath $manifest | Sort-Object Trial)
        ($remote.Best -join ',') | Should -Be ($local.Best -join ',')
        @(Get-PSSession).Count | Should -Be $before
    }

    It 'copies each trial''s best model back from the remote host with -CheckpointDirectory' {
        $dir = Join-Path $TestDrive 'remote-models'
        $remote = @(Invoke-ModelSweep @sweep -Session $sessions -ModulePath $manifest -CheckpointDirectory $dir | Sort-Object Trial)
        foreach ($t in $remote) {
            $t.Checkpoint | Should -Be (Join-Path $dir ('trial-{0:000}.kpt' -f $t.Trial))
            (Import-Checkpoint -Path $t.Checkpoint).EpochsTrained | Should -Be $t.BestEpoch
        }
        @(Get-ChildItem $dir -Force).Count | Should -Be 4
    }

    It 'cross-validates on remote hosts with the same fold scores as locally' {
        $wine = Get-SampleData Wine
        $cv = @{ Data = $wine; Folds = 3; Stratify = $true; Epochs = 2; BatchSize = 16; Seed = 2; Threads = 1; ModelScript = {
                param($p, $train)
                New-Model | Add-NormalizationLayer -Adapt $train | Add-DenseLayer -Units 3 -Activation softmax | Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy } }
        $localFolds = @(Invoke-ModelCrossValidation @cv | Where-Object { $_ -is [KerasPS.CrossValidationFold] } | Sort-Object Fold)
        $remote = @(Invoke-ModelCrossValidation @cv -Session $sessions -ModulePath $manifest -OutOfFold)
        $remoteFolds = @($remote | Where-Object { $_ -is [KerasPS.CrossValidationFold] } | Sort-Object Fold)
        ($remoteFolds.Best -join ',') | Should -Be ($localFolds.Best -join ',')
        @($remoteFolds.Host | Select-Object -Unique).Count | Should -Be 2
        $remote[-1].OutOfFold.Count | Should -Be 178
    }

    It 'prunes the same trials with -Prune Hyperband on remote hosts as locally, and journals them' {
        $hb = @{ Parameters = [ordered]@{ W = [KerasPS.Uniform]::new(0.5, 2.0); R = [KerasPS.Uniform]::new(0.0, 0.4) }; Epochs = 9; Prune = 'Hyperband'; Seed = 11 } + (Get-ToyCurveSweep)
        $outcome = { ($args[0] | Sort-Object Trial | ForEach-Object { '{0}:{1}:{2}:{3:R}' -f $_.Trial, $_.Status, $_.EpochsRun, $_.Best }) -join ' ' }
        $here = @(Invoke-ModelSweep @hb)
        $journal = Join-Path $TestDrive 'remote-hyperband.jsonl'
        $there = @(Invoke-ModelSweep @hb -Session $sessions -ModulePath $manifest -Journal $journal)
        & $outcome $there | Should -Be (& $outcome $here)
        @($there.Host | Select-Object -Unique).Count | Should -Be 2
        & $outcome (Import-SweepJournal $journal) | Should -Be (& $outcome $here)
    }

    It 'fails clearly when KerasPS cannot be imported on any host' {
        Get-ErrorId { Invoke-ModelSweep @sweep -Session $sessions -ModulePath '/nonexistent/KerasPS.psd1' -WarningAction SilentlyContinue } | Should -Be 'NoSweepHost'
    }
}
