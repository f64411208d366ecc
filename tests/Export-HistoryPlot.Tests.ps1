BeforeAll {
    . $PSScriptRoot/common.ps1
    $all = Get-SampleData Otto -Rows 300 -Seed 11
    $script:train = $all.Slice(0, 240)
    $script:val = $all.Slice(240, 60)
    $model = New-Model -InputShape 93 -Seed 1 | Add-DenseLayer -Units 8 -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
        Build-Model -Optimizer (New-Optimizer sgd -LearningRate 0.05) -Loss categorical_crossentropy -Metrics accuracy
    $script:history = @($model | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 6 -BatchSize 64 -Seed 1)
    $build = { param($p) New-Model -InputShape 93 | Add-DenseLayer -Units $p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
            Build-Model -Optimizer (New-Optimizer sgd -LearningRate 0.05) -Loss categorical_crossentropy -Metrics accuracy }
    $script:trials = @(Invoke-ModelSweep -Parameters @{ Units = 4, 8, 16 } -ModelScript $build -Data $train -ValidationData $val -Epochs 4 -BatchSize 64 -Seed 3)

    function Read-PngHeader([string] $Path) {
        $b = [IO.File]::ReadAllBytes($Path)
        $be = { param($o) ([int]$b[$o] -shl 24) -bor ([int]$b[$o + 1] -shl 16) -bor ([int]$b[$o + 2] -shl 8) -bor [int]$b[$o + 3] }
        [pscustomobject]@{
            Magic  = ($b[0..7] | ForEach-Object { $_.ToString('X2') }) -join ' '
            Chunk  = [Text.Encoding]::ASCII.GetString($b, 12, 4)
            Width  = & $be 16
            Height = & $be 20
            End    = [Text.Encoding]::ASCII.GetString($b, $b.Length - 8, 4)
            Length = $b.Length
        }
    }
}

Describe 'Export-HistoryPlot' {
    Context 'SVG' {
        It 'draws loss and val_loss of one run, one point per epoch, with axes, ticks and a legend' {
            $path = Join-Path $TestDrive 'run.svg'
            $history | Export-HistoryPlot -Path $path -Title 'Otto & friends'
            [xml] $svg = Get-Content $path -Raw
            $svg.svg.width | Should -Be '800'
            $lines = @($svg.svg.polyline | Where-Object { ($_.points -split ' ').Count -gt 2 })
            $lines.Count | Should -Be 2
            foreach ($l in $lines) { ($l.points -split ' ').Count | Should -Be 6 }
            $texts = @($svg.svg.text | ForEach-Object { $_.'#text' })
            $texts | Should -Contain 'loss'
            $texts | Should -Contain 'val_loss'
            $texts | Should -Contain 'epoch'
            $texts | Should -Contain 'Otto & friends'
            foreach ($e in 1..6) { $texts | Should -Contain "$e" }
            @($svg.svg.line).Count | Should -BeGreaterThan 10
        }
        It 'places the points by value: the lowest loss is drawn lowest' {
            $path = Join-Path $TestDrive 'loss.svg'
            $history | Export-HistoryPlot -Path $path -Metric loss
            [xml] $svg = Get-Content $path -Raw
            $line = @($svg.svg.polyline | Where-Object { ($_.points -split ' ').Count -eq 6 })[0]
            $ys = ($line.points -split ' ') | ForEach-Object { [double](($_ -split ',')[1]) }
            $lowest = [array]::IndexOf($history.Loss, ($history.Loss | Measure-Object -Minimum).Minimum)
            $ys[$lowest] | Should -Be ($ys | Measure-Object -Maximum).Maximum   # SVG y grows downwards
        }
        It 'draws one line per trial for sweep results' {
            $path = Join-Path $TestDrive 'sweep.svg'
            $trials | Export-HistoryPlot -Path $path
            [xml] $svg = Get-Content $path -Raw
            @($svg.svg.polyline | Where-Object { ($_.points -split ' ').Count -eq 4 }).Count | Should -Be 3
            $texts = @($svg.svg.text | ForEach-Object { $_.'#text' })
            $texts | Should -Contain 'trial 1 (Units=4)'
            $texts | Should -Contain 'trial 3 (Units=16)'
        }
        It 'reads a history back from CSV' {
            $csv = Join-Path $TestDrive 'history.csv'
            $history | Export-Csv $csv
            $path = Join-Path $TestDrive 'fromcsv.svg'
            Import-Csv $csv | Export-HistoryPlot -Path $path
            [xml] $svg = Get-Content $path -Raw
            @($svg.svg.polyline | Where-Object { ($_.points -split ' ').Count -eq 6 }).Count | Should -Be 2
        }
        It 'accepts property names for -Metric' {
            $path = Join-Path $TestDrive 'acc.svg'
            $history | Export-HistoryPlot -Path $path -Metric ValAccuracy
            (Get-Content $path -Raw) | Should -Match '>val_accuracy</text>'
        }
    }

    Context 'PNG' {
        It 'writes a valid PNG of the requested size' {
            $path = Join-Path $TestDrive 'run.png'
            $file = $history | Export-HistoryPlot -Path $path -Width 640 -Height 400 -PassThru
            $file | Should -BeOfType [IO.FileInfo]
            $h = Read-PngHeader $path
            $h.Magic | Should -Be '89 50 4E 47 0D 0A 1A 0A'
            $h.Chunk | Should -Be 'IHDR'
            $h.Width | Should -Be 640
            $h.Height | Should -Be 400
            $h.End | Should -Be 'IEND'
            $h.Length | Should -BeGreaterThan 5000
        }
    }

    Context 'files and errors' {
        It 'refuses a path on another provider (Env:) with NotAFileSystemPath and writes nothing' {
            Get-ErrorId { $history | Export-HistoryPlot -Path Env:/plot.svg } | Should -Be 'NotAFileSystemPath'
            Test-Path Env:/plot.svg | Should -BeFalse
        }

        It 'keeps an existing chart (with or without -NoClobber) and replaces it with -Force, as Export-Checkpoint does' {
            $path = Join-Path $TestDrive 'keep.svg'
            Set-Content $path 'old'
            Get-ErrorId { $history | Export-HistoryPlot -Path $path -NoClobber } | Should -Be 'PlotFileExists'
            Get-ErrorId { $history | Export-HistoryPlot -Path $path } | Should -Be 'PlotFileExists'
            Get-Content $path | Should -Be 'old'
            Get-ErrorId { $history | Export-HistoryPlot -Path $path -Force -NoClobber } | Should -Be 'ForceAndNoClobber'
            $history | Export-HistoryPlot -Path $path -Force
            (Get-Content $path -Raw) | Should -Match '<svg'
            @(Get-ChildItem $TestDrive -Force -Filter '*.tmp').Count | Should -Be 0
        }
        It 'refuses with PlotWriteFailed when the chart stays in use (Windows), the old chart intact and no temporary left' {
            # The engine's test seam for Windows' refusal to replace an open file (internal, so reached by reflection).
            $flags = [Reflection.BindingFlags]'NonPublic, Static'
            $inUse = [KerasPS.Engine.FileReplace].GetProperty('SimulatedInUse', $flags)
            $recorded = [KerasPS.Engine.FileReplace].GetProperty('RecordedWaits', $flags)
            $folder = Join-Path $TestDrive 'inuse'
            New-Item -ItemType Directory -Path $folder | Out-Null
            $path = Join-Path $folder 'held.svg'
            Set-Content $path 'old'
            $err = $null
            $inUse.SetValue($null, 5); $recorded.SetValue($null, [Collections.Generic.List[TimeSpan]]::new())
            try { $history | Export-HistoryPlot -Path $path -Force } catch { $err = $_ }
            finally { $inUse.SetValue($null, 0); $recorded.SetValue($null, $null) }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'PlotWriteFailed'
            $err.Exception.Message | Should -BeLike "Could not write '$path': '$path' is in use:*"
            Get-Content $path | Should -Be 'old'
            @(Get-ChildItem -Path $folder -Force).Name | Should -Be @('held.svg')
        }
        It 'writes nothing with -WhatIf' {
            $path = Join-Path $TestDrive 'whatif.png'
            $history | Export-HistoryPlot -Path $path -WhatIf
            Test-Path $path | Should -BeFalse
        }
        It 'refuses an unknown extension' {
            Get-ErrorId { $history | Export-HistoryPlot -Path (Join-Path $TestDrive 'x.jpg') } | Should -Be 'UnsupportedPlotFormat'
        }
        It 'names the metrics the history has when asked for another' {
            $err = $null
            try { $history | Export-HistoryPlot -Path (Join-Path $TestDrive 'x.svg') -Metric auc } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'MetricNotInHistory'
            $err.Exception.Message | Should -Match 'val_accuracy'
        }
        It 'refuses objects that are not histories' {
            Get-ErrorId { 1, 2 | Export-HistoryPlot -Path (Join-Path $TestDrive 'x.svg') } | Should -Be 'UnsupportedHistoryInput'
        }
    }
}

Describe 'Show-History' {
    It 'draws a plot and one sparkline per metric for one run' {
        $out = @($history | Show-History -Width 30 -Height 6 6>&1 | ForEach-Object { "$_" })
        $out | Should -Contain ('       └' + ('─' * 6))
        ($out -match '● loss   ○ val_loss').Count | Should -Be 1
        $sparks = @($out | Where-Object { $_ -match '^(loss|val_loss)\s+[▁-█]{6}\s' })
        $sparks.Count | Should -Be 2
        $first = '{0:0.0000}' -f $history[0].Loss
        $last = '{0:0.0000}' -f $history[-1].Loss
        ($sparks[0] -replace '\s+', ' ') | Should -Match ([regex]::Escape("$first → $last"))
        $sparks[0] | Should -Match '▁'
        $sparks[0] | Should -Match '█'
    }
    It 'keeps the summary lines of Show-History within 80 columns, large values whole or compact' {
        $records = 1..30 | ForEach-Object { [pscustomobject]@{ PSTypeName = 'KerasPS.EpochRecord'; Epoch = $_; Loss = 8e10 / $_; ValLoss = 7e10 / $_ } }
        $out = @($records | Show-History 6>&1 | ForEach-Object { "$_" })
        $summary = $out | Where-Object { $_ -match '@ epoch' }
        $summary.Count | Should -Be 2
        foreach ($line in $summary) { $line.Length | Should -BeLessOrEqual 79 }
        $summary[0] | Should -Match '8\.0000e\+10 → 2\.6667e\+09  best 2\.6667e\+09 @ epoch 30'
    }

    It 'takes a metric in either spelling: -Metric ValLoss draws what -Metric val_loss draws' {
        $snake = @($history | Show-History -Metric val_loss -Width 30 -Height 6 6>&1 | ForEach-Object { "$_" })
        $pascal = @($history | Show-History -Metric ValLoss -Width 30 -Height 6 6>&1 | ForEach-Object { "$_" })
        $pascal | Should -Be $snake
        ($snake -join "`n") | Should -Match 'val_loss'
    }
    It 'writes nothing to the output stream' {
        $o = $history | Show-History 6>$null
        $o | Should -BeNullOrEmpty
    }
    It 'prints one sparkline per trial with its best value' {
        $out = @($trials | Show-History 6>&1 | ForEach-Object { "$_" })
        $out[0] | Should -Be 'val_loss'
        $rows = @($out | Where-Object { $_ -match '^  trial \d' })
        $rows.Count | Should -Be 3
        $best = '{0:0.0000}' -f $trials[0].Best
        $rows[0] | Should -Match ([regex]::Escape("best $best @ epoch $($trials[0].BestEpoch)"))
    }
}
