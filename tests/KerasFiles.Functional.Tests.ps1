# Functional models in Keras files: .keras (Keras 3) and .h5 (Keras 2) written as Keras writes them (Functional configs
# with inbound nodes, Keras's layer order, its weight paths) and read back with identical outputs; real functional
# tf.keras files import and compute what NumPy computes from their own config and weights.
BeforeAll {
    . $PSScriptRoot/common.ps1
    # The engine's forward pass over several inputs, giving every output (Invoke-ModelPredict takes one input today).
    function New-Input([int[]] $Shape, [int] $Seed, [int] $Rows = 3) {
        $rng = [Random]::new($Seed); $n = $Rows; foreach ($d in $Shape) { $n *= $d }
        @{ shape = [long[]](@($Rows) + $Shape); values = [float[]]@(1..$n | ForEach-Object { $rng.NextDouble() * 2 - 1 }) }
    }
    # Every weight gets seeded values (moving variances positive), so a weight read into the wrong place shows.
    function Set-RandomWeights($Model, [int] $Seed) {
        $rng = [Random]::new($Seed)
        foreach ($w in $Model.Engine.Weights) {
            $w.Assign([float[]]@(1..$w.Count | ForEach-Object { if ($w.Name -like '*variance*') { 0.5 + $rng.NextDouble() } else { $rng.NextDouble() - 0.5 } }))
        }
        $Model
    }
    function New-FunctionalCases {
        $c = [ordered]@{}
        # residual block: x -> h -> h + Dense(h) -> softmax
        $x = New-ModelInput -Shape 4 -Name features
        $h = $x | Add-DenseLayer 8 -Activation relu
        $out = $h | Add-AddLayer -With ($h | Add-DenseLayer 8 -Activation relu) | Add-DenseLayer 3 -Activation softmax
        $c['residual'] = @{ Model = New-Model -Inputs $x -Outputs $out -Name residual -Seed 1; Inputs = @((New-Input 4 1)) }
        # two inputs, one of them joining late (Keras's layer order differs from call order here)
        $a = New-ModelInput -Shape 3 -Name a; $b = New-ModelInput -Shape 2 -Name b
        $out = $a | Add-DenseLayer 4 -Activation relu -Name dense_a | Add-ConcatenateLayer -With $b | Add-DenseLayer 1 -Name out
        $c['two_input'] = @{ Model = New-Model -Inputs $a, $b -Outputs $out -Name two_input -Seed 2; Inputs = @((New-Input 3 2), (New-Input 2 3)) }
        # two outputs: a price and a class
        $x = New-ModelInput -Shape 5 -Name row
        $h = $x | Add-DenseLayer 6 -Activation tanh
        $c['two_output'] = @{ Model = New-Model -Inputs $x -Outputs ($h | Add-DenseLayer 1 -Name price), ($h | Add-DenseLayer 3 -Activation softmax -Name class) -Name two_output -Seed 3
            Inputs = @((New-Input 5 4)) }
        # one Dense applied to two inputs: one set of weights, two nodes
        $a = New-ModelInput -Shape 4 -Name left; $b = New-ModelInput -Shape 4 -Name right
        $ea = $a | Add-DenseLayer 3 -Activation relu -Name encoder
        $eb = $b | Add-ModelLayer -Layer $ea.Layer
        $c['shared'] = @{ Model = New-Model -Inputs $a, $b -Outputs ($ea | Add-AddLayer -With $eb | Add-DenseLayer 2 -Name head) -Name shared -Seed 4
            Inputs = @((New-Input 4 5), (New-Input 4 6)) }
        # a functional trunk (with BatchNormalization: trainable and non-trainable weights) nested in a functional model
        $t = New-ModelInput -Shape 4 -Name trunk_in
        $trunk = New-Model -Inputs $t -Outputs ($t | Add-DenseLayer 6 -Activation relu | Add-BatchNormalizationLayer | Add-DenseLayer 5) -Name trunk -Seed 5
        $x = New-ModelInput -Shape 4 -Name features
        $c['nested'] = @{ Model = New-Model -Inputs $x -Outputs ($x | Add-ModelLayer -Layer $trunk | Add-DenseLayer 2 -Name head) -Name nested -Seed 6
            Inputs = @((New-Input 4 7)) }
        # a Sequential encoder nested in a functional model
        $encoder = New-Model -InputShape 4 -Name encoder -Seed 7 | Add-DenseLayer 5 -Activation relu | Add-BatchNormalizationLayer
        $x = New-ModelInput -Shape 4 -Name features
        $c['nested_sequential'] = @{ Model = New-Model -Inputs $x -Outputs ($x | Add-ModelLayer -Layer $encoder | Add-DenseLayer 2 -Name head) -Name nested_sequential -Seed 8
            Inputs = @((New-Input 4 8)) }
        # a functional block nested in a Sequential stack
        $bx = New-ModelInput -Shape 4
        $block = New-Model -Inputs $bx -Outputs ($bx | Add-AddLayer -With ($bx | Add-DenseLayer 4)) -Name block -Seed 9
        $c['sequential_with_block'] = @{ Model = New-Model -InputShape 3 -Name stack -Seed 10 | Add-DenseLayer 4 | Add-ModelLayer -Layer $block | Add-DenseLayer 2
            Inputs = @((New-Input 3 9)) }
        # attention: causal scaled self-attention (use_causal_mask is a call argument, kept in the node's kwargs), then a
        # concat-score attention over a Dense value with the sequence as key
        $x = New-ModelInput -Shape 4, 3 -Name steps
        $h = $x | Add-AttentionLayer -UseScale -UseCausalMask -Name self_attention
        $h = $h | Add-AttentionLayer -Value ($x | Add-DenseLayer 2 -Name values) -Key $x -ScoreMode concat -UseScale -Name cross
        $out = $h | Add-MultiHeadAttentionLayer 2 3 -Value $x -UseCausalMask -Name mha | Add-AddLayer -With $h
        $c['attention'] = @{ Model = New-Model -Inputs $x -Outputs $out -Name attention -Seed 11; Inputs = @((New-Input 4, 3 11)) }
        $i = 0
        foreach ($e in $c.Values) { Set-RandomWeights $e.Model (100 + $i++) | Out-Null }
        $c
    }
    $script:Cases = New-FunctionalCases
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-kerasfiles-functional-$PID"
    New-Item -ItemType Directory -Force $script:Work | Out-Null
    function Read-ZipText([string] $Path, [string] $Entry) {
        $zip = [IO.Compression.ZipFile]::OpenRead($Path)
        try { $r = [IO.StreamReader]::new($zip.GetEntry($Entry).Open()); try { $r.ReadToEnd() } finally { $r.Dispose() } } finally { $zip.Dispose() }
    }
    function Set-ZipText([string] $Path, [string] $Entry, [string] $Text) {
        $zip = [IO.Compression.ZipFile]::Open($Path, 'Update')
        try { $zip.GetEntry($Entry).Delete(); $w = [IO.StreamWriter]::new($zip.CreateEntry($Entry).Open()); $w.Write($Text); $w.Dispose() } finally { $zip.Dispose() }
    }
}
AfterAll { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }

Describe 'Functional models in Keras files: round trips' {
    It '<case> round-trips through .<ext> with identical outputs, layers, inputs and outputs' -ForEach @(
        foreach ($ext in 'keras', 'h5') {
            foreach ($case in 'residual', 'two_input', 'two_output', 'shared', 'nested', 'nested_sequential', 'sequential_with_block', 'attention') {
                @{ case = $case; ext = $ext }
            }
        }) {
        $e = $script:Cases[$case]
        $path = Join-Path $script:Work "$case.$ext"
        $e.Model | Export-Checkpoint -Path $path -Force
        $back = Import-Checkpoint -Path $path
        $back.Engine.IsFunctional | Should -Be $e.Model.Engine.IsFunctional
        @($back.Engine.InputNames) | Should -Be @($e.Model.Engine.InputNames)
        @($back.Engine.OutputNames) | Should -Be @($e.Model.Engine.OutputNames)
        @($back.Engine.Layers.Name) | Should -Be @($e.Model.Engine.Layers.Name)
        @($back.Engine.Layers.ClassName) | Should -Be @($e.Model.Engine.Layers.ClassName)
        $expected = @{}; foreach ($w in $e.Model.Engine.Weights) { $expected[$w.Path] = $w.ToArray() }
        @($back.Engine.Weights).Count | Should -Be $expected.Count
        foreach ($w in $back.Engine.Weights) { $w.ToArray() | Should -Be $expected[$w.Path] -Because "$case.$ext weight $($w.Path)" }
        $a = Invoke-EngineForward $e.Model $e.Inputs
        $b = Invoke-EngineForward $back $e.Inputs
        $b.Count | Should -Be $a.Count
        for ($o = 0; $o -lt $a.Count; $o++) { $b[$o] | Should -Be $a[$o] -Because "$case.$ext output $o" }
    }

    It 'keeps Attention''s use_causal_mask as a call argument in .keras, .h5 and .kpt files' {
        $e = $script:Cases['attention']
        $config = Read-ZipText (Join-Path $script:Work 'attention.keras') 'config.json' | ConvertFrom-Json -AsHashtable
        $self = $config.config.layers | Where-Object name -eq 'self_attention'
        $self.inbound_nodes[0].kwargs.use_causal_mask | Should -BeTrue
        $self.config.Keys | Should -Not -Contain 'use_causal_mask'
        ($config.config.layers | Where-Object name -eq 'cross').inbound_nodes[0].kwargs.Count | Should -Be 0
        ($config.config.layers | Where-Object name -eq 'mha').inbound_nodes[0].kwargs.use_causal_mask | Should -BeTrue
        $kpt = Join-Path $script:Work 'attention.kpt'
        $e.Model | Export-Checkpoint -Path $kpt -Force
        foreach ($path in $kpt, (Join-Path $script:Work 'attention.keras'), (Join-Path $script:Work 'attention.h5')) {
            $back = Import-Checkpoint -Path $path
            ($back.Engine.Layers | Where-Object Name -eq 'self_attention').UseCausalMask | Should -BeTrue -Because $path
            ($back.Engine.Layers | Where-Object Name -eq 'cross').UseCausalMask | Should -BeFalse -Because $path
            ($back.Engine.Layers | Where-Object Name -eq 'mha').UseCausalMask | Should -BeTrue -Because $path
            (Invoke-EngineForward $back $e.Inputs)[0] | Should -Be (Invoke-EngineForward $e.Model $e.Inputs)[0] -Because $path
        }
    }

    It 'stores MultiHeadAttention''s weights where Keras does: sublayer groups in .keras, query/kernel:0 ... in .h5' {
        $mha = $script:Cases['attention'].Model.Engine.Layers | Where-Object Name -eq 'mha'
        @($mha.Weights.Name) | Should -Be @('query/kernel', 'query/bias', 'key/kernel', 'key/bias', 'value/kernel', 'value/bias',
            'attention_output/kernel', 'attention_output/bias')
        @($mha.Weights | ForEach-Object { $_.Shape -join 'x' }) | Should -Be @('2x2x3', '2x3', '3x2x3', '2x3', '3x2x3', '2x3', '2x3x2', '2')
        if (-not (Test-Path /usr/bin/python3) -or -not $(& /usr/bin/python3 -c 'import h5py' 2>$null; $LASTEXITCODE -eq 0)) {
            Set-ItResult -Skipped -Because 'Debian''s /usr/bin/python3 with h5py is not installed'; return
        }
        $zip = [IO.Compression.ZipFile]::OpenRead((Join-Path $script:Work 'attention.keras'))
        $h5 = Join-Path $script:Work 'attention.weights.h5'
        try { [IO.Compression.ZipFileExtensions]::ExtractToFile($zip.GetEntry('model.weights.h5'), $h5, $true) } finally { $zip.Dispose() }
        $list = 'import h5py,sys; f=h5py.File(sys.argv[1]); f.visititems(lambda n, o: print(n, o.shape) if isinstance(o, h5py.Dataset) else None)'
        $keras3 = & /usr/bin/python3 -c $list $h5 | Where-Object { $_ -like 'layers/multi_head_attention/*' }
        $keras3 | Should -Be @('layers/multi_head_attention/_key_dense/vars/0 (3, 2, 3)', 'layers/multi_head_attention/_key_dense/vars/1 (2, 3)',
            'layers/multi_head_attention/_output_dense/vars/0 (2, 3, 2)', 'layers/multi_head_attention/_output_dense/vars/1 (2,)',
            'layers/multi_head_attention/_query_dense/vars/0 (2, 2, 3)', 'layers/multi_head_attention/_query_dense/vars/1 (2, 3)',
            'layers/multi_head_attention/_value_dense/vars/0 (3, 2, 3)', 'layers/multi_head_attention/_value_dense/vars/1 (2, 3)')
        $names = 'import h5py,sys; print(*[getattr(n, "decode", lambda: n)() for n in h5py.File(sys.argv[1])["model_weights/mha"].attrs["weight_names"]])'
        & /usr/bin/python3 -c $names (Join-Path $script:Work 'attention.h5') | Should -Be ('mha/query/kernel:0 mha/query/bias:0 mha/key/kernel:0 ' +
            'mha/key/bias:0 mha/value/kernel:0 mha/value/bias:0 mha/attention_output/kernel:0 mha/attention_output/bias:0')
    }

    It 'MultiHeadAttention matches NumPy''s Keras equations<causal>' -ForEach @(@{ causal = '' }, @{ causal = ' with use_causal_mask' }) {
        # tests/data/attention/make-references.py: 2 heads, key_dim 3, value_dim 2, output 4; query (3, 5), value (4, 3)
        $ref = Get-Content -Raw (Join-Path $PSScriptRoot 'data/attention/mha.json') | ConvertFrom-Json -AsHashtable
        $q = New-ModelInput -Shape 3, 5 -Name query; $v = New-ModelInput -Shape 4, 3 -Name value
        $mha = @{ ValueDim = 2; OutputShape = 4; UseCausalMask = [bool]$causal }
        $model = New-Model -Inputs $q, $v -Outputs ($q | Add-MultiHeadAttentionLayer 2 3 -Value $v @mha) -Seed 1
        foreach ($w in $model.Engine.Weights) { $w.Assign([float[]]$ref.weights[$w.Name]) }
        $out = (Invoke-EngineForward $model @(@{ shape = [long[]](2, 3, 5); values = [float[]]$ref.query }, @{ shape = [long[]](2, 4, 3); values = [float[]]$ref.value }))[0]
        $expected = if ($causal) { $ref.causal_output } else { $ref.output }
        $out.Count | Should -Be 24
        for ($i = 0; $i -lt 24; $i++) { $out[$i] | Should -BeGreaterOrEqual ($expected[$i] - 1e-5) ; $out[$i] | Should -BeLessOrEqual ($expected[$i] + 1e-5) }
    }

    It 'keeps one weight set for a shared layer and the nested model as one layer after import' {
        $back = Import-Checkpoint -Path (Join-Path $script:Work 'shared.keras')
        @($back.Engine.Layers | Where-Object Name -eq 'encoder').Count | Should -Be 1
        @($back.Engine.Nodes | Where-Object { $_.Layer.Name -eq 'encoder' }).Count | Should -Be 2
        $nested = Import-Checkpoint -Path (Join-Path $script:Work 'nested.h5')
        $trunk = $nested.Engine.Layers | Where-Object Name -eq 'trunk'
        $trunk.ClassName | Should -Be 'Functional'
        @($trunk.Weights.Path) | Should -Be @('trunk/dense/kernel', 'trunk/dense/bias', 'trunk/batch_normalization/gamma', 'trunk/batch_normalization/beta',
            'trunk/batch_normalization/moving_mean', 'trunk/batch_normalization/moving_variance', 'trunk/dense_1/kernel', 'trunk/dense_1/bias')
    }

    It 'writes a Keras 3 Functional config.json: Keras''s layer order, keras_history, a nested model''s calls from node 1' {
        $config = Read-ZipText (Join-Path $script:Work 'two_input.keras') 'config.json' | ConvertFrom-Json -AsHashtable
        $config.class_name | Should -Be 'Functional'
        $config.module | Should -Be 'keras.src.models.functional'
        # map_graph: by depth (a 3, dense_a and b 2, concatenate 1, out 0), ties in the order a walk back from the output meets them
        @($config.config.layers.name) | Should -Be @('a', 'dense_a', 'b', 'concatenate', 'out')
        (ConvertTo-Json -InputObject $config.config.input_layers -Compress) | Should -Be '[["a",0,0],["b",0,0]]'
        (ConvertTo-Json -InputObject $config.config.output_layers -Compress) | Should -Be '[["out",0,0]]'
        $concat = $config.config.layers | Where-Object name -eq 'concatenate'
        $call = $concat.inbound_nodes[0].args[0]
        @($call | ForEach-Object { $_.config.keras_history -join '/' }) | Should -Be @('dense_a/0/0', 'b/0/0')
        $call[0].class_name | Should -Be '__keras_tensor__'
        @($call[0].config.shape) | Should -Be @($null, 4)
        $concat.build_config.input_shape.Count | Should -Be 2
        $nested = Read-ZipText (Join-Path $script:Work 'nested.keras') 'config.json' | ConvertFrom-Json -AsHashtable
        $head = $nested.config.layers | Where-Object name -eq 'head'
        @($head.inbound_nodes[0].args[0].config.keras_history) | Should -Be @('trunk', 1, 0)
        $trunk = $nested.config.layers | Where-Object name -eq 'trunk'
        $trunk.class_name | Should -Be 'Functional'
        @($trunk.config.layers.class_name) | Should -Be @('InputLayer', 'Dense', 'BatchNormalization', 'Dense')
    }

    It 'reads a Keras 2 config that counts a nested model''s own node first, and one given as a flat [layer, node, tensor]' {
        $path = Join-Path $script:Work 'nested-keras2.keras'
        Copy-Item (Join-Path $script:Work 'nested.keras') $path -Force
        $config = Read-ZipText $path 'config.json' | ConvertFrom-Json -AsHashtable
        foreach ($l in $config.config.layers) {
            $l.inbound_nodes = @(foreach ($n in $l.inbound_nodes) { , @(, @($n.args[0].config.keras_history + @(@{}))) })
        }
        $config.config.input_layers = $config.config.input_layers[0]
        $config.class_name = 'Model'
        Set-ZipText $path 'config.json' ($config | ConvertTo-Json -Depth 50)
        $back = Import-Checkpoint -Path $path
        $a = Invoke-EngineForward $script:Cases['nested'].Model $script:Cases['nested'].Inputs
        (Invoke-EngineForward $back $script:Cases['nested'].Inputs)[0] | Should -Be $a[0]
    }

    It 'reads what newer Keras 3 releases add: DTypePolicy objects, optional inputs, one input as a bare triple' {
        $path = Join-Path $script:Work 'two_input-keras3x.keras'
        Copy-Item (Join-Path $script:Work 'two_input.keras') $path -Force
        $config = Read-ZipText $path 'config.json' | ConvertFrom-Json -AsHashtable
        foreach ($l in $config.config.layers) {
            if ($l.class_name -eq 'InputLayer') { $l.config['optional'] = $false; $l.config['ragged'] = $false }
            else { $l.config.dtype = @{ module = 'keras'; class_name = 'DTypePolicy'; config = @{ name = 'float32' }; registered_name = $null } }
        }
        $config.config.output_layers = $config.config.output_layers[0]
        Set-ZipText $path 'config.json' ($config | ConvertTo-Json -Depth 50)
        $e = $script:Cases['two_input']
        $back = Import-Checkpoint -Path $path
        (Invoke-EngineForward $back $e.Inputs)[0] | Should -Be (Invoke-EngineForward $e.Model $e.Inputs)[0]
    }

    It 'leaves a Sequential .keras and .h5 as before: no InputLayer among the weights, Sequential config' {
        $m = New-Model -Name plain -InputShape 3 -Seed 1 | Add-DenseLayer 4 -Activation relu | Add-DenseLayer 2
        $path = Join-Path $script:Work 'plain.keras'
        $m | Export-Checkpoint -Path $path -Force
        $config = Read-ZipText $path 'config.json' | ConvertFrom-Json -AsHashtable
        $config.class_name | Should -Be 'Sequential'
        @($config.config.layers.class_name) | Should -Be @('InputLayer', 'Dense', 'Dense')
        $config.config.layers[1].ContainsKey('inbound_nodes') | Should -BeFalse
        $back = Import-Checkpoint -Path $path
        $back.Engine.IsFunctional | Should -BeFalse
        @($back.Engine.Layers.Name) | Should -Be @('dense', 'dense_1')
    }
}

Describe 'Functional models in Keras files: compile configs given per output' {
    BeforeAll {
        $x = New-ModelInput -Shape 4 -Name features
        $script:One = New-Model -Inputs $x -Outputs ($x | Add-DenseLayer 3 -Activation softmax -Name label) -Name one -Seed 1 |
            Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
    }

    It 'compiles a one-output model whose loss and metrics are given by output name' {
        $path = Join-Path $script:Work 'per-output-one.keras'
        $script:One | Export-Checkpoint -Path $path -Force
        $config = Read-ZipText $path 'config.json' | ConvertFrom-Json -AsHashtable
        $config.compile_config.loss = @{ label = 'categorical_crossentropy' }
        $config.compile_config.metrics = @{ label = @('acc') }
        Set-ZipText $path 'config.json' ($config | ConvertTo-Json -Depth 50)
        $back = Import-Checkpoint -Path $path -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -BeNullOrEmpty
        $back.Engine.IsCompiled | Should -BeTrue
        $back.Engine.Loss.Name | Should -Be 'categorical_crossentropy'
        @($back.Engine.MetricNames) | Should -Be @('accuracy')
    }

    It 'compiles a two-output model per output: its losses, metrics and loss weights by output name' {
        $path = Join-Path $script:Work 'per-output-two.keras'
        $e = $script:Cases['two_output']
        $e.Model | Export-Checkpoint -Path $path -Force
        $config = Read-ZipText $path 'config.json' | ConvertFrom-Json -AsHashtable
        $config['compile_config'] = @{ optimizer = @{ module = 'keras.optimizers'; class_name = 'Adam'; config = @{ learning_rate = 0.001 } }
            loss = @{ price = 'mean_squared_error'; class = 'categorical_crossentropy' }; metrics = @{ class = @('acc') }; loss_weights = @{ price = 0.5; class = 1.0 } }
        Set-ZipText $path 'config.json' ($config | ConvertTo-Json -Depth 50)
        $back = Import-Checkpoint -Path $path -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -BeNullOrEmpty
        $back.Engine.IsCompiled | Should -BeTrue
        $compile = $back.Engine.GetCompileConfig()
        $compile.loss.price | Should -Be 'mean_squared_error'
        $compile.loss.class | Should -Be 'categorical_crossentropy'
        $compile.loss_weights.price | Should -Be 0.5
        @($compile.metrics.class | ForEach-Object { $_.name ?? $_ }) | Should -Contain 'accuracy'
        $a = Invoke-EngineForward $e.Model $e.Inputs; $b = Invoke-EngineForward $back $e.Inputs
        for ($o = 0; $o -lt 2; $o++) { $b[$o] | Should -Be $a[$o] }
        # and the per-output settings travel on through the model's own .keras
        $again = Join-Path $script:Work 'per-output-two-again.keras'
        $back | Export-Checkpoint -Path $again -Force
        (Read-ZipText $again 'config.json' | ConvertFrom-Json -AsHashtable).compile_config.loss_weights.price | Should -Be 0.5
    }

    It 'loads a model whose per-output losses name an output it lacks uncompiled, with a warning naming it' {
        $path = Join-Path $script:Work 'per-output-unknown.keras'
        $e = $script:Cases['two_output']
        $e.Model | Export-Checkpoint -Path $path -Force
        $config = Read-ZipText $path 'config.json' | ConvertFrom-Json -AsHashtable
        $config['compile_config'] = @{ optimizer = @{ module = 'keras.optimizers'; class_name = 'Adam'; config = @{ learning_rate = 0.001 } }
            loss = @{ price = 'mean_squared_error'; colour = 'categorical_crossentropy' }; metrics = @() }
        Set-ZipText $path 'config.json' ($config | ConvertTo-Json -Depth 50)
        $back = Import-Checkpoint -Path $path -WarningVariable warnings -WarningAction SilentlyContinue
        $back.Engine.IsCompiled | Should -BeFalse
        "$warnings" | Should -Match "names an output 'colour' the model does not have"
        "$warnings" | Should -Match 'Build-Model'
    }
}

Describe 'Functional models in Keras files read by h5py (an independent HDF5 reader)' -Tag Slow, MachineChanging {
    BeforeAll {
        $script:Python = Install-H5py
        $script:Dump = @'
import h5py, json, sys, zipfile, io
path = sys.argv[1]
f = h5py.File(io.BytesIO(zipfile.ZipFile(path).read("model.weights.h5")) if path.endswith(".keras") else path, "r")
out = {"datasets": {}, "attrs": {}}
def visit(name, obj):
    if isinstance(obj, h5py.Dataset):
        out["datasets"][name] = [float(v) for v in obj[()].reshape(-1)]
    for k, v in obj.attrs.items():
        out["attrs"][name + "@" + k] = [x.decode() if isinstance(x, bytes) else str(x) for x in v] if hasattr(v, "__len__") and not isinstance(v, str) else str(v)
f.visititems(visit)
for k, v in f.attrs.items(): out["attrs"]["@" + k] = v.decode() if isinstance(v, bytes) else str(v)
print(json.dumps(out))
'@
    }

    It 'puts a nested model''s weights at Keras 3''s class-name paths in model.weights.h5' {
        $m = $script:Cases['nested'].Model
        $dump = & $script:Python -c $script:Dump (Join-Path $script:Work 'nested.keras') | ConvertFrom-Json -AsHashtable
        $LASTEXITCODE | Should -Be 0
        $trunk = $m.Engine.Layers | Where-Object Name -eq 'trunk'
        $head = $m.Engine.Layers | Where-Object Name -eq 'head'
        # Keras 3: outer layers [input_layer, functional, dense]; the trunk's [input_layer, dense, batch_normalization, dense_1]
        $expected = [ordered]@{
            'layers/functional/layers/dense/vars/0' = $trunk.Weights[0]; 'layers/functional/layers/dense/vars/1' = $trunk.Weights[1]
            'layers/functional/layers/batch_normalization/vars/0' = $trunk.Weights[2]; 'layers/functional/layers/batch_normalization/vars/3' = $trunk.Weights[5]
            'layers/functional/layers/dense_1/vars/0' = $trunk.Weights[6]; 'layers/dense/vars/0' = $head.Weights[0]; 'layers/dense/vars/1' = $head.Weights[1]
        }
        foreach ($k in $expected.Keys) {
            $dump.datasets.ContainsKey($k) | Should -BeTrue -Because "the file holds $k"
            $want = $expected[$k].ToArray()
            for ($i = 0; $i -lt $want.Count; $i++) { [float]$dump.datasets[$k][$i] | Should -Be $want[$i] }
        }
        $dump.datasets.Count | Should -Be 10
    }

    It 'writes a Keras 2 .h5 with layer_names in Keras''s order, a nested model''s weights in one group trainable first, and node lists' {
        $dump = & $script:Python -c $script:Dump (Join-Path $script:Work 'nested.h5') | ConvertFrom-Json -AsHashtable
        $LASTEXITCODE | Should -Be 0
        $dump.attrs['model_weights@layer_names'] | Should -Be @('features', 'trunk', 'head')
        $dump.attrs['model_weights/trunk@weight_names'] | Should -Be @('dense/kernel:0', 'dense/bias:0', 'batch_normalization/gamma:0', 'batch_normalization/beta:0',
            'dense_1/kernel:0', 'dense_1/bias:0', 'batch_normalization/moving_mean:0', 'batch_normalization/moving_variance:0')
        $trunk = $script:Cases['nested'].Model.Engine.Layers | Where-Object Name -eq 'trunk'
        $dump.datasets['model_weights/trunk/batch_normalization/moving_variance:0'] | Should -Be $trunk.Weights[5].ToArray()
        $dump.datasets['model_weights/head/head/kernel:0'].Count | Should -Be 10
        $config = $dump.attrs['@model_config'] | ConvertFrom-Json -AsHashtable
        $config.class_name | Should -Be 'Functional'
        ConvertTo-Json -InputObject ($config.config.layers | Where-Object name -eq 'head').inbound_nodes -Compress -Depth 5 | Should -Be '[[["trunk",1,0,{}]]]'
        ($config.config.layers | Where-Object name -eq 'features').config.batch_input_shape | Should -Be @($null, 4)
        (ConvertTo-Json -InputObject $config.config.input_layers -Compress) | Should -Be '[["features",0,0]]'
        $shared = & $script:Python -c $script:Dump (Join-Path $script:Work 'shared.h5') | ConvertFrom-Json -AsHashtable
        $sharedConfig = $shared.attrs['@model_config'] | ConvertFrom-Json -AsHashtable
        ConvertTo-Json -InputObject ($sharedConfig.config.layers | Where-Object name -eq 'encoder').inbound_nodes -Compress -Depth 5 |
            Should -Be '[[["left",0,0,{}]],[["right",0,0,{}]]]'
        ConvertTo-Json -InputObject ($sharedConfig.config.layers | Where-Object name -eq 'add').inbound_nodes -Compress -Depth 5 |
            Should -Be '[[["encoder",0,0,{}],["encoder",1,0,{}]]]'
    }
}

Describe 'Real functional Keras files' {
    # tf.keras 2.2.4 and Keras 2.4 functional .h5 files from KonduitAI/dl4j-test-resources (tests/data/README.md); the
    # references are NumPy forward passes over each file's own config and weights (tests/data/make-functional-references.py).
    BeforeAll {
        $script:References = Get-Content (Join-Path $PSScriptRoot 'data/functional/references.json') -Raw | ConvertFrom-Json -AsHashtable
    }

    It 'compiles a real tf.keras file from its training config, metrics wrapped as tf.keras wraps them' {
        $model = Import-Checkpoint -Path (Join-Path $PSScriptRoot 'data/functional/issue_9349.hdf5') -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -BeNullOrEmpty
        $model.Engine.IsCompiled | Should -BeTrue
        $model.Engine.Optimizer.Name | Should -Be 'adam'
        $model.Engine.Loss.Name | Should -Be 'categorical_crossentropy'
        @($model.Engine.MetricNames) | Should -Contain 'accuracy'
    }

    It 'imports <file> (<what>) as a functional model and computes what NumPy computes from its weights within 1e-5' -ForEach @(
        @{ file = 'mlp_0.h5'; what = 'Dense, Dropout' }
        @{ file = 'batchNormError.h5'; what = 'Conv1D, BatchNormalization' }
        @{ file = 'adv_act_2.h5'; what = 'PReLU' }
        @{ file = 'cnn1d_19.h5'; what = 'causal Conv1D, dilation 2' }
        @{ file = 'cnn1d_26.h5'; what = 'same Conv1D, stride 2' }
        @{ file = 'rnn_20.h5'; what = 'LSTM with relu gates' }
        @{ file = 'misc_0.h5'; what = 'Embedding, Dense' }
        @{ file = 'flatten_3d.hdf5'; what = 'Keras 2.4 Functional: Flatten, Dense' }
        @{ file = 'issue_9349.hdf5'; what = 'Embedding, Conv1D, MaxPooling1D, Flatten, Dense' }
        @{ file = 'rnn_101.h5'; what = "Bidirectional LSTM, return_sequences, Keras 2's hard_sigmoid" }
        @{ file = 'rnn_107.h5'; what = 'Bidirectional SimpleRNN, last output' }) {
        $ref = $script:References[$file]
        $model = Import-Checkpoint -Path (Join-Path $PSScriptRoot "data/functional/$file") -WarningAction SilentlyContinue
        $model.Engine.IsFunctional | Should -BeTrue
        $out = Invoke-EngineForward $model $ref['inputs']
        $out.Count | Should -Be $ref['outputs'].Count
        for ($o = 0; $o -lt $out.Count; $o++) {
            $want = $ref['outputs'][$o]['values']
            $out[$o].Count | Should -Be $want.Count
            for ($i = 0; $i -lt $want.Count; $i++) { [math]::Abs($out[$o][$i] - $want[$i]) | Should -BeLessThan 1e-5 -Because "$file output $o value $i" }
        }
        # and it goes out and back in as Keras files with the same outputs
        foreach ($ext in 'keras', 'h5') {
            $path = Join-Path $script:Work "real-$file.$ext"
            $model | Export-Checkpoint -Path $path -Force
            $again = Invoke-EngineForward (Import-Checkpoint -Path $path -WarningAction SilentlyContinue) $ref['inputs']
            for ($o = 0; $o -lt $out.Count; $o++) { $again[$o] | Should -Be $out[$o] }
        }
    }
}
