BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Set-KerasOption / Get-KerasOption' {
    It 'sets libtorch''s intra-op threads module-wide' {
        $before = (Get-KerasOption).Threads
        try {
            Set-KerasOption -Threads 1
            (Get-KerasOption).Threads | Should -Be 1
            (Get-KerasOption).ThreadsSetByUser | Should -BeTrue
        }
        finally { Set-KerasOption -Threads $before }
    }

    It 'makes unseeded models, fits and splits reproducible after -Seed (Keras set_random_seed), and random again after -ClearSeed' {
        $data = Get-SampleData Iris
        $run = {
            $m = New-Model -InputShape 4 | Add-DenseLayer 3 -Activation softmax | Build-Model sgd categorical_crossentropy
            $split = $data | Split-TrainTest -TestSize 0.2
            $h = $m | Invoke-ModelFit -Data $split.Train -Epochs 2 -BatchSize 16
            '{0}|{1}|{2}' -f ((Get-Weight $m 'dense/kernel') -join ','), $split.Seed, $h[-1].Loss
        }
        try {
            Set-KerasOption -Seed 42
            (Get-KerasOption).Seed | Should -Be 42
            $first = & $run
            Set-KerasOption -Seed 42
            $second = & $run
            $second | Should -Be $first
            Set-KerasOption -Seed 43
            & $run | Should -Not -Be $first
        }
        finally { Set-KerasOption -ClearSeed }
        (Get-KerasOption).Seed | Should -BeNullOrEmpty
        & $run | Should -Not -Be (& $run)
    }

    It 'refuses fewer than one thread: InvalidThreadCount' {
        Get-ErrorId { Set-KerasOption -Threads 0 } | Should -Be 'InvalidThreadCount'
    }
}
