BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:iris = Get-SampleData Iris
    function Get-RowKeys($d) { 0..($d.Count - 1) | ForEach-Object { $d.GetFeatures($_) -join ',' } }
}

Describe 'Split-TrainTest' {
    It 'takes a fraction of the rows for the test part, rounded up, and keeps every row once' {
        $s = $iris | Split-TrainTest -TestSize 0.15 -Seed 42
        $s.Test.Count | Should -Be 23      # ceil(150 * 0.15)
        $s.Train.Count | Should -Be 127
        $s.Validation | Should -BeNullOrEmpty
        $s.Seed | Should -Be 42
        $all = @(Get-RowKeys $s.Train) + @(Get-RowKeys $s.Test) | Sort-Object
        $all | Should -Be (Get-RowKeys $iris | Sort-Object)
    }
    It 'gives the same split for the same seed, and another for another seed' {
        $a = $iris | Split-TrainTest -TestSize 0.2 -Seed 7
        $b = $iris | Split-TrainTest -TestSize 0.2 -Seed 7
        $c = $iris | Split-TrainTest -TestSize 0.2 -Seed 8
        Get-RowKeys $a.Test | Should -Be (Get-RowKeys $b.Test)
        (Get-RowKeys $a.Test) -join ';' | Should -Not -Be ((Get-RowKeys $c.Test) -join ';')
    }
    It 'follows the Mersenne Twister permutation, so the split is the same on every machine' {
        $six = ConvertTo-ModelData -InputObject (0..5 | ForEach-Object { [ordered]@{ x = $_ } })
        $s = $six | Split-TrainTest -TestSize 2 -Seed 42
        $perm = [KerasPS.Engine.MersenneTwister]::new(42).Permutation(6)
        $s.Test.Engine.Features | Should -Be @($perm[0], $perm[1])
        $s.Train.Engine.Features | Should -Be @($perm[2..5])
    }
    It 'reports the seed it drew, which reproduces the split' {
        $a = $iris | Split-TrainTest -TestSize 0.3
        $b = $iris | Split-TrainTest -TestSize 0.3 -Seed $a.Seed
        Get-RowKeys $a.Test | Should -Be (Get-RowKeys $b.Test)
    }
    It 'takes a row count as the size, also positionally' {
        ($iris | Split-TrainTest -TestSize 10 -Seed 1).Test.Count | Should -Be 10
        ($iris | Split-TrainTest 0.2 -Seed 1).Test.Count | Should -Be 30
    }
    It 'makes a three-way split with -ValidationSize' {
        $s = $iris | Split-TrainTest -TestSize 0.2 -ValidationSize 0.1 -Seed 3
        $s.Test.Count, $s.Validation.Count, $s.Train.Count | Should -Be @(30, 15, 105)
    }
    It 'keeps class shares within one row per class with -Stratify' {
        $wine = Get-SampleData Wine    # 59 / 71 / 48 rows
        $s = $wine | Split-TrainTest -TestSize 0.25 -ValidationSize 0.15 -Stratify -Seed 5
        foreach ($part in $s.Test, $s.Validation, $s.Train) {
            for ($k = 0; $k -lt 3; $k++) {
                $expected = $wine.ClassCounts[$k] * $part.Count / $wine.Count
                [math]::Abs($part.ClassCounts[$k] - $expected) | Should -BeLessOrEqual 1
            }
        }
        $s.Test.Count | Should -Be 45
    }
    It 'takes the last rows, in order, with -NoShuffle' {
        $s = $iris | Split-TrainTest -TestSize 3 -NoShuffle
        Get-RowKeys $s.Test | Should -Be (Get-RowKeys $iris.Slice(147, 3))
        $s.Seed | Should -BeNullOrEmpty
    }
    Context 'errors' {
        It 'InvalidSplitSize for sizes outside (0, 1) that are not row counts, or that leave no training rows' {
            Get-ErrorId { $iris | Split-TrainTest -TestSize 0 } | Should -Be 'InvalidSplitSize'
            Get-ErrorId { $iris | Split-TrainTest -TestSize -0.1 } | Should -Be 'InvalidSplitSize'
            Get-ErrorId { $iris | Split-TrainTest -TestSize 1.5 } | Should -Be 'InvalidSplitSize'
            Get-ErrorId { $iris | Split-TrainTest -TestSize 150 } | Should -Be 'InvalidSplitSize'
            Get-ErrorId { $iris | Split-TrainTest -TestSize 0.6 -ValidationSize 0.4 } | Should -Be 'InvalidSplitSize'
        }
        It 'StratifyClassAbsent when a class is too small to keep a training row' {
            # four classes of one row each: half of them must go to the test part
            $tiny = @{ x = 1; y = 'a' }, @{ x = 2; y = 'b' }, @{ x = 3; y = 'c' }, @{ x = 4; y = 'd' } | ConvertTo-ModelData -Target y
            Get-ErrorId { $tiny | Split-TrainTest -TestSize 0.5 -Stratify -Seed 1 } | Should -Be 'StratifyClassAbsent'
        }
        It 'StratifyNeedsClasses for regression data, StratifyNeedsShuffle with -NoShuffle' {
            $reg = 1..10 | ForEach-Object { @{ x = $_; y = $_ * 2 } } | ConvertTo-ModelData -Target y
            Get-ErrorId { $reg | Split-TrainTest -TestSize 0.2 -Stratify } | Should -Be 'StratifyNeedsClasses'
            Get-ErrorId { $iris | Split-TrainTest -TestSize 0.2 -Stratify -NoShuffle } | Should -Be 'StratifyNeedsShuffle'
        }
    }
}
