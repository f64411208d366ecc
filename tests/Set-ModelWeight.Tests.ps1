BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Set-ModelWeight' {
    It 'writes a kernel given as nested arrays in its (inputs, units) shape, and the model computes with it' {
        $m = New-Model -InputShape 2 -Seed 1 | Add-DenseLayer 2
        $null = $m | Set-ModelWeight -Layer dense -Name kernel -Value @(@(1, 2), @(3, 4))
        $null = $m | Set-ModelWeight -Layer dense -Name bias -Value @(0.5, -0.5)
        (Get-Weight $m 'dense/kernel') | Should -Be @(1, 2, 3, 4)
        # [1, 1] x [[1, 2], [3, 4]] + [0.5, -0.5] = [4.5, 5.5]
        $p = $m | Invoke-ModelPredict -X @(, [double[]](1, 1)) -AsMatrix
        $p[0, 0] | Should -Be 4.5
        $p[0, 1] | Should -Be 5.5
    }

    It 'takes a flat list with -Shape, a 2-D array, or a ModelWeight from another model' {
        $m = New-Model -InputShape 2 -Seed 1 | Add-DenseLayer 2
        $null = $m | Set-ModelWeight dense kernel (1, 2, 3, 4) -Shape 2, 2
        (Get-Weight $m 'dense/kernel') | Should -Be @(1, 2, 3, 4)
        $a = [float[,]]::new(2, 2); $a[1, 0] = 7
        $null = $m | Set-ModelWeight dense kernel $a
        (Get-Weight $m 'dense/kernel') | Should -Be @(0, 0, 7, 0)
        $other = New-Model -InputShape 2 -Seed 9 | Add-DenseLayer 2
        $null = $m | Set-ModelWeight dense kernel ($other | Get-ModelWeight dense kernel)
        (Get-Weight $m 'dense/kernel') -join ',' | Should -Be ((Get-Weight $other 'dense/kernel') -join ',')
    }

    It 'refuses a value of another shape with WeightShapeMismatch naming both shapes, and changes nothing' {
        $m = New-Model -InputShape 2 -Seed 1 | Add-DenseLayer 2
        $before = (Get-Weight $m 'dense/kernel') -join ','
        $err = $null
        try { $m | Set-ModelWeight dense kernel @(@(1, 2, 3), @(4, 5, 6)) } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'WeightShapeMismatch,*'
        $err.Exception.Message | Should -BeLike '*(2, 2)*(2, 3)*'
        (Get-Weight $m 'dense/kernel') -join ',' | Should -Be $before
        Get-ErrorId { $m | Set-ModelWeight dense kernel (1, 2, 3) } | Should -Be 'WeightShapeMismatch'
        $err = $null
        try { $m | Set-ModelWeight dense kernel (1, 2, 3, 4) } catch { $err = $_ }
        $err.Exception.Message | Should -BeLike '*-Shape 2,2*'
    }

    It 'refuses an unknown weight or layer, listing what there is' {
        $m = New-Model -InputShape 2 -Seed 1 | Add-DenseLayer 2
        Get-ErrorId { $m | Set-ModelWeight dense gamma (1, 2) } | Should -Be 'WeightNotFound'
        Get-ErrorId { $m | Set-ModelWeight nope kernel (1, 2) } | Should -Be 'LayerNotFound'
    }
}
