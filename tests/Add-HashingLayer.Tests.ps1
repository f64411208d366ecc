BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:StableHash = Get-KerasType 'KerasPS.Engine.Layers.Preprocessing.StableHash'
    $script:HashingType = Get-KerasType 'KerasPS.Engine.Layers.Preprocessing.Hashing'
    function Get-Bins([int] $NumBins, $MaskValue, [uint64[]] $Salt, [string[]] $Values) {
        $layer = $HashingType::new($NumBins, $MaskValue, $Salt, 'int', 'hashing', $null)
        @($Values | ForEach-Object { $layer.HashString($_) })
    }
    function Get-Rows($Matrix) {
        @(for ($i = 0; $i -lt $Matrix.GetLength(0); $i++) {
                (@(for ($j = 0; $j -lt $Matrix.GetLength(1); $j++) { $Matrix[$i, $j] })) -join ','
            })
    }
    $script:Wire = 'omar', 'stringer', 'marlo', 'wire', 'skywalker'
}

Describe 'Add-HashingLayer' {
    Context 'the hash functions, against the values TensorFlow''s tests publish' {
        It 'gives FarmHash Fingerprint64 of a, b, c, d' {
            @('a', 'b', 'c', 'd' | ForEach-Object { $StableHash::Fingerprint64($_) }) |
                Should -Be @([uint64]'12917804110809363939', [uint64]'11795596070477164822', [uint64]'11430444447143000872',
                    [uint64]'4470636696479570465')
            $StableHash::Fingerprint64('') | Should -Be ([uint64]'11160318154034397263') -Because 'an empty string hashes to k2'
        }

        It 'gives Fingerprint64 of strings of every length path (Guava''s FarmHashFingerprint64 test values)' {
            # 4, 9, 21, 32, 50 and 256 bytes: HashLen0to16, 17to32, 33to64 and the 64-byte loop.
            $StableHash::Fingerprint64('test') | Should -Be ([uint64]'8581389452482819506')
            $StableHash::Fingerprint64('K6Pjv<>ad') | Should -Be ([uint64]'16506019169567922731')
            $StableHash::Fingerprint64('9JqLl0AW7e69Y.&vMHQ5C') | Should -Be ([uint64]'2827089714349584095')
            $StableHash::Fingerprint64('test' * 8) | Should -Be ([uint64]'14250503356343785354')
            $StableHash::Fingerprint64('F7479877-4690-4A44-AFC9-8FE987EA512F:some_other_id') | Should -Be ([uint64]'6862335115798125349')
            $StableHash::Fingerprint64('test' * 64) | Should -Be ([uint64]'3500507768004279527')
        }

        It 'gives SipHash-2-4 of a, b, c under the key 98765, 132' {
            @('a', 'b', 'c' | ForEach-Object { $StableHash::SipHash64(98765, 132, $_) }) |
                Should -Be @([uint64]'7157389809176466784', [uint64]'15805638358933211562', [uint64]'18100027895074076528')
        }
    }

    Context 'strings, as Keras''s Hashing docstring and tests give them (HashString)' {
        It 'bins A..E, and the Wire names, with FarmHash' {
            Get-Bins 3 $null $null A, B, C, D, E | Should -Be @(1, 0, 1, 1, 2)
            Get-Bins 2 $null $null $Wire | Should -Be @(0, 0, 1, 0, 0)
            Get-Bins 1 $null $null A, B | Should -Be @(0, 0)
        }

        It 'keeps bin 0 for the mask value' {
            Get-Bins 3 '' $null A, B, '', C, D | Should -Be @(1, 1, 0, 2, 2)
            Get-Bins 3 '' $null $Wire | Should -Be @(1, 1, 2, 1, 1)
            Get-Bins 3 'omar' $null $Wire | Should -Be @(0, 1, 2, 1, 1)
        }

        It 'hashes with SipHash under a salt of two words, or one used twice' {
            Get-Bins 3 $null 133, 137 A, B, C, D, E | Should -Be @(1, 2, 1, 0, 2)
            Get-Bins 3 $null 133 A, B, C, D, E | Should -Be @(0, 0, 2, 1, 0)
            Get-Bins 2 $null 133, 137 $Wire | Should -Be @(0, 1, 0, 1, 0)
            Get-Bins 2 $null 211, 137 $Wire | Should -Be @(1, 0, 1, 0, 1)
        }
    }

    Context 'numbers in the model, as Keras hashes integers (their decimal text)' {
        It 'bins 0..4 as Keras''s tests, with FarmHash and with a salt' {
            $x = @(@(0), @(1), @(2), @(3), @(4))
            $m = New-Model -InputShape 1 | Add-HashingLayer 3
            Get-Rows ($m | Invoke-ModelPredict -X $x -AsMatrix) | Should -Be @('1', '0', '1', '0', '2')
            $m = New-Model -InputShape 1 | Add-HashingLayer 3 -Salt 133, 137
            Get-Rows ($m | Invoke-ModelPredict -X $x -AsMatrix) | Should -Be @('1', '1', '2', '0', '1')
        }

        It 'encodes the bins one_hot and multi_hot as Keras''s tests' {
            $m = New-Model -InputShape 1 | Add-HashingLayer 3 -OutputMode one_hot
            Get-Rows ($m | Invoke-ModelPredict -X @(@(0), @(1), @(2), @(3), @(4)) -AsMatrix) |
                Should -Be @('0,1,0', '1,0,0', '0,1,0', '1,0,0', '0,0,1')
            $m = New-Model -InputShape 5 | Add-HashingLayer 3 -OutputMode multi_hot
            Get-Rows ($m | Invoke-ModelPredict -X @(, @(0, 1, 2, 3, 4)) -AsMatrix) | Should -Be @('1,1,1')
        }

        It 'casts toward zero before hashing and keeps bin 0 for a numeric -MaskValue' {
            $m = New-Model -InputShape 4 | Add-HashingLayer 4 -MaskValue 7
            $row = @(Get-Rows ($m | Invoke-ModelPredict -X @(, @(7, 2.9, 2, -0.5)) -AsMatrix))[0] -split ','
            $row[0] | Should -Be '0'
            $row[1] | Should -Be $row[2]
            $row[1] | Should -Not -Be '0'
            $row[3] | Should -Be (Get-Bins 4 7 $null '0')[0]
        }
    }

    It 'keeps num_bins, salt and mask_value through <ext>' -ForEach @(@{ ext = 'kpt' }, @{ ext = 'keras' }, @{ ext = 'h5' }) {
        $x = @(@(10, 20), @(30, 40))
        $m = New-Model -InputShape 2 -Seed 1 | Add-HashingLayer 5 -Salt 133, 137 -MaskValue 0 -OutputMode count | Add-DenseLayer 1 |
            Build-Model -Optimizer sgd -Loss mse
        $path = Join-Path $TestDrive "hash.$ext"
        $m | Export-Checkpoint -Path $path -Format $ext -Force
        $back = Import-Checkpoint -Path $path
        $layer = $back.Engine.Layers[0]
        $layer.Salt | Should -Be @(133, 137)
        $layer.MaskValue | Should -Be 0
        Get-Rows ($back | Invoke-ModelPredict -X $x -AsMatrix) | Should -Be (Get-Rows ($m | Invoke-ModelPredict -X $x -AsMatrix))
    }

    It 'reads a Keras config with a salt word above 2^53 exactly' {
        $config = [System.Collections.Generic.Dictionary[string, object]]::new()
        $config['name'] = 'hashing'; $config['num_bins'] = 3; $config['salt'] = [object[]]@([uint64]'18446744073709551557', [long]137)
        $config['mask_value'] = $null; $config['output_mode'] = 'int'; $config['sparse'] = $false
        $layer = (Get-KerasType 'KerasPS.Engine.Layers.LayerRegistry')::FromConfig('Hashing', $config)
        $layer.Salt | Should -Be @([uint64]'18446744073709551557', [uint64]137)
    }

    It 'is refused by Export-OnnxModel with a message that names the layer' {
        $m = New-Model -InputShape 2 | Add-HashingLayer 5 -Name ids_hash | Add-DenseLayer 1
        $err = { $m | Export-OnnxModel -Path (Join-Path $TestDrive 'h.onnx') } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OnnxUnsupportedLayer*'
        $err.Exception.Message | Should -BeLike '*ids_hash*'
    }

    It 'refuses a non-positive -NumBins and three salt words' {
        Get-ErrorId { New-Model -InputShape 1 | Add-HashingLayer 0 } | Should -Be 'InvalidNumBins'
        Get-ErrorId { New-Model -InputShape 1 | Add-HashingLayer 3 -Salt 1, 2, 3 } | Should -Be 'InvalidSalt'
    }
}
