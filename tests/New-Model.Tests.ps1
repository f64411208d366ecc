BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'New-Model' {
    It 'creates an empty sequential model named as asked' {
        $m = New-Model -Name otto
        $m | Should -BeOfType ([KerasPS.Model])
        $m.Name | Should -Be 'otto'
        $m.LayerCount | Should -Be 0
        $m.IsCompiled | Should -BeFalse
    }

    It 'takes a dataset''s shape for -InputShape: $train.Shape, $train.FeatureShape or the dataset' {
        $train = Get-SampleData Iris
        (New-Model -InputShape $train.Shape).Engine.InputShape | Should -Be @(4)
        (New-Model -InputShape $train.FeatureShape).Engine.InputShape | Should -Be @(4)
        (New-Model -InputShape $train).Engine.InputShape | Should -Be @(4)
        (New-Model -InputShape '(None, 28, 28, 1)').Engine.InputShape | Should -Be @(28, 28, 1)
        (New-Model -InputShape 28, 28, 1).Engine.InputShape | Should -Be @(28, 28, 1)
    }

    It 'defaults the name to sequential, as Keras does' {
        (New-Model).Name | Should -Be 'sequential'
    }

    It 'builds layers as they are added when -InputShape is given' {
        $m = New-Model -InputShape 93 | Add-DenseLayer -Units 9
        $m.IsBuilt | Should -BeTrue
        $m.InputShape | Should -Be '(None, 93)'
        $m.OutputShape | Should -Be '(None, 9)'
    }

    It 'gives the same weights for the same -Seed and different ones for another seed' {
        $w = { param($seed) (New-Model -InputShape 4 -Seed $seed | Add-DenseLayer 3).Engine.Layers[0].Weights[0].ToArray() }
        $a = & $w 5; $b = & $w 5; $c = & $w 6
        $a | Should -Be $b
        ($a -join ',') | Should -Not -Be ($c -join ',')
    }

    It 'draws glorot_uniform kernels within Keras''s limit sqrt(6 / (fan_in + fan_out))' {
        $k = (New-Model -InputShape 93 -Seed 1 | Add-DenseLayer 100).Engine.Layers[0].Weights[0].ToArray()
        $limit = [math]::Sqrt(6 / (93 + 100))
        ($k | Measure-Object -Maximum).Maximum | Should -BeLessOrEqual $limit
        ($k | Measure-Object -Minimum).Minimum | Should -BeGreaterOrEqual (-$limit)
        [math]::Abs(($k | Measure-Object -Average).Average) | Should -BeLessThan 0.01
    }

    It 'refuses a non-positive input dimension with InvalidInputShape' {
        Get-ErrorId { New-Model -InputShape 0 } | Should -Be 'InvalidInputShape'
    }
}
