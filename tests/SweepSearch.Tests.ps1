# The engine's sweep schedulers, driven directly: Hyperband's brackets and promotions, TPE against random search on a
# toy objective with a known optimum, and the journal's file format. The cmdlet-level tests are in
# Invoke-ModelSweep.Search.Tests.ps1 and Import-SweepJournal.Tests.ps1.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $null = [KerasPS.Uniform]::new(0, 1)   # loads the engine
    $script:Hyperband = Get-KerasType 'KerasPS.Engine.Sweeps.HyperbandSchedule'
    $script:Plan = Get-KerasType 'KerasPS.Engine.Sweeps.SweepPlan'
    $script:Tpe = Get-KerasType 'KerasPS.Engine.Sweeps.TpeSampler'
    $script:Observation = Get-KerasType 'KerasPS.Engine.Sweeps.TrialObservation'
    $script:Journal = Get-KerasType 'KerasPS.Engine.Sweeps.SweepJournal'
    $script:Record = Get-KerasType 'KerasPS.Engine.Sweeps.JournalRecord'

    function New-Space([System.Collections.Specialized.OrderedDictionary] $Ranges) {
        $kv = [System.Collections.Generic.KeyValuePair[string, object[]]]
        $space = [System.Collections.Generic.List[System.Collections.Generic.KeyValuePair[string, object[]]]]::new()
        foreach ($k in $Ranges.Keys) { $space.Add($kv::new($k, [object[]]@($Ranges[$k]))) }
        , $space
    }
    function Get-EngineErrorId([scriptblock] $ScriptBlock) {
        try { & $ScriptBlock | Out-Null } catch { $e = $_.Exception; while ($e -and -not $e.PSObject.Properties['ErrorId']) { $e = $e.InnerException }; return $e.ErrorId }
    }
    # Reports every run of a rung with the value the table gives and returns what the schedule asked for next.
    function Send-Rung($Schedule, [int[]] $Trials, [int] $Epochs, [hashtable] $Values) {
        $runs = @(); $verdicts = @()
        foreach ($t in $Trials) {
            $answer = $Schedule.Report($t, $Epochs, $Values[$t])
            $runs += $answer.Item1; $verdicts += $answer.Item2
        }
        [pscustomobject]@{ Runs = $runs; Verdicts = $verdicts }
    }
}

Describe 'HyperbandSchedule' {
    It 'lays out the brackets of the Hyperband paper''s table for R = 81, eta = 3' {
        # Li et al. (2018), Table 1: (n_i, r_i) per bracket s = 4..0.
        $h = $Hyperband::new(81, 3, $false)
        $layout = $h.Brackets | ForEach-Object { ($_.Item3 | ForEach-Object { $_ }) -join ',' }
        $layout -join ' | ' | Should -Be '81,27,9,3,1 | 34,11,3,1 | 15,5,1 | 8,2 | 5'
        $epochs = $h.Brackets | ForEach-Object { ($_.Item4 | ForEach-Object { $_ }) -join ',' }
        $epochs -join ' | ' | Should -Be '1,3,9,27,81 | 3,9,27,81 | 9,27,81 | 27,81 | 81'
        $h.TotalTrials | Should -Be (81 + 34 + 15 + 8 + 5)
    }

    It 'numbers trials bracket by bracket and starts every bracket''s first rung' {
        $h = $Hyperband::new(9, 3, $false)
        $h.TotalTrials | Should -Be 17                       # 9 + 5 + 3
        $h.PlannedEpochs | Should -Be (9 * 1 + 3 * 3 + 1 * 9 + 5 * 3 + 1 * 9 + 3 * 9)
        $start = $h.Start()
        ($start | ForEach-Object { "$($_.Trial)@$($_.Epochs)" }) -join ' ' |
            Should -Be '1@1 2@1 3@1 4@1 5@1 6@1 7@1 8@1 9@1 10@3 11@3 12@3 13@3 14@3 15@9 16@9 17@9'
    }

    It 'decides a rung only when all its runs reported, promoting the best third and pruning the rest' {
        $h = $Hyperband::new(9, 3, $false)
        $values = @{ 1 = 0.9; 2 = 0.5; 3 = 0.7; 4 = 0.2; 5 = 0.8; 6 = 0.4; 7 = 0.6; 8 = 0.3; 9 = 0.1 }
        foreach ($t in 1..8) {
            $answer = $h.Report($t, 1, $values[$t])
            $answer.Item1.Count + $answer.Item2.Count | Should -Be 0
        }
        $last = $h.Report(9, 1, $values[9])
        ($last.Item1 | ForEach-Object { "$($_.Trial)@$($_.Epochs)" }) -join ' ' | Should -Be '4@3 8@3 9@3'
        ($last.Item2 | ForEach-Object { "$($_.Trial):$($_.Pruned)@$($_.Epochs)" }) -join ' ' |
            Should -Be '1:True@1 2:True@1 3:True@1 5:True@1 6:True@1 7:True@1'
        # At 3 epochs the order changes (trial 8 overtakes); one goes on to 9 epochs.
        $r = Send-Rung $h 4, 8, 9 3 @{ 4 = 0.15; 8 = 0.05; 9 = 0.08 }
        ($r.Runs | ForEach-Object { "$($_.Trial)@$($_.Epochs)" }) -join ' ' | Should -Be '8@9'
        ($r.Verdicts | ForEach-Object { "$($_.Trial):$($_.Pruned)@$($_.Epochs)" }) -join ' ' | Should -Be '4:True@3 9:True@3'
        $r = Send-Rung $h 8 9 @{ 8 = 0.01 }
        $r.Runs.Count | Should -Be 0
        ($r.Verdicts | ForEach-Object { "$($_.Trial):$($_.Pruned)@$($_.Epochs)" }) -join ' ' | Should -Be '8:False@9'
    }

    It 'ranks by the highest value for an accuracy, never promotes a failed run, and breaks ties by trial number' {
        $h = $Hyperband::new(9, 3, $true)
        $values = @{ 1 = 0.5; 2 = $null; 3 = 0.5; 4 = 0.9; 5 = 0.5; 6 = $null; 7 = 0.1; 8 = 0.2; 9 = 0.3 }
        $r = Send-Rung $h (1..9) 1 $values
        ($r.Runs | ForEach-Object Trial) -join ' ' | Should -Be '1 3 4'
        # A failed run is not "pruned": it ended on its own.
        ($r.Verdicts | Where-Object Trial -in 2, 6 | ForEach-Object Pruned) | Should -Be @($false, $false)
    }

    It 'refuses a run it did not ask for' {
        $h = $Hyperband::new(9, 3, $false)
        Get-EngineErrorId { $h.Report(1, 3, 0.5) } | Should -Be 'UnexpectedRun'
        Get-EngineErrorId { $h.Report(99, 1, 0.5) } | Should -Be 'UnknownTrial'
        Get-EngineErrorId { $Hyperband::new(9, 1, $false) } | Should -Be 'InvalidPruneFactor'
    }
}

Describe 'TpeSampler' {
    BeforeAll {
        # A toy objective with its optimum at X = 0.3, Rate = 10^-2.5, Units = 64 (value 0).
        $script:space = New-Space ([ordered]@{
                X     = [KerasPS.Uniform]::new(0, 1)
                Rate  = [KerasPS.LogUniform]::new(1e-5, 1)
                Units = [KerasPS.IntRange]::new(8, 512)
            })
        function script:Get-Objective($Spec) {
            $x = $Spec.Parameters[0].Value; $rate = $Spec.Parameters[1].Value; $units = $Spec.Parameters[2].Value
            [math]::Pow($x - 0.3, 2) + [math]::Pow([math]::Log10($rate) + 2.5, 2) / 4 + [math]::Pow([math]::Log($units, 2) - 6, 2) / 20
        }
        function script:Invoke-Tpe([long] $Seed, [int] $Trials) {
            $sampler = $Tpe::new($space, $Seed, $false, 10, 24)
            $seen = [System.Collections.Generic.List[object]]::new()
            for ($t = 1; $t -le $Trials; $t++) {
                $list = [System.Collections.Generic.List[KerasPS.Engine.Sweeps.TrialObservation]]::new()
                foreach ($o in $seen) { $list.Add($o) }
                $spec = $sampler.Propose($t, $list)
                $seen.Add($Observation::new($spec, [Nullable[double]](Get-Objective $spec)))
                $spec
            }
        }
    }

    It 'starts with exactly the trials of a random sweep with the same seed' {
        $tpe = @(Invoke-Tpe 3 10)
        $random = $Plan::Random($space, 10, 3)
        foreach ($i in 0..9) {
            ($tpe[$i].Parameters.Value -join ',') | Should -Be ($random[$i].Parameters.Value -join ',')
            $tpe[$i].Seed | Should -Be $random[$i].Seed
        }
    }

    It 'proposes values inside the ranges, integers for an IntRange, and the same values for the same seed' {
        $a = @(Invoke-Tpe 5 25)
        $b = @(Invoke-Tpe 5 25)
        ($a | ForEach-Object { $_.Parameters.Value -join ',' }) | Should -Be ($b | ForEach-Object { $_.Parameters.Value -join ',' })
        foreach ($s in $a) {
            $s.Parameters[0].Value | Should -BeGreaterOrEqual 0
            $s.Parameters[0].Value | Should -BeLessOrEqual 1
            $s.Parameters[1].Value | Should -BeGreaterOrEqual 1e-5
            $s.Parameters[1].Value | Should -BeLessOrEqual 1
            $s.Parameters[2].Value | Should -BeOfType [int]
            $s.Parameters[2].Value | Should -BeGreaterOrEqual 8
            $s.Parameters[2].Value | Should -BeLessOrEqual 512
        }
    }

    It 'gets closer to the optimum than random search with the same seed and trial count, over several seeds' {
        $wins = 0; $tpeSum = 0.0; $randomSum = 0.0
        foreach ($seed in 1..8) {
            $tpeBest = (Invoke-Tpe $seed 40 | ForEach-Object { Get-Objective $_ } | Measure-Object -Minimum).Minimum
            $randomBest = ($Plan::Random($space, 40, $seed) | ForEach-Object { Get-Objective $_ } | Measure-Object -Minimum).Minimum
            if ($tpeBest -lt $randomBest) { $wins++ }
            $tpeSum += $tpeBest; $randomSum += $randomBest
        }
        $wins | Should -BeGreaterOrEqual 6 -Because 'TPE should beat random search on most seeds'
        ($tpeSum / 8) | Should -BeLessThan ($randomSum / 8 / 2) -Because 'on average it should land at least twice as close'
    }

    It 'learns which choice of a list is good' {
        $choices = New-Space ([ordered]@{ Activation = 'relu', 'tanh', 'sigmoid', 'elu' })
        $sampler = $Tpe::new($choices, 1, $false, 10, 24)
        $seen = [System.Collections.Generic.List[KerasPS.Engine.Sweeps.TrialObservation]]::new()
        $later = foreach ($t in 1..30) {
            $spec = $sampler.Propose($t, $seen)
            $seen.Add($Observation::new($spec, [Nullable[double]]$(if ($spec.Parameters[0].Value -eq 'elu') { 0.1 } else { 1.0 })))
            if ($t -gt 10) { $spec.Parameters[0].Value }
        }
        @($later | Where-Object { $_ -eq 'elu' }).Count | Should -BeGreaterOrEqual 15
    }
}

Describe 'MedianStopping' {
    It 'takes per epoch the median over the histories that reached it, NaN where none did' {
        $Median = Get-KerasType 'KerasPS.Engine.Sweeps.MedianStopping'
        $Epoch = Get-KerasType 'KerasPS.Engine.Training.EpochRecord'
        function New-History([double[]] $Values) {
            $list = [System.Collections.Generic.List[KerasPS.Engine.Training.EpochRecord]]::new()
            for ($i = 0; $i -lt $Values.Count; $i++) {
                $d = [System.Collections.Generic.Dictionary[string, double]]::new(); $d['loss'] = 1; $d['val_loss'] = $Values[$i]
                $list.Add($Epoch::new($i + 1, $d, 0.01, [TimeSpan]::Zero, 10))
            }
            , $list
        }
        $histories = [System.Collections.Generic.List[System.Collections.Generic.IReadOnlyList[KerasPS.Engine.Training.EpochRecord]]]::new()
        $histories.Add((New-History 0.9, 0.5, 0.4)); $histories.Add((New-History 0.7, 0.6)); $histories.Add((New-History 0.8, 0.2, 0.1)); $histories.Add((New-History 0.3))
        $t = $Median::Thresholds($histories, 'val_loss', 4, 1)
        $t[0] | Should -Be 0.75          # 0.3 0.7 0.8 0.9
        $t[1] | Should -Be 0.5           # 0.2 0.5 0.6
        $t[2] | Should -Be 0.25          # 0.1 0.4
        [double]::IsNaN($t[3]) | Should -BeTrue
    }
}

Describe 'SweepJournal' {
    It 'reads back whole records and ignores a torn last line, and cuts it off before appending' {
        $path = Join-Path $TestDrive 'torn.jsonl'
        $j = $Journal::Open($path)
        foreach ($t in 1..3) { $r = $Record::new(); $r.Kind = 'result'; $r.Trial = $t; $r.Best = $t / 10; $j.Append($r) }
        $j.Dispose()
        $whole = [IO.File]::ReadAllBytes($path)
        [IO.File]::AppendAllText($path, '{"kind":"result","trial":4,"be')
        @($Journal::Read($path)).Count | Should -Be 3
        $j = $Journal::Open($path)
        $j.HadTornTail | Should -BeTrue
        $j.Records.Count | Should -Be 3
        [IO.File]::ReadAllBytes($path).Length | Should -Be $whole.Length
        $r = $Record::new(); $r.Kind = 'result'; $r.Trial = 4; $j.Append($r)
        $j.Dispose()
        @($Journal::Read($path) | ForEach-Object Trial) | Should -Be @(1, 2, 3, 4)
    }

    It 'treats a complete last record without its newline as torn (the write did not finish)' {
        $path = Join-Path $TestDrive 'nonewline.jsonl'
        Set-Content -Path $path -Value '{"kind":"result","trial":1}' -NoNewline
        @($Journal::Read($path)).Count | Should -Be 0
    }

    It 'reports a damaged line that is not the last as corruption' {
        $path = Join-Path $TestDrive 'corrupt.jsonl'
        Set-Content -Path $path -Value '{"kind":"result","trial":1}', 'garbage', '{"kind":"result","trial":2}'
        Get-EngineErrorId { $Journal::Read($path) } | Should -Be 'JournalCorrupt'
    }

    It 'keeps parameter types and doubles exactly' {
        $p = Get-KerasType 'KerasPS.Engine.Sweeps.JournalParameter'
        foreach ($v in 0.1, (1 / 3), 64, [long]5e10, 'relu', $true, 1e-300) {
            $back = $p::From('x', $v).ToValue()
            $back | Should -Be $v
            $back.GetType() | Should -Be $v.GetType()
        }
    }
}
