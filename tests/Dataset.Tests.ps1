BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:iris = Get-SampleData Iris
}

Describe 'KerasPS.Dataset' {
    It 'indexes rows, from the end too, as new datasets' {
        $iris[0].Count | Should -Be 1
        $iris[0].GetFeatures(0) | Should -Be $iris.GetFeatures(0)
        $iris[-1].GetFeatures(0) | Should -Be $iris.GetFeatures(149)
        $iris[-1].Classes | Should -Be $iris.Classes
    }
    It 'takes several rows as one dataset with GetRows, and a range with Slice' {
        $some = $iris.GetRows(0..9)
        $some.Count | Should -Be 10
        $some.ClassCounts | Should -Be @(10, 0, 0)
        $iris.Slice(50, 5).GetFeatures(0) | Should -Be $iris.GetFeatures(50)
    }
    It 'refuses rows outside the data' {
        { $iris.GetRows(150) } | Should -Throw '*outside the dataset*'
        { $iris.Slice(149, 2) } | Should -Throw '*outside the dataset*'
    }
    It 'shows shape and class balance in its default view' {
        $text = $iris | Out-String
        $text | Should -Match 'Shape\s+: \(None, 4\)'
        $text | Should -Match 'setosa=50 \(33.3%\)'
    }
    It 'completes column names of the file given as -Path' {
        $p = Join-Path $TestDrive 'cols.csv'
        Set-Content $p "sepal,petal,species`n1,2,a"
        $line = "Import-ModelData -Path '$p' -Target sp"
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $r.CompletionMatches.CompletionText | Should -Be @('species')
    }
}
