BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Add-DropoutLayer' {
    It 'is the identity at inference' {
        $m = New-Model -InputShape 3 | Add-DropoutLayer -Rate 0.9 | Build-Model -Optimizer sgd -Loss mse
        $p = $m | Invoke-ModelPredict -X @(, @(1, 2, 3)) -AsMatrix
        @($p[0, 0], $p[0, 1], $p[0, 2]) | Should -Be @(1, 2, 3)
    }

    It 'zeroes about Rate of the inputs in training and scales the rest by 1/(1-rate), from the fit''s own generator' {
        $layer = [KerasPS.Engine.Layers.Regularization.Dropout]::new(0.25, [NullString]::Value, $null)
        $gen = [TorchSharp.torch+Generator]::new(7, [TorchSharp.torch]::CPU)
        $scope = [KerasPS.Engine.Training.RandomContext]::Use($gen)
        try {
            $x = [TorchSharp.torch]::ones([long[]]@(20000))
            $y = $layer.Forward($x, $true).data[float]().ToArray()
            $again = [KerasPS.Engine.Training.RandomContext]::Use([TorchSharp.torch+Generator]::new(7, [TorchSharp.torch]::CPU))
            $y2 = $layer.Forward($x, $true).data[float]().ToArray()
            $again.Dispose()
        } finally { $scope.Dispose() }
        $zeros = @($y | Where-Object { $_ -eq 0 }).Count / 20000
        $zeros | Should -BeGreaterThan 0.23
        $zeros | Should -BeLessThan 0.27
        ($y | Where-Object { $_ -ne 0 } | Select-Object -Unique) | Should -Be @([float](1 / 0.75))
        ($y -join ',') | Should -Be ($y2 -join ',')
    }

    It 'has no parameters' {
        (New-Model -InputShape 5 | Add-DropoutLayer 0.5).ParamCount | Should -Be 0
    }

    It 'refuses a rate outside [0, 1) with InvalidRate' {
        Get-ErrorId { New-Model | Add-DropoutLayer -Rate 1 } | Should -Be 'InvalidRate'
        Get-ErrorId { New-Model | Add-DropoutLayer -Rate -0.1 } | Should -Be 'InvalidRate'
    }
}
