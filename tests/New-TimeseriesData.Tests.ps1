BeforeAll {
    . $PSScriptRoot/common.ps1
    # The windows of a dataset as rows of numbers, one string per window ('0,2,4').
    function Get-Windows($Dataset) {
        $d = $Dataset.Engine
        $w = $d.FeatureCount
        @(for ($r = 0; $r -lt $d.Count; $r++) { ($d.Features[($r * $w)..(($r + 1) * $w - 1)]) -join ',' })
    }
}

Describe 'New-TimeseriesData' {
    Context 'Keras''s timeseries_dataset_from_array docstring examples' {
        It 'example 1: indices 0..98, sequence_length 10, sampling_rate 2, sequence_stride 3' {
            $ds = 0..98 | New-TimeseriesData -SequenceLength 10 -SamplingRate 2 -SequenceStride 3
            $windows = Get-Windows $ds
            $ds.FeatureShape | Should -Be @(10, 1)
            $windows.Count | Should -Be 27
            $windows[0] | Should -Be '0,2,4,6,8,10,12,14,16,18'
            $windows[1] | Should -Be '3,5,7,9,11,13,15,17,19,21'
            $windows[2] | Should -Be '6,8,10,12,14,16,18,20,22,24'
            $windows[-1] | Should -Be '78,80,82,84,86,88,90,92,94,96'
            $ds.TargetKind | Should -Be 'None'
        }

        It 'example 2: inputs data[:-10] with targets data[10:] predict the step after each window, as -Target with offset 1' {
            $data = 0..59 | ForEach-Object { $_ * 3 + 1 }
            $keras = $data[0..49] | New-TimeseriesData -SequenceLength 10 -Targets $data[10..59]
            (Get-Windows $keras)[0] | Should -Be ($data[0..9] -join ',')
            $keras.Engine.Targets[0] | Should -Be $data[10]
            $keras.Count | Should -Be 41
            # -Target value is Keras's call on the whole series with targets data[10:]: the 9 windows Keras's example
            # leaves out by cutting the inputs at data[:-10] come too, each with its next step as the target.
            $whole = $data | New-TimeseriesData -SequenceLength 10 -Targets $data[10..59]
            $ours = $data | New-TimeseriesData -SequenceLength 10 -Target value
            $ours.Count | Should -Be 50
            Get-Windows $ours | Should -Be (Get-Windows $whole)
            $ours.Engine.Targets | Should -Be $whole.Engine.Targets
            (Get-Windows $ours)[0..40] | Should -Be (Get-Windows $keras)
            $ours.Engine.Targets[0..40] | Should -Be $keras.Engine.Targets
            $ours.TargetName | Should -Be 'value'
        }

        It 'example 3: non-overlapping windows of 20 over 0..99, the second one 20..39' {
            $x = 0..99 | New-TimeseriesData -SequenceLength 20 -SequenceStride 20
            $y = 0..99 | ForEach-Object { $_ * 2 } | New-TimeseriesData -SequenceLength 20 -SequenceStride 20
            (Get-Windows $x)[0] | Should -Be ((0..19) -join ',')
            (Get-Windows $y)[1] | Should -Be ((20..39 | ForEach-Object { $_ * 2 }) -join ',')
            $x.Count | Should -Be 5
        }
    }

    It 'uses only steps StartIndex..EndIndex-1, with targets indexed from StartIndex as Keras does' {
        $ds = 0..19 | New-TimeseriesData -SequenceLength 3 -StartIndex 5 -EndIndex 12 -Targets (100..119)
        Get-Windows $ds | Should -Be @('5,6,7', '6,7,8', '7,8,9', '8,9,10', '9,10,11')
        $ds.Engine.Targets | Should -Be @(105, 106, 107, 108, 109)
    }

    It 'takes the target TargetOffset steps after the window''s last step' {
        $ds = 0..9 | New-TimeseriesData -SequenceLength 3 -Target value -TargetOffset 2
        (Get-Windows $ds)[0] | Should -Be '0,1,2'
        $ds.Engine.Targets | Should -Be @(4, 5, 6, 7, 8, 9)
    }

    It 'shuffles the windows reproducibly with -Seed, keeping each window with its target' {
        $a = 0..29 | New-TimeseriesData -SequenceLength 4 -Target value -Shuffle -Seed 7
        $b = 0..29 | New-TimeseriesData -SequenceLength 4 -Target value -Shuffle -Seed 7
        $plain = 0..29 | New-TimeseriesData -SequenceLength 4 -Target value
        Get-Windows $a | Should -Be (Get-Windows $b)
        Get-Windows $a | Should -Not -Be (Get-Windows $plain)
        @(Get-Windows $a | Sort-Object { [int]($_ -split ',')[0] }) | Should -Be (Get-Windows $plain)
        for ($i = 0; $i -lt $a.Count; $i++) { $a.Engine.Targets[$i] | Should -Be ([int]((Get-Windows $a)[$i] -split ',')[-1] + 1) }
    }

    It 'reads several columns of CSV rows, ordered by -Timestamp, and keys each window by its last step''s time' {
        $csv = @'
time,cpu,queue
2026-01-01T00:02:00,30,3
2026-01-01T00:00:00,10,1
2026-01-01T00:01:00,20,2
2026-01-01T00:03:00,40,4
'@ | ConvertFrom-Csv
        $ds = $csv | New-TimeseriesData -Feature cpu, queue -Target cpu -Timestamp time -SequenceLength 2
        $ds.FeatureShape | Should -Be @(2, 2)
        $ds.FeatureNames | Should -Be @('cpu', 'queue')
        Get-Windows $ds | Should -Be @('10,1,20,2', '20,2,30,3')
        $ds.Engine.Targets | Should -Be @(30, 40)
        $ds.Engine.RowKeys | Should -Be @('2026-01-01T00:01:00', '2026-01-01T00:02:00')
    }

    It 'reads counter-like samples with a DateTime timestamp and a value' {
        $t0 = [datetime]'2026-01-01'
        $samples = 0..11 | ForEach-Object { [pscustomobject]@{ Timestamp = $t0.AddMinutes(11 - $_); CookedValue = 11 - $_; Path = 'cpu' } }
        $ds = $samples | New-TimeseriesData -Feature CookedValue -Target CookedValue -Timestamp Timestamp -SequenceLength 5
        (Get-Windows $ds)[0] | Should -Be '0,1,2,3,4'
        $ds.Engine.Targets[0] | Should -Be 5
        $ds.Count | Should -Be 7
    }

    It 'windows the rows of a dataset, with its own target as -Target' {
        $rows = 0..9 | ForEach-Object { [ordered]@{ a = $_; b = -$_; y = $_ * 10 } } | ConvertTo-ModelData -Target y
        $ds = New-TimeseriesData -Data $rows -SequenceLength 2 -Target y -TargetOffset 0
        (Get-Windows $ds)[1] | Should -Be '1,-1,2,-2'
        $ds.Engine.Targets[1] | Should -Be 20
    }

    It 'trains an LSTM on the windows' {
        $series = 0..199 | ForEach-Object { [math]::Sin($_ / 5) }
        $ds = $series | New-TimeseriesData -SequenceLength 8 -Target value
        $m = New-Model -InputShape 8, 1 -Seed 1 | Add-LSTMLayer 8 | Add-DenseLayer 1 | Build-Model -Optimizer adam -Loss mse
        $h = $m | Invoke-ModelFit -Data $ds -Epochs 2 -BatchSize 32 -Seed 1
        [double]::IsFinite($h[-1].Loss) | Should -BeTrue
    }

    It 'refuses a series too short for one window, both -Target and -Targets, and a bad sampling rate' {
        Get-ErrorId { 1..5 | New-TimeseriesData -SequenceLength 6 } | Should -Be 'SeriesTooShort'
        Get-ErrorId { 1..5 | New-TimeseriesData -SequenceLength 2 -Target value -Targets 1, 2 } | Should -Be 'TargetOrTargets'
        Get-ErrorId { 1..5 | New-TimeseriesData -SequenceLength 2 -SamplingRate 0 } | Should -Be 'InvalidSamplingRate'
        Get-ErrorId { 1, 'x', 3 | New-TimeseriesData -SequenceLength 2 } | Should -Be 'InvalidSeries'
    }
}

Describe 'examples/Forecast.ps1' -Tag Slow {
    It 'forecasts the next hour of a seasonal counter with a lower test MAE than the naive last value' {
        $script = Join-Path $RepoRoot 'examples/Forecast.ps1'
        $run = Invoke-FreshPwsh -Script "& '$script' | ConvertTo-Json -Compress"
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $result = ($run.Output -split "`n" | Where-Object { $_ -match '^\{.*\}\s*$' } | Select-Object -Last 1) | ConvertFrom-Json
        $result.TestWindows | Should -Be 202
        $result.NaiveMAE | Should -BeGreaterThan 3.5 -Because 'the daily cycle moves the counter hour to hour'
        $result.ModelMAE | Should -BeLessThan ($result.NaiveMAE * 0.85) -Because 'the windows carry the daily cycle the model learns'
    }
}
