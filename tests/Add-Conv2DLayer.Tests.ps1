BeforeAll {
    . $PSScriptRoot/common.ps1

    function New-BarImages {
        # 8x8 images, flattened row-major: a horizontal ('h') or vertical ('v') bar of ones at a random position,
        # plus uniform noise in [0, 0.3). Seeded, so every run sees the same images.
        param([int] $Count, [int] $Seed)
        $rng = [KerasPS.Engine.MersenneTwister]::new($Seed)
        $x = [float[,]]::new($Count, 64)
        $y = [string[]]::new($Count)
        for ($i = 0; $i -lt $Count; $i++) {
            for ($j = 0; $j -lt 64; $j++) { $x[$i, $j] = $rng.NextDouble() * 0.3 }
            $at = $rng.NextInt(8)
            $horizontal = $rng.NextInt(2) -eq 0
            for ($k = 0; $k -lt 8; $k++) {
                if ($horizontal) { $x[$i, ($at * 8 + $k)] = 1 } else { $x[$i, ($k * 8 + $at)] = 1 }
            }
            $y[$i] = if ($horizontal) { 'h' } else { 'v' }
        }
        @{ X = $x; Y = $y }
    }
}

Describe 'Add-Conv2DLayer' {
    It 'computes a Keras cross-correlation with a (kh, kw, in, out) kernel on channels_last input' {
        # 3x3 image 1..9; kernel (2, 2, 1, 2): filter 0 is [[1, 2], [3, 4]], filter 1 ten times that.
        # Output (0, 0) = 1*1 + 2*2 + 3*4 + 4*5 = 37; (0, 1) = 47; (1, 0) = 67; (1, 1) = 77.
        $m = New-Model -InputShape 9 | Add-ReshapeLayer 3, 3, 1 | Add-Conv2DLayer 2 2 -UseBias:$false
        $kernel = $m.Engine.Layers[1].Weights[0]
        $kernel.Shape | Should -Be @(2, 2, 1, 2)
        $kernel.Assign([float[]](1, 10, 2, 20, 3, 30, 4, 40))
        $p = $m | Invoke-ModelPredict -X @(, @(1, 2, 3, 4, 5, 6, 7, 8, 9)) -AsMatrix
        @(0..7 | ForEach-Object { $p[0, $_] }) | Should -Be @(37, 370, 47, 470, 67, 670, 77, 770)
    }

    It 'gives the same result for channels_first input laid out as (channels, height, width)' {
        $last = New-Model -InputShape 18 -Seed 3 | Add-ReshapeLayer 3, 3, 2 | Add-Conv2DLayer 2 2
        $first = New-Model -InputShape 18 -Seed 3 | Add-ReshapeLayer 3, 3, 2 | Add-PermuteLayer 3, 1, 2 | Add-Conv2DLayer 2 2 -DataFormat channels_first | Add-PermuteLayer 2, 3, 1
        $first.Engine.Layers[2].Weights[0].Assign($last.Engine.Layers[1].Weights[0].ToArray())
        $row = @(, [double[]](1..18 | ForEach-Object { [math]::Sin($_) }))
        $a = $last | Invoke-ModelPredict -X $row -AsMatrix
        $b = $first | Invoke-ModelPredict -X $row -AsMatrix
        foreach ($i in 0..7) { $b[0, $i] | Should -BeGreaterThan ($a[0, $i] - 1e-5); $b[0, $i] | Should -BeLessThan ($a[0, $i] + 1e-5) }
    }

    It 'pads "same" as Keras: ceil(size / stride) outputs with the odd pad after' {
        # 4x4 ones, 3x3 kernel of ones, stride 2, same: total pad 1, all after -> windows at 0 and 2 cover 9 and 6 cells.
        $m = New-Model -InputShape 16 | Add-ReshapeLayer 4, 4, 1 | Add-Conv2DLayer 1 3 -Strides 2 -Padding same -KernelInitializer ones
        ($m | Get-ModelSummary)[-1].OutputShape | Should -Be '(None, 2, 2, 1)'
        $p = $m | Invoke-ModelPredict -X @(, [double[]](1..16 | ForEach-Object { 1 })) -AsMatrix
        @($p[0, 0], $p[0, 1], $p[0, 2], $p[0, 3]) | Should -Be @(9, 6, 6, 4)
    }

    It 'learns horizontal versus vertical bars on 8x8 images to clearly better than chance' {
        $train = New-BarImages -Count 160 -Seed 1
        $test = New-BarImages -Count 60 -Seed 2
        $m = New-Model -InputShape 64 -Seed 42 | Add-ReshapeLayer 8, 8, 1 |
            Add-Conv2DLayer 4 3 -Activation relu | Add-MaxPooling2DLayer | Add-FlattenLayer | Add-DenseLayer 2 -Activation softmax |
            Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.01) -Loss sparse_categorical_crossentropy -Metrics accuracy
        $null = $m | Invoke-ModelFit -X $train.X -Y $train.Y -Epochs 12 -BatchSize 16 -Seed 7
        $accuracy = ($m | Invoke-ModelEvaluate -X $test.X -Y $test.Y).Accuracy
        $accuracy | Should -BeGreaterOrEqual 0.9
    }

    It 'trains the same way twice with the same seeds' {
        $data = New-BarImages -Count 32 -Seed 3
        $losses = foreach ($run in 1, 2) {
            $m = New-Model -InputShape 64 -Seed 9 | Add-ReshapeLayer 8, 8, 1 | Add-Conv2DLayer 2 3 -Activation relu | Add-FlattenLayer | Add-DenseLayer 2 -Activation softmax |
                Build-Model -Optimizer adam -Loss sparse_categorical_crossentropy
            ($m | Invoke-ModelFit -X $data.X -Y $data.Y -Epochs 2 -Seed 5)[-1].Loss
        }
        $losses[0] | Should -Be $losses[1]
    }

    It 'trains a seeded CNN of the benchmark''s shape on two threads to bit-identical weights twice' -Tag Slow {
        # Conv2D 32 -> MaxPool -> Conv2D 64 -> MaxPool -> Dense on 28x28x1, Adam, a short last batch: the oneDNN
        # convolution and pooling kernels (forward, backward data, backward weights) that the tiny test above skips.
        $rng = [KerasPS.Engine.MersenneTwister]::new(21)
        $rows = 72
        $x = [float[,]]::new($rows, 784)
        $y = [string[]]::new($rows)
        for ($i = 0; $i -lt $rows; $i++) {
            for ($j = 0; $j -lt 784; $j++) { $x[$i, $j] = $rng.NextDouble() }
            $y[$i] = [string]$rng.NextInt(10)
        }
        $weights = foreach ($run in 1, 2) {
            $m = New-Model -InputShape 784 -Seed 42 | Add-ReshapeLayer 28, 28, 1 |
                Add-Conv2DLayer 32 3 -Activation relu | Add-MaxPooling2DLayer | Add-Conv2DLayer 64 3 -Activation relu | Add-MaxPooling2DLayer |
                Add-FlattenLayer | Add-DenseLayer 10 -Activation softmax |
                Build-Model -Optimizer adam -Loss sparse_categorical_crossentropy
            $null = $m | Invoke-ModelFit -X $x -Y $y -Epochs 2 -BatchSize 32 -Seed 5 -Threads 2
            , [float[]]($m.Engine.Weights | ForEach-Object { $_.ToArray() })
        }
        $weights[0].Length | Should -Be 34826   # 320 + 18,496 + 16,010, as Keras counts them
        $differ = 0
        for ($i = 0; $i -lt $weights[0].Length; $i++) {
            if ([BitConverter]::SingleToInt32Bits($weights[0][$i]) -ne [BitConverter]::SingleToInt32Bits($weights[1][$i])) { $differ++ }
        }
        $differ | Should -Be 0 -Because 'a seeded fit is reproducible bit for bit on one machine'
    }

    It 'trains Conv(relu) -> MaxPooling, which pools before relu, to the bit-identical weights of Conv -> Activation(relu) -> MaxPooling (<Rank>-D)' -TestCases @(
        @{ Rank = 2; Shape = 8, 8, 2 }
        @{ Rank = 1; Shape = 16, 2 }
    ) {
        param($Rank, $Shape)
        $rng = [KerasPS.Engine.MersenneTwister]::new(9)
        $rows = 40
        $width = 1; foreach ($d in $Shape) { $width *= $d }
        $x = [float[,]]::new($rows, $width)
        $y = [string[]]::new($rows)
        for ($i = 0; $i -lt $rows; $i++) {
            for ($j = 0; $j -lt $width; $j++) { $x[$i, $j] = $rng.NextDouble() - 0.5 }
            $y[$i] = [string]$rng.NextInt(3)
        }
        $conv = if ($Rank -eq 2) { 'Add-Conv2DLayer' } else { 'Add-Conv1DLayer' }
        $pool = if ($Rank -eq 2) { 'Add-MaxPooling2DLayer' } else { 'Add-MaxPooling1DLayer' }
        $fit = {
            param([switch] $Separate)
            $m = New-Model -InputShape $width -Seed 4 | Add-ReshapeLayer $Shape
            $m = if ($Separate) { $m | & $conv 6 3 -Padding same | Add-ActivationLayer relu } else { $m | & $conv 6 3 -Padding same -Activation relu }
            $m = $m | & $pool -Padding same | & $conv 4 3 -Activation relu | Add-FlattenLayer | Add-DenseLayer 3 -Activation softmax |
                Build-Model -Optimizer adam -Loss sparse_categorical_crossentropy
            $null = $m | Invoke-ModelFit -X $x -Y $y -Epochs 3 -BatchSize 8 -Seed 2
            [pscustomobject]@{ Weights = [float[]]($m.Engine.Weights | ForEach-Object { $_.ToArray() }); Output = $m | Invoke-ModelPredict -X $x -AsMatrix }
        }
        $fused = & $fit
        $separate = & $fit -Separate
        $fused.Weights.Length | Should -Be $separate.Weights.Length
        $differ = 0
        for ($i = 0; $i -lt $fused.Weights.Length; $i++) {
            if ([BitConverter]::SingleToInt32Bits($fused.Weights[$i]) -ne [BitConverter]::SingleToInt32Bits($separate.Weights[$i])) { $differ++ }
        }
        $differ | Should -Be 0 -Because 'pooling before relu gives the same values and the same gradients'
        $fused.Output[7, 2] | Should -Be $separate.Output[7, 2]
    }

    It 'refuses input that is not (height, width, channels) with InvalidInputShape' {
        Get-ErrorId { New-Model -InputShape 64 | Add-Conv2DLayer 4 3 } | Should -Be 'InvalidInputShape'
        Get-ErrorId { New-Model -InputShape 2, 2, 1 | Add-Conv2DLayer 4 3 } | Should -Be 'InvalidInputShape'
    }

    It 'refuses bad arguments with one clear error each' {
        Get-ErrorId { New-Model -InputShape 8, 8, 1 | Add-Conv2DLayer 0 3 } | Should -Be 'InvalidFilters'
        Get-ErrorId { New-Model -InputShape 8, 8, 1 | Add-Conv2DLayer 4 1, 2, 3 } | Should -Be 'InvalidKernelSize'
        Get-ErrorId { New-Model -InputShape 8, 8, 1 | Add-Conv2DLayer 4 3 -Strides 2 -DilationRate 2 } | Should -Be 'InvalidDilationRate'
        Get-ErrorId { New-Model -InputShape 8, 8, 1 | Add-Conv2DLayer 4 3 -Padding causal } | Should -Be 'InvalidPadding'
    }
}
