# The padding, cropping, upsampling, global max pooling, spatial dropout and ThresholdedReLU layers beyond the shared
# harness (tests/LayerCases.ps1): Keras's config forms, refusals, dropout of whole channels, and file round trips.
BeforeAll {
    . $PSScriptRoot/common.ps1
    # The module loads libtorch on first use; a direct TorchSharp call before that would fail to find it.
    $null = New-Model -InputShape 2 | Add-DenseLayer 1 | Build-Model -Optimizer sgd -Loss mse
    $script:Registry = [KerasPS.Engine.Layers.LayerRegistry]
    function New-Config([hashtable] $Values) {
        $d = [Collections.Generic.Dictionary[string, object]]::new()
        foreach ($k in $Values.Keys) { $d[$k] = $Values[$k] }
        , $d
    }
    # The KerasException a direct engine call throws (PowerShell wraps it in a MethodInvocationException).
    function Get-EngineErrorId([scriptblock] $ScriptBlock) {
        try { & $ScriptBlock | Out-Null } catch {
            $e = $_.Exception; while ($e -and $e.GetType().Name -ne 'KerasException') { $e = $e.InnerException }; return $e.ErrorId
        }
    }
    # Runs a layer forward in training mode on ones of the given shape, with a seeded generator.
    function Invoke-TrainingForward($Layer, [long[]] $Shape, [int] $Seed) {
        $scope = [KerasPS.Engine.Training.RandomContext]::Use([TorchSharp.torch+Generator]::new($Seed, [TorchSharp.torch]::CPU))
        try { $Layer.Forward([TorchSharp.torch]::ones($Shape), $true).data[float]().ToArray() } finally { $scope.Dispose() }
    }
}

Describe 'Keras configs of the padding and cropping layers' {
    It 'reads ((top, bottom), (left, right)) as Keras writes it, and writes it back in that form' {
        $layer = $script:Registry::FromConfig('ZeroPadding2D', (New-Config @{ padding = @(@(1, 0), @(2, 3)) }), $false)
        $layer.Before | Should -Be @(1, 2)
        $layer.After | Should -Be @(0, 3)
        ($layer.GetConfig().padding | ConvertTo-Json -Compress) | Should -Be '[[1,0],[2,3]]'
        $layer.GetConfig().data_format | Should -Be 'channels_last'
        $crop = $script:Registry::FromConfig('Cropping2D', (New-Config @{ cropping = @(@(2, 2), @(4, 4)) }), $false)
        $crop.Before | Should -Be @(2, 4)
        $crop.After | Should -Be @(2, 4)
    }

    It 'reads one int as every side and Keras''s defaults when the key is absent' {
        $script:Registry::FromConfig('ZeroPadding2D', (New-Config @{ padding = 3 }), $false).After | Should -Be @(3, 3)
        $script:Registry::FromConfig('ZeroPadding1D', (New-Config @{}), $false).Before | Should -Be @(1)
        $c1 = $script:Registry::FromConfig('Cropping1D', (New-Config @{ cropping = @(1, 2) }), $false)
        ($c1.GetConfig().cropping | ConvertTo-Json -Compress) | Should -Be '[1,2]'
        $c1.GetConfig().ContainsKey('data_format') | Should -BeFalse -Because 'Keras 3.0''s Cropping1D takes no data_format'
        $script:Registry::FromConfig('Cropping2D', (New-Config @{}), $false).After | Should -Be @(0, 0)
        $script:Registry::FromConfig('UpSampling2D', (New-Config @{ size = 3 }), $false).Size | Should -Be @(3, 3)
        $script:Registry::FromConfig('UpSampling2D', (New-Config @{}), $false).Interpolation | Should -Be 'nearest'
        $script:Registry::FromConfig('UpSampling1D', (New-Config @{}), $false).Size | Should -Be 2
        $script:Registry::FromConfig('ThresholdedReLU', (New-Config @{}), $false).Theta | Should -Be 1
        $script:Registry::FromConfig('ThresholdedReLU', (New-Config @{ theta = 0.25 }), $false).Theta | Should -Be 0.25
        $script:Registry::FromConfig('GlobalMaxPooling2D', (New-Config @{ keepdims = $true }), $false).KeepDims | Should -BeTrue
        $script:Registry::FromConfig('SpatialDropout1D', (New-Config @{ rate = 0.2; seed = $null }), $false).Rate | Should -Be 0.2
    }

    It 'refuses channels_first in <Class> with UnsupportedLayerOption, naming data_format' -ForEach @(
        @{ Class = 'ZeroPadding2D'; Extra = @{} }, @{ Class = 'Cropping2D'; Extra = @{} }, @{ Class = 'ZeroPadding1D'; Extra = @{} },
        @{ Class = 'UpSampling2D'; Extra = @{} }, @{ Class = 'GlobalMaxPooling1D'; Extra = @{} },
        @{ Class = 'GlobalMaxPooling2D'; Extra = @{} }, @{ Class = 'SpatialDropout2D'; Extra = @{ rate = 0.1 } }) {
        $values = @{ data_format = 'channels_first'; name = 'x' } + $Extra
        $err = $null
        try { $script:Registry::FromConfig($Class, (New-Config $values), $false) } catch { $err = $_.Exception.InnerException }
        $err.ErrorId | Should -Be 'UnsupportedLayerOption'
        $err.Message | Should -BeLike "*$Class 'x' sets data_format=channels_first*"
    }

    It 'refuses Keras 1''s dim_ordering th (channels first) by name, and reads tf' {
        $err = $null
        try { $script:Registry::FromConfig('ZeroPadding2D', (New-Config @{ dim_ordering = 'th'; padding = @(1, 1) }), $false) }
        catch { $err = $_.Exception.InnerException }
        $err.ErrorId | Should -Be 'UnsupportedLayerOption'
        $err.Message | Should -BeLike '*dim_ordering=th*'
        $script:Registry::FromConfig('UpSampling2D', (New-Config @{ dim_ordering = 'tf'; size = @(2, 2) }), $false).Size | Should -Be @(2, 2)
    }

    It 'refuses an interpolation other than nearest or bilinear with InvalidInterpolation' {
        Get-EngineErrorId { $script:Registry::FromConfig('UpSampling2D', (New-Config @{ interpolation = 'bicubic' }), $false) } |
            Should -Be 'InvalidInterpolation'
    }

    It 'refuses negative amounts, wrong counts and a crop that leaves nothing' {
        Get-ErrorId { New-Model -InputShape 4, 4, 1 | Add-ZeroPadding2DLayer -Padding -1 } | Should -Be 'InvalidPadding'
        Get-ErrorId { New-Model -InputShape 4, 4, 1 | Add-ZeroPadding2DLayer -Padding 1, 2, 3 } | Should -Be 'InvalidPadding'
        Get-ErrorId { New-Model -InputShape 4, 1 | Add-Cropping1DLayer -Cropping 1, 2, 3 } | Should -Be 'InvalidCropping'
        Get-ErrorId { New-Model -InputShape 4, 1 | Add-Cropping1DLayer -Cropping 2, 2 } | Should -Be 'InvalidCropping'
        Get-ErrorId { New-Model -InputShape 4, 4, 1 | Add-Cropping2DLayer -Cropping 0, 0, 3, 1 } | Should -Be 'InvalidCropping'
        Get-ErrorId { New-Model -InputShape 4 | Add-UpSampling1DLayer } | Should -Be 'InvalidInputShape'
        Get-ErrorId { New-Model -InputShape 4 | Add-ThresholdedReLULayer -Theta -1 } | Should -Be 'InvalidTheta'
        Get-ErrorId { New-Model -InputShape 4, 2 | Add-SpatialDropout1DLayer -Rate 1 } | Should -Be 'InvalidRate'
    }
}

Describe 'SpatialDropout1D/2D in training' {
    It 'drops whole channels: every step of a sample''s channel is 0 or 1/(1-rate) together' {
        $layer = [KerasPS.Engine.Layers.Regularization.SpatialDropout1D]::new(0.25, [NullString]::Value, $null)
        $y = Invoke-TrainingForward $layer @(400, 6, 10) 5
        $zeros = 0
        for ($s = 0; $s -lt 400; $s++) {
            for ($c = 0; $c -lt 10; $c++) {
                $steps = @(0..5 | ForEach-Object { $y[($s * 6 + $_) * 10 + $c] } | Select-Object -Unique)
                $steps.Count | Should -Be 1
                if ($steps[0] -eq 0) { $zeros++ } else { $steps[0] | Should -Be ([float](1 / 0.75)) }
            }
        }
        ($zeros / 4000) | Should -BeGreaterThan 0.22
        ($zeros / 4000) | Should -BeLessThan 0.28
        ((Invoke-TrainingForward $layer @(400, 6, 10) 5) -join ',') | Should -Be ($y -join ',') -Because 'a seeded run repeats'
    }

    It 'drops whole feature maps in 2-D' {
        $layer = [KerasPS.Engine.Layers.Regularization.SpatialDropout2D]::new(0.5, [NullString]::Value, $null)
        $y = Invoke-TrainingForward $layer @(50, 3, 2, 4) 9
        $zeros = 0
        for ($s = 0; $s -lt 50; $s++) {
            for ($c = 0; $c -lt 4; $c++) {
                $pixels = @(0..5 | ForEach-Object { $y[($s * 6 + $_) * 4 + $c] } | Select-Object -Unique)
                $pixels.Count | Should -Be 1
                if ($pixels[0] -eq 0) { $zeros++ }
            }
        }
        $zeros | Should -BeGreaterThan 60
        $zeros | Should -BeLessThan 140
    }

    It 'is the identity in training at rate 0 and at inference' {
        $layer = [KerasPS.Engine.Layers.Regularization.SpatialDropout2D]::new(0, [NullString]::Value, $null)
        @(Invoke-TrainingForward $layer @(2, 2, 2, 3) 1 | Select-Object -Unique) | Should -Be @(1)
        $m = New-Model -InputShape 2, 3 | Add-SpatialDropout1DLayer 0.9
        $m.Engine.Layers[0].Forward([TorchSharp.torch]::ones([long[]]@(4, 2, 3)), $false).data[float]().ToArray() |
            Select-Object -Unique | Should -Be @(1)
    }
}

Describe 'The new layers in checkpoint files' {
    BeforeAll {
        $script:Work = Join-Path $TestDrive 'files'
        New-Item -ItemType Directory $script:Work | Out-Null
        $script:Model = New-Model -InputShape 60 -Seed 3 | Add-ReshapeLayer 5, 6, 2 | Add-ZeroPadding2DLayer 1, 0, 2, 1 | Add-Cropping2DLayer 0, 1, 1, 0 |
            Add-UpSampling2DLayer 2, 1 -Interpolation bilinear | Add-SpatialDropout2DLayer 0.2 | Add-Conv2DLayer 3 2 |
            Add-UpSampling2DLayer | Add-GlobalMaxPooling2DLayer -KeepDims | Add-ReshapeLayer 1, 3 | Add-ZeroPadding1DLayer 2, 1 |
            Add-Cropping1DLayer 1, 0 | Add-UpSampling1DLayer 3 | Add-SpatialDropout1DLayer 0.1 | Add-GlobalMaxPooling1DLayer |
            Add-ThresholdedReLULayer 0.01 | Add-DenseLayer 1 | Build-Model -Optimizer sgd -Loss mse
        $rng = [KerasPS.Engine.MersenneTwister]::new(4)
        $script:X = [float[,]]::new(3, 60)
        for ($i = 0; $i -lt 3; $i++) { for ($j = 0; $j -lt 60; $j++) { $script:X[$i, $j] = $rng.NextDouble() * 2 - 1 } }
    }

    It 'round-trips config and outputs through <Ext>' -ForEach @(@{ Ext = 'kpt' }, @{ Ext = 'keras' }, @{ Ext = 'h5' }) {
        $path = Join-Path $script:Work "model.$Ext"
        $script:Model | Export-Checkpoint -Path $path
        $back = Import-Checkpoint -Path $path
        @($back.Engine.Layers.ClassName) | Should -Be @($script:Model.Engine.Layers.ClassName)
        for ($i = 0; $i -lt $back.Engine.Layers.Count; $i++) {
            ($back.Engine.Layers[$i].GetConfig() | ConvertTo-Json -Depth 10 -Compress) |
                Should -Be ($script:Model.Engine.Layers[$i].GetConfig() | ConvertTo-Json -Depth 10 -Compress)
        }
        $want = $script:Model | Invoke-ModelPredict -X $script:X -AsMatrix
        $got = $back | Invoke-ModelPredict -X $script:X -AsMatrix
        @($want[0, 0], $want[1, 0], $want[2, 0] | Select-Object -Unique).Count | Should -Be 3 -Because 'the rows reach the output'
        for ($i = 0; $i -lt 3; $i++) { $got[$i, 0] | Should -Be $want[$i, 0] }
    }
}
