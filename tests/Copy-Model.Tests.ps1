BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:data = Get-SampleData Otto -Rows 300 -Seed 6
    function New-BaseModel {
        New-Model -Name base -InputShape 93 -Seed 7 | Add-DenseLayer 16 -Activation relu | Add-DropoutLayer 0.2 | Add-DenseLayer 9 -Activation softmax |
            Build-Model adam categorical_crossentropy -Metrics accuracy
    }
    function Get-AllWeights($Model) { ($Model.Engine.Weights | ForEach-Object { $_.ToArray() -join ',' }) -join ';' }
}

Describe 'Copy-Model' {
    It 'copies layers, weights, compile settings and history' {
        $m = New-BaseModel
        $null = $m | Invoke-ModelFit -Data $data -Epochs 2 -BatchSize 50 -Seed 1
        $c = $m | Copy-Model -Name copy
        $c.Name | Should -Be 'copy'
        $c.Layers | Should -Be $m.Layers
        Get-AllWeights $c | Should -Be (Get-AllWeights $m)
        $c.Optimizer | Should -Be 'adam'
        $c.Loss | Should -Be 'categorical_crossentropy'
        $c.EpochsTrained | Should -Be 2
        $c.History.Count | Should -Be 2
        $c.Classes | Should -Be $m.Classes
    }

    It 'is independent: training the copy further leaves the original unchanged' {
        $m = New-BaseModel
        $null = $m | Invoke-ModelFit -Data $data -Epochs 1 -BatchSize 50 -Seed 1
        $before = Get-AllWeights $m
        $c = $m | Copy-Model
        $null = $c | Invoke-ModelFit -Data $data -Epochs 3 -BatchSize 50 -Seed 2
        Get-AllWeights $c | Should -Not -Be $before
        Get-AllWeights $m | Should -Be $before
        $m.EpochsTrained | Should -Be 1
        $m.History.Count | Should -Be 1
    }

    It 'lets two variants grow from one base without sharing layers' {
        $base = New-Model -InputShape 4 -Seed 1 | Add-DenseLayer 8 -Activation relu
        $a = $base | Copy-Model -Name a | Add-DenseLayer 3 -Activation softmax
        $b = $base | Copy-Model -Name b | Add-DenseLayer 2 -Activation softmax
        $base.LayerCount | Should -Be 1
        $a.OutputShape | Should -Be '(None, 3)'
        $b.OutputShape | Should -Be '(None, 2)'
    }

    It 'with -IncludeOptimizer continues exactly as the original would; without it the optimizer starts fresh' {
        $m = New-BaseModel
        $null = $m | Invoke-ModelFit -Data $data -Epochs 2 -BatchSize 50 -Seed 3
        $withState = $m | Copy-Model -IncludeOptimizer
        $fresh = $m | Copy-Model
        $fresh.Engine.Optimizer.Iterations | Should -Be 0
        $withState.Engine.Optimizer.Iterations | Should -Be $m.Engine.Optimizer.Iterations
        $null = $m | Invoke-ModelFit -Data $data -Epochs 4 -BatchSize 50 -Seed 3
        $null = $withState | Invoke-ModelFit -Data $data -Epochs 4 -BatchSize 50 -Seed 3
        $null = $fresh | Invoke-ModelFit -Data $data -Epochs 4 -BatchSize 50 -Seed 3
        Get-AllWeights $withState | Should -Be (Get-AllWeights $m)
        Get-AllWeights $fresh | Should -Not -Be (Get-AllWeights $m)
    }

    It 'copies a frozen layer as frozen' {
        $m = New-BaseModel | Set-ModelLayer -Name dense -Trainable $false
        (($m | Copy-Model) | Get-ModelLayer -Name dense).Trainable | Should -BeFalse
    }
}
