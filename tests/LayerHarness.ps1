# One test harness for every layer (the idea of Keras's testing.TestCase.run_layer_test).
# Dot-source it after common.ps1. Invoke-LayerTest builds a layer on an input shape and checks, in one call:
#   - the output shape and parameter counts against the numbers Keras gives for the same configuration;
#   - the config round trip in Keras 3's serialized form: Serialize() gives { module: keras.layers, class_name,
#     config, registered_name: null }, LayerRegistry.Deserialize of it gives a layer of the same class with the same
#     config, and that layer builds to the same output shape and parameter count;
#   - a forward/backward pass: the layer inside a tiny model (Reshape -> layer -> Flatten -> Dense 1) compiles and
#     takes one seeded fit epoch on random data, the loss is finite, and every trainable weight of the layer moves.

function New-HarnessFeatures {
    # Seeded random rows (float[rows, width]): uniform in [-1, 1), or token ids in [0, TokenRange).
    param([int] $Rows, [int] $Width, [int] $TokenRange = 0, [int] $Seed = 1)
    $rng = [KerasPS.Engine.MersenneTwister]::new($Seed)
    $x = [float[,]]::new($Rows, $Width)
    for ($i = 0; $i -lt $Rows; $i++) {
        for ($j = 0; $j -lt $Width; $j++) {
            $x[$i, $j] = if ($TokenRange -gt 0) { $rng.NextInt($TokenRange) } else { $rng.NextDouble() * 2 - 1 }
        }
    }
    , $x
}

function ConvertTo-ConfigJson {
    param($Config)
    $Config | ConvertTo-Json -Depth 10 -Compress
}

function Invoke-LayerTest {
    param(
        # Adds the layer under test to the model it receives: { param($m) $m | Add-Conv2DLayer 32 3 }
        [Parameter(Mandatory)] [scriptblock] $AddLayer,
        # Input shape without the batch axis.
        [Parameter(Mandatory)] [int[]] $InputShape,
        # Output shape as Get-ModelSummary (and Keras's summary) writes it: '(None, 26, 26, 32)'.
        [Parameter(Mandatory)] [string] $ExpectedOutputShape,
        [long] $ExpectedParams = 0,
        [long] $ExpectedNonTrainableParams = 0,
        # Expected Keras class name of the layer.
        [string] $ExpectedClass,
        # Integer inputs in [0, TokenRange) (Embedding) instead of uniform floats.
        [int] $TokenRange = 0,
        # The layer carries code (script-block Lambda): round-trip it with unsafe code allowed.
        [switch] $AllowUnsafeCode
    )
    # Output shape and parameters.
    $model = & $AddLayer (New-Model -InputShape $InputShape -Seed 7)
    $layer = $model.Engine.Layers[-1]
    if ($ExpectedClass) { $layer.ClassName | Should -Be $ExpectedClass }
    ($model | Get-ModelSummary)[-1].OutputShape | Should -Be $ExpectedOutputShape
    $layer.ParamCount | Should -Be $ExpectedParams
    ($layer.ParamCount - $layer.TrainableParamCount) | Should -Be $ExpectedNonTrainableParams
    $layer.IsUnsafeToDeserialize | Should -Be $AllowUnsafeCode.IsPresent

    # Config round trip, then the restored layer builds to the same shape and size.
    $config = $layer.GetConfig()
    $serialized = $layer.Serialize()
    # Keras 3 writes a model used as a layer under its own module: keras.src.models.functional, or keras for a Sequential.
    $module = @{ Functional = 'keras.src.models.functional'; Sequential = 'keras' }[$layer.ClassName] ?? 'keras.layers'
    $serialized.module | Should -Be $module
    $serialized.class_name | Should -Be $layer.ClassName
    $serialized.ContainsKey('registered_name') | Should -BeTrue
    $serialized.registered_name | Should -BeNullOrEmpty
    $config.dtype | Should -Be 'float32'
    $restored = [KerasPS.Engine.Layers.LayerRegistry]::Deserialize($serialized, $AllowUnsafeCode.IsPresent)
    $restored.GetType() | Should -Be $layer.GetType()
    ConvertTo-ConfigJson $restored.GetConfig() | Should -Be (ConvertTo-ConfigJson $config)
    $rebuilt = New-Model -InputShape $InputShape -Seed 7
    $rebuilt.Engine.Add($restored)
    [KerasPS.Engine.Shapes]::Format($restored.OutputShape) | Should -Be $ExpectedOutputShape
    $restored.ParamCount | Should -Be $ExpectedParams

    # Forward and backward: one seeded epoch of SGD on random data through the layer.
    $width = 1
    foreach ($d in $InputShape) { $width *= $d }
    $net = New-Model -InputShape $width -Seed 11
    if ($InputShape.Count -gt 1) { $net = $net | Add-ReshapeLayer -TargetShape $InputShape }
    $net = & $AddLayer $net
    $net = $net | Add-FlattenLayer -Name harness_flatten | Add-DenseLayer 1 -Name harness_head
    $under = $net.Engine.Layers | Where-Object { $_.ClassName -eq $layer.ClassName } | Select-Object -Last 1
    $before = @{}
    foreach ($w in $under.Weights) { $before[$w.Name] = $w.ToArray() }
    $x = New-HarnessFeatures -Rows 16 -Width $width -TokenRange $TokenRange
    $y = [double[]](1..16 | ForEach-Object { ($_ % 3) - 1 })
    $net = $net | Build-Model -Optimizer (New-Optimizer sgd -LearningRate 0.05) -Loss mse
    $history = $net | Invoke-ModelFit -X $x -Y $y -Epochs 1 -BatchSize 8 -Seed 3
    [double]::IsFinite($history[-1].Loss) | Should -BeTrue -Because 'the forward/backward pass gives a finite loss'
    foreach ($w in $under.Weights | Where-Object Trainable) {
        $after = $w.ToArray()
        $moved = $false
        for ($i = 0; $i -lt $after.Length; $i++) { if ($after[$i] -ne $before[$w.Name][$i]) { $moved = $true; break } }
        $moved | Should -BeTrue -Because "gradient reaches $($w.Path)"
    }
}
