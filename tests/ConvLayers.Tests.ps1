# DepthwiseConv2D, SeparableConv1D/2D, Conv1DTranspose and Conv2DTranspose against TensorFlow.js 4.22.0's layers
# (reference data made by tests/data/conv/make-references.mjs, weights set in Keras's layout and names), and what
# these channels_last-only layers refuse. Shapes, parameter counts and hand-computed values are in tests/LayerCases.ps1.
BeforeDiscovery {
    # each case as a hashtable, so that -ForEach makes its fields variables ($input is PowerShell's own: inputValues)
    $cases = (Get-Content (Join-Path $PSScriptRoot 'data/conv/references.json') -Raw | ConvertFrom-Json).cases
    $script:references = @($cases | ForEach-Object { $h = @{}; foreach ($p in $_.PSObject.Properties) { $h[$p.Name] = $p.Value }
        $h['inputValues'] = $h['input']; $h.Remove('input'); $h })
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-convlayers-$PID"
    New-Item -ItemType Directory -Force $script:Work | Out-Null
}
AfterAll { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }

Describe 'Convolution layers against TensorFlow.js' {
    It '<name>' -ForEach $references {
        $shape = [int[]]$inputShape
        $rows = $shape[0]
        $features = [int](($shape | Select-Object -Skip 1) -join '*' | Invoke-Expression)
        $m = New-Model -InputShape $features -Seed 1 | Add-ReshapeLayer ([int[]]($shape | Select-Object -Skip 1))
        $m = & ([scriptblock]::Create("param(`$m) `$m | $command")) $m
        $layer = $m.Engine.Layers[-1].Name
        foreach ($w in $weights) {
            $null = $m | Set-ModelWeight -Layer $layer -Name $w.name -Value ([double[]]$w.values) -Shape ([int[]]$w.shape)
        }
        ($m | Get-ModelSummary)[-1].OutputShape | Should -Be "(None, $((@($outputShape) | Select-Object -Skip 1) -join ', '))"
        $x = [double[,]]::new($rows, $features)
        for ($i = 0; $i -lt $inputValues.Count; $i++) { $x[[math]::Floor($i / $features), ($i % $features)] = $inputValues[$i] }
        $p = $m | Invoke-ModelPredict -X $x -AsMatrix
        $per = $output.Count / $rows
        $p.GetLength(1) | Should -Be $per
        $max = 0.0
        for ($i = 0; $i -lt $output.Count; $i++) {
            $max = [math]::Max($max, [math]::Abs($p[[math]::Floor($i / $per), ($i % $per)] - $output[$i]))
        }
        $max | Should -BeLessThan 1e-5
    }
}

Describe 'Convolution layer configs' {
    It '<Class> from a Keras config with data_format channels_first is refused with UnsupportedLayerOption' -ForEach @(
        @{ Class = 'DepthwiseConv2D'; Config = @{ kernel_size = 3 } }
        @{ Class = 'SeparableConv2D'; Config = @{ filters = 2; kernel_size = 3 } }
        @{ Class = 'SeparableConv1D'; Config = @{ filters = 2; kernel_size = 3 } }
        @{ Class = 'Conv2DTranspose'; Config = @{ filters = 2; kernel_size = 3 } }
        @{ Class = 'Conv1DTranspose'; Config = @{ filters = 2; kernel_size = 3 } }
    ) {
        $config = [System.Collections.Generic.Dictionary[string, object]]::new()
        foreach ($k in $Config.Keys) { $config[$k] = $Config[$k] }
        $config['name'] = 'conv'
        $config['data_format'] = 'channels_first'
        $e = { [KerasPS.Engine.Layers.LayerRegistry]::FromConfig($Class, $config) } | Should -Throw -PassThru
        $e.Exception.GetBaseException().ErrorId | Should -Be 'UnsupportedLayerOption'
        $e.Exception.GetBaseException().Message | Should -BeLike '*channels_last only*'
    }

    It 'Conv2DTranspose refuses output_padding not smaller than the stride with InvalidOutputPadding' {
        Get-ErrorId { New-Model -InputShape 4, 4, 1 | Add-Conv2DTransposeLayer 2 3 -Strides 2 -OutputPadding 2 } | Should -Be 'InvalidOutputPadding'
    }

    It 'DepthwiseConv2D refuses depth_multiplier 0 with InvalidDepthMultiplier' {
        Get-ErrorId { New-Model -InputShape 4, 4, 1 | Add-DepthwiseConv2DLayer 3 -DepthMultiplier 0 } | Should -Be 'InvalidDepthMultiplier'
    }

    It 'SeparableConv2D writes Keras''s keys and weight names' {
        $m = New-Model -InputShape 5, 5, 3 | Add-SeparableConv2DLayer 4 3 -DepthMultiplier 2 -PointwiseRegularizer l1
        $layer = $m.Engine.Layers[-1]
        @($layer.Weights | ForEach-Object Name) | Should -Be @('depthwise_kernel', 'pointwise_kernel', 'bias')
        @($layer.Weights | ForEach-Object { $_.Shape -join 'x' }) | Should -Be @('3x3x3x2', '1x1x6x4', '4')
        $c = $layer.GetConfig()
        $c['depth_multiplier'] | Should -Be 2
        $c['pointwise_regularizer'] | Should -Not -BeNullOrEmpty
        $c.ContainsKey('depthwise_initializer') | Should -BeTrue
        $c.ContainsKey('kernel_initializer') | Should -BeFalse
    }
}

Describe 'Convolution layers in checkpoint files' {
    It 'round-trip through .<ext> with identical predictions, configs and Keras''s weight names' -ForEach @(
        @{ ext = 'keras' }, @{ ext = 'h5' }, @{ ext = 'kpt' }) {
        $m = New-Model -InputShape 72 -Seed 4 | Add-ReshapeLayer 6, 6, 2 |
            Add-DepthwiseConv2DLayer 3 relu -DepthMultiplier 2 -Padding same -DepthwiseRegularizer l2 |
            Add-SeparableConv2DLayer 3 2 -PointwiseConstraint non_neg -BiasInitializer ones |
            Add-Conv2DTransposeLayer 2 3 -Strides 2 -Padding same -OutputPadding 1 |
            Add-ReshapeLayer 100, 2 | Add-SeparableConv1DLayer 2 3 -DepthMultiplier 2 -Activation tanh |
            Add-Conv1DTransposeLayer 1 2 -Strides 2 -UseBias:$false | Add-FlattenLayer |
            Build-Model -Optimizer adam -Loss mse
        ($m | Get-ModelSummary)[-2].OutputShape | Should -Be '(None, 196, 1)'
        $rng = [Random]::new(3)
        $x = [double[,]]::new(3, 72)
        for ($r = 0; $r -lt 3; $r++) { for ($c = 0; $c -lt 72; $c++) { $x[$r, $c] = $rng.NextDouble() * 2 - 1 } }
        $path = Join-Path $script:Work "conv.$ext"
        $m | Export-Checkpoint -Path $path -Force
        $back = Import-Checkpoint -Path $path
        for ($i = 0; $i -lt $m.Engine.Layers.Count; $i++) {
            $a = $m.Engine.Layers[$i]; $b = $back.Engine.Layers[$i]
            $b.ClassName | Should -Be $a.ClassName
            ($b.GetConfig() | ConvertTo-Json -Depth 8 -Compress) | Should -Be ($a.GetConfig() | ConvertTo-Json -Depth 8 -Compress)
            @($b.Weights | ForEach-Object Name) | Should -Be @($a.Weights | ForEach-Object Name)
        }
        @($back.Engine.Layers[2].Weights | ForEach-Object Name) | Should -Be @('depthwise_kernel', 'pointwise_kernel', 'bias')
        @($back.Engine.Layers[3].Weights | ForEach-Object { $_.Shape -join 'x' }) | Should -Be @('3x3x2x3', '2')
        $p = $m | Invoke-ModelPredict -X $x -AsMatrix
        $q = $back | Invoke-ModelPredict -X $x -AsMatrix
        @(foreach ($v in $q) { $v }) | Should -Be @(foreach ($v in $p) { $v })
    }
}
