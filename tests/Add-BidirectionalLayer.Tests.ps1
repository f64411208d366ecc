# Add-BidirectionalLayer (Keras Bidirectional) against TensorFlow.js 4.22.0's layers (tests/data/rnn/make-references.mjs, weights
# set in Keras's order), through .kpt/.keras/.h5, with Keras's weight names, and what it refuses. Shapes, parameter counts,
# hand-computed values and ONNX are in tests/LayerCases.ps1.
BeforeDiscovery {
    $cases = (Get-Content (Join-Path $PSScriptRoot 'data/rnn/references.json') -Raw | ConvertFrom-Json).cases
    $script:references = @($cases | ForEach-Object { $h = @{}; foreach ($p in $_.PSObject.Properties) { $h[$p.Name] = $p.Value }
        $h['inputValues'] = $h['input']; $h.Remove('input'); $h })
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-bidirectional-$PID"
    New-Item -ItemType Directory -Force $script:Work | Out-Null
    function New-Case($Shape, [string] $Command, $Weights) {
        $features = [int](($Shape | Select-Object -Skip 1) -join '*' | Invoke-Expression)
        $m = New-Model -InputShape $features -Seed 1 | Add-ReshapeLayer ([int[]]($Shape | Select-Object -Skip 1))
        $m = & ([scriptblock]::Create("param(`$m) `$m | $Command")) $m
        $layer = $m.Engine.Layers[-1]
        $layer.Weights.Count | Should -Be $Weights.Count
        for ($i = 0; $i -lt $Weights.Count; $i++) {
            [long[]]$layer.Weights[$i].Shape | Should -Be ([long[]]$Weights[$i].shape) -Because $Weights[$i].name
            $layer.Weights[$i].Assign([float[]]$Weights[$i].values)
        }
        $m
    }
    function Get-Rows($Shape, $Values) {
        $features = [int](($Shape | Select-Object -Skip 1) -join '*' | Invoke-Expression)
        $x = [double[,]]::new($Shape[0], $features)
        for ($i = 0; $i -lt $Values.Count; $i++) { $x[[math]::Floor($i / $features), ($i % $features)] = $Values[$i] }
        , $x
    }
}
AfterAll { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }

Describe 'Add-BidirectionalLayer against TensorFlow.js' {
    It '<name>' -ForEach $references {
        $m = New-Case $inputShape $command $weights
        ($m | Get-ModelSummary)[-1].OutputShape | Should -Be "(None, $((@($outputShape) | Select-Object -Skip 1) -join ', '))"
        $p = $m | Invoke-ModelPredict -X (Get-Rows $inputShape $inputValues) -AsMatrix
        $per = $output.Count / $inputShape[0]
        $p.GetLength(1) | Should -Be $per
        $max = 0.0
        for ($i = 0; $i -lt $output.Count; $i++) { $max = [math]::Max($max, [math]::Abs($p[[math]::Floor($i / $per), ($i % $per)] - $output[$i])) }
        $max | Should -BeLessThan 1e-5
    }
}

Describe 'Add-BidirectionalLayer' {
    It 'names the copies forward_<name> and backward_<name> and keeps the weights forward first, as Keras' {
        $m = New-Model -InputShape 4, 2 | Add-BidirectionalLayer (New-Model | Add-LSTMLayer 3 -Name enc)
        $m.Engine.Weights.Path | Should -Be @('bidirectional/forward_enc/kernel', 'bidirectional/forward_enc/recurrent_kernel',
            'bidirectional/forward_enc/bias', 'bidirectional/backward_enc/kernel', 'bidirectional/backward_enc/recurrent_kernel',
            'bidirectional/backward_enc/bias')
        $m.Engine.Layers[0].BackwardLayer.GoBackwards | Should -BeTrue
        $m.Engine.Layers[0].ForwardLayer.GoBackwards | Should -BeFalse
    }

    It 'goes through .<ext> with the same predictions and config' -ForEach @(@{ ext = 'kpt' }, @{ ext = 'keras' }, @{ ext = 'h5' }) {
        $ref = $references[0]
        $m = New-Case $ref.inputShape $ref.command $ref.weights
        $m = $m | Add-BidirectionalLayer (New-Model | Add-GRULayer 2 -Dropout 0.1) -MergeMode sum -BackwardLayer (New-Model | Add-GRULayer 2 -GoBackwards -Name back) |
            Add-DenseLayer 1
        $x = Get-Rows $ref.inputShape $ref.inputValues
        $a = @($m | Invoke-ModelPredict -X $x -AsMatrix | ForEach-Object { $_ })
        $path = Join-Path $script:Work "bi.$ext"
        $m | Export-Checkpoint -Path $path -Force
        $back = Import-Checkpoint -Path $path
        @($back | Invoke-ModelPredict -X $x -AsMatrix | ForEach-Object { $_ }) | Should -Be $a
        $back.Engine.Layers[2].MergeMode | Should -Be 'sum'
        $back.Engine.Layers[2].BackwardLayer.Name | Should -Be 'back'
        $back.Engine.Layers[2].ForwardLayer.Dropout | Should -Be 0.1
    }

    It 'writes Keras 2''s weight names into .h5 (bidirectional/forward_lstm/kernel:0)' {
        $m = New-Model -InputShape 4, 2 | Add-BidirectionalLayer (New-Model | Add-LSTMLayer 3)
        $path = Join-Path $script:Work 'names.h5'
        $m | Export-Checkpoint -Path $path -Force
        $text = [Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($path))
        $text | Should -Match 'bidirectional/forward_lstm/kernel:0'
        $text | Should -Match 'bidirectional/backward_lstm/recurrent_kernel:0'
    }

    It 'refuses a -Layer that is not one recurrent layer with InvalidWrappedLayer' {
        Get-ErrorId { New-Model -InputShape 4, 2 | Add-BidirectionalLayer (New-Model | Add-DenseLayer 3) } | Should -Be 'InvalidWrappedLayer'
    }

    It 'refuses a backward layer that does not go backwards with InvalidBackwardLayer' {
        Get-ErrorId { New-Model -InputShape 4, 2 | Add-BidirectionalLayer (New-Model | Add-LSTMLayer 3) -BackwardLayer (New-Model | Add-LSTMLayer 3) } |
            Should -Be 'InvalidBackwardLayer'
    }

    It 'refuses a Keras file''s merge_mode None (two outputs) by name' {
        $layer = [Collections.Generic.Dictionary[string, object]]::new()
        $layer['name'] = 'bi'; $layer['merge_mode'] = $null; $layer['batch_input_shape'] = [Collections.Generic.List[object]]@($null, [long]4, [long]2)
        $inner = [Collections.Generic.Dictionary[string, object]]::new(); $inner['units'] = [long]3; $inner['name'] = 'lstm'
        $innerEntry = [Collections.Generic.Dictionary[string, object]]::new(); $innerEntry['class_name'] = 'LSTM'; $innerEntry['config'] = $inner
        $layer['layer'] = $innerEntry
        $entry = [Collections.Generic.Dictionary[string, object]]::new(); $entry['class_name'] = 'Bidirectional'; $entry['config'] = $layer
        $model = [Collections.Generic.Dictionary[string, object]]::new(); $model['class_name'] = 'Sequential'
        $model['config'] = [Collections.Generic.Dictionary[string, object]]::new(); $model['config']['layers'] = [Collections.Generic.List[object]]@(, $entry)
        $translator = (New-Model).Engine.GetType().Assembly.GetType('KerasPS.Engine.Checkpoints.KerasConfigTranslator')
        $err = { $translator.GetMethod('ToKerasPS').Invoke($null, @(, $model)) } | Should -Throw -PassThru
        $err.Exception.InnerException.ErrorId | Should -Be 'UnsupportedKerasLayers'
        $err.Exception.InnerException.Message | Should -Match "^Bidirectional layer 'bi' has merge_mode None"
    }
}
