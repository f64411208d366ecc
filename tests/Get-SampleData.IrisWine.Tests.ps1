BeforeAll { . $PSScriptRoot/common.ps1 }

# Named apart from main's Get-SampleData.Tests.ps1 (Otto), so the branches merge cleanly.
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
