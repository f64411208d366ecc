BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Add-ActivationLayer' {
    BeforeAll {
        function Invoke-Activation([string] $Name, [double[]] $Values) {
            $m = New-Model -InputShape $Values.Count | Add-ActivationLayer $Name | Build-Model -Optimizer sgd -Loss mse
            $p = $m | Invoke-ModelPredict -X @(, $Values) -AsMatrix
            0..($Values.Count - 1) | ForEach-Object { [double]$p[0, $_] }
        }
    }

    It 'computes <Name> as Keras defines it' -ForEach @(
        @{ Name = 'relu'; In = @(-1.0, 2.0); Out = @(0.0, 2.0) }
        @{ Name = 'sigmoid'; In = @(0.0, 2.0); Out = @(0.5, 0.880797) }
        @{ Name = 'tanh'; In = @(0.0, 1.0); Out = @(0.0, 0.761594) }
        @{ Name = 'softmax'; In = @(1.0, 2.0); Out = @(0.268941, 0.731059) }
        @{ Name = 'elu'; In = @(-1.0, 2.0); Out = @(-0.632121, 2.0) }
        @{ Name = 'selu'; In = @(-1.0, 1.0); Out = @(-1.111330, 1.050701) }
        @{ Name = 'softplus'; In = @(0.0, 1.0); Out = @(0.693147, 1.313262) }
        @{ Name = 'softsign'; In = @(-1.0, 3.0); Out = @(-0.5, 0.75) }
        @{ Name = 'gelu'; In = @(-1.0, 1.0); Out = @(-0.158655, 0.841345) }
        @{ Name = 'swish'; In = @(-1.0, 1.0); Out = @(-0.268941, 0.731059) }
        @{ Name = 'silu'; In = @(2.0, 0.0); Out = @(1.761594, 0.0) }
        @{ Name = 'leaky_relu'; In = @(-1.0, 2.0); Out = @(-0.2, 2.0) }
        @{ Name = 'hard_sigmoid'; In = @(0.0, 1.0); Out = @(0.5, 0.666667) }
        # Keras 2's: clip(0.2x + 0.5, 0, 1)
        @{ Name = 'hard_sigmoid_keras2'; In = @(1.0, -3.0, 3.0); Out = @(0.7, 0.0, 1.0) }
        @{ Name = 'exponential'; In = @(0.0, 1.0); Out = @(1.0, 2.718282) }
        @{ Name = 'linear'; In = @(-3.5, 1.0); Out = @(-3.5, 1.0) }
    ) {
        $got = Invoke-Activation $Name $In
        for ($i = 0; $i -lt $Out.Count; $i++) { $got[$i] | Should -BeGreaterThan ($Out[$i] - 1e-5); $got[$i] | Should -BeLessThan ($Out[$i] + 1e-5) }
    }

    It 'has no parameters and keeps the shape' {
        $m = New-Model -InputShape 93 | Add-DenseLayer 9 | Add-ActivationLayer softmax
        ($m | Get-ModelSummary)[1].ParamCount | Should -Be 0
        ($m | Get-ModelSummary)[1].OutputShape | Should -Be '(None, 9)'
    }

    It 'refuses an unknown name with UnknownActivation' {
        Get-ErrorId { New-Model | Add-ActivationLayer softmaxx } | Should -Be 'UnknownActivation'
    }
}
