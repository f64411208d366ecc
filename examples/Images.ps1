#Requires -Version 7.4
<#
.SYNOPSIS
    Images from a folder end to end: make a small folder of PNG images (three classes of shapes, seeded), load it with
    Import-ImageData and a validation split as Keras's image_dataset_from_directory would, train a small CNN with
    Rescaling and augmentation layers, and predict on image files.
.EXAMPLE
    ./examples/Images.ps1 -Epochs 30
.EXAMPLE
    ./examples/Images.ps1 -OutputDirectory ./shapes -PerClass 100
#>
param([int] $Epochs = 30, [int] $PerClass = 60, [long] $Seed = 42, [string] $OutputDirectory)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../KerasPS.psd1')

$root = if ($OutputDirectory) { $OutputDirectory } else { Join-Path ([IO.Path]::GetTempPath()) "keras-shapes-$Seed" }
$size = 32

# One subfolder per class, as image_dataset_from_directory expects: circle/, square/, triangle/.
# Each image: a shape of random size, place and colour on a noisy grey background, saved as PNG through SkiaSharp.
function New-ShapeImage([string] $Shape, $Rng) {
    $px = [byte[]]::new($size * $size * 3)
    $r = 6 + $Rng.NextInt(6); $cx = $r + 2 + $Rng.NextInt($size - 2 * $r - 4); $cy = $r + 2 + $Rng.NextInt($size - 2 * $r - 4)
    $colour = @((80 + $Rng.NextInt(176)), (80 + $Rng.NextInt(176)), (80 + $Rng.NextInt(176)))
    for ($y = 0; $y -lt $size; $y++) {
        for ($x = 0; $x -lt $size; $x++) {
            $dx = $x - $cx; $dy = $y - $cy
            $inside = switch ($Shape) {
                'circle' { $dx * $dx + $dy * $dy -le $r * $r }
                'square' { [math]::Abs($dx) -le $r * 0.85 -and [math]::Abs($dy) -le $r * 0.85 }
                'triangle' { $dy -le $r * 0.8 -and $dy -ge -$r -and [math]::Abs($dx) -le ($dy + $r) / 2 }
            }
            $at = ($y * $size + $x) * 3
            for ($c = 0; $c -lt 3; $c++) { $px[$at + $c] = if ($inside) { $colour[$c] } else { 20 + $Rng.NextInt(40) } }
        }
    }
    $px
}
$rng = [KerasPS.Engine.MersenneTwister]::new($Seed)
foreach ($shape in 'circle', 'square', 'triangle') {
    $dir = Join-Path $root $shape
    $null = New-Item -ItemType Directory -Force $dir
    for ($i = 0; $i -lt $PerClass; $i++) {
        [KerasPS.Engine.Data.Images.ImageEncoder]::Save((Join-Path $dir ('{0}_{1:D3}.png' -f $shape, $i)), (New-ShapeImage $shape $rng),
            $size, $size, 3, 95)
    }
}

# Keras: image_dataset_from_directory(root, validation_split=0.2, subset="both", seed=42, image_size=(32, 32))
$train, $val = Import-ImageData $root -ImageSize $size, $size -ValidationSplit 0.2 -Subset both -Seed $Seed
"Classes: $($train.Classes -join ', '); $($train.Count) training and $($val.Count) validation images" | Write-Host

# Pixels arrive in 0-255: Rescaling brings them to [0, 1] inside the model, so prediction takes raw pixels too.
# RandomFlip and RandomRotation change the images only while training, seeded by the fit's -Seed.
$model = New-Model -InputShape $size, $size, 3 -Seed $Seed |
    Add-RescalingLayer (1 / 255) |
    Add-RandomFlipLayer horizontal |
    Add-RandomRotationLayer 0.05 |
    Add-Conv2DLayer 8 3 -Activation relu |
    Add-MaxPooling2DLayer 2 |
    Add-Conv2DLayer 16 3 -Activation relu |
    Add-MaxPooling2DLayer 2 |
    Add-FlattenLayer |
    Add-DenseLayer 32 -Activation relu |
    Add-DenseLayer 3 -Activation softmax |
    Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.003) -Loss sparse_categorical_crossentropy -Metrics accuracy

$history = $model | Invoke-ModelFit -Data $train -ValidationData $val -Epochs $Epochs -BatchSize 16 -Seed $Seed
$history | Select-Object -Last 1 | Format-Table | Out-String | Write-Host
$score = $model | Invoke-ModelEvaluate -Data $val
$score | Format-Table | Out-String | Write-Host

# Prediction straight from files: each is decoded and resized to the model's input, and named by its path.
Get-ChildItem (Join-Path $root 'triangle') -Filter *.png | Select-Object -First 3 | Invoke-ModelPredict -Model $model |
    Select-Object @{ n = 'File'; e = { Split-Path -Leaf $_.Path } }, Class, Probability | Format-Table | Out-String | Write-Host

[pscustomobject]@{ Folder = $root; Classes = $train.Classes; Train = $train.Count; Validation = $val.Count
    Epochs = @($history).Count; Accuracy = $score.accuracy }
