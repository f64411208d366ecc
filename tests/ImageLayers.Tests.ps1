# The image preprocessing and augmentation layers beyond the shared cases of tests/LayerCases.ps1: augmentation is
# seeded by the fit (the same -Seed gives the same augmented images, another seed others), changes images in
# training and never at prediction.
BeforeAll {
    . $PSScriptRoot/common.ps1
    # 8 images of 6 x 5 x 3 with distinct pixels, two classes.
    $n = 8; $shape = 6, 5, 3
    $x = [float[]]::new($n * 90)
    for ($i = 0; $i -lt $x.Length; $i++) { $x[$i] = ($i * 37) % 256 }
    $script:images = [KerasPS.Dataset]::new([KerasPS.Engine.Data.EncodedData]::new($x, [int[]]$shape, [string[]]@(), 'y',
            [int[]](0, 1, 0, 1, 0, 1, 0, 1), [string[]]('a', 'b')))
    $script:augmentations = @{
        RandomFlip        = { param($m) $m | Add-RandomFlipLayer }
        RandomRotation    = { param($m) $m | Add-RandomRotationLayer 0.2 }
        RandomZoom        = { param($m) $m | Add-RandomZoomLayer 0.3 }
        RandomTranslation = { param($m) $m | Add-RandomTranslationLayer 0.2 0.2 -FillMode constant -FillValue 10 }
        RandomContrast    = { param($m) $m | Add-RandomContrastLayer 0.5 }
        RandomBrightness  = { param($m) $m | Add-RandomBrightnessLayer 0.3 }
    }
    # The weights after a short fit of augmentation -> Rescaling -> Flatten -> Dense: they depend on the images the
    # augmentation gave. One batch of all rows, so the fit's shuffle does not change the sum, only its order.
    function Get-FitWeights([scriptblock] $Augment, [long] $Seed) {
        $m = & $Augment (New-Model -InputShape 6, 5, 3 -Seed 1)
        $m = $m | Add-RescalingLayer (1 / 255) | Add-FlattenLayer | Add-DenseLayer 2 -Activation softmax |
            Build-Model sgd -Loss sparse_categorical_crossentropy
        $null = $m | Invoke-ModelFit -Data $images -Epochs 2 -BatchSize 8 -Seed $Seed
        , ((Get-ModelWeight -Model $m -Layer dense -Name kernel).Value | ForEach-Object { [math]::Round($_, 5) })
    }
    function Get-MaxDifference($a, $b) { ($a | ForEach-Object -Begin { $i = 0 } { [math]::Abs($_ - $b[$i++]) } | Measure-Object -Maximum).Maximum }
    $script:plain1 = Get-FitWeights { param($m) $m } 1
}

Describe 'Image augmentation layers' {
    It '<_> gives the same augmented images for the same fit seed and others for another seed' -ForEach @(
        'RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomTranslation', 'RandomContrast', 'RandomBrightness') {
        $add = $augmentations[$_]
        $a = Get-FitWeights $add 1
        $b = Get-FitWeights $add 1
        $c = Get-FitWeights $add 2
        $a | Should -Be $b
        Get-MaxDifference $a $c | Should -BeGreaterThan 1e-4 -Because 'another seed draws other augmentations'
        Get-MaxDifference $a $plain1 | Should -BeGreaterThan 1e-4 -Because 'the layer changes the images while training'
    }

    It 'fits without augmentation the same for any seed when one batch holds every row (the control)' {
        Get-MaxDifference (Get-FitWeights { param($m) $m } 2) $plain1 | Should -BeLessThan 1e-4
    }

    It '<_> leaves images unchanged at prediction' -ForEach @(
        'RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomTranslation', 'RandomContrast', 'RandomBrightness') {
        $m = & $augmentations[$_] (New-Model -InputShape 6, 5, 3 -Seed 1) | Add-FlattenLayer
        $p = $m | Invoke-ModelPredict -Data $images -AsMatrix
        $p[3, 17] | Should -Be $images.GetFeatures(3)[17]
        $p[7, 89] | Should -Be $images.GetFeatures(7)[89]
    }

    It 'changes images in training: a flip mirrors some images exactly, brightness shifts a whole image' {
        $m = New-Model -InputShape 6, 5, 3 -Seed 1 | Add-RandomFlipLayer horizontal
        $t = $images.Engine.FeatureTensor()
        $y = $m.Engine.Forward($t, $true).data[float]().ToArray()
        $flipped = 0
        for ($r = 0; $r -lt 8; $r++) {
            $same = $true; $mirror = $true
            for ($h = 0; $h -lt 6; $h++) { for ($w = 0; $w -lt 5; $w++) { for ($c = 0; $c -lt 3; $c++) {
                $v = $y[$r * 90 + ($h * 5 + $w) * 3 + $c]
                if ($v -ne $images.Engine.Features[$r * 90 + ($h * 5 + $w) * 3 + $c]) { $same = $false }
                if ($v -ne $images.Engine.Features[$r * 90 + ($h * 5 + 4 - $w) * 3 + $c]) { $mirror = $false }
            } } }
            ($same -or $mirror) | Should -BeTrue -Because "image $r is either kept or mirrored left-right"
            if ($mirror -and -not $same) { $flipped++ }
        }
        $flipped | Should -BeGreaterThan 0
        $flipped | Should -BeLessThan 8
    }
}

Describe 'Image layer checkpoints' {
    It 'keeps every image layer''s Keras config through .kpt, .keras and .h5' {
        $m = New-Model -InputShape 8, 8, 3 -Seed 1 | Add-RescalingLayer (1 / 127.5) -Offset -1 | Add-ResizingLayer 6 7 -Interpolation nearest -CropToAspectRatio |
            Add-CenterCropLayer 5 5 | Add-RandomFlipLayer horizontal | Add-RandomRotationLayer -0.1, 0.2 -FillMode constant -FillValue 0.5 |
            Add-RandomZoomLayer 0.2 -0.1, 0.1 -Interpolation nearest | Add-RandomTranslationLayer 0.1 0.2 -FillMode nearest |
            Add-RandomContrastLayer 0.2 -ValueRange -1, 1 | Add-RandomBrightnessLayer 0.1, 0.3 -ValueRange -1, 1 | Add-FlattenLayer
        $before = Get-ModelLayer -Model $m | ForEach-Object { $_.Config | ConvertTo-Json -Depth 5 -Compress }
        $before[0] | Should -BeLike '*"scale":0.00784313725490196*"offset":-1*'
        $before[1] | Should -BeLike '*"height":6*"width":7*"interpolation":"nearest"*"crop_to_aspect_ratio":true*'
        $before[4] | Should -BeLike '*"factor":`[-0.1,0.2`]*"fill_mode":"constant"*"fill_value":0.5*'
        $before[5] | Should -BeLike '*"height_factor":0.2*"width_factor":`[-0.1,0.1`]*'
        $before[7] | Should -BeLike '*"factor":0.2*"value_range":`[-1.0,1.0`]*'
        foreach ($ext in 'kpt', 'keras', 'h5') {
            $f = Join-Path $TestDrive "image-layers.$ext"
            $m | Export-Checkpoint $f
            $after = Get-ModelLayer -Model (Import-Checkpoint $f) | ForEach-Object { $_.Config | ConvertTo-Json -Depth 5 -Compress }
            $after | Should -Be $before -Because "the $ext file keeps each layer's config"
        }
    }
}
