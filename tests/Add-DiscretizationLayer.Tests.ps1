BeforeAll {
    . $PSScriptRoot/common.ps1
    # Keras's Discretization docstring input.
    $script:DocX = @(@(-1.5, 1.0, 3.4, 0.5), @(0.0, 3.0, 1.3, 0.0))
    function Get-Rows($Matrix) {
        @(for ($i = 0; $i -lt $Matrix.GetLength(0); $i++) {
                (@(for ($j = 0; $j -lt $Matrix.GetLength(1); $j++) { [math]::Round($Matrix[$i, $j], 4) })) -join ','
            })
    }
}

Describe 'Add-DiscretizationLayer' {
    It 'puts values into the bins of -BinBoundaries as Keras''s docstring shows' {
        $m = New-Model -InputShape 4 | Add-DiscretizationLayer -BinBoundaries 0, 1, 2
        $rows = Get-Rows ($m | Invoke-ModelPredict -X $DocX -AsMatrix)
        $rows | Should -Be @('0,2,3,1', '1,3,2,1')
    }

    It 'adapts -NumBins 4 boundaries to 0, 0.5, 1.3 and bins as Keras''s docstring shows' {
        $m = New-Model | Add-DiscretizationLayer -Adapt $DocX -NumBins 4 -Epsilon 0.01
        $m.Engine.Layers[0].BinBoundaries | Should -Be @([float]0, [float]0.5, [float]1.3)
        $m.Engine.InputShape | Should -Be @(4)
        $rows = Get-Rows ($m | Invoke-ModelPredict -X $DocX -AsMatrix)
        $rows | Should -Be @('0,2,3,2', '1,3,3,1')
    }

    It 'adapts through Keras''s compressed quantile summary once the data outgrows 1 / epsilon' {
        # 250 values 0..249: summarize keeps every 2nd from index 1 (weight 2.5), the merge compresses them to 100 points
        # near 2.5 i - 1 through float32 cumulative weights, and 4 bins interpolate at 25, 50, 75 %: about 61.5, 124, 186.5
        # (numpy.quantile would say 62.25, ...). The exact float32 values are those of Keras 3's summarize, merge_summaries
        # and compress_summary run in NumPy 1.24 on the same data.
        $values = 0..249 | Sort-Object { ($_ * 7919) % 250 } | ForEach-Object { , @([double]$_) }
        $m = New-Model | Add-DiscretizationLayer -Adapt $values -NumBins 4
        $m.Engine.Layers[0].BinBoundaries | Should -Be @([float]61.5000114440918, [float]124.00003814697266, [float]186.49998474121094)
        $values = 0..36 | ForEach-Object { , @([double][float]($_ * 0.37)) }
        $m = New-Model | Add-DiscretizationLayer -Adapt $values -NumBins 3 -Epsilon 0.05
        $m.Engine.Layers[0].BinBoundaries | Should -Be @([float]4.193331718444824, [float]8.756665229797363)
    }

    It 'keeps the boundaries of every sample value when there are fewer values than bins' {
        # Too few points to compress: the boundaries are the sorted values but the last, as in Keras.
        $m = New-Model | Add-DiscretizationLayer -Adapt @(@(3), @(1), @(2)) -NumBins 10
        $m.Engine.Layers[0].BinBoundaries | Should -Be @([float]1, [float]2)
        ($m | Get-ModelSummary)[-1].OutputShape | Should -Be '(None, 1)'
    }

    It 'encodes the bins one_hot, multi_hot and count' {
        $x = @(, @(-1.5, 0.2, 0.7, 3.4))
        $m = New-Model -InputShape 4 | Add-DiscretizationLayer -BinBoundaries 0, 1, 2 -OutputMode multi_hot
        Get-Rows ($m | Invoke-ModelPredict -X $x -AsMatrix) | Should -Be '1,1,0,1'
        $m = New-Model -InputShape 1 | Add-DiscretizationLayer -BinBoundaries 0, 1, 2 -OutputMode one_hot
        Get-Rows ($m | Invoke-ModelPredict -X @(@(0.5), @(7)) -AsMatrix) | Should -Be @('0,1,0,0', '0,0,0,1')
        ($m | Get-ModelSummary)[-1].OutputShape | Should -Be '(None, 4)'
    }

    It 'reads an adapted Keras config that holds both bin_boundaries and num_bins' {
        $config = [System.Collections.Generic.Dictionary[string, object]]::new()
        $keras = @{ name = 'discretization'; bin_boundaries = @(0.0, 0.5, 1.3); num_bins = 4; epsilon = 0.01; output_mode = 'int'
            sparse = $false; dtype = 'float32' }
        foreach ($k in $keras.Keys) { $config[$k] = $keras[$k] }
        $layer = (Get-KerasType 'KerasPS.Engine.Layers.LayerRegistry')::FromConfig('Discretization', $config)
        $layer.BinBoundaries | Should -Be @([float]0, [float]0.5, [float]1.3)
        $layer.NumBins | Should -Be 4
    }

    It 'predicts the same after a round trip through <ext>' -ForEach @(@{ ext = 'kpt' }, @{ ext = 'keras' }, @{ ext = 'h5' }) {
        $m = New-Model -Seed 2 | Add-DiscretizationLayer -Adapt $DocX -NumBins 4 -OutputMode count | Add-DenseLayer 2 |
            Build-Model -Optimizer sgd -Loss mse
        $path = Join-Path $TestDrive "disc.$ext"
        $m | Export-Checkpoint -Path $path -Format $ext -Force
        $back = Import-Checkpoint -Path $path
        $back.Engine.Layers[0].BinBoundaries | Should -Be @([float]0, [float]0.5, [float]1.3)
        Get-Rows ($back | Invoke-ModelPredict -X $DocX -AsMatrix) | Should -Be (Get-Rows ($m | Invoke-ModelPredict -X $DocX -AsMatrix))
    }

    It 'refuses unsorted boundaries, a non-positive -NumBins and an unadapted layer with clear ids' {
        Get-ErrorId { New-Model -InputShape 2 | Add-DiscretizationLayer -BinBoundaries 2, 1 } | Should -Be 'InvalidBinBoundaries'
        Get-ErrorId { New-Model | Add-DiscretizationLayer -Adapt $DocX -NumBins 0 } | Should -Be 'InvalidNumBins'
        $layer = (Get-KerasType 'KerasPS.Engine.Layers.Preprocessing.Discretization')::new($null, 3, 0.01, 'int', 'd', [int[]]@(2))
        $m = New-Model -InputShape 2
        $m.Engine.Add($layer)
        Get-ErrorId { $m | Invoke-ModelPredict -X @(, @(1, 2)) } | Should -Be 'DiscretizationNotAdapted'
    }
}
