BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Get-SampleData' {
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
    It 'generates the Otto-shaped set' {
        $d = Get-SampleData Otto -Rows 100 -Seed 1
        $d.Count | Should -Be 100
        $d.FeatureShape | Should -Be @(93)
    }
    It 'refuses unknown names and -Rows for the fixed sets' {
        Get-ErrorId { Get-SampleData Nope } | Should -Be 'UnknownSampleData'
        Get-ErrorId { Get-SampleData Iris -Rows 10 } | Should -Be 'SampleDataFixed'
    }
}
