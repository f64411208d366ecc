BeforeAll {
    . $PSScriptRoot/common.ps1

    $script:toy = Get-ToyCurveSweep
    $script:space = [ordered]@{ W = [KerasPS.Uniform]::new(0.5, 2.0); R = [KerasPS.Uniform]::new(0.0, 0.4) }
    $script:path = Join-Path $TestDrive 'sweep.jsonl'
    $script:live = @(Invoke-ModelSweep @toy -Parameters $space -Epochs 9 -Prune Hyperband -Seed 3 -Journal $path)
}

Describe 'Import-SweepJournal' {
    It 'reads one TrialResult per trial, in trial order, as the sweep wrote them' {
        $read = @(Import-SweepJournal $path)
        $read.Count | Should -Be $live.Count
        $read.Trial | Should -Be (1..17)
        foreach ($r in $read) {
            $r.PSObject.TypeNames | Should -Contain 'KerasPS.TrialResult'
            $l = $live | Where-Object Trial -eq $r.Trial
            $r.Status | Should -Be $l.Status
            $r.PrunedAtEpoch | Should -Be $l.PrunedAtEpoch
            $r.Best | Should -Be $l.Best
            $r.BestEpoch | Should -Be $l.BestEpoch
            $r.Seed | Should -Be $l.Seed
            $r.W | Should -Be $l.W
            $r.R | Should -Be $l.R
            $r.ValLoss | Should -Be $l.ValLoss
            $r.EpochsRun | Should -Be $l.EpochsRun
            ($r.History.ValLoss) | Should -Be ($l.History.ValLoss)
            $r.FromJournal | Should -BeTrue
        }
    }

    It 'keeps the parameters'' types, for Sort-Object and Export-Csv' {
        $read = @(Import-SweepJournal -Path $path)
        $read[0].W | Should -BeOfType [double]
        $best = $read | Sort-Object ValLoss | Select-Object -First 1
        $best.ValLoss | Should -Be ($live | Sort-Object ValLoss | Select-Object -First 1).ValLoss
        $csv = Join-Path $TestDrive 'sweep.csv'
        $read | Export-Csv $csv
        $rows = Import-Csv $csv
        $rows.Count | Should -Be 17
        $rows[0].PSObject.Properties.Name | Should -Contain 'W'
        $rows[0].PSObject.Properties.Name | Should -Contain 'ValLoss'
        @($rows | Where-Object Status -eq 'Pruned').Count | Should -Be 12
    }

    It 'plots the histories it reads' {
        $png = Join-Path $TestDrive 'sweep.png'
        Import-SweepJournal $path | Where-Object Status -eq Completed | Export-HistoryPlot -Path $png
        (Get-Item $png).Length | Should -BeGreaterThan 0
    }

    It 'takes the path from Get-ChildItem' {
        @(Get-Item $path | Import-SweepJournal).Count | Should -Be 17
    }

    It 'ignores a torn last line, leaving the file as it is' {
        $torn = Join-Path $TestDrive 'torn.jsonl'
        Copy-Item $path $torn
        Add-Content -Path $torn -Value '{"kind":"result","trial":18,"epo' -NoNewline
        $before = (Get-Item $torn).Length
        @(Import-SweepJournal $torn).Count | Should -Be 17
        (Get-Item $torn).Length | Should -Be $before
    }

    It 'reports a missing file and a damaged one' {
        Get-ErrorId { Import-SweepJournal (Join-Path $TestDrive 'none.jsonl') } | Should -Be 'JournalNotFound'
        $bad = Join-Path $TestDrive 'bad.jsonl'
        Set-Content -Path $bad -Value 'not json', '{"kind":"sweep"}'
        Get-ErrorId { Import-SweepJournal $bad } | Should -Be 'JournalCorrupt'
    }

    Context 'strict reading (issue 28)' {
        BeforeAll {
            $script:lines = @(Get-Content $path)
            $script:resultLine = $lines | Where-Object { ($_ | ConvertFrom-Json).kind -eq 'result' } | Select-Object -First 1
            # The journal's header and one result record, the result changed: a field set to raw JSON text.
            function New-Journal([string] $Name, [string] $Field, [string] $Raw, [scriptblock] $Edit) {
                $r = $script:resultLine | ConvertFrom-Json -AsHashtable
                if ($Edit) { & $Edit $r }
                if ($Field) { $r[$Field] = '@@RAW@@' }
                $line = ($r | ConvertTo-Json -Compress -Depth 20).Replace('"@@RAW@@"', $Raw)
                $file = Join-Path $TestDrive $Name
                [IO.File]::WriteAllText($file, $script:lines[0] + "`n" + $line + "`n")
                $file
            }
        }

        It 'refuses <case> as JournalCorrupt naming line 2' -ForEach @(
            @{ case = 'null parameters'; field = 'parameters'; raw = 'null' }
            @{ case = 'a null parameter'; field = 'parameters'; raw = '[null]' }
            @{ case = 'a null history'; field = 'history'; raw = 'null' }
            @{ case = 'a null epoch in the history'; field = 'history'; raw = '[null]' }
            @{ case = 'a null status'; field = 'status'; raw = 'null' }
            @{ case = 'a null host'; field = 'host'; raw = 'null' }
            @{ case = 'a non-numeric double parameter'; field = 'parameters'; raw = '[{"name":"W","type":"double","value":"abc"}]' }
            @{ case = 'a NaN double parameter'; field = 'parameters'; raw = '[{"name":"W","type":"double","value":"NaN"}]' }
            @{ case = 'an int parameter out of range'; field = 'parameters'; raw = '[{"name":"W","type":"int","value":"99999999999"}]' }
            @{ case = 'a bool parameter that is not one'; field = 'parameters'; raw = '[{"name":"W","type":"bool","value":"maybe"}]' }
            @{ case = 'a parameter of an unknown type'; field = 'parameters'; raw = '[{"name":"W","type":"matrix","value":"1"}]' }
            @{ case = 'trial id 2147483647'; field = 'trial'; raw = '2147483647' }
            @{ case = 'trial id 2147483648 (int overflow)'; field = 'trial'; raw = '2147483648' }
            @{ case = 'trial id -5'; field = 'trial'; raw = '-5' }
            @{ case = 'trial id 0'; field = 'trial'; raw = '0' }
            @{ case = 'status Bogus'; field = 'status'; raw = '"Bogus"' }
            @{ case = 'kind Bogus'; field = 'kind'; raw = '"Bogus"' }
            @{ case = 'best 1e309'; field = 'best'; raw = '1e309' }
            @{ case = 'best NaN'; field = 'best'; raw = '"NaN"' }
            @{ case = 'a negative epoch count'; field = 'epochs'; raw = '-3' }
            @{ case = 'a whole but unparsable last line'; field = 'best'; raw = '0.5,"x":' }
        ) {
            $file = New-Journal "bad-$([guid]::NewGuid().ToString('N')).jsonl" $field $raw
            $err = try { Import-SweepJournal $file; $null } catch { $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'JournalCorrupt'
            $err.Exception.Message | Should -BeLike "Line 2 of the sweep journal*"
            # Resuming reads the journal by the same rules.
            Get-ErrorId { Invoke-ModelSweep @toy -Parameters $space -Epochs 9 -Prune Hyperband -Seed 3 -Journal $file } |
                Should -Be 'JournalCorrupt'
        }

        It 'refuses two records spliced into one line, even as the last line' {
            $file = Join-Path $TestDrive 'spliced.jsonl'
            [IO.File]::WriteAllText($file, $lines[0] + "`n" + $resultLine + $resultLine + "`n")
            Get-ErrorId { Import-SweepJournal $file } | Should -Be 'JournalCorrupt'
        }

        It 'refuses a line longer than the bound without reading it whole' {
            $file = Join-Path $TestDrive 'long.jsonl'
            $r = $resultLine | ConvertFrom-Json -AsHashtable
            $r.error = 'x' * 6MB
            [IO.File]::WriteAllText($file, $lines[0] + "`n" + ($r | ConvertTo-Json -Compress -Depth 20) + "`n")
            $err = try { Import-SweepJournal $file; $null } catch { $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'JournalCorrupt'
            $err.Exception.Message | Should -BeLike '*Line 2*longer than 4,194,304 bytes*'
        }

        It 'reads two conflicting results of one trial by one rule, the first, in import and in resume' {
            $file = Join-Path $TestDrive 'conflict.jsonl'
            Copy-Item $path $file
            $first = @(Import-SweepJournal $file) | Where-Object Trial -eq 1
            $r = ($lines | Where-Object { $o = $_ | ConvertFrom-Json; $o.kind -eq 'result' -and $o.trial -eq 1 }) | ConvertFrom-Json -AsHashtable
            $r.best = 123.25
            Add-Content -Path $file -Value ($r | ConvertTo-Json -Compress -Depth 20)
            (@(Import-SweepJournal $file) | Where-Object Trial -eq 1).Best | Should -Be $first.Best
            $resumed = @(Invoke-ModelSweep @toy -Parameters $space -Epochs 9 -Prune Hyperband -Seed 3 -Journal $file)
            ($resumed | Where-Object Trial -eq 1).Best | Should -Be $first.Best
            @($resumed | Where-Object FromJournal).Count | Should -Be 17
        }

        It 'refuses a second sweep on a journal a sweep holds, naming its process id (JournalLocked)' {
            $file = Join-Path $TestDrive 'locked.jsonl'
            $held = (Get-KerasType 'KerasPS.Engine.Sweeps.SweepJournal')::Open($file)
            try {
                $err = try { Invoke-ModelSweep @toy -Parameters $space -Epochs 2 -Random -Trials 1 -Seed 3 -Journal $file; $null } catch { $_ }
                ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'JournalLocked'
                $err.Exception.Message | Should -BeLike "*in use by another sweep (process id $PID)*"
                (Get-Item $file).Length | Should -Be 0 -Because 'the refused sweep wrote nothing'
            }
            finally { $held.Dispose() }
            @(Invoke-ModelSweep @toy -Parameters $space -Epochs 2 -Random -Trials 1 -Seed 3 -Journal $file).Count | Should -Be 1
        }

        It 'stops a sweep on a full disk with JournalWriteFailed, and the journal resumes once there is space' {
            $disk = Join-Path $TestDrive 'full'
            if ($why = Mount-SmallDisk $disk -FreePages 2) { Set-ItResult -Skipped -Because $why; return }
            try {
                $sweep = @{ Parameters = $space; Epochs = 2; Random = $true; Trials = 30; Seed = 5 } + $toy
                $unbroken = @(Invoke-ModelSweep @sweep -Journal (Join-Path $TestDrive 'unbroken.jsonl'))
                $file = Join-Path $disk 'sweep.jsonl'
                # One page for the lock's process id, one for the journal: some records fit, then the disk is full.
                $err = try { Invoke-ModelSweep @sweep -Journal $file | Out-Null; $null } catch { $_ }
                ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'JournalWriteFailed'
                $err.Exception.Message | Should -BeLike '*records already in it are kept*'
                $kept = @(Import-SweepJournal $file)
                $kept.Count | Should -BeGreaterThan 0
                $kept.Count | Should -BeLessThan 30
                [IO.File]::ReadAllText($file) | Should -Match '\n$' -Because 'the journal ends in a whole record'
                Remove-Item (Join-Path $disk 'filler')
                $resumed = @(Invoke-ModelSweep @sweep -Journal $file)
                @($resumed | ForEach-Object { "$($_.Trial) $($_.Best)" }) | Should -Be @($unbroken | ForEach-Object { "$($_.Trial) $($_.Best)" })
                @($resumed | Where-Object FromJournal).Count | Should -Be $kept.Count
            }
            finally { Dismount-SmallDisk $disk }
        }

        It 'releases the lock when the holding process ends without closing the journal' -Tag Slow {
            $file = Join-Path $TestDrive 'orphan.jsonl'
            $r = Invoke-FreshPwsh -Script @"
Import-Module '$(Join-Path $script:RepoRoot 'KerasPS.psd1')'
Import-Module '$(Join-Path $PSScriptRoot 'TestHelpers.psm1')' -DisableNameChecking
`$j = (Get-KerasType 'KerasPS.Engine.Sweeps.SweepJournal')::Open('$file')
'opened'
[Environment]::Exit(3)
"@
            $r.Output | Should -Match 'opened'
            Test-Path "$file.lock" | Should -BeTrue
            @(Invoke-ModelSweep @toy -Parameters $space -Epochs 2 -Random -Trials 1 -Seed 3 -Journal $file).Count | Should -Be 1
        }
    }
}

