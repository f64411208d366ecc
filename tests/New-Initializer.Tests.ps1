BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'New-Initializer' {
    It 'draws random_normal with the given mean and standard deviation' {
        $m = New-Model -InputShape 100 -Seed 2 | Add-DenseLayer 50 -KernelInitializer (New-Initializer random_normal -Mean 3 -StdDev 0.5)
        $stats = $m.Engine.Layers[0].Weights[0].ToArray() | Measure-Object -Average -StandardDeviation
        $stats.Average | Should -BeGreaterThan 2.97
        $stats.Average | Should -BeLessThan 3.03
        $stats.StandardDeviation | Should -BeGreaterThan 0.48
        $stats.StandardDeviation | Should -BeLessThan 0.52
    }

    It 'gives an orthogonal kernel whose columns are orthonormal' {
        $m = New-Model -InputShape 6 -Seed 2 | Add-DenseLayer 3 -KernelInitializer orthogonal
        $w = $m.Engine.Layers[0].Weights[0].ToArray()
        foreach ($a in 0..2) {
            foreach ($b in 0..2) {
                $dot = 0.0
                foreach ($r in 0..5) { $dot += $w[$r * 3 + $a] * $w[$r * 3 + $b] }
                [math]::Round($dot, 4) | Should -Be ([double]($a -eq $b))
            }
        }
    }

    It 'refuses a random_uniform range with MinVal >= MaxVal with InvalidInitializer' {
        Get-ErrorId { New-Initializer random_uniform -MinVal 1 -MaxVal 0 } | Should -Be 'InvalidInitializer'
    }

    It 'completes initializer names' {
        $r = TabExpansion2 -inputScript 'New-Initializer he_' -cursorColumn 19
        $r.CompletionMatches.CompletionText | Should -Be @('he_uniform', 'he_normal')
    }
}
