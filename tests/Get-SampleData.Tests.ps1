BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Get-SampleData -Name Otto' {
    BeforeAll { $otto = Get-SampleData -Name Otto }

    It 'has the Otto training file''s shape: 61,878 rows, 93 features, 9 classes' {
        $otto.Count | Should -Be 61878
        $otto.FeatureNames.Count | Should -Be 93
        $otto.FeatureNames[0] | Should -Be 'feat_1'
        $otto.Classes | Should -Be (1..9 | ForEach-Object { "Class_$_" })
        $otto.TargetName | Should -Be 'target'
    }

    It 'keeps Otto''s class balance within one percentage point' {
        $counts = $otto.Engine.ClassCounts
        $shares = @(0.031, 0.261, 0.129, 0.043, 0.044, 0.228, 0.046, 0.137, 0.080)
        for ($i = 0; $i -lt 9; $i++) { [math]::Abs($counts[$i] / 61878 - $shares[$i]) | Should -BeLessThan 0.01 }
    }

    It 'is make-otto.py number for number (first row, seed 42)' {
        # tests/data/make-otto-rows1.csv is the output of: python3 shared/tools/make-otto.py FILE --rows 1
        $first = (Get-SampleData Otto -Rows 1).Engine
        $cells = (Get-Content (Join-Path $PSScriptRoot 'data/make-otto-rows1.csv'))[1].Split(',')
        $first.Features | Should -Be ([float[]]$cells[1..93])
        $first.Classes[$first.Labels[0]] | Should -Be $cells[94]
    }

    It 'is deterministic per seed and differs across seeds' {
        $a = (Get-SampleData Otto -Rows 50 -Seed 1).Engine.Features
        $b = (Get-SampleData Otto -Rows 50 -Seed 1).Engine.Features
        $c = (Get-SampleData Otto -Rows 50 -Seed 2).Engine.Features
        ($a -join ',') | Should -Be ($b -join ',')
        ($a -join ',') | Should -Not -Be ($c -join ',')
    }

    It 'refuses an unknown name with UnknownSampleData' {
        Get-ErrorId { Get-SampleData -Name Nope } | Should -Be 'UnknownSampleData'
    }

    It 'skips an unknown name among several with a non-terminating error, the name as TargetObject' {
        $Error.Clear()
        $sets = @(Get-SampleData Iris, Nope, Wine -ErrorAction SilentlyContinue)
        $ok = $?
        $ok | Should -BeFalse
        $sets.Count | Should -Be 2
        $sets[1].Count | Should -Be 178
        $Error[0].FullyQualifiedErrorId | Should -BeLike 'UnknownSampleData,*'
        $Error[0].TargetObject | Should -Be 'Nope'
    }
}

Describe 'Get-SampleData -Name Iris|Wine' {
    It 'returns the real Iris data shipped with the module' {
        $d = Get-SampleData Iris
        $d.Count | Should -Be 150
        $d.FeatureNames | Should -Be @('sepal_length', 'sepal_width', 'petal_length', 'petal_width')
        $d.Classes | Should -Be @('setosa', 'versicolor', 'virginica')
        $d.ClassCounts | Should -Be @(50, 50, 50)
        $d.GetFeatures(0) | Should -Be @([single]5.1, [single]3.5, [single]1.4, [single]0.2)
    }
    It 'returns the real Wine data' {
        $d = Get-SampleData -Name wine
        $d.Count | Should -Be 178
        $d.FeatureShape | Should -Be @(13)
        $d.ClassCounts | Should -Be @(59, 71, 48)
    }
    It 'ships the BSD-3-Clause notice next to the data' {
        $notice = Join-Path (Get-Module KerasPS).ModuleBase 'module/data/NOTICE.txt'
        Get-Content $notice -Raw | Should -Match 'BSD 3-Clause'
    }
    It 'refuses -Rows and -Seed for the fixed, real sets' {
        Get-ErrorId { Get-SampleData Iris -Rows 10 } | Should -Be 'SampleDataFixed'
        Get-ErrorId { Get-SampleData Wine -Seed 1 } | Should -Be 'SampleDataFixed'
    }
}
