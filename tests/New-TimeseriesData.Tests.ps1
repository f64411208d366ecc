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

Describe 'New-TimeseriesData windows read per batch' {
    BeforeAll {
        function Assert-SameHistory($A, $B, [string[]] $Keys) {
            $A.Count | Should -Be $B.Count
            for ($e = 0; $e -lt $A.Count; $e++) {
                foreach ($k in $Keys) { [math]::Abs($A[$e].$k - $B[$e].$k) | Should -BeLessThan 1e-6 -Because "$k of epoch $($e + 1)" }
            }
        }
        function New-WindowModel([int] $Length, [int] $Features = 1) {
            New-Model -InputShape $Length, $Features -Seed 2 | Add-FlattenLayer | Add-DenseLayer 6 -Activation tanh | Add-DenseLayer 1 |
                Build-Model -Optimizer adam -Loss mse -Metrics mae
        }
        $script:series = 0..299 | ForEach-Object { [math]::Round([math]::Sin($_ / 7) + $_ / 300, 4) }
    }

    It 'orders shuffled windows as Keras''s timeseries_dataset_from_array for the same seed (NumPy 1.24 references)' {
        # tests/data/timeseries/make-shuffle-references.py: np.random.RandomState(seed).shuffle(start_positions), as Keras.
        $refs = Get-Content -Raw (Join-Path $PSScriptRoot 'data/timeseries/shuffle-references.json') | ConvertFrom-Json
        foreach ($c in $refs.cases) {
            $ds = 0..($c.Steps - 1) | New-TimeseriesData -SequenceLength $c.SequenceLength -SequenceStride $c.SequenceStride `
                -SamplingRate $c.SamplingRate -Shuffle -Seed $c.Seed
            $ds.Stream.Windows.Starts | Should -Be $c.Starts -Because "seed $($c.Seed), $($c.Steps) steps"
            $d = $ds.Engine
            $d.Features[0] | Should -Be $c.Starts[0]
            $d.Features[$d.FeatureCount] | Should -Be $c.Starts[1]
        }
    }

    It 'keeps the series once and the windows as start indexes, making rows only on demand' {
        $ds = $series | New-TimeseriesData -SequenceLength 20 -Target value
        $ds.IsStreamed | Should -BeTrue
        $ds.InMemoryOnDemand | Should -BeTrue
        $ds.Count | Should -Be 280
        $ds.Shape | Should -Be '(None, 20, 1)'
        "$ds" | Should -Be "280 windows of (None, 20, 1) over a series of 300 steps, target 'value'"
        $ds.Stream.Windows.Steps | Should -Be 300
        $ds.GetFeatures(5) | Should -Be ([float[]] $series[5..24])
        $ds.Engine.Targets[5] | Should -Be ([float] $series[25])
    }

    It 'fits epoch for epoch as the windows made into rows (same seed), with windows as validation data' {
        $train = $series | New-TimeseriesData -SequenceLength 12 -Target value -EndIndex 240
        $val = $series | New-TimeseriesData -SequenceLength 12 -Target value -StartIndex 228
        $memTrain = [KerasPS.Dataset]::new($train.Engine)
        $memVal = [KerasPS.Dataset]::new($val.Engine)
        $memTrain.IsStreamed | Should -BeFalse
        $a = New-WindowModel 12 | Invoke-ModelFit -Data $memTrain -ValidationData $memVal -Epochs 3 -BatchSize 16 -Seed 8
        $b = New-WindowModel 12 | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 3 -BatchSize 16 -Seed 8
        Assert-SameHistory $a $b 'Loss', 'Mae', 'ValLoss', 'ValMae'
        $a[2].Loss | Should -BeLessThan $a[0].Loss
        $c = New-WindowModel 12 | Invoke-ModelFit -Data $memTrain -Epochs 2 -BatchSize 50 -Seed 8 -Shuffle:$false
        $d = New-WindowModel 12 | Invoke-ModelFit -Data $train -Epochs 2 -BatchSize 50 -Seed 8 -Shuffle:$false
        Assert-SameHistory $c $d 'Loss', 'Mae'
    }

    It 'takes -ValidationSplit and windows of several features as the rows in memory do' {
        $rows = 0..199 | ForEach-Object { [pscustomobject]@{ a = [math]::Sin($_ / 5); b = $_ % 7 } }
        $ds = $rows | New-TimeseriesData -Feature a, b -Target a -SequenceLength 6
        $mem = [KerasPS.Dataset]::new($ds.Engine)
        $a = New-WindowModel 6 2 | Invoke-ModelFit -Data $mem -ValidationSplit 0.2 -Epochs 2 -BatchSize 32 -Seed 5
        $b = New-WindowModel 6 2 | Invoke-ModelFit -Data $ds -ValidationSplit 0.2 -Epochs 2 -BatchSize 32 -Seed 5
        Assert-SameHistory $a $b 'Loss', 'ValLoss'
    }

    It 'adapts a Normalization layer and splits as the rows in memory' {
        $rows = 0..149 | ForEach-Object { [pscustomobject]@{ a = [math]::Sin($_ / 5) * 3 + 1; b = $_ % 11 } }
        $ds = $rows | New-TimeseriesData -Feature a, b -SequenceLength 5 -SequenceStride 2
        $mem = [KerasPS.Dataset]::new($ds.Engine)
        $ls = (New-Model -InputShape 5, 2 | Add-NormalizationLayer -Adapt $ds).Engine.Layers[0]
        $lm = (New-Model -InputShape 5, 2 | Add-NormalizationLayer -Adapt $mem).Engine.Layers[0]
        for ($f = 0; $f -lt 2; $f++) {
            [math]::Abs($ls.Mean[$f] - $lm.Mean[$f]) | Should -BeLessThan 1e-9
            [math]::Abs($ls.Variance[$f] - $lm.Variance[$f]) | Should -BeLessThan 1e-9
        }
        $split = $ds | Split-TrainTest -TestSize 0.25 -Seed 3
        $splitMem = $mem | Split-TrainTest -TestSize 0.25 -Seed 3
        $split.Test.Count | Should -Be $splitMem.Test.Count
        $split.Test.Engine.Features | Should -Be $splitMem.Test.Engine.Features
    }

    It 'evaluates and predicts the windows as the rows in memory, keyed by the last step''s time' {
        $t0 = [datetime]'2026-03-01'
        $steps = 0..99 | ForEach-Object { [pscustomobject]@{ time = $t0.AddMinutes($_); v = [math]::Cos($_ / 4) } }
        $ds = $steps | New-TimeseriesData -Feature v -Target v -Timestamp time -SequenceLength 8
        $mem = [KerasPS.Dataset]::new($ds.Engine)
        $model = New-WindowModel 8
        $null = $model | Invoke-ModelFit -Data $mem -Epochs 1 -BatchSize 16 -Seed 1
        $em = $model | Invoke-ModelEvaluate -Data $mem -BatchSize 10
        $es = $model | Invoke-ModelEvaluate -Data $ds -BatchSize 10
        [math]::Abs($es.Loss - $em.Loss) | Should -BeLessThan 1e-6
        $es.Samples | Should -Be 92
        $pm = @($model | Invoke-ModelPredict -Data $mem)
        $ps = @($model | Invoke-ModelPredict -Data $ds)
        $ps.Count | Should -Be 92
        $ps.step | Should -Be $pm.step
        $ps[0].step | Should -Be $t0.AddMinutes(7).ToString('o')
        $ps.Value | Should -Be $pm.Value
        $matrix = $model | Invoke-ModelPredict -Data $ds -AsMatrix
        $matrix.Count | Should -Be 92
    }
}

Describe 'New-TimeseriesData memory' -Tag Slow {
    It 'fits windows that would take 460 MiB as rows with a peak RSS under 420 MiB, in a child process (VmHWM)' -Skip:(-not $IsLinux) {
        # 200,000 steps, windows of 600 with a next-step target: 199,400 windows x 600 floats = 456 MiB if each window were copied into memory; the
        # series itself is 0.8 MB, and the fit copies a batch of windows at a time.
        $module = if ($env:KERASPS_TEST_MODULE) { $env:KERASPS_TEST_MODULE } else { Join-Path $RepoRoot 'KerasPS.psd1' }
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$module'
`$csv = Join-Path ([IO.Path]::GetTempPath()) "series-`$PID.csv"
[IO.File]::WriteAllLines(`$csv, [string[]](@('v') + (0..199999 | ForEach-Object { [math]::Round([math]::Sin(`$_ / 50), 4).ToString([cultureinfo]::InvariantCulture) })))
`$steps = Import-ModelData `$csv
Remove-Item `$csv
`$ds = New-TimeseriesData -Data `$steps -SequenceLength 600 -Target v
`$m = New-Model -InputShape 600, 1 -Seed 1 | Add-FlattenLayer | Add-DenseLayer 1 | Build-Model -Optimizer (New-Optimizer sgd -LearningRate 0.0001) -Loss mse
`$h = `$m | Invoke-ModelFit -Data `$ds -Epochs 1 -BatchSize 1024 -Seed 1
'ROWS=' + `$ds.Count
'LOSS=' + `$h[-1].Loss
'HWM=' + ((Get-Content /proc/self/status | Where-Object { `$_ -like 'VmHWM:*' }) -replace '\D', '')
"@
        $r = Invoke-FreshPwsh -Script $script
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output -match 'ROWS=(\d+)' | Should -BeTrue -Because $r.Output
        [int]$Matches[1] | Should -Be 199400
        $r.Output | Should -Match 'LOSS=\d'
        $r.Output -match 'HWM=(\d+)' | Should -BeTrue
        $peakMiB = [double]$Matches[1] / 1024
        Write-Host "New-TimeseriesData: peak RSS $([math]::Round($peakMiB, 1)) MiB for windows of 456 MiB as rows"
        $peakMiB | Should -BeLessThan 420 -Because "the peak RSS of the fit on windows was $([math]::Round($peakMiB, 1)) MiB"
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
