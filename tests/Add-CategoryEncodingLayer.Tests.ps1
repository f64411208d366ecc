BeforeAll {
    . $PSScriptRoot/common.ps1
    function Get-Rows($Matrix) {
        @(for ($i = 0; $i -lt $Matrix.GetLength(0); $i++) {
                (@(for ($j = 0; $j -lt $Matrix.GetLength(1); $j++) { [math]::Round($Matrix[$i, $j], 4) })) -join ','
            })
    }
}

Describe 'Add-CategoryEncodingLayer' {
    It 'one-hot encodes ids as Keras''s docstring shows' {
        $m = New-Model -InputShape 1 | Add-CategoryEncodingLayer 4 -OutputMode one_hot
        Get-Rows ($m | Invoke-ModelPredict -X @(@(3), @(2), @(0), @(1)) -AsMatrix) | Should -Be @('0,0,0,1', '0,0,1,0', '1,0,0,0', '0,1,0,0')
    }

    It 'multi-hot encodes each sample as Keras''s docstring shows (the default mode)' {
        $m = New-Model -InputShape 2 | Add-CategoryEncodingLayer 4
        Get-Rows ($m | Invoke-ModelPredict -X @(@(0, 1), @(0, 0), @(1, 2), @(3, 1)) -AsMatrix) |
            Should -Be @('1,1,0,0', '1,0,0,0', '0,1,1,0', '0,1,0,1')
    }

    It 'counts the ids of each sample' {
        $m = New-Model -InputShape 2 | Add-CategoryEncodingLayer 4 -OutputMode count
        Get-Rows ($m | Invoke-ModelPredict -X @(@(0, 1), @(0, 0), @(3, 3)) -AsMatrix) | Should -Be @('1,1,0,0', '2,0,0,0', '0,0,0,2')
    }

    It 'refuses ids outside 0..NumTokens-1 with InvalidTokenIndex, and multi_hot of a 2-D sample with UnsupportedInputRank' {
        $m = New-Model -InputShape 2 | Add-CategoryEncodingLayer 4
        Get-ErrorId { $m | Invoke-ModelPredict -X @(, @(1, 4)) } | Should -Be 'InvalidTokenIndex'
        Get-ErrorId { New-Model -InputShape 2, 3 | Add-CategoryEncodingLayer 4 } | Should -Be 'UnsupportedInputRank'
        Get-ErrorId { New-Model -InputShape 2 | Add-CategoryEncodingLayer 0 } | Should -Be 'InvalidNumTokens'
    }

    It 'trains in front of a Dense layer and predicts the same after a round trip through <ext>' -ForEach @(
        @{ ext = 'kpt' }, @{ ext = 'keras' }, @{ ext = 'h5' }) {
        $x = @(@(0, 1), @(2, 3), @(1, 1), @(3, 0))
        $m = New-Model -InputShape 2 -Seed 3 | Add-CategoryEncodingLayer 4 -OutputMode count | Add-DenseLayer 1 |
            Build-Model -Optimizer sgd -Loss mse
        $null = $m | Invoke-ModelFit -X $x -Y @(1, 0, 1, 0) -Epochs 2 -Seed 1
        $path = Join-Path $TestDrive "enc.$ext"
        $m | Export-Checkpoint -Path $path -Format $ext -Force
        $back = Import-Checkpoint -Path $path
        $back.Engine.Layers[0].OutputMode | Should -Be 'count'
        Get-Rows ($back | Invoke-ModelPredict -X $x -AsMatrix) | Should -Be (Get-Rows ($m | Invoke-ModelPredict -X $x -AsMatrix))
    }
}
