# Keras files out and in: .keras (Keras 3) and .h5 (Keras 2 HDF5) through Export-Checkpoint, New-ModelCheckpoint and
# Import-Checkpoint. Every layer type round-trips with identical predictions; Debian's h5py reads what KerasPS writes
# (an independent HDF5 reader); real files written by Keras 2.3.1 import and predict as NumPy does from their weights.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/ZipDamage.ps1
    function Rows([int] $n, [int[]] $shape, [int] $seed, [int] $max = 0) {
        $rng = [Random]::new($seed); $len = 1; foreach ($d in $shape) { $len *= $d }
        , @(1..$n | ForEach-Object { , [double[]]@(1..$len | ForEach-Object { if ($max) { [double]$rng.Next(0, $max) } else { $rng.NextDouble() * 2 - 1 } }) })
    }
    # Three models that between them hold every layer type KerasPS has (as tests/data/make-main-2aa0001-kpt.ps1 builds them).
    function New-EveryLayerModels {
        $m = [ordered]@{}
        $m['dense'] = @{ Shape = @(6); Model = New-Model -Name dense_stack -InputShape 6 -Seed 7 |
            Add-DenseLayer 8 -Activation relu -KernelRegularizer (New-Regularizer -L1 0.01 -L2 0.02) -BiasConstraint non_neg -KernelConstraint (New-Constraint max_norm -MaxValue 2) -KernelInitializer he_normal |
            Add-BatchNormalizationLayer -Momentum 0.9 | Add-LayerNormalizationLayer | Add-LeakyReLULayer -NegativeSlope 0.1 |
            Add-PReLULayer -AlphaInitializer (New-Initializer constant -Value 0.25) | Add-ELULayer -Alpha 0.5 | Add-ReLULayer -MaxValue 6 -NegativeSlope 0.1 |
            Add-GaussianNoiseLayer 0.05 | Add-AlphaDropoutLayer 0.1 | Add-DropoutLayer 0.1 | Add-ActivityRegularizationLayer -L1 0.001 |
            Add-ActivationLayer tanh | Add-ReshapeLayer -TargetShape 2, 4 | Add-PermuteLayer -Dims 2, 1 | Add-FlattenLayer | Add-RepeatVectorLayer 3 |
            Add-SimpleRNNLayer 4 -ReturnSequences | Add-LSTMLayer 4 -ReturnSequences | Add-GRULayer 4 -ResetAfter:$false -ReturnSequences -GoBackwards |
            Add-Conv1DLayer 3 2 -Padding causal -Activation relu | Add-MaxPooling1DLayer 1 | Add-AveragePooling1DLayer 1 | Add-GlobalAveragePooling1DLayer |
            Add-DenseLayer 3 -Activation softmax | Build-Model -Optimizer nadam -Loss categorical_crossentropy -Metrics accuracy; Classes = 3 }
        $m['conv'] = @{ Shape = @(36); Model = New-Model -Name conv_stack -InputShape 36 -Seed 8 | Add-ReshapeLayer -TargetShape 6, 6, 1 |
            Add-NormalizationLayer -Mean 0.1 -Variance 0.5 |
            Add-Conv2DLayer 2 3 -Padding same -Activation relu | Add-MaxPooling2DLayer | Add-AveragePooling2DLayer 1 -Padding same |
            Add-Conv2DLayer 2 2 -DataFormat channels_first -UseBias:$false | Add-GlobalAveragePooling2DLayer |
            Add-LambdaLayer -Expression 'x * 2' | Add-DenseLayer 2 | Add-SoftmaxLayer | Build-Model -Optimizer adam -Loss categorical_crossentropy; Classes = 2 }
        $m['embedding'] = @{ Shape = @(5); Max = 10; Model = New-Model -Name embedding_stack -InputShape 5 -Seed 9 |
            Add-EmbeddingLayer 10 3 | Add-GRULayer 2 | Add-DenseLayer 1 -Activation sigmoid | Build-Model -Optimizer rmsprop -Loss binary_crossentropy; Classes = 1 }
        foreach ($e in $m.Values) {
            $e.X = Rows 16 $e.Shape 1 $e.Max
            $rng = [Random]::new(2)
            $y = @(foreach ($i in 1..16) { if ($e.Classes -eq 1) { , [double[]]@($rng.Next(0, 2)) } else { $c = $rng.Next(0, $e.Classes); , [double[]]@(0..($e.Classes - 1) | ForEach-Object { [double]($_ -eq $c) }) } })
            $e.Model | Invoke-ModelFit -X $e.X -Y $y -Epochs 2 -BatchSize 8 -Seed 3 | Out-Null
        }
        $m
    }
    function Get-Predictions($Model, $X) { @(foreach ($v in ($Model | Invoke-ModelPredict -X $X -AsMatrix)) { $v }) }
    # The engine's forward pass on inputs of any shape ({shape, values} as the references store them).
    # A Keras 2 Sequential config of one layer, as the .h5 reader hands it to the translator (marked with the file's keras_version).
    function Get-TranslatorConfig([string] $Version, [string] $ClassName, [hashtable] $Config) {
        $layer = [Collections.Generic.Dictionary[string, object]]::new()
        foreach ($k in $Config.Keys) { $layer[$k] = if ($Config[$k] -is [array]) { [Collections.Generic.List[object]]@($Config[$k] | ForEach-Object { [long]$_ }) } else { $Config[$k] } }
        $layer['name'] = 'up'
        $layer['batch_input_shape'] = [Collections.Generic.List[object]]@($null, [long]4, [long]4, [long]1)
        $entry = [Collections.Generic.Dictionary[string, object]]::new(); $entry['class_name'] = $ClassName; $entry['config'] = $layer
        $model = [Collections.Generic.Dictionary[string, object]]::new()
        $model['class_name'] = 'Sequential'
        $model['config'] = [Collections.Generic.Dictionary[string, object]]::new()
        $model['config']['layers'] = [Collections.Generic.List[object]]@(, $entry)
        $model['kerasps_read_keras2_version'] = $Version
        $model
    }
    function Invoke-KerasTranslator($Config) {
        $engine = (New-Model).Engine.GetType().Assembly
        $engine.GetType('KerasPS.Engine.Checkpoints.KerasConfigTranslator').GetMethod('ToKerasPS').Invoke($null, @(, $Config))
    }
    $script:Models = New-EveryLayerModels
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-kerasfiles-$PID"
    New-Item -ItemType Directory -Force $script:Work | Out-Null
}
AfterAll { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }

Describe 'Keras files: round trips' {
    It 'every layer type round-trips through .<ext> with identical predictions and weights' -ForEach @(
        @{ ext = 'keras' }, @{ ext = 'h5' }, @{ ext = 'kpt' }) {
        foreach ($k in $script:Models.Keys) {
            $e = $script:Models[$k]
            $path = Join-Path $script:Work "$k.$ext"
            $e.Model | Export-Checkpoint -Path $path -Force
            $back = Import-Checkpoint -Path $path
            $back.Engine.Layers.Count | Should -Be $e.Model.Engine.Layers.Count
            for ($i = 0; $i -lt $back.Engine.Layers.Count; $i++) {
                $back.Engine.Layers[$i].ClassName | Should -Be $e.Model.Engine.Layers[$i].ClassName
                $back.Engine.Layers[$i].Name | Should -Be $e.Model.Engine.Layers[$i].Name
            }
            $a = Get-Predictions $e.Model $e.X
            $b = Get-Predictions $back $e.X
            $b.Count | Should -Be $a.Count
            for ($i = 0; $i -lt $a.Count; $i++) { $b[$i] | Should -Be $a[$i] -Because "$k.$ext prediction $i" }
            $back.EpochsTrained | Should -Be 2
            $back.Engine.IsCompiled | Should -BeTrue
        }
    }
}

Describe 'Keras files read by h5py (an independent HDF5 reader)' -Tag Slow, MachineChanging {
    BeforeAll {
        $script:Python = Install-H5py
        # Dumps every dataset of an HDF5 file (or of model.weights.h5 inside a .keras zip) as path -> flat float list,
        # plus the attributes Keras reads, as JSON.
        $script:Dump = @'
import h5py, json, sys, zipfile, io
path = sys.argv[1]
f = h5py.File(io.BytesIO(zipfile.ZipFile(path).read("model.weights.h5")) if path.endswith(".keras") else path, "r")
out = {"datasets": {}, "attrs": {}}
def visit(name, obj):
    if isinstance(obj, h5py.Dataset):
        out["datasets"][name] = {"shape": list(obj.shape), "values": [float(v) for v in obj[()].reshape(-1)]}
    for k, v in obj.attrs.items():
        out["attrs"][name + "@" + k] = [x.decode() if isinstance(x, bytes) else str(x) for x in v] if hasattr(v, "__len__") and not isinstance(v, str) else str(v)
f.visititems(visit)
for k, v in f.attrs.items(): out["attrs"]["@" + k] = str(v)
print(json.dumps(out))
'@
    }
    It 'reads every weight of a .<ext> file at the path Keras uses, with the values KerasPS holds' -ForEach @(@{ ext = 'keras' }, @{ ext = 'h5' }) {
        foreach ($k in $script:Models.Keys) {
            $model = $script:Models[$k].Model
            $path = Join-Path $script:Work "h5py-$k.$ext"
            $model | Export-Checkpoint -Path $path -Force
            $dump = & $script:Python -c $script:Dump $path | ConvertFrom-Json -AsHashtable
            $LASTEXITCODE | Should -Be 0
            $paths = [KerasPS.Engine.Checkpoints.KerasFiles]::Keras3LayerPaths([string[]]@($model.Engine.Layers.ClassName))
            $seen = 0
            for ($li = 0; $li -lt $model.Engine.Layers.Count; $li++) {
                $layer = $model.Engine.Layers[$li]
                if ($ext -eq 'h5') { $dump.attrs["model_weights/$($layer.Name)@weight_names"] | Should -Be @($layer.Weights | ForEach-Object { "$($layer.Name)/$($_.Name):0" }) }
                for ($wi = 0; $wi -lt $layer.Weights.Count; $wi++) {
                    $w = $layer.Weights[$wi]
                    $key = if ($ext -eq 'h5') { "model_weights/$($layer.Name)/$($layer.Name)/$($w.Name):0" }
                           elseif ($layer.ClassName -in 'SimpleRNN', 'LSTM', 'GRU') { "$($paths[$li])/cell/vars/$wi" } else { "$($paths[$li])/vars/$wi" }
                    $d = $dump.datasets[$key]
                    $d | Should -Not -BeNullOrEmpty -Because "$k.$ext holds $key"
                    @($d.shape) | Should -Be @($w.Shape)
                    $expected = $w.ToArray()
                    for ($i = 0; $i -lt $expected.Count; $i++) { [float]$d.values[$i] | Should -Be $expected[$i] }
                    $seen++
                }
            }
            $seen | Should -Be @($model.Engine.Weights).Count
            $dump.datasets.Count | Should -Be $seen
            if ($ext -eq 'h5') {
                $dump.attrs['model_weights@layer_names'] | Should -Be @($model.Engine.Layers.Name)
                $config = $dump.attrs['@model_config'] | ConvertFrom-Json
                $config.class_name | Should -Be 'Sequential'
                $config.config.layers[0].class_name | Should -Be 'InputLayer'
                @($config.config.layers[0].config.batch_input_shape).Count | Should -Be ($script:Models[$k].Shape.Count + 1)
                ($dump.attrs['@training_config'] | ConvertFrom-Json).optimizer_config.class_name | Should -BeIn 'Nadam', 'Adam', 'RMSprop'
            }
        }
    }

    It 'imports a real Keras <keras> .h5 (<name>) and predicts as NumPy does from its weights, and as Keras did' -ForEach @(
        @{ name = 'simple_sparse_xent_mlp_keras_2'; keras = '2.3.1'; flat = $null
           numpy = 'z = x @ w["dense_1/dense_1/kernel:0"] + w["dense_1/dense_1/bias:0"]; e = np.exp(z - z.max(1, keepdims=True)); y = e / e.sum(1, keepdims=True)' }
        @{ name = 'conv1d_k2_s1_d1_cl_valid'; keras = '2.3.1'; flat = { New-Model -InputShape 48 | Add-ReshapeLayer -TargetShape 16, 3 | Add-Conv1DLayer 4 2 -Activation sigmoid -Name conv0 }
           numpy = 'k = w["conv0/conv0/kernel:0"]; y = 1 / (1 + np.exp(-(np.stack([np.einsum("bki,kio->bo", x[:, t:t + k.shape[0], :], k) for t in range(x.shape[1] - k.shape[0] + 1)], 1) + w["conv0/conv0/bias:0"])))' }) {
        $model = Join-Path $PSScriptRoot "data/$($name)_model.h5"
        $io = Join-Path $PSScriptRoot "data/$($name)_inputs_and_outputs.h5"
        $script = @"
import h5py, json, numpy as np, sys
m = h5py.File(sys.argv[1], "r"); io = h5py.File(sys.argv[2], "r")
w = {}
m["model_weights"].visititems(lambda n, o: w.__setitem__(n, o[()].astype(np.float64)) if isinstance(o, h5py.Dataset) else None)
x = io["inputs"][list(io["inputs"].keys())[0]][()].astype(np.float64)
$numpy
keras = io["predictions"][list(io["predictions"].keys())[0]][()]
print(json.dumps({"x": x.reshape(len(x), -1).tolist(), "numpy": y.reshape(-1).tolist(), "keras": keras.reshape(-1).tolist()}))
"@
        $ref = & $script:Python -c $script $model $io | ConvertFrom-Json
        $LASTEXITCODE | Should -Be 0
        $imported = Import-Checkpoint -Path $model
        $x = @($ref.x | ForEach-Object { , [double[]]$_ })
        $predictor = $imported
        if ($flat) {
            # Rows are flat here, so the same weights go into a model that reshapes them first (the file's layer by name).
            $imported.Engine.Layers[0].ClassName | Should -Be 'Conv1D'
            $imported.Engine.Layers[0].InputShape | Should -Be @(16, 3)
            $predictor = & $flat
            Import-Checkpoint -Path $model -WeightsInto $predictor
        }
        $p = Get-Predictions $predictor $x
        $p.Count | Should -Be $ref.numpy.Count
        for ($i = 0; $i -lt $p.Count; $i++) {
            [math]::Abs($p[$i] - $ref.numpy[$i]) | Should -BeLessThan 1e-5 -Because "prediction $i against NumPy"
            [math]::Abs($p[$i] - $ref.keras[$i]) | Should -BeLessThan 1e-5 -Because "prediction $i against Keras $keras"
        }
        $imported.Engine.IsCompiled | Should -BeTrue
        $imported.Engine.Optimizer.Name | Should -Be 'rmsprop'
    }
}

Describe 'Keras files: callbacks, options and bad files' {
    It 'New-ModelCheckpoint best_model.h5 -SaveBestOnly writes a Keras .h5 that imports with the best epoch''s predictions' {
        $e = $script:Models['embedding']
        $m = New-Model -Name best -InputShape 4 -Seed 3 | Add-DenseLayer 5 -Activation relu | Add-DenseLayer 1 -Activation sigmoid | Build-Model -Optimizer adam -Loss binary_crossentropy
        $x = Rows 32 @(4) 5
        $y = @($x | ForEach-Object { , [double[]]@([double]($_[0] + $_[1] -gt 0)) })
        $path = Join-Path $script:Work 'best_model.h5'
        $cb = New-ModelCheckpoint -Path $path -Monitor loss -SaveBestOnly
        $m | Invoke-ModelFit -X $x -Y $y -Epochs 3 -BatchSize 8 -Seed 1 -Callbacks $cb | Out-Null
        $bytes = [IO.File]::ReadAllBytes($path)
        [Text.Encoding]::ASCII.GetString($bytes, 1, 3) | Should -Be 'HDF'
        $back = Import-Checkpoint -Path $path
        $a = Get-Predictions $m $x; $b = Get-Predictions $back $x
        for ($i = 0; $i -lt $a.Count; $i++) { $b[$i] | Should -Be $a[$i] }   # loss falls every epoch here, so the best is the last
        @(Get-ChildItem $script:Work -Filter '*.tmp*').Count | Should -Be 0
    }

    It 'refuses -IncludeOptimizer for a Keras file and -Resume from one' {
        $m = $script:Models['embedding'].Model
        $err = { $m | Export-Checkpoint -Path (Join-Path $script:Work 'opt.keras') -IncludeOptimizer -Force } | Should -Throw -PassThru
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'KerasFileOptimizerState'
        Test-Path (Join-Path $script:Work 'opt.keras') | Should -BeFalse
        $h5 = Join-Path $script:Work 'resume.h5'
        $m | Export-Checkpoint -Path $h5 -Force
        $err = { $m | Invoke-ModelFit -X $script:Models['embedding'].X -Y (1..16 | ForEach-Object { , [double[]]@(1) }) -Epochs 3 -Resume $h5 } | Should -Throw -PassThru
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'KerasFileCannotResume'
    }

    It 'loads weights from a weights-only .<ext> into a model with the same layers' -ForEach @(@{ ext = 'h5' }, @{ ext = 'keras' }) {
        $e = $script:Models['conv']
        $path = Join-Path $script:Work "weights.$ext"
        $e.Model | Export-Checkpoint -Path $path -WeightsOnly -Force
        $fresh = Import-Checkpoint -Path (Join-Path $script:Work 'conv.kpt')
        foreach ($w in $fresh.Engine.Weights) { $w.Assign([float[]]::new($w.Count)) }
        Import-Checkpoint -Path $path -WeightsInto $fresh
        $a = Get-Predictions $e.Model $e.X; $b = Get-Predictions $fresh $e.X
        for ($i = 0; $i -lt $a.Count; $i++) { $b[$i] | Should -Be $a[$i] }
        $err = { Import-Checkpoint -Path $path } | Should -Throw -PassThru
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'WeightsOnlyCheckpoint'
    }

    It 'imports a real Keras <keras> file (<what>) and predicts what Keras stored within 1e-5' -ForEach @(
        @{ file = 'keras2/LeakyReLU_0_model.h5'; keras = '2.3.1'; what = 'LeakyReLU(alpha=0.5): Keras 2 named the slope alpha' }
        @{ file = 'simple_flatten_lstm_tf_keras_2_model.h5'; keras = '2.1.3'
           what = "LSTM with Keras 2's hard_sigmoid, clip(0.2x + 0.5, 0, 1), as recurrent activation" }) {
        $ref = (Get-Content (Join-Path $PSScriptRoot 'data/keras2/references.json') -Raw | ConvertFrom-Json -AsHashtable)[(Split-Path $file -Leaf)]
        $model = Import-Checkpoint -Path (Join-Path $PSScriptRoot "data/$file") -WarningAction SilentlyContinue
        $out = Invoke-EngineForward $model $ref['inputs']
        $want = $ref['outputs'][0]['values']
        $out[0].Count | Should -Be $want.Count
        for ($i = 0; $i -lt $want.Count; $i++) {
            [math]::Abs($out[0][$i] - $want[$i]) / [math]::Max(1, [math]::Abs($want[$i])) | Should -BeLessThan 1e-5 -Because "value $i"
        }
    }

    It "keeps Keras 2's hard_sigmoid as its own activation, and KerasPS's own .h5 keeps Keras 3's" {
        $lstm = Import-Checkpoint -Path (Join-Path $PSScriptRoot 'data/simple_flatten_lstm_tf_keras_2_model.h5') -WarningAction SilentlyContinue
        $lstm.Engine.Layers[0].RecurrentActivation | Should -Be 'hard_sigmoid_keras2'
        # KerasPS writes .h5 under Keras 2's version number but with Keras 3's layer configs: its hard_sigmoid stays Keras 3's.
        $m = New-Model -InputShape 3, 2 -Seed 1 | Add-LSTMLayer 2 -RecurrentActivation hard_sigmoid | Add-ActivationLayer hard_sigmoid_keras2
        $path = Join-Path $script:Work 'hard-sigmoid.h5'
        $m | Export-Checkpoint -Path $path -Force
        $back = Import-Checkpoint -Path $path
        $back.Engine.Layers[0].RecurrentActivation | Should -Be 'hard_sigmoid'
        $back.Engine.Layers[1].Activation | Should -Be 'hard_sigmoid_keras2'
    }

    It 'flips the convolution kernels of a Keras 2 file saved with the Theano backend, as Keras 2 loaded them' {
        # weights/conv2d_theano_2.h5 (Keras 2.1.3, backend theano) holds kernel = arange(270) as (3, 3, 5, 6); Theano convolves,
        # so Keras 2's loader reversed both spatial axes (convert_kernel) before TensorFlow correlated with it.
        $model = Import-Checkpoint -Path (Join-Path $PSScriptRoot 'data/keras2/conv2d_theano_2.h5') -WarningAction SilentlyContinue
        $kernel = @(($model | Get-ModelWeight -Layer conv2d_1 -Name kernel).Value)
        $kernel.Count | Should -Be 270
        foreach ($r in 0..2) { foreach ($c in 0..2) { foreach ($k in 0, 29) {
            $kernel[($r * 3 + $c) * 30 + $k] | Should -Be ((((2 - $r) * 3 + (2 - $c)) * 30) + $k) -Because "kernel[$r, $c] entry $k"
        } } }
        @(($model | Get-ModelWeight -Layer conv2d_1 -Name bias).Value) | Should -Be @(0, 1, 2, 3, 4, 5)
    }

    It 'refuses a Keras 1 file it cannot translate by its version before anything else' {
        # Keras 1 files are translated as Keras 2 read them (Keras1Files.Tests.ps1); a Keras 1 Lambda (Python bytecode) is not
        $err = { Import-Checkpoint -Path (Join-Path $PSScriptRoot 'data/keras1/space_to_depth_simple_tensorflow_1.h5') } | Should -Throw -PassThru
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'UnsupportedKerasVersion'
        $err.Exception.Message | Should -Match '^The file was saved by Keras 1\.2\.2'
    }

    It 'refuses a Keras <keras> bilinear UpSampling2D, which resized without half-pixel centres' -ForEach @(
        @{ keras = '2.2.4' }, @{ keras = '2.3.1' }, @{ keras = '2.2.4-tf' }) {
        $config = Get-TranslatorConfig $keras 'UpSampling2D' @{ size = @(2, 2); interpolation = 'bilinear'; data_format = 'channels_last' }
        $err = { Invoke-KerasTranslator $config } | Should -Throw -PassThru
        $err.Exception.InnerException.ErrorId | Should -Be 'KerasLayerMismatch'
        $err.Exception.InnerException.Message | Should -Match "^Layer 'up' \(UpSampling2D\) resizes bilinearly as Keras $([regex]::Escape($keras))"
        # Keras 2.4+ (TensorFlow 2) used half-pixel centres, as Keras 3 and KerasPS do
        $ok = Invoke-KerasTranslator (Get-TranslatorConfig '2.4.0' 'UpSampling2D' @{ size = @(2, 2); interpolation = 'bilinear' })
        $ok['config']['layers'][0]['class_name'] | Should -Be 'UpSampling2D'
    }

    It 'names every layer KerasPS lacks in one error' {
        $path = Join-Path $script:Work 'unknown.h5'
        Copy-Item (Join-Path $PSScriptRoot 'data/simple_sparse_xent_mlp_keras_2_model.h5') $path
        $text = [IO.File]::ReadAllText($path, [Text.Encoding]::Latin1)
        # Same length, so the HDF5 structure stays valid: two class names KerasPS does not have.
        $text = $text.Replace('"class_name": "Dense"', '"class_name": "Dxnse"').Replace('"class_name": "Activation"', '"class_name": "Activatixn"')
        [IO.File]::WriteAllText($path, $text, [Text.Encoding]::Latin1)
        $err = { Import-Checkpoint -Path $path } | Should -Throw -PassThru
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'UnsupportedKerasLayers'
        $err.Exception.Message | Should -Match 'dense_1 \(Dxnse\), activation_1 \(Activatixn\)'
    }

    It 'reports a damaged or mismatched Keras file as InvalidCheckpoint: <case>' -ForEach @(
        @{ case = 'truncated .h5'; ext = 'h5'; mangle = { param($b) $b[0..([int]($b.Length / 3))] } }
        @{ case = 'HDF5 signature only'; ext = 'h5'; mangle = { param($b) $b[0..7] } }
        @{ case = 'garbage after the signature'; ext = 'h5'; mangle = { param($b) $r = [byte[]]::new(4096); [Random]::new(5).NextBytes($r); $b[0..7] + $r } }
        @{ case = '.keras with a damaged weights entry'; ext = 'keras'; mangle = { param($b) $c = [byte[]]$b.Clone(); for ($i = [int]($c.Length / 2); $i -lt [int]($c.Length / 2) + 64; $i++) { $c[$i] = 0xAB }; $c } }) {
        $src = Join-Path $script:Work "dense.$ext"
        $bytes = [IO.File]::ReadAllBytes($src)
        $path = Join-Path $script:Work "bad-$([guid]::NewGuid()).$ext"
        [IO.File]::WriteAllBytes($path, [byte[]](& $mangle $bytes))
        $err = { Import-Checkpoint -Path $path } | Should -Throw -PassThru
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCheckpoint'
    }

    It 'refuses a Keras Lambda''s Python function (<form>) without running it, with or without -AllowUnsafeDeserialization' -ForEach @(
        @{ form = 'Keras 2 source text'; type = 'lambda'; fn = 'code' }
        @{ form = 'Keras 2 bytecode tuple'; type = 'lambda'; fn = 'list' }
        @{ form = 'Keras 2 registered name'; type = 'function'; fn = 'code' }
        @{ form = 'Keras 3 __lambda__ object'; type = $null; fn = 'object' }
        @{ form = 'no function_type'; type = $null; fn = 'code' }) {
        # A Keras file as Keras writes it: no KerasPS unsafe flag, a Python function, here text that would create a
        # marker file if anything ran it as PowerShell.
        $marker = Join-Path $script:Work "lambda-ran-$([guid]::NewGuid().ToString('N'))"
        $code = "New-Item -ItemType File -Path '$marker' | Out-Null; `$x"
        $m = New-Model -Name lam -InputShape 3 -Seed 1 | Add-LambdaLayer -ScriptBlock { $x * 2 } | Add-DenseLayer 1 -Name dense_1
        $path = Join-Path $script:Work "python-lambda-$($fn)-$($type).keras"
        $m | Export-Checkpoint -Path $path -Force
        $zip = [IO.Compression.ZipFile]::Open($path, 'Update')
        try {
            $entry = $zip.GetEntry('config.json')
            $reader = [IO.StreamReader]::new($entry.Open()); $config = $reader.ReadToEnd() | ConvertFrom-Json -AsHashtable; $reader.Dispose()
            $entry.Delete()
            $layer = $config.config.layers | Where-Object { $_.class_name -eq 'Lambda' }
            $layer.Remove('unsafe_to_deserialize')
            $layer.config.Remove('contains_code')
            if ($type) { $layer.config.function_type = $type } else { $layer.config.Remove('function_type') }
            $layer.config.function = switch ($fn) {
                'code' { $code }
                'list' { , @($code, $null, $null) }
                'object' { @{ module = 'builtins'; class_name = '__lambda__'; config = @{ code = $code; defaults = $null; closure = $null } } }
            }
            $writer = [IO.StreamWriter]::new($zip.CreateEntry('config.json').Open())
            $writer.Write(($config | ConvertTo-Json -Depth 50)); $writer.Dispose()
        }
        finally { $zip.Dispose() }
        foreach ($consent in $false, $true) {
            $err = { Import-Checkpoint -Path $path -AllowUnsafeDeserialization:$consent } | Should -Throw -PassThru
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'UnsupportedKerasLayers'
            $err.Exception.Message | Should -BeLike "*Lambda layer*Python function*cannot run*Add-LambdaLayer -Expression*"
            Test-Path -LiteralPath $marker | Should -BeFalse -Because 'nothing of the file may run as PowerShell'
        }
    }

    It 'still loads a script-block Lambda KerasPS wrote to .keras, with -AllowUnsafeDeserialization only' {
        $m = New-Model -Name lam -InputShape 3 -Seed 1 | Add-LambdaLayer -ScriptBlock { $x * 2 } | Add-DenseLayer 1 -Name dense_1
        $path = Join-Path $script:Work 'own-lambda.keras'
        $m | Export-Checkpoint -Path $path -Force
        Get-ErrorId { Import-Checkpoint -Path $path } | Should -Be 'UnsafeCheckpoint'
        $back = Import-Checkpoint -Path $path -AllowUnsafeDeserialization
        $x = @(, @(1.0, -2.0, 3.0))
        ($back | Invoke-ModelPredict -X $x -AsMatrix)[0, 0] | Should -Be ($m | Invoke-ModelPredict -X $x -AsMatrix)[0, 0]
    }

    It 'refuses a small .keras whose config describes a far larger model, before allocating it' {
        $m = New-Model -Name small -InputShape 93 -Seed 1 | Add-DenseLayer 16 -Name dense_1 | Add-DenseLayer 9 -Activation softmax -Name dense_2
        $path = Join-Path $script:Work 'huge-config.keras'
        $m | Export-Checkpoint -Path $path -Force
        $zip = [IO.Compression.ZipFile]::Open($path, 'Update')
        try {
            $entry = $zip.GetEntry('config.json')
            $reader = [IO.StreamReader]::new($entry.Open()); $json = $reader.ReadToEnd(); $reader.Dispose()
            $entry.Delete()
            $writer = [IO.StreamWriter]::new($zip.CreateEntry('config.json').Open())
            $writer.Write(($json -replace '"units":\s*16\b', '"units": 100000000')); $writer.Dispose()
        }
        finally { $zip.Dispose() }
        (Get-Item $path).Length / 1KB | Should -BeLessThan 64
        $before = [Diagnostics.Process]::GetCurrentProcess().WorkingSet64
        $err = { Import-Checkpoint -Path $path } | Should -Throw -PassThru
        ([Diagnostics.Process]::GetCurrentProcess().WorkingSet64 - $before) / 1MB | Should -BeLessThan 200   # the model would need 37 GB
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCheckpoint'
        $err.Exception.Message | Should -BeLike "*100000000*Nothing was allocated*"
    }

    It 'refuses one changed byte in a stored <Entry> of a .keras with InvalidCheckpoint naming the entry, the target unchanged' -TestCases @(
        @{ Entry = 'config.json' }, @{ Entry = 'model.weights.h5' }
    ) {
        param($Entry)
        # Stored entries: deflate cannot notice the change, only the zip directory's CRC-32 can (Python's zipfile: "Bad CRC-32").
        $m = New-Model -Name crcmodel -InputShape 4 -Seed 1 | Add-DenseLayer 3 -Name dense_1 | Add-DenseLayer 2 -Name dense_2
        $src = Join-Path $script:Work 'crc-src.keras'
        $path = Join-Path $script:Work "crc-$Entry.keras"
        $m | Export-Checkpoint -Path $src -Force
        Copy-ZipStored -From $src -To $path
        $x = @(, @(1.0, -2.0, 3.0, 0.5))
        ((Import-Checkpoint -Path $path) | Invoke-ModelPredict -X $x -AsMatrix)[0, 1] | Should -Be ($m | Invoke-ModelPredict -X $x -AsMatrix)[0, 1]
        $kernel = @($m.Engine.Weights)[0].ToArray()[0]
        Edit-ZipEntryData -Path $path -Name $Entry -Edit {
            param($b, $start, $length)
            if ($Entry -eq 'config.json') { $at = Find-Ascii $b $start $length 'crcmodel'; $b[$at] = [byte][char]'k' }
            else { $at = Find-Bytes $b $start $length ([BitConverter]::GetBytes([single]$kernel)); $b[$at + 3] = $b[$at + 3] -bxor 0x01 }
            $at | Should -BeGreaterThan 0   # the model's name, or the first kernel value: a silent change without the CRC
        }
        $target = New-Model -Name crcmodel -InputShape 4 -Seed 2 | Add-DenseLayer 3 -Name dense_1 | Add-DenseLayer 2 -Name dense_2
        $before = @($target.Engine.Weights | ForEach-Object { $_.ToArray() })
        $err = { Import-Checkpoint -Path $path -WeightsInto $target } | Should -Throw -PassThru
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCheckpoint'
        $err.Exception.Message | Should -BeLike "*crc-$Entry.keras*: $Entry is damaged: its CRC-32 is * but the zip directory records *"
        $after = @($target.Engine.Weights | ForEach-Object { $_.ToArray() })
        for ($i = 0; $i -lt $before.Count; $i++) { $after[$i] | Should -Be $before[$i] }
        $err = { Import-Checkpoint -Path $path } | Should -Throw -PassThru
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCheckpoint'
    }

    It 'refuses weights whose shape differs from the config before reading them' {
        $m = New-Model -Name shapes -InputShape 4 -Seed 1 | Add-DenseLayer 3 -Name dense_1 | Add-ActivationLayer softmax -Name activation_1
        $path = Join-Path $script:Work 'shapes.h5'
        $m | Export-Checkpoint -Path $path -Force
        $other = New-Model -Name shapes -InputShape 4 -Seed 1 | Add-DenseLayer 2 -Name dense_1 | Add-ActivationLayer softmax -Name activation_1
        $err = { Import-Checkpoint -Path $path -WeightsInto $other } | Should -Throw -PassThru
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'WeightsMismatch'
        $err.Exception.Message | Should -Match "'dense_1/kernel' is \(4, 3\) in the file but \(4, 2\)"
    }
}
