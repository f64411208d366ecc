BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Add-DenseLayer' {
    It 'adds a layer in place and writes the same model object' {
        $m = New-Model
        $out = $m | Add-DenseLayer -Units 5
        [object]::ReferenceEquals($m, $out) | Should -BeTrue
        $m.Layers | Should -Be @('dense')
    }

    It 'names layers dense, dense_1, ... as Keras does, or as -Name says' {
        $m = New-Model -InputShape 3 | Add-DenseLayer 4 | Add-DenseLayer 4 | Add-DenseLayer 2 -Name head
        $m.Layers | Should -Be @('dense', 'dense_1', 'head')
    }

    It 'has (in x units) + units parameters, and units only without bias' {
        (New-Model -InputShape 93 | Add-DenseLayer 9).ParamCount | Should -Be 846
        (New-Model -InputShape 93 | Add-DenseLayer 9 -UseBias:$false).ParamCount | Should -Be 837
    }

    It 'stores the kernel in Keras orientation (inputs, units)' {
        $w = (New-Model -InputShape 93 | Add-DenseLayer 9).Engine.Layers[0].Weights
        $w[0].Path | Should -Be 'dense/kernel'
        $w[0].Shape | Should -Be @(93, 9)
        $w[1].Path | Should -Be 'dense/bias'
    }

    It 'computes activation(x . kernel + bias) exactly' {
        $m = New-Model -InputShape 2 | Add-DenseLayer 1 -Activation relu -KernelInitializer ones -BiasInitializer zeros |
            Build-Model -Optimizer sgd -Loss mse
        $p = $m | Invoke-ModelPredict -X @(@(1, 2), @(-3, 1)) -AsMatrix
        $p[0, 0] | Should -Be 3
        $p[1, 0] | Should -Be 0
    }

    It 'applies to the last axis of 3-D input' {
        $m = New-Model -InputShape 4, 6 | Add-DenseLayer 3
        $m.OutputShape | Should -Be '(None, 4, 3)'
        $m.ParamCount | Should -Be 21
    }

    It 'refuses units <= 0 with InvalidUnits and leaves the model unchanged' {
        $m = New-Model -InputShape 3 | Add-DenseLayer 2
        Get-ErrorId { $m | Add-DenseLayer -Units 0 } | Should -Be 'InvalidUnits'
        Get-ErrorId { $m | Add-DenseLayer -Units -5 } | Should -Be 'InvalidUnits'
        $m.LayerCount | Should -Be 1
    }

    It 'refuses an unknown activation with UnknownActivation, listing the valid names' {
        $err = $null
        try { New-Model | Add-DenseLayer 3 -Activation rellu } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'UnknownActivation,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'relu, '
        $err.Exception.Message | Should -Match 'softmax'
    }

    It 'completes activation names' {
        $r = TabExpansion2 -inputScript 'Add-DenseLayer -Units 3 -Activation so' -cursorColumn 38
        $r.CompletionMatches.CompletionText | Should -Contain 'softmax'
        $r.CompletionMatches.CompletionText | Should -Contain 'softplus'
        $r.CompletionMatches.CompletionText | Should -Not -Contain 'relu'
    }

    It 'refuses a duplicate layer name with DuplicateLayerName' {
        $m = New-Model | Add-DenseLayer 3 -Name a
        Get-ErrorId { $m | Add-DenseLayer 3 -Name a } | Should -Be 'DuplicateLayerName'
    }
}
