BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'New-Regularizer' {
    It 'creates an L1L2 regularizer whose config round-trips' {
        $r = New-Regularizer -L1 0.001 -L2 0.01
        $r.L1 | Should -Be 0.001
        $r.L2 | Should -Be 0.01
        $back = [KerasPS.Engine.Regularizers.Regularizer]::FromConfig($r.GetConfig())
        $back.L1 | Should -Be 0.001
        $back.L2 | Should -Be 0.01
    }

    It 'refuses no factor or a negative one with InvalidRegularizer' {
        Get-ErrorId { New-Regularizer } | Should -Be 'InvalidRegularizer'
        Get-ErrorId { New-Regularizer -L2 -1 } | Should -Be 'InvalidRegularizer'
    }

    It 'completes regularizer names for -KernelRegularizer' {
        $r = TabExpansion2 -inputScript 'Add-DenseLayer 4 -KernelRegularizer l1' -cursorColumn 37
        $r.CompletionMatches.CompletionText | Should -Be @('l1', 'l1_l2')
    }
}
