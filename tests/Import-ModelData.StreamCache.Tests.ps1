BeforeAll {
    . $PSScriptRoot/common.ps1
    # 9,000 rows (three chunks of the stream's 4,096-row reads), a category column and three classes; -Shift changes every
    # value of 'a' but not the row count, so the file keeps its length only by chance (the tests set what they need).
    function New-CacheCsv([string] $Path, [int] $Rows = 9000, [double] $Shift = 0, [switch] $Regression) {
        $rng = [Random]::new(7)
        $sb = [Text.StringBuilder]::new()
        [void] $sb.AppendLine('id,a,b,colour,c,y')
        $colours = 'red', 'green', 'blue'
        for ($i = 0; $i -lt $Rows; $i++) {
            $a = [math]::Round($rng.NextDouble() * 10 - 5 + $Shift, 3)
            $b = [math]::Round($rng.NextDouble() * 2, 3)
            $colour = $colours[$rng.Next(3)]
            $c = $rng.Next(100)
            $y = if ($Regression) { [math]::Round($a * 0.5 - $b + $c / 100, 4) } elseif ($a + $b -gt 1) { 'pos' }
                 elseif ($a + $b -gt -1) { 'mid' } else { 'neg' }
            [void] $sb.AppendLine(('{0},{1},{2},{3},{4},{5}' -f $i, $a, $b, $colour, $c, $y))
        }
        [IO.File]::WriteAllText($Path, $sb.ToString())
    }
    function New-CacheModel([int] $Outputs = 3, [string] $Loss = 'categorical_crossentropy') {
        $act = if ($Loss -eq 'mse') { 'linear' } else { 'softmax' }
        New-Model -InputShape 6 -Seed 5 | Add-NormalizationLayer -Mean (, 0 * 6) -Variance (1..6 | ForEach-Object { 4 }) |
            Add-DenseLayer 8 -Activation relu | Add-DenseLayer $Outputs -Activation $act | Build-Model -Optimizer adam -Loss $Loss
    }
    # Epoch losses of a fit, as exact doubles: the cache must give the very same batches, not close ones.
    function Get-Losses($Data, [int] $Epochs = 3, [int] $Seed = 4, $Callbacks, [int] $Outputs = 3, [string] $Loss = 'categorical_crossentropy') {
        $fit = @{ Data = $Data; Epochs = $Epochs; BatchSize = 64; Seed = $Seed }
        if ($Callbacks) { $fit.Callbacks = $Callbacks }
        @(New-CacheModel $Outputs $Loss | Invoke-ModelFit @fit | ForEach-Object Loss)
    }
    # Open descriptors of this process that point at the cache file (Linux: the file is unlinked, the descriptor keeps it).
    function Get-CacheHandle([string] $Path) {
        @(Get-ChildItem "/proc/$PID/fd" -ErrorAction SilentlyContinue | Where-Object { $_.LinkTarget -like "$Path*" })
    }
    $script:csv = Join-Path $TestDrive 'cache.csv'
    New-CacheCsv $csv
}

Describe 'Import-ModelData -Stream -Cache' {
    It 'gives epoch 2..n and later fits exactly the batches of the uncached stream (same seed), from the cache' {
        $plain = Import-ModelData $csv -Target y -Exclude id -Stream -ShuffleBuffer 500
        $cached = Import-ModelData $csv -Target y -Exclude id -Stream -ShuffleBuffer 500 -Cache
        $cached.Stream.Cache.IsComplete | Should -BeFalse
        $cached.Stream.Cache.Bytes | Should -Be (9000 * (6 + 1) * 4)
        $expected = Get-Losses $plain
        $expected[2] | Should -BeLessThan $expected[0]
        Get-Losses $cached | Should -Be $expected
        $cached.Stream.Cache.IsComplete | Should -BeTrue
        Get-Losses $cached | Should -Be $expected   # a second fit: every epoch from the cache
        Get-Losses $cached -Seed 9 | Should -Not -Be $expected

        # The cache is really what is read: the file's bytes change but not its length or time, and the fit does not move.
        $info = Get-Item $csv
        $time, $length = $info.LastWriteTimeUtc, $info.Length
        $text = [IO.File]::ReadAllText($csv)
        try {
            [IO.File]::WriteAllText($csv, ($text -replace ',red,', ',blu,'))
            (Get-Item $csv).Length | Should -Be $length
            [IO.File]::SetLastWriteTimeUtc($csv, $time)
            Get-Losses $cached | Should -Be $expected
        }
        finally {
            [IO.File]::WriteAllText($csv, $text)
            [IO.File]::SetLastWriteTimeUtc($csv, $time)
        }
    }

    It 'caches a regression target and evaluates and predicts from the cache as from the file' {
        $path = Join-Path $TestDrive 'reg.csv'
        New-CacheCsv $path -Rows 5000 -Regression
        $plain = Import-ModelData $path -Target y -Exclude id -Stream -ShuffleBuffer 700
        $cached = Import-ModelData $path -Target y -Exclude id -Stream -ShuffleBuffer 700 -Cache
        $expected = Get-Losses $plain -Outputs 1 -Loss mse
        Get-Losses $cached -Outputs 1 -Loss mse | Should -Be $expected
        $cached.Stream.Cache.IsComplete | Should -BeTrue
        Get-Losses $cached -Outputs 1 -Loss mse | Should -Be $expected
        $model = New-CacheModel 1 mse
        $null = $model | Invoke-ModelFit -Data $plain -Epochs 1 -BatchSize 128 -Seed 1
        ($model | Invoke-ModelEvaluate -Data $cached -BatchSize 300).Loss | Should -Be ($model | Invoke-ModelEvaluate -Data $plain -BatchSize 300).Loss
        $pc = @($model | Invoke-ModelPredict -Data $cached)
        $pp = @($model | Invoke-ModelPredict -Data $plain)
        $pc.Count | Should -Be 5000
        foreach ($i in 0, 4095, 4096, 4999) { $pc[$i].Value | Should -Be $pp[$i].Value }
    }

    It 'caches a Parquet stream (row group by row group) with the batches of the uncached Parquet stream' {
        $path = Join-Path $TestDrive 'table.parquet'
        $rng = [Random]::new(2)
        $n = 3000
        $a = [double[]](1..$n | ForEach-Object { [math]::Round($rng.NextDouble() * 4 - 2, 3) })
        $b = [float[]](1..$n | ForEach-Object { [float]$rng.NextDouble() })
        $colour = [string[]](1..$n | ForEach-Object { ('red', 'green', 'blue')[$rng.Next(3)] })
        $y = [string[]](0..($n - 1) | ForEach-Object { if ($a[$_] + $b[$_] -gt 0.5) { 'pos' } elseif ($a[$_] -gt -1) { 'mid' } else { 'neg' } })
        [KerasPS.Engine.Data.ParquetLoader]::WriteTable($path, [string[]]('a', 'b', 'colour', 'y'), [Array[]]@($a, $b, $colour, $y), 700)
        $plain = Import-ModelData $path -Target y -Stream -ShuffleBuffer 400
        $cached = Import-ModelData $path -Target y -Stream -ShuffleBuffer 400 -Cache
        $cached.Stream.Cache.Bytes | Should -Be ($n * (5 + 1) * 4)
        $fit = { param($d) @(New-Model -InputShape 5 -Seed 3 | Add-DenseLayer 6 -Activation relu | Add-DenseLayer 3 -Activation softmax |
            Build-Model -Optimizer adam -Loss categorical_crossentropy | Invoke-ModelFit -Data $d -Epochs 3 -BatchSize 50 -Seed 6 |
            ForEach-Object Loss) }
        $expected = & $fit $plain
        & $fit $cached | Should -Be $expected
        $cached.Stream.Cache.IsComplete | Should -BeTrue
        & $fit $cached | Should -Be $expected
    }

    It 'says StreamChanged when the file loses rows between epochs, not stale rows from the cache' {
        $path = Join-Path $TestDrive 'shrinks.csv'
        New-CacheCsv $path
        $cached = Import-ModelData $path -Target y -Exclude id -Stream -Cache
        $null = Get-Losses $cached -Epochs 1
        $cached.Stream.Cache.IsComplete | Should -BeTrue
        $cut = New-LambdaCallback -OnEpochEnd { param($epoch, $logs) if ($epoch -eq 0) { New-CacheCsv $path -Rows 8000 } }
        Get-ErrorId { Get-Losses $cached -Callbacks $cut } | Should -Be 'StreamChanged'
    }

    It 'reads the new values of a file changed between epochs (same rows), as the uncached stream does' {
        $path = Join-Path $TestDrive 'changes.csv'
        $change = { param($epoch, $logs) if ($epoch -eq 0) { New-CacheCsv $path -Shift 0.25 } }
        New-CacheCsv $path
        $plain = Import-ModelData $path -Target y -Exclude id -Stream -ShuffleBuffer 500
        $expected = Get-Losses $plain -Callbacks (New-LambdaCallback -OnEpochEnd $change)
        New-CacheCsv $path
        $cached = Import-ModelData $path -Target y -Exclude id -Stream -ShuffleBuffer 500 -Cache
        $unchanged = Get-Losses $cached
        New-CacheCsv $path
        Get-Losses $cached -Callbacks (New-LambdaCallback -OnEpochEnd $change) | Should -Be $expected
        $expected[1] | Should -Not -Be $unchanged[1]
    }

    It 'keeps the cache file out of the folder and closes it with the dataset (Linux: an unlinked file)' -Skip:(-not $IsLinux) {
        $file = Join-Path $TestDrive 'rows.cache'
        $cached = Import-ModelData $csv -Target y -Exclude id -Stream -CacheFile $file
        $cached.Stream.Cache.FilePath | Should -Be $file
        $null = Get-Losses $cached -Epochs 1
        $cached.Stream.Cache.IsComplete | Should -BeTrue
        Test-Path $file | Should -BeFalse
        $held = Get-CacheHandle $file
        $held.Count | Should -Be 1
        $held[0].LinkTarget | Should -BeLike '*(deleted)'
        $cached.Stream.DropCache()
        (Get-CacheHandle $file).Count | Should -Be 0
        $cached.Stream.Cache | Should -BeNullOrEmpty
        Get-Losses $cached -Epochs 1 | Should -HaveCount 1   # parses the file again

        # A dataset no longer used: its cache closes when it is collected.
        $again = Import-ModelData $csv -Target y -Exclude id -Stream -Cache
        $tmp = $again.Stream.Cache.FilePath
        $tmp | Should -BeLike (Join-Path ([IO.Path]::GetTempPath()) 'kerasps-cache-*.bin')
        $null = Get-Losses $again -Epochs 1
        (Get-CacheHandle $tmp).Count | Should -Be 1
        Remove-Variable again
        [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
        (Get-CacheHandle $tmp).Count | Should -Be 0
        Test-Path $tmp | Should -BeFalse
    }

    It 'stays off with a warning when the disk lacks the room, and the stream still trains' -Skip:(-not $IsLinux) {
        # /proc reports no free space: the cache of 252,000 bytes does not fit.
        $data = Import-ModelData $csv -Target y -Exclude id -Stream -CacheFile /proc/kerasps-cache-test.bin -WarningVariable w 3>$null
        $w | Should -HaveCount 1
        "$($w[0])" | Should -BeLike "-Cache is off for 'cache.csv': its cache takes 1 MiB but the disk of '/proc' has 0 MiB free*"
        $data.Stream.Cache | Should -BeNullOrEmpty
        Get-Losses $data -Epochs 1 | Should -HaveCount 1
    }

    It 'refuses <Name> with <Id>' -ForEach @(
        @{ Name = '-Cache without -Stream'; Id = 'CacheNeedsStream'; Run = { Import-ModelData $csv -Target y -Exclude id -Cache } }
        @{ Name = 'a -CacheFile that exists'; Id = 'CacheFileExists'; Run = { Import-ModelData $csv -Target y -Stream -CacheFile $csv } }
        @{ Name = 'a -CacheFile in a missing folder'; Id = 'CacheFolderNotFound'
            Run = { Import-ModelData $csv -Target y -Stream -CacheFile (Join-Path $TestDrive 'no/such/rows.cache') } }
    ) {
        Get-ErrorId $Run | Should -Be $Id
    }
}

Describe 'Import-ModelData -Stream -Cache memory' -Tag Slow {
    It 'writes and reads the cache of a CSV larger than 400 MiB with a peak RSS under 400 MiB (VmHWM)' -Skip:(-not $IsLinux) {
        # The file of the uncached memory test (Import-ModelData.Stream.Tests.ps1): 20 numbers and a 5-class target per
        # row, about 3.6 million rows; its cache is about 290 MiB. Epoch 1 parses and writes the cache, epoch 2 reads it.
        $big = Join-Path $TestDrive 'big.csv'
        New-LargeNumericCsv $big 420MB
        $module = if ($env:KERASPS_TEST_MODULE) { $env:KERASPS_TEST_MODULE } else { Join-Path $RepoRoot 'KerasPS.psd1' }
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$module'
`$data = Import-ModelData '$big' -Target y -Stream -Cache
`$m = New-Model -InputShape 20 -Seed 1 | Add-DenseLayer 16 -Activation relu | Add-DenseLayer 5 -Activation softmax |
    Build-Model -Optimizer sgd -Loss categorical_crossentropy
`$h = `$m | Invoke-ModelFit -Data `$data -Epochs 2 -BatchSize 1024 -Seed 1
'ROWS=' + `$data.Count
'CACHED=' + `$data.Stream.Cache.IsComplete + ' ' + `$data.Stream.Cache.Bytes
'LOSS=' + `$h[-1].Loss
'HWM=' + ((Get-Content /proc/self/status | Where-Object { `$_ -like 'VmHWM:*' }) -replace '\D', '')
"@
        $r = Invoke-FreshPwsh -Script $script
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output -match 'ROWS=(\d+)' | Should -BeTrue -Because $r.Output
        $rows = [long]$Matches[1]
        $rows | Should -BeGreaterThan 3500000
        $r.Output | Should -Match "CACHED=True $($rows * 21 * 4)"
        $r.Output | Should -Match 'LOSS=\d'
        $r.Output -match 'HWM=(\d+)' | Should -BeTrue
        $peakMiB = [double]$Matches[1] / 1024
        $peakMiB | Should -BeLessThan 400 -Because "the peak RSS of the cached streamed fit was $([math]::Round($peakMiB, 1)) MiB"
        Remove-Item $big
    }
}
