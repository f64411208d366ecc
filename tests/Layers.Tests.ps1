# Every layer through the shared harness (tests/LayerHarness.ps1), on the cases of tests/LayerCases.ps1 that carry
# Out: expected output shapes and parameter counts are the ones Keras 3 reports for the configuration named in each
# case's comment. 'Layer cases' checks that every registered layer has its harness, values and ONNX cases, and that
# the README's layer list and CHECKPOINT-FORMAT.md's ONNX table name exactly the registered layers.
BeforeDiscovery {
    . $PSScriptRoot/LayerCases.ps1
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/LayerHarness.ps1
}

Describe 'Layer harness' {
    It '<Case>' -ForEach @($LayerCases | Where-Object { $_.ContainsKey('Out') }) {
        $nt = if ($NT) { $NT } else { 0 }
        $tok = if ($Tokens) { $Tokens } else { 0 }
        Invoke-LayerTest -AddLayer $Add -InputShape $In -ExpectedOutputShape $Out -ExpectedParams $P -ExpectedNonTrainableParams $nt -TokenRange $tok
    }

    It 'round-trips a script-block Lambda only when unsafe code is allowed, and marks it unsafe' {
        Invoke-LayerTest -AddLayer { param($m) $m | Add-LambdaLayer -ScriptBlock { $x.abs() } } -InputShape 6 -ExpectedOutputShape '(None, 6)' -AllowUnsafeCode
    }
}

Describe 'Layer registry' {
    BeforeAll {
        $script:Registry = Get-KerasType 'KerasPS.Engine.Layers.LayerRegistry'
        function New-Config([hashtable] $Values) {
            $d = [Collections.Generic.Dictionary[string, object]]::new()
            foreach ($k in $Values.Keys) { $d[$k] = $Values[$k] }
            , $d
        }
        # The KerasException a direct engine call throws (PowerShell wraps it in a MethodInvocationException).
        function Get-EngineError([scriptblock] $ScriptBlock) {
            try { & $ScriptBlock | Out-Null } catch { $e = $_.Exception; while ($e -and $e.GetType().Name -ne 'KerasException') { $e = $e.InnerException }; return $e }
        }
    }

    It 'knows every layer class of the engine, each under the Keras name the class itself reports' {
        $layerType = Get-KerasType 'KerasPS.Engine.Layers.Layer'
        $classes = @($layerType.Assembly.GetTypes() | Where-Object { $_.IsSubclassOf($layerType) -and -not $_.IsAbstract })
        $script:Registry::ClassNames.Count | Should -Be $classes.Count
        foreach ($name in $script:Registry::ClassNames) {
            $script:Registry::TypeOf($name) | Should -BeIn $classes
        }
        $script:Registry::TypeOf('Activation').Name | Should -Be 'ActivationLayer'
    }

    It 'fills keys a config leaves out with the defaults of the class, which the cmdlets show too' {
        $bn = $script:Registry::FromConfig('BatchNormalization', (New-Config @{ name = 'bn' }), $false)
        $bn.Momentum | Should -Be 0.99
        $bn.Epsilon | Should -Be 0.001
        (Get-Command Add-BatchNormalizationLayer).Parameters.Keys | Should -Contain 'Momentum'
        $m = New-Model -InputShape 4 | Add-BatchNormalizationLayer
        $m.Engine.Layers[0].Momentum | Should -Be $bn.Momentum
        $script:Registry::FromConfig('LeakyReLU', (New-Config @{}), $false).NegativeSlope | Should -Be 0.3
        $script:Registry::FromConfig('LSTM', (New-Config @{ units = 2 }), $false).RecurrentInitializer.Name | Should -Be 'orthogonal'
    }

    It 'refuses a Keras option that KerasPS runs only at its default, naming it, with UnsupportedLayerOption' {

        $script:Registry::FromConfig('GRU', (New-Config @{ units = 2; stateful = $false; dropout = 0.0 }), $false).Units | Should -Be 2
    }

    It 'writes initializers, regularizers and constraints as Keras 3 serializes them, and reads both that and the older snake-case form' {
        $config = (New-Model -InputShape 4 | Add-DenseLayer 2 -KernelInitializer he_normal -KernelRegularizer l2 -KernelConstraint max_norm).Engine.Layers[0].GetConfig()
        $config.kernel_initializer.module | Should -Be 'keras.initializers'
        $config.kernel_initializer.class_name | Should -Be 'HeNormal'
        $config.kernel_initializer.config.ContainsKey('seed') | Should -BeTrue
        $config.bias_initializer.class_name | Should -Be 'Zeros'
        $config.kernel_regularizer.module | Should -Be 'keras.regularizers'
        $config.kernel_regularizer.class_name | Should -Be 'L1L2'
        $config.kernel_constraint.module | Should -Be 'keras.constraints'
        $config.kernel_constraint.class_name | Should -Be 'MaxNorm'
        $keras = New-Config @{ units = 2; kernel_initializer = (New-Config @{ class_name = 'RandomUniform'; config = (New-Config @{ minval = -0.1; maxval = 0.1; seed = $null }) })
            kernel_constraint = (New-Config @{ class_name = 'MinMaxNorm'; config = (New-Config @{ min_value = 0.5; max_value = 1.5; rate = 1.0; axis = 0 }) }) }
        $dense = $script:Registry::FromConfig('Dense', $keras, $false)
        $dense.KernelInitializer.Name | Should -Be 'random_uniform'
        $dense.KernelInitializer.MaxVal | Should -Be 0.1
        $dense.KernelConstraint.Name | Should -Be 'min_max_norm'
        $old = New-Config @{ units = 2; kernel_initializer = (New-Config @{ class_name = 'he_normal'; config = (New-Config @{}) }) }
        $script:Registry::FromConfig('Dense', $old, $false).KernelInitializer.Name | Should -Be 'he_normal'
    }

    It 'refuses an unknown class with UnknownLayerClass, listing the known ones' {
        $err = Get-EngineError { $script:Registry::FromConfig('Mystery', (New-Config @{}), $false) }
        $err.ErrorId | Should -Be 'UnknownLayerClass'
        $err.Message | Should -BeLike '*Known classes: Activation, ActivityRegularization, *'
    }
}

Describe 'Layer cases' {
    BeforeAll {
        . $PSScriptRoot/LayerCases.ps1
        $script:Registered = @((Get-KerasType 'KerasPS.Engine.Layers.LayerRegistry')::ClassNames)
        $script:Exportable = @($Registered | Where-Object { -not $LayerCasesNotExportable.ContainsKey($_) })
        # The Keras classes a set of cases exercises: every layer of the model each case's Add builds on its input shape.
        function Get-CaseClass([object[]] $Cases) {
            # A model used as a layer counts with the layers inside it.
            function Get-LayerClass($Layers) { foreach ($l in $Layers) { $l.ClassName; if ($l.Inner) { Get-LayerClass $l.Inner.Layers } } }
            @($Cases | ForEach-Object { Get-LayerClass (& $_.Add (New-Model -InputShape $_.In -Seed 1)).Engine.Layers } | Sort-Object -Unique)
        }
        # What differs between two lists of names: 'X (missing)' when only $Want has X, 'X (not wanted)' when only $Have has it.
        function Compare-LayerName([string[]] $Have, [string[]] $Want) {
            Compare-Object @($Have) @($Want) |
                ForEach-Object { '{0} ({1})' -f $_.InputObject, ($_.SideIndicator -eq '=>' ? 'missing' : 'not wanted') }
        }
        # Layer names as the docs write them: `MaxPooling1D/2D` stands for MaxPooling1D and MaxPooling2D.
        function Expand-LayerName([string[]] $Names) {
            foreach ($n in $Names) { if ($n -match '^(\w+)1D/2D$') { "$($Matches[1])1D"; "$($Matches[1])2D" } else { $n } }
        }
    }

    It 'every registered layer has a harness case (Out)' {
        $covered = Get-CaseClass @($LayerCases | Where-Object { $_.ContainsKey('Out') })
        $missing = @($Registered | Where-Object { $_ -notin $covered })
        $missing | Should -BeNullOrEmpty -Because 'each layer needs a row with Out and P in tests/LayerCases.ps1'
    }

    It 'every registered layer has a values case (Row, Expected)' {
        $covered = Get-CaseClass @($LayerCases | Where-Object { $_.ContainsKey('Expected') })
        $missing = @($Registered | Where-Object { $_ -notin $covered })
        $missing | Should -BeNullOrEmpty -Because 'each layer needs a row with Row and Expected in tests/LayerCases.ps1'
    }

    It 'every registered layer has an ONNX case, or is listed as not exportable' {
        $covered = Get-CaseClass @($LayerCases | Where-Object Onnx)
        $missing = @($Exportable | Where-Object { $_ -notin $covered })
        $missing | Should -BeNullOrEmpty -Because 'each exportable layer needs a row with Onnx = $true'
        $unknown = @($LayerCasesNotExportable.Keys | Where-Object { $_ -notin $Registered })
        $unknown | Should -BeNullOrEmpty -Because 'only registered layers are listed as not exportable'
    }

    It 'lists as not exportable exactly the layers whose class has no ONNX lowering' {
        $registry = Get-KerasType 'KerasPS.Engine.Layers.LayerRegistry'
        $exporter = Get-KerasType 'KerasPS.Engine.Onnx.OnnxExporter'
        $lowered = @($Registered | Where-Object { $exporter::CanLower($registry::TypeOf($_)) })
        $because = 'a layer class without IOnnxLowering is listed in $LayerCasesNotExportable, and only such a class'
        Compare-LayerName $lowered $Exportable | Should -BeNullOrEmpty -Because $because
    }

    It 'the README''s layer list names exactly the registered layers' {
        $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../README.md')
        $m = [regex]::Match($readme, '(?s)\*\*Layers\*\*[^:]*:(.*?)\.\s+[A-Z]')
        $m.Success | Should -BeTrue -Because 'README.md has a **Layers** (...): A, B, C. paragraph'
        $listed = Expand-LayerName @(($m.Groups[1].Value -replace '\([^)]*\)', '') -split ',' | ForEach-Object Trim | Where-Object { $_ })
        Compare-LayerName $listed $Registered | Should -BeNullOrEmpty -Because 'the README lists every registered layer, and only those'
        @($listed | Group-Object | Where-Object Count -GT 1).Name | Should -BeNullOrEmpty -Because 'each layer is listed once'
    }

    It 'the ONNX table of CHECKPOINT-FORMAT.md names exactly the exportable layers' {
        $lines = Get-Content (Join-Path $PSScriptRoot '../module/CHECKPOINT-FORMAT.md')
        $start = [array]::IndexOf($lines, '| Keras layer | ONNX operators |')
        $start | Should -BeGreaterThan 0
        $cells = for ($i = $start + 2; $i -lt $lines.Count -and $lines[$i] -like '|*'; $i++) { ($lines[$i] -split '\|')[1] }
        $quoted = $cells | ForEach-Object { [regex]::Matches($_, '`([A-Z][A-Za-z0-9/]*)`') } | ForEach-Object { $_.Groups[1].Value }
        $named = Expand-LayerName @($quoted)
        Compare-LayerName $named $Exportable | Should -BeNullOrEmpty -Because 'the ONNX table has a row for every exportable layer'
    }
}
