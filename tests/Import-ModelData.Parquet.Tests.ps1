BeforeAll {
    . $PSScriptRoot/common.ps1
    # One table written twice: as Parquet (Parquet.Net, through the engine's WriteTable, 1,000-row row groups) and as
    # the CSV a writer would make of it (invariant numbers, True/False, empty cells for nulls).
    $n = 6000
    $rng = [Random]::new(3)
    $script:ids = [long[]]::new($n)
    $script:a = [Nullable[double][]]::new($n)
    $script:b = [float[]]::new($n)
    $script:colour = [string[]]::new($n)
    $script:flag = [bool[]]::new($n)
    $script:count = [int[]]::new($n)
    $script:y = [string[]]::new($n)
    $inv = [cultureinfo]::InvariantCulture
    $csvLines = [Collections.Generic.List[string]]::new()
    $csvLines.Add('id,a,b,colour,flag,count,y')
    for ($i = 0; $i -lt $n; $i++) {
        $ids[$i] = 1000 + $i
        $a[$i] = if ($i % 97 -eq 5) { $null } else { [math]::Round($rng.NextDouble() * 20 - 10, 3) }
        $b[$i] = [float]([math]::Round($rng.NextDouble(), 4))
        $colour[$i] = if ($i % 211 -eq 7) { $null } elseif ($i -gt 5500 -and $i % 5 -eq 0) { 'zeta' } else { ('red', 'green', 'blue')[$rng.Next(3)] }
        $flag[$i] = $rng.Next(2) -eq 1
        $count[$i] = $rng.Next(50)
        $y[$i] = if (($a[$i] ?? 0) + $b[$i] -gt 0) { 'up' } else { 'down' }
        $cells = @(
            $ids[$i].ToString($inv)
            if ($null -eq $a[$i]) { '' } else { ([double]$a[$i]).ToString('R', $inv) }
            $b[$i].ToString('R', $inv)
            $colour[$i] ?? ''
            $(if ($flag[$i]) { 'True' } else { 'False' })
            $count[$i].ToString($inv)
            $y[$i]
        )
        $csvLines.Add($cells -join ',')
    }
    $script:csv = Join-Path $TestDrive 'table.csv'
    $script:parquet = Join-Path $TestDrive 'table.parquet'
    [IO.File]::WriteAllLines($csv, $csvLines)
    [KerasPS.Engine.Data.ParquetLoader]::WriteTable($parquet, [string[]]('id', 'a', 'b', 'colour', 'flag', 'count', 'y'),
        [Array[]]@($ids, $a, $b, $colour, $flag, $count, $y), 1000)
    function Assert-SameDataset($P, $C) {
        $P.Count | Should -Be $C.Count
        $P.FeatureNames | Should -Be $C.FeatureNames
        $P.Classes | Should -Be $C.Classes
        $P.ClassCounts | Should -Be $C.ClassCounts
        foreach ($k in $C.Categories.Keys) { $P.Categories[$k] | Should -Be $C.Categories[$k] }
        $P.Categories.Count | Should -Be $C.Categories.Count
    }
}

Describe 'Import-ModelData with Parquet files' {
    It 'reads a Parquet file and the CSV of the same table into identical datasets' {
        $p = Import-ModelData $parquet -Target y -Exclude id -MissingValue 0
        $c = Import-ModelData $csv -Target y -Exclude id -MissingValue 0
        Assert-SameDataset $p $c
        $p.FeatureNames | Should -Be @('a', 'b', 'colour=blue', 'colour=green', 'colour=red', 'colour=zeta', 'flag=False', 'flag=True', 'count')
        [Linq.Enumerable]::SequenceEqual([float[]]$p.Engine.Features, [float[]]$c.Engine.Features) | Should -BeTrue
        [Linq.Enumerable]::SequenceEqual([int[]]$p.Engine.Labels, [int[]]$c.Engine.Labels) | Should -BeTrue
        $p.GetFeatures(5)[0] | Should -Be 0          # the null in 'a' became -MissingValue
        $p.GetFeatures(7)[2..5] | Should -Be @(0, 0, 0, 0)   # the null in 'colour': no category
    }

    It 'keeps the id column as row keys, and reads by -Format Parquet whatever the extension' {
        $renamed = Join-Path $TestDrive 'table.bin'
        Copy-Item $parquet $renamed
        $p = Import-ModelData $renamed -Format Parquet -Target y -IdColumn id -MissingValue 0
        $c = Import-ModelData $csv -Target y -IdColumn id -MissingValue 0
        $p.Engine.RowKeys[0, 5999] | Should -Be @('1000', '6999')
        $p.Engine.RowKeys | Should -Be $c.Engine.RowKeys
    }

    It 'reads a numeric target as regression, as the CSV loader does' {
        $p = Import-ModelData $parquet -Target a -Exclude id, y -MissingValue 0 -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'MissingValue*'   # a null target is refused, as an empty CSV cell is
        $p2 = Import-ModelData $parquet -Target count -Exclude id, y -MissingValue 0
        $c2 = Import-ModelData $csv -Target count -Exclude id, y -MissingValue 0
        $p2.TargetKind | Should -Be 'Regression'
        [Linq.Enumerable]::SequenceEqual([float[]]$p2.Engine.Targets, [float[]]$c2.Engine.Targets) | Should -BeTrue
    }

    It 'says MissingValue for nulls without -MissingValue, as for empty CSV cells' {
        Get-ErrorId { Import-ModelData $parquet -Target y -Exclude id } | Should -Be 'MissingValue'
        Get-ErrorId { Import-ModelData $csv -Target y -Exclude id } | Should -Be 'MissingValue'
    }

    It 'streams a Parquet file by row group with the CSV encoding, and fits as the CSV in memory with a full buffer' {
        $s = Import-ModelData $parquet -Target y -Exclude id -MissingValue 0 -Stream -ShuffleBuffer 6000
        $c = Import-ModelData $csv -Target y -Exclude id -MissingValue 0
        $s.IsStreamed | Should -BeTrue
        Assert-SameDataset $s $c
        $model = { New-Model -InputShape 9 -Seed 2 | Add-DenseLayer 8 -Activation relu | Add-DenseLayer 2 -Activation softmax |
            Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy }
        $hc = & $model | Invoke-ModelFit -Data $c -Epochs 2 -BatchSize 100 -Seed 9
        $hs = & $model | Invoke-ModelFit -Data $s -Epochs 2 -BatchSize 100 -Seed 9
        for ($e = 0; $e -lt 2; $e++) { [math]::Abs($hs[$e].Loss - $hc[$e].Loss) | Should -BeLessThan 1e-6 }
    }

    It 'says InvalidParquet for a .parquet file that is not one' {
        $bad = Join-Path $TestDrive 'bad.parquet'
        'a,b' | Set-Content $bad
        Get-ErrorId { Import-ModelData $bad -Target b } | Should -Be 'InvalidParquet'
    }
}
