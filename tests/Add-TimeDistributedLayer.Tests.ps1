# Add-TimeDistributedLayer (Keras TimeDistributed): the wrapped layer's values at every timestep, through .kpt/.keras/.h5, and
# what it refuses. Shapes, parameter counts, hand-computed values and ONNX are in tests/LayerCases.ps1.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-timedistributed-$PID"
    New-Item -ItemType Directory -Force $script:Work | Out-Null
    $script:X = @(1..4 | ForEach-Object { $s = $_; , [double[]]@(1..24 | ForEach-Object { [math]::Sin(0.7 * $s * $_) }) })
    function Get-Values($Model, $X) { @($Model | Invoke-ModelPredict -X $X -AsMatrix | ForEach-Object { $_ }) }
}
AfterAll { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }

Describe 'Add-TimeDistributedLayer' {
    It 'gives, at every step, what the wrapped Conv1D gives on that step alone' {
        $m = New-Model -InputShape 24 -Seed 3 | Add-ReshapeLayer -TargetShape 2, 6, 2 | Add-TimeDistributedLayer (New-Model | Add-Conv1DLayer 3 2 -Activation tanh)
        $all = Get-Values $m $script:X                      # per row: step 0 (5 x 3), then step 1 (5 x 3)
        $single = New-Model -InputShape 12 | Add-ReshapeLayer -TargetShape 6, 2 | Add-Conv1DLayer 3 2 -Activation tanh
        $k = $m | Get-ModelWeight -Layer time_distributed -Name kernel
        $b = $m | Get-ModelWeight -Layer time_distributed -Name bias
        $null = $single | Set-ModelWeight -Layer conv1d -Name kernel -Value ([double[]]$k.Value) -Shape ([int[]]$k.Shape)
        $null = $single | Set-ModelWeight -Layer conv1d -Name bias -Value ([double[]]$b.Value) -Shape ([int[]]$b.Shape)
        foreach ($step in 0, 1) {
            $x = @($script:X | ForEach-Object { , [double[]]$_[($step * 12)..($step * 12 + 11)] })
            $want = Get-Values $single $x
            for ($r = 0; $r -lt 4; $r++) {
                for ($i = 0; $i -lt 15; $i++) { $all[$r * 30 + $step * 15 + $i] | Should -Be $want[$r * 15 + $i] -Because "row $r step $step value $i" }
            }
        }
        $m.Engine.Weights.Path | Should -Be @('time_distributed/conv1d/kernel', 'time_distributed/conv1d/bias')
    }

    It 'goes through .<ext> with the same predictions' -ForEach @(@{ ext = 'kpt' }, @{ ext = 'keras' }, @{ ext = 'h5' }) {
        $m = New-Model -InputShape 24 -Seed 4 | Add-ReshapeLayer -TargetShape 4, 6 | Add-TimeDistributedLayer (New-Model | Add-DenseLayer 3 -Activation relu) |
            Add-TimeDistributedLayer (New-Model | Add-DropoutLayer 0.2) | Add-LSTMLayer 2
        $a = Get-Values $m $script:X
        $path = Join-Path $script:Work "td.$ext"
        $m | Export-Checkpoint -Path $path -Force
        $back = Import-Checkpoint -Path $path
        Get-Values $back $script:X | Should -Be $a
        $back.Engine.Layers[1].Inner.ClassName | Should -Be 'Dense'
    }

    It 'refuses a -Layer model that does not hold exactly one layer with InvalidWrappedLayer' {
        Get-ErrorId { New-Model -InputShape 3, 2 | Add-TimeDistributedLayer (New-Model | Add-DenseLayer 3 | Add-DenseLayer 2) } | Should -Be 'InvalidWrappedLayer'
    }
}
