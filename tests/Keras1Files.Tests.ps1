# Keras 1.x files read as Keras 2 read them: the layer configs' Keras 1 names (output_dim, init, nb_filter, border_mode,
# dim_ordering, p, ...) translated, the Keras 1 weight layouts (per-gate LSTM arrays, Conv1D's 4-D kernel) rearranged,
# and every Keras 1 setting KerasPS cannot translate refused by name. The files are real ones from dl4j-test-resources
# (tests/data/README.md); the references are Keras's stored predictions or a NumPy pass over Keras 1's own layouts
# (tests/data/keras1/make-references.py).
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Engine = (New-Model).Engine.GetType().Assembly
    # A Keras 1 Sequential config (the bare list of layers Keras 1 wrote) through the translator, as the .h5 reader hands it on.
    function Invoke-Keras1Config([string] $LayersJson) {
        $parse = $script:Engine.GetType('KerasPS.Engine.Checkpoints.KerasFiles').GetMethod('ParseJson',
            [Reflection.BindingFlags]'NonPublic,Static')
        $config = $parse.Invoke($null, @("{`"class_name`": `"Sequential`", `"config`": $LayersJson}", 'test'))
        $config['kerasps_read_keras2_version'] = '1.2.2'
        $script:Engine.GetType('KerasPS.Engine.Checkpoints.KerasConfigTranslator').GetMethod('ToKerasPS').Invoke($null, @(, $config))
    }
    function Get-Keras1Error([string] $LayersJson) {
        try { Invoke-Keras1Config $LayersJson | Out-Null; $null } catch { $_.Exception.InnerException }
    }
    $script:Refs = Get-Content (Join-Path $PSScriptRoot 'data/keras1/references.json') -Raw | ConvertFrom-Json -AsHashtable
}

Describe 'Keras 1 files' {
    It 'imports the Keras 1.2.2 file <file> and predicts what <source> within 1e-5' -ForEach @(
        @{ file = 'simple_lstm_tf_keras_1_model.h5'; source = 'Keras stored (LSTM: per-gate weights, hard_sigmoid, dropout_W)' }
        @{ file = 'simple_lstm_th_keras_1_model.h5'; source = 'Keras stored (the same, saved with the Theano backend)' }
        @{ file = 'lstm_tensorflow_1.h5'; source = 'NumPy computes (LSTM)' }
        @{ file = 'embedding_lstm_tensorflow_1.h5'; source = 'NumPy computes (Embedding, LSTM return_sequences)' }
        @{ file = 'bidirectional_lstm_tensorflow_1.h5'; source = 'NumPy computes (Bidirectional LSTM, concat)' }
        @{ file = 'simple_rnn_tensorflow_1.h5'; source = 'NumPy computes (SimpleRNN)' }
        @{ file = 'embedding_conv1d_tensorflow_1.h5'; source = 'NumPy computes (Convolution1D: 4-D kernel)' }
        @{ file = 'conv2d_reshape_tensorflow_1.h5'; source = 'NumPy computes (Convolution2D, Reshape, Flatten, Dense)' }
        @{ file = 'batch_to_conv2d_tensorflow_1.h5'; source = 'NumPy computes (BatchNormalization mode 0)' }
        @{ file = 'synthetic_gru_1.h5'; source = 'NumPy computes (GRU: nine per-gate arrays; written in Keras 1 layout)' }
        @{ file = 'synthetic_conv2d_th_1.h5'; source = 'NumPy computes (dim_ordering th Convolution2D, MaxPooling2D)' }) {
        $ref = $script:Refs[$file]
        $ref | Should -Not -BeNullOrEmpty
        $model = Import-Checkpoint -Path (Join-Path $PSScriptRoot "data/keras1/$file") -WarningAction SilentlyContinue
        $out = Invoke-EngineForward $model $ref['inputs']
        $want = $ref['outputs'][0]['values']
        $out[0].Count | Should -Be $want.Count
        for ($i = 0; $i -lt $want.Count; $i++) {
            [math]::Abs($out[0][$i] - $want[$i]) / [math]::Max(1, [math]::Abs($want[$i])) | Should -BeLessThan 1e-5 -Because "value $i"
        }
    }

    It "merges Keras 1's per-gate LSTM weights in Keras 2's gate order i, f, c, o" {
        $model = Import-Checkpoint -Path (Join-Path $PSScriptRoot 'data/keras1/lstm_tensorflow_1.h5') -WarningAction SilentlyContinue
        $lstm = $model.Engine.Layers[0]
        $lstm.ClassName | Should -Be 'LSTM'
        $lstm.Units | Should -Be 6
        $lstm.RecurrentActivation | Should -Be 'hard_sigmoid_keras2'
        $kernel = @(($model | Get-ModelWeight -Layer $lstm.Name -Name kernel).Value)
        $kernel.Count | Should -Be 24
        # the file's lstm_1_W_f:0 (1, 6), as h5py reads it: Keras 2's (1, 24) kernel holds it at columns 6..11
        $wf = $script:Refs['lstm_tensorflow_1.h5']['lstm_w_f']
        @($wf['shape']) | Should -Be @(1, 6)
        for ($j = 0; $j -lt 6; $j++) { $kernel[6 + $j] | Should -Be ([float]$wf['values'][$j]) -Because "forget gate column $j" }
    }

    It 'reads the Keras 1.2.2 Dense file that was refused before, with its weights' {
        $model = Import-Checkpoint -Path (Join-Path $PSScriptRoot 'data/keras2/dense_tensorflow_1.h5') -WarningAction SilentlyContinue
        $model.Engine.Layers[0].ClassName | Should -Be 'Dense'
        $model.Engine.Layers[0].Units | Should -Be 6
        @(($model | Get-ModelWeight -Layer $model.Engine.Layers[0].Name -Name kernel).Value).Count | Should -Be 24
    }

    It 'refuses a Keras 1 Lambda by version and layer before anything else reads it' {
        $err = { Import-Checkpoint -Path (Join-Path $PSScriptRoot 'data/keras1/space_to_depth_simple_tensorflow_1.h5') } |
            Should -Throw -PassThru
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'UnsupportedKerasVersion'
        $err.Exception.Message | Should -Match "^The file was saved by Keras 1\.2\.2, and its layer 'space_to_depth_x2' \(Lambda\) holds"
    }

    It 'translates Keras 1 names as Keras 2 read them' {
        $cfg = Invoke-Keras1Config @'
[{"class_name": "Convolution2D", "config": {"name": "c", "batch_input_shape": [null, 6, 6, 2], "nb_filter": 3, "nb_row": 2,
  "nb_col": 1, "border_mode": "same", "subsample": [2, 1], "dim_ordering": "tf", "bias": false, "init": "he_normal",
  "W_regularizer": null, "activation": "relu"}},
 {"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": [2, 1], "border_mode": "valid", "dim_ordering": "th"}},
 {"class_name": "Dropout", "config": {"name": "d", "p": 0.25}},
 {"class_name": "Flatten", "config": {"name": "f", "init": "identity"}},
 {"class_name": "Dense", "config": {"name": "e", "output_dim": 4, "init": "glorot_uniform", "input_dim": 9}},
 {"class_name": "Reshape", "config": {"name": "r", "target_shape": [2, 2]}},
 {"class_name": "GRU", "config": {"name": "g", "output_dim": 3, "inner_activation": "hard_sigmoid", "dropout_U": 0.5,
  "consume_less": "gpu", "inner_init": "orthogonal"}}]
'@
        $layers = $cfg['config']['layers']
        $c = $layers[0]['config']
        $layers[0]['class_name'] | Should -Be 'Conv2D'
        $c['filters'] | Should -Be 3
        @($c['kernel_size']) | Should -Be @(2, 1)
        @($c['strides']) | Should -Be @(2, 1)
        $c['padding'] | Should -Be 'same'
        $c['data_format'] | Should -Be 'channels_last'
        $c['use_bias'] | Should -BeFalse
        $c['kernel_initializer'] | Should -Be 'he_normal'
        $layers[1]['config']['data_format'] | Should -Be 'channels_first'
        $layers[2]['config']['rate'] | Should -Be 0.25
        $layers[4]['config']['units'] | Should -Be 4
        # Keras 1's initializer names as Keras 2 aliased them; one KerasPS lacks is left to the default (the weights come from the file)
        $layers[4]['config']['kernel_initializer'] | Should -Be 'glorot_uniform'
        $layers[3]['config'].ContainsKey('kernel_initializer') | Should -BeFalse
        $g = $layers[6]['config']
        $g['units'] | Should -Be 3
        $g['recurrent_activation'] | Should -Be 'hard_sigmoid_keras2'
        $g['recurrent_dropout'] | Should -Be 0.5
        $g['reset_after'] | Should -BeFalse
        $g.ContainsKey('consume_less') | Should -BeFalse
    }

    It "turns Keras 1's Merge into the merging layer of its mode" -ForEach @(
        @{ mode = 'sum'; cls = 'Add' }, @{ mode = 'mul'; cls = 'Multiply' }, @{ mode = 'ave'; cls = 'Average' }
        @{ mode = 'max'; cls = 'Maximum' }, @{ mode = 'concat'; cls = 'Concatenate' }) {
        $parse = $script:Engine.GetType('KerasPS.Engine.Checkpoints.KerasFiles').GetMethod('ParseJson', [Reflection.BindingFlags]'NonPublic,Static')
        $config = $parse.Invoke($null, @((@'
{"class_name": "Model", "config": {"name": "m", "layers": [
 {"class_name": "InputLayer", "name": "a", "config": {"name": "a", "batch_input_shape": [null, 3], "input_dtype": "float32"},
  "inbound_nodes": []},
 {"class_name": "InputLayer", "name": "b", "config": {"name": "b", "batch_input_shape": [null, 3], "input_dtype": "float32"},
  "inbound_nodes": []},
 {"class_name": "Merge", "name": "m", "config": {"name": "m", "mode": "MODE", "concat_axis": -1, "dot_axes": -1,
  "mode_type": "raw", "output_shape": null, "output_shape_type": "raw", "output_mask": null, "output_mask_type": "raw",
  "arguments": {}}, "inbound_nodes": [[["a", 0, 0], ["b", 0, 0]]]}],
 "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["m", 0, 0]]}}
'@ -creplace 'MODE', $mode), 'test'))
        $config['kerasps_read_keras2_version'] = '1.2.2'
        $out = $script:Engine.GetType('KerasPS.Engine.Checkpoints.KerasConfigTranslator').GetMethod('ToKerasPS').Invoke($null, @(, $config))
        $merge = $out['config']['layers'][2]
        $merge['class_name'] | Should -Be $cls
        $merge['config'].ContainsKey('mode') | Should -BeFalse
        @($merge['inbound_nodes'][0]).Count | Should -Be 2
        if ($cls -eq 'Concatenate') { $merge['config']['axis'] | Should -Be -1 }
    }

    It 'refuses a Keras 1 setting it cannot translate, naming Keras 1, the layer and the setting: <what>' -ForEach @(
        @{ what = 'dim_ordering th on ZeroPadding2D'; match = "'z' \(ZeroPadding2D\) sets dim_ordering 'th'"
           json = '[{"class_name": "ZeroPadding2D", "config": {"name": "z", "batch_input_shape": [null, 2, 4, 4], "padding": [1, 1], "dim_ordering": "th"}}]' }
        @{ what = 'BatchNormalization mode 2'; match = "'n' \(BatchNormalization\) sets mode 2"
           json = '[{"class_name": "BatchNormalization", "config": {"name": "n", "batch_input_shape": [null, 4], "mode": 2, "axis": -1}}]' }
        @{ what = 'Merge mode cos'; match = "'m' \(Merge\) merges with mode 'cos'"
           json = '[{"class_name": "Merge", "config": {"name": "m", "mode": "cos", "layers": []}}]' }
        @{ what = 'Merge of Sequential branches'; match = "'m' \(Merge\) merges whole Sequential branches"
           json = '[{"class_name": "Merge", "config": {"name": "m", "mode": "sum", "layers": [{"class_name": "Sequential", "config": []}]}}]' }
        @{ what = 'Deconvolution2D'; match = "'t' \(Deconvolution2D\) is a Keras 1 transposed convolution"
           json = '[{"class_name": "Deconvolution2D", "config": {"name": "t", "batch_input_shape": [null, 4, 4, 1], "nb_filter": 1}}]' }
        @{ what = 'LSTM inside a nested Sequential'; match = "'l' \(LSTM\) sits inside a nested model"
           json = '[{"class_name": "Sequential", "config": [{"class_name": "LSTM", "config": {"name": "l", "batch_input_shape": [null, 2, 1], "output_dim": 2}}]}]' }) {
        $err = Get-Keras1Error $json
        $err | Should -Not -BeNullOrEmpty
        $err.ErrorId | Should -Be 'UnsupportedKerasVersion'
        $err.Message | Should -Match "^The file was saved by Keras 1\.2\.2, and its layer $match"
        $err.Message | Should -Match 'does not translate from Keras 1'
    }

    It 'names a layer Keras 1 had and KerasPS lacks with the Keras version' {
        $err = Get-Keras1Error '[{"class_name": "Highway", "config": {"name": "h", "batch_input_shape": [null, 4]}}]'
        $err.ErrorId | Should -Be 'UnsupportedKerasLayers'
        $err.Message | Should -Match '^The model \(saved by Keras 1\.2\.2\) has 1 layer\(s\) KerasPS does not have: h \(Highway\)'
    }
}
