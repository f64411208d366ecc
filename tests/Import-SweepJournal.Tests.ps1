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
}
