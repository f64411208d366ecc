# Invoke-ModelSweep's searches that learn and survive: -Prune Hyperband, -Search Tpe and -Journal. The trials use a toy
# model whose loss curve is known in closed form (Get-ToyCurveSweep), so each decision can be checked by hand.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:toy = Get-ToyCurveSweep
    $script:space = [ordered]@{ W = [KerasPS.Uniform]::new(0.5, 2.0); R = [KerasPS.Uniform]::new(0.0, 0.4) }
    $script:hyperband = @{ Parameters = $space; Epochs = 9; Prune = 'Hyperband'; Seed = 11 } + $toy

    function Get-Outcome($Results) {
        # What a sweep decided, one line per trial: comparable between runs.
        ($Results | Sort-Object Trial | ForEach-Object { '{0}:{1}:{2}:{3}:{4}:{5:R}' -f $_.Trial, $_.Status, $_.EpochsRun, $_.Seed, ($_.Parameters.Values -join '/'), $_.Best }) -join "`n"
    }
}

Describe 'Invoke-ModelSweep -Prune Hyperband' {
    BeforeAll {
        $script:results = @(Invoke-ModelSweep @hyperband)
    }

    It 'samples the 17 trials of Hyperband''s brackets for 9 epochs and factor 3' {
        $results.Count | Should -Be 17
        ($results.Trial | Sort-Object) | Should -Be (1..17)
    }

    It 'records each trial''s loss as the closed form gives it' {
        foreach ($r in $results) {
            $r.EpochsRun | Should -BeGreaterThan 0
            $r.Best | Should -BeLessOrEqual ((Get-ToyCurveLoss $r.W $r.R $r.EpochsRun) * 1.0001 + 1e-7)
            $r.Best | Should -BeGreaterOrEqual ((Get-ToyCurveLoss $r.W $r.R $r.EpochsRun) * 0.9999 - 1e-7)
        }
    }

    It 'promotes exactly the trials that successive halving on the closed-form losses promotes' {
        # Li et al. 2018 for R = 9, eta = 3: trials 1-9 on 1 epoch keep 3 for 3 epochs, then 1 for 9; trials 10-14 on
        # 3 epochs keep 1 for 9; trials 15-17 train 9 epochs.
        $byTrial = @{}; foreach ($r in $results) { $byTrial[$r.Trial] = $r }
        $expected = @{}
        foreach ($bracket in @(@{ Trials = 1..9; Epochs = 1, 3, 9; Keep = 3, 1 }, @{ Trials = 10..14; Epochs = 3, 9; Keep = @(1) }, @{ Trials = 15..17; Epochs = @(9); Keep = @() })) {
            $alive = $bracket.Trials
            for ($i = 0; $i -lt $bracket.Epochs.Count; $i++) {
                $e = $bracket.Epochs[$i]
                $ranked = @($alive | Sort-Object { Get-ToyCurveLoss $byTrial[$_].W $byTrial[$_].R $e }, { $_ })
                $keep = if ($i -lt $bracket.Keep.Count) { $bracket.Keep[$i] } else { 0 }
                foreach ($t in ($ranked | Select-Object -Skip $keep)) {
                    $expected[$t] = if ($i -lt $bracket.Epochs.Count - 1) { "Pruned@$e" } else { "Completed@$e" }
                }
                $alive = @($ranked | Select-Object -First $keep)
            }
        }
        foreach ($r in $results) {
            $actual = if ($r.Status -eq 'Pruned') { "Pruned@$($r.PrunedAtEpoch)" } else { "$($r.Status)@$($r.EpochsRun)" }
            $actual | Should -Be $expected[$r.Trial] -Because "trial $($r.Trial) (W=$($r.W), R=$($r.R))"
        }
        @($results | Where-Object Pruned).Count | Should -Be (6 + 2 + 4)
        @($results | Where-Object Status -eq Completed).Count | Should -Be (1 + 1 + 3)
    }

    It 'reports pruned trials as such, with the epoch they reached' {
        foreach ($r in $results | Where-Object Pruned) {
            $r.Status | Should -Be 'Pruned'
            $r.PrunedAtEpoch | Should -Be $r.EpochsRun
            $r.PrunedAtEpoch | Should -BeLessThan 9
        }
        foreach ($r in $results | Where-Object { -not $_.Pruned }) { $r.PrunedAtEpoch | Should -BeNullOrEmpty }
    }

    It 'makes the same decisions at -ThrottleLimit 2' -Tag Slow {
        $parallel = @(Invoke-ModelSweep @hyperband -ThrottleLimit 2)
        Get-Outcome $parallel | Should -Be (Get-Outcome $results)
    }

    It 'refuses -Trials, another search and -Folds' {
        Get-ErrorId { Invoke-ModelSweep @hyperband -Trials 5 } | Should -Be 'TrialsWithHyperband'
        Get-ErrorId { Invoke-ModelSweep @hyperband -Search Tpe } | Should -Be 'PruneNeedsRandomSearch'
        $noValidation = $hyperband.Clone(); $noValidation.Remove('ValidationData')
        Get-ErrorId { Invoke-ModelSweep @noValidation -Folds 2 } | Should -Be 'FoldsWithPrune'
    }
}

Describe 'Invoke-ModelSweep -Prune Median' {
    BeforeAll {
        $script:median = @{ Parameters = $space; Epochs = 4; Random = $true; Trials = 14; Prune = 'Median'; Seed = 5 } + $toy
        $script:results = @(Invoke-ModelSweep @median)
    }

    It 'stops exactly the trials the median rule stops, after the epoch it names' {
        # Worked out from the closed form: trials 1-5 run all 4 epochs; trial k > 5 stops after the first epoch e at
        # which its loss (falling, so also its best so far) is above the median of trials 1..k-1's losses at epoch e.
        $sorted = @($results | Sort-Object Trial)
        $epochsOf = @{}
        foreach ($r in $sorted) {
            $k = $r.Trial
            $prunedAt = $null
            if ($k -gt 5) {
                foreach ($e in 1..4) {
                    $earlier = @(1..($k - 1) | Where-Object { $epochsOf[$_] -ge $e } | ForEach-Object { $j = $sorted[$_ - 1]; Get-ToyCurveLoss $j.W $j.R $e } | Sort-Object)
                    $n = $earlier.Count
                    $med = if ($n % 2) { $earlier[($n - 1) / 2] } else { ($earlier[$n / 2 - 1] + $earlier[$n / 2]) / 2 }
                    if ((Get-ToyCurveLoss $r.W $r.R $e) -gt $med) { $prunedAt = $e; break }
                }
            }
            $epochsOf[$k] = if ($prunedAt) { $prunedAt } else { 4 }
            $r.EpochsRun | Should -Be $epochsOf[$k] -Because "trial $k (W=$($r.W), R=$($r.R))"
            $r.Status | Should -Be $(if ($prunedAt) { 'Pruned' } else { 'Completed' }) -Because "trial $k"
            $r.PrunedAtEpoch | Should -Be $prunedAt
        }
        @($results | Where-Object Pruned).Count | Should -BeGreaterThan 0
        @($results | Where-Object Trial -le 5 | Where-Object Pruned).Count | Should -Be 0
    }

    It 'is reproducible at -ThrottleLimit 2 and resumes from its journal' -Tag Slow {
        $path = Join-Path $TestDrive 'median.jsonl'
        $a = @(Invoke-ModelSweep @median -ThrottleLimit 2 -Journal $path)
        $b = @(Invoke-ModelSweep @median -ThrottleLimit 2)
        Get-Outcome $a | Should -Be (Get-Outcome $b)
        $again = @(Invoke-ModelSweep @median -ThrottleLimit 2 -Journal $path)
        Get-Outcome $again | Should -Be (Get-Outcome $a)
        ($again | Sort-Object Trial | ForEach-Object PrunedAtEpoch) | Should -Be ($a | Sort-Object Trial | ForEach-Object PrunedAtEpoch)
    }
}

Describe 'Invoke-ModelSweep -Search Tpe' {
    BeforeAll {
        $script:tpe = @{ Parameters = $space; Epochs = 3; Search = 'Tpe'; Trials = 16; Seed = 4 } + $toy
        $script:first = @(Invoke-ModelSweep @tpe)
    }

    It 'runs -Trials trials, the first ten those of a random sweep with the same seed' {
        $first.Count | Should -Be 16
        $random = @(Invoke-ModelSweep @toy -Parameters $space -Epochs 3 -Random -Trials 10 -Seed 4)
        Get-Outcome ($first | Where-Object Trial -le 10) | Should -Be (Get-Outcome $random)
    }

    It 'proposes later trials near the good ones (the loss falls with R and with smaller W)' {
        $later = $first | Where-Object Trial -gt 10
        $early = $first | Where-Object Trial -le 10
        ($later | Measure-Object Best -Average).Average | Should -BeLessThan ($early | Measure-Object Best -Average).Average
    }

    It 'is reproducible for a given seed and throttle' -Tag Slow {
        Get-Outcome (Invoke-ModelSweep @tpe) | Should -Be (Get-Outcome $first)
        $a = Invoke-ModelSweep @tpe -ThrottleLimit 2
        $b = Invoke-ModelSweep @tpe -ThrottleLimit 2
        Get-Outcome $a | Should -Be (Get-Outcome $b)
    }

    It 'needs -Trials, and -Random is not another search' {
        Get-ErrorId { Invoke-ModelSweep @toy -Parameters $space -Search Tpe } | Should -Be 'TrialsRequired'
        Get-ErrorId { Invoke-ModelSweep @toy -Parameters $space -Search Tpe -Random -Trials 3 } | Should -Be 'SearchConflict'
    }
}

Describe 'Invoke-ModelSweep -Journal' {
    It 'records every trial once and, run again, writes the same results from the journal without training' {
        $path = Join-Path $TestDrive 'random.jsonl'
        $sweep = @{ Parameters = $space; Epochs = 3; Random = $true; Trials = 5; Seed = 8; Journal = $path } + $toy
        $live = @(Invoke-ModelSweep @sweep)
        $again = @(Invoke-ModelSweep @sweep)
        Get-Outcome $again | Should -Be (Get-Outcome $live)
        @($live | Where-Object FromJournal).Count | Should -Be 0
        @($again | Where-Object FromJournal).Count | Should -Be 5
        $lines = Get-Content $path | ConvertFrom-Json
        @($lines | Where-Object kind -eq 'result' | ForEach-Object trial) | Should -Be (1..5)
        @($lines | Where-Object kind -eq 'sweep').Count | Should -Be 1
    }

    It 'takes the seed from the journal when -Seed is left out, and refuses another sweep''s journal' {
        $path = Join-Path $TestDrive 'seeded.jsonl'
        $sweep = @{ Parameters = $space; Epochs = 2; Random = $true; Trials = 2; Journal = $path } + $toy
        $live = @(Invoke-ModelSweep @sweep -Seed 21)
        Get-Outcome (Invoke-ModelSweep @sweep) | Should -Be (Get-Outcome $live)
        Get-ErrorId { Invoke-ModelSweep @sweep -Seed 22 } | Should -Be 'JournalMismatch'
        Get-ErrorId { Invoke-ModelSweep @sweep -Epochs 3 } | Should -Be 'JournalMismatch'
    }

    It 'resumes a cut-short Hyperband sweep from its journal to the same results, training only what is missing' {
        $full = Join-Path $TestDrive 'hb-full.jsonl'
        $unbroken = @(Invoke-ModelSweep @hyperband -Journal $full)
        # The journal as a kill would leave it: the first records whole, the next one half-written.
        $lines = Get-Content $full
        $cut = Join-Path $TestDrive 'hb-cut.jsonl'
        Set-Content -Path $cut -Value ($lines | Select-Object -First 12)
        Add-Content -Path $cut -Value $lines[12].Substring(0, 40) -NoNewline
        $recorded = @($lines | Select-Object -First 12 | ConvertFrom-Json | Where-Object kind -ne 'sweep' | ForEach-Object { "$($_.trial)@$($_.epochs)" })
        $resumed = @(Invoke-ModelSweep @hyperband -Journal $cut)
        Get-Outcome $resumed | Should -Be (Get-Outcome $unbroken)
        # A trial whose last run the journal held is not trained again; every other one is.
        foreach ($r in $resumed) { $r.FromJournal | Should -Be ($recorded -contains "$($r.Trial)@$($r.EpochsRun)") -Because "trial $($r.Trial)" }
        @($resumed | Where-Object FromJournal).Count | Should -BeGreaterThan 0
        @($resumed | Where-Object { -not $_.FromJournal }).Count | Should -BeGreaterThan 0
        $records = Get-Content $cut | ConvertFrom-Json
        $results = @($records | Where-Object kind -eq 'result' | ForEach-Object trial)
        $results.Count | Should -Be 17
        ($results | Sort-Object -Unique).Count | Should -Be 17   # every trial's result exactly once
        # Each run (trial, epochs) trained once over both sweeps: none recorded twice.
        $runs = @($records | Where-Object kind -eq 'run' | ForEach-Object { "$($_.trial)@$($_.epochs)" })
        ($runs | Sort-Object -Unique).Count | Should -Be $runs.Count
    }

    It 'resumes a cut-short TPE sweep to the same proposals and results' {
        $full = Join-Path $TestDrive 'tpe-full.jsonl'
        $tpe = @{ Parameters = $space; Epochs = 3; Search = 'Tpe'; Trials = 14; Seed = 6 } + $toy
        $unbroken = @(Invoke-ModelSweep @tpe -Journal $full)
        $cut = Join-Path $TestDrive 'tpe-cut.jsonl'
        Set-Content -Path $cut -Value (Get-Content $full | Select-Object -First 12)   # the header and trials 1-11
        $resumed = @(Invoke-ModelSweep @tpe -Journal $cut)
        Get-Outcome $resumed | Should -Be (Get-Outcome $unbroken)
        @($resumed | Where-Object FromJournal | ForEach-Object Trial) | Should -Be (1..11)
    }

    It 'journals cross-validated trials with their fold scores' {
        $path = Join-Path $TestDrive 'folds.jsonl'
        $cv = $toy.Clone(); $cv.Remove('ValidationData')
        $sweep = @{ Parameters = [ordered]@{ W = 1.0, 1.5; R = 0.1 }; Epochs = 2; Folds = 2; Seed = 3; Journal = $path } + $cv
        $live = @(Invoke-ModelSweep @sweep)
        $again = @(Invoke-ModelSweep @sweep)
        Get-Outcome $again | Should -Be (Get-Outcome $live)
        foreach ($r in $again) {
            $r.FromJournal | Should -BeTrue
            $l = $live | Where-Object Trial -eq $r.Trial
            $r.Folds | Should -Be 2
            $r.FoldScores | Should -Be $l.FoldScores
            $r.BestStd | Should -Be $l.BestStd
        }
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.jsonl'
        Invoke-ModelSweep @toy -Parameters $space -Epochs 1 -Random -Trials 1 -Seed 1 -Journal $path -WhatIf
        Test-Path $path | Should -BeFalse
    }
}
