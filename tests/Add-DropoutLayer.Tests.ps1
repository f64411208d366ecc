BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Add-DropoutLayer' {
    It 'is the identity at inference' {
        $m = New-Model -InputShape 3 | Add-DropoutLayer -Rate 0.9 | Build-Model -Optimizer sgd -Loss mse
        $p = $m | Invoke-ModelPredict -X @(, @(1, 2, 3)) -AsMatrix
        @($p[0, 0], $p[0, 1], $p[0, 2]) | Should -Be @(1, 2, 3)
    }

    It 'has no parameters' {
        (New-Model -InputShape 5 | Add-DropoutLayer 0.5).ParamCount | Should -Be 0
    }

    It 'refuses a rate outside [0, 1) with InvalidRate' {
        Get-ErrorId { New-Model | Add-DropoutLayer -Rate 1 } | Should -Be 'InvalidRate'
        Get-ErrorId { New-Model | Add-DropoutLayer -Rate -0.1 } | Should -Be 'InvalidRate'
    }
}
