BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'New-Constraint' {
    It 'creates <Name> with Keras defaults' -ForEach @(
        @{ Name = 'max_norm'; Max = 2; Min = 0 }
        @{ Name = 'min_max_norm'; Max = 1; Min = 0 }
    ) {
        $c = New-Constraint $Name
        $c.MaxValue | Should -Be $Max
        $c.MinValue | Should -Be $Min
        $c.Axis | Should -Be @(0)
    }

    It 'moves norms into [min, max] with min_max_norm' {
        # Kernel columns of norm 0.1 are scaled up to 0.5; rate 1 means all the way.
        $m = New-Model -InputShape 4 | Add-DenseLayer 2 -UseBias:$false -KernelInitializer (New-Initializer constant -Value 0.05) -KernelConstraint (New-Constraint min_max_norm -MinValue 0.5 -MaxValue 1)
        $m.Engine.Layers[0].ApplyConstraints()
        $w = $m.Engine.Layers[0].Weights[0].ToArray()
        $w | ForEach-Object { [math]::Round($_, 4) } | Should -Be @(0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25)
    }

    It 'refuses an unknown name with UnknownConstraint and bad bounds with InvalidConstraint' {
        Get-ErrorId { New-Constraint clip } | Should -Be 'UnknownConstraint'
        Get-ErrorId { New-Constraint min_max_norm -MinValue 2 -MaxValue 1 } | Should -Be 'InvalidConstraint'
        Get-ErrorId { New-Constraint max_norm -Rate 2 } | Should -Be 'InvalidConstraint'
    }

    It 'completes constraint names' {
        $r = TabExpansion2 -inputScript 'New-Constraint m' -cursorColumn 16
        $r.CompletionMatches.CompletionText | Should -Be @('max_norm', 'min_max_norm')
    }
}
