# Export-OnnxModel: every exported model runs in ONNX Runtime (Microsoft.ML.OnnxRuntime, a dependency of the test
# program tests/onnx/OnnxRun only) and gives what Invoke-ModelPredict -AsMatrix gives on the same rows, to 1e-5.
# The models exported are the cases of tests/LayerCases.ps1 marked Onnx (every layer, every activation, variants).
BeforeDiscovery {
    . $PSScriptRoot/LayerCases.ps1
    $OnnxCases = @($LayerCases | Where-Object Onnx)
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/LayerHarness.ps1   # New-HarnessFeatures
    . $PSScriptRoot/LayerCases.ps1
    $script:OnnxCases = @($LayerCases | Where-Object Onnx)

    $project = Join-Path $PSScriptRoot 'onnx/OnnxRun/OnnxRun.csproj'
    & dotnet build $project -c Release --nologo -v quiet | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'Building tests/onnx/OnnxRun failed.' }
    $script:OnnxRun = Join-Path $PSScriptRoot 'onnx/OnnxRun/bin/Release/net8.0/OnnxRun.dll'

    # Moves every weight off its initial value (zeros, ones) so that biases, moving statistics and slopes count;
    # variances stay positive. Normalization keeps the statistics the case gives it.
    function Set-RandomWeights($Model, [int] $Seed) {
        $rng = [KerasPS.Engine.MersenneTwister]::new($Seed)
        foreach ($layer in $Model.Engine.Layers) {
            if ($layer.ClassName -eq 'Normalization') { continue }
            foreach ($w in $layer.Weights) {
                $v = $w.ToArray()
                for ($i = 0; $i -lt $v.Length; $i++) {
                    $v[$i] = if ($w.Name -like '*variance') { 0.5 + $rng.NextDouble() } else { $v[$i] + ($rng.NextDouble() - 0.5) * 0.6 }
                }
                $w.Assign($v)
            }
        }
    }

    # A model for a case: input flattened to one row of floats, reshaped to the case's input shape, then its layers.
    function New-CaseModel([hashtable] $Case, [int] $Seed) {
        $width = 1
        foreach ($d in $Case.In) { $width *= $d }
        $model = New-Model -InputShape $width -Seed $Seed
        if ($Case.In.Count -gt 1) { $model = $model | Add-ReshapeLayer -TargetShape $Case.In }
        $model = & $Case.Add $model
        Set-RandomWeights $model ($Seed + 1)
        $tokens = if ($Case.Tokens) { $Case.Tokens } else { 0 }
        [pscustomobject]@{ Model = $model; X = (New-HarnessFeatures -Rows 5 -Width $width -TokenRange $tokens -Seed $Seed) }
    }

    function Write-OnnxInput([float[,]] $X, [string] $Path) {
        $rows = $X.GetLength(0); $width = $X.GetLength(1)
        $data = [float[]]::new($rows * $width)
        [Buffer]::BlockCopy($X, 0, $data, 0, $data.Length * 4)
        @{ shape = @($rows, $width); data = $data } | ConvertTo-Json -Compress -Depth 3 | Set-Content -Path $Path
    }

    # Export every case, run ONNX Runtime once over the folder, keep Invoke-ModelPredict's matrices to compare.
    $script:CaseDir = Join-Path $TestDrive 'cases'
    New-Item -ItemType Directory $CaseDir | Out-Null
    # Named apart from the cases' own fields: a case row may carry Expected (its values case), which -ForEach makes a variable.
    $script:Predicted = @{}
    for ($i = 0; $i -lt $OnnxCases.Count; $i++) {
        $c = New-CaseModel $OnnxCases[$i] (100 + $i)
        $stem = Join-Path $CaseDir ('case{0:D3}' -f $i)
        $c.Model | Export-OnnxModel -Path "$stem.onnx"
        Write-OnnxInput $c.X "$stem.input.json"
        $matrix = $c.Model | Invoke-ModelPredict -X $c.X -AsMatrix
        $script:Predicted[$OnnxCases[$i].Case] = @{ Stem = $stem; Matrix = $matrix; Shape = $c.Model.Engine.OutputShape }
    }

    # A trained classifier with names: the metadata and the graph's names.
    $split = Get-SampleData Iris
    $script:Iris = New-Model -InputShape 4 -Seed 3 | Add-NormalizationLayer -Adapt $split | Add-DenseLayer 8 -Activation relu | Add-DenseLayer 3 -Activation softmax |
        Build-Model -Optimizer adam -Loss categorical_crossentropy
    $null = $Iris | Invoke-ModelFit -Data $split -Epochs 3 -BatchSize 16 -Seed 1
    $irisStem = Join-Path $CaseDir 'iris'
    $Iris | Export-OnnxModel -Path "$irisStem.onnx" -InputName features -OutputName probabilities
    $irisX = [float[,]]::new(6, 4)
    $features = $split.Engine.Features
    for ($r = 0; $r -lt 6; $r++) { for ($j = 0; $j -lt 4; $j++) { $irisX[$r, $j] = $features[($r * 25) * 4 + $j] } }
    Write-OnnxInput $irisX "$irisStem.input.json"
    $script:Predicted['iris'] = @{ Stem = $irisStem; Matrix = ($Iris | Invoke-ModelPredict -X $irisX -AsMatrix); Shape = , 3 }

    & dotnet $OnnxRun $CaseDir
    if ($LASTEXITCODE -ne 0) { throw 'tests/onnx/OnnxRun failed.' }

    function Get-OnnxResult([string] $Name) {
        Get-Content -Raw "$($Predicted[$Name].Stem).output.json" | ConvertFrom-Json
    }

    function Get-MaxAbsDifference($Result, $Expected) {
        $m = $Expected.Matrix
        $perRow = $m.GetLength(1)
        $result.data.Count | Should -Be $m.Length
        $max = 0.0
        for ($r = 0; $r -lt $m.GetLength(0); $r++) {
            for ($j = 0; $j -lt $perRow; $j++) {
                $max = [Math]::Max($max, [Math]::Abs([double]$m[$r, $j] - [double]$Result.data[$r * $perRow + $j]))
            }
        }
        $max
    }
}

Describe 'Export-OnnxModel' -Tag Slow {
    Context 'ONNX Runtime gives what Invoke-ModelPredict gives' {
        It '<Case>' -ForEach $OnnxCases {
            $result = Get-OnnxResult $Case
            $result.error | Should -BeNullOrEmpty
            $expected = $Predicted[$Case]
            @($result.shape) | Should -Be (@(5) + @($expected.Shape))
            Get-MaxAbsDifference $result $expected | Should -BeLessOrEqual 1e-5
        }
    }

    Context 'a trained classifier' {
        It 'names the graph''s input and output, and gives the same probabilities' {
            $result = Get-OnnxResult 'iris'
            $result.error | Should -BeNullOrEmpty
            $result.inputs | Should -Be 'features'
            $result.outputs | Should -Be 'probabilities'
            $result.producer | Should -Be 'KerasPS'
            Get-MaxAbsDifference $result $Predicted['iris'] | Should -BeLessOrEqual 1e-5
        }

        It 'carries the class labels and feature names in metadata_props' {
            $result = Get-OnnxResult 'iris'
            $result.metadata.classes | ConvertFrom-Json | Should -Be @($Iris.Engine.Classes)
            $result.metadata.feature_names | ConvertFrom-Json | Should -Be @($Iris.Engine.FeatureNames)
            @($Iris.Engine.Classes).Count | Should -Be 3
            $config = $result.metadata.keras_model_config | ConvertFrom-Json
            $config.class_name | Should -Be 'Sequential'
            @($config.config.layers.class_name) | Should -Be @('Normalization', 'Dense', 'Dense')
            $config.config.layers[2].config.activation | Should -Be 'softmax'
        }
    }

    Context 'functional models: several named inputs and outputs' {
        BeforeAll {
            # Graphs the Sequential cases cannot make, in a folder of their own (the checker test below counts the cases'
            # files). Each is compared with the engine's own forward pass (ForwardAll), one tensor per output.
            $script:GraphDir = Join-Path $TestDrive 'graphs'
            New-Item -ItemType Directory $GraphDir | Out-Null
            $torch = Get-KerasType 'TorchSharp.torch'
            $tensorType = Get-KerasType 'TorchSharp.torch+Tensor'

            # Two inputs, two heads: numbers through a hidden layer, concatenated with the extra column, then a class and a price.
            $numbers = New-ModelInput -Shape 4 -Name numbers; $extra = New-ModelInput -Shape 3 -Name extra
            $joined = $numbers | Add-DenseLayer 8 -Activation relu | Add-ConcatenateLayer -With $extra
            $class = $joined | Add-DenseLayer 3 -Activation softmax -Name class
            $price = $joined | Add-DenseLayer 1 -Name price
            $twoHeads = New-Model -Inputs $numbers, $extra -Outputs $class, $price -Seed 5

            # A residual block: Dense(5) of the input added to the input, then Dense(2).
            $x = New-ModelInput -Shape 5 -Name features
            $h = $x | Add-DenseLayer 5 -Activation tanh
            $residual = New-Model -Inputs $x -Outputs ($h | Add-AddLayer -With $x | Add-DenseLayer 2) -Seed 6

            # A shared encoder for two inputs (one weight set, two calls), their difference scored.
            $left = New-ModelInput -Shape 4 -Name left; $right = New-ModelInput -Shape 4 -Name right
            $encodedLeft = $left | Add-DenseLayer 6 -Activation tanh -Name encoder
            $encodedRight = $right | Add-ModelLayer -Layer $encodedLeft.Layer
            $score = $encodedLeft | Add-SubtractLayer -With $encodedRight | Add-DenseLayer 1 -Activation sigmoid -Name score
            $shared = New-Model -Inputs $left, $right -Outputs $score -Seed 7

            $script:Graphs = @{}
            $seed = 200
            foreach ($case in @(@{ Name = 'two_heads'; Model = $twoHeads }, @{ Name = 'residual'; Model = $residual },
                    @{ Name = 'shared'; Model = $shared })) {
                $model = $case.Model
                Set-RandomWeights $model ($seed++)
                $rng = [KerasPS.Engine.MersenneTwister]::new($seed++)
                $feeds = [ordered]@{}
                $tensors = [Array]::CreateInstance($tensorType, $model.Engine.Inputs.Count)
                for ($i = 0; $i -lt $model.Engine.Inputs.Count; $i++) {
                    $width = $model.Engine.Inputs[$i].Shape[0]
                    $data = [float[]]::new(6 * $width)
                    for ($k = 0; $k -lt $data.Length; $k++) { $data[$k] = [float](($rng.NextDouble() - 0.5) * 4) }
                    $graphName = if ($model.Engine.Inputs.Count -eq 1) { 'input' } else { $model.Engine.InputNames[$i] }
                    $feeds[$graphName] = @{ shape = @(6, $width); data = $data }
                    $tensors[$i] = $torch::tensor($data).reshape([long[]]@(6, $width))
                }
                $stem = Join-Path $GraphDir $case.Name
                $model | Export-OnnxModel -Path "$stem.onnx"
                @{ inputs = $feeds } | ConvertTo-Json -Compress -Depth 4 | Set-Content -Path "$stem.input.json"
                $expected = @($model.Engine.ForwardAll($tensors, $false, $false) | ForEach-Object { , $_.detach().data[float]().ToArray() })
                $script:Graphs[$case.Name] = @{ Model = $model; Expected = $expected }
            }
            & dotnet $OnnxRun $GraphDir
            if ($LASTEXITCODE -ne 0) { throw 'tests/onnx/OnnxRun failed.' }

            function Get-GraphResult([string] $Name) { Get-Content -Raw (Join-Path $GraphDir "$Name.output.json") | ConvertFrom-Json }
            function Get-GraphDifference([string] $Name, [int] $Output) {
                $got = @((Get-GraphResult $Name).results[$Output].data)
                $want = $Graphs[$Name].Expected[$Output]
                $got.Count | Should -Be $want.Length
                $max = 0.0
                for ($k = 0; $k -lt $want.Length; $k++) { $max = [Math]::Max($max, [Math]::Abs([double]$got[$k] - [double]$want[$k])) }
                $max
            }
        }

        It 'names the inputs and outputs of a two-input two-output model after its input and output layers' {
            $result = Get-GraphResult 'two_heads'
            $result.error | Should -BeNullOrEmpty
            @($result.inputs) | Should -Be @('numbers', 'extra')
            @($result.outputs) | Should -Be @('class', 'price')
            @($result.results.name) | Should -Be @('class', 'price')
            @($result.results[0].shape) | Should -Be @(6, 3)
            @($result.results[1].shape) | Should -Be @(6, 1)
            ($result.metadata.keras_model_config | ConvertFrom-Json).class_name | Should -Be 'Functional'
        }

        It 'gives what the engine gives for each output of the two-output model, to 1e-5' {
            Get-GraphDifference 'two_heads' 0 | Should -BeLessOrEqual 1e-5
            Get-GraphDifference 'two_heads' 1 | Should -BeLessOrEqual 1e-5
            # the class head is a softmax: rows sum to 1 (the comparison is not between two empty or zero outputs)
            $first = @((Get-GraphResult 'two_heads').results[0].data)[0..2]
            ($first | Measure-Object -Sum).Sum | Should -BeGreaterThan 0.99999
        }

        It 'keeps input and output as the names of a one-input one-output graph (a residual block), and its values' {
            $result = Get-GraphResult 'residual'
            $result.error | Should -BeNullOrEmpty
            @($result.inputs) | Should -Be @('input')
            @($result.outputs) | Should -Be @('output')
            Get-GraphDifference 'residual' 0 | Should -BeLessOrEqual 1e-5
        }

        It 'exports a shared layer''s weights once and calls them on both inputs' {
            $result = Get-GraphResult 'shared'
            $result.error | Should -BeNullOrEmpty
            @($result.inputs) | Should -Be @('left', 'right')
            @($result.outputs) | Should -Be @('output')
            Get-GraphDifference 'shared' 0 | Should -BeLessOrEqual 1e-5
        }

        It 'takes one -InputName and -OutputName per input and output, in order, and refuses another count' {
            $p = Join-Path $TestDrive 'renamed.onnx'
            $model = $Graphs['two_heads'].Model
            $model | Export-OnnxModel -Path $p -InputName a, b -OutputName probabilities, value
            $bytes = [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($p))
            foreach ($name in 'probabilities', 'value') { $bytes | Should -Match $name }
            Get-ErrorId { $model | Export-OnnxModel -Path (Join-Path $TestDrive 'one.onnx') -OutputName only } | Should -Be 'InvalidOnnxName'
            Get-ErrorId { $model | Export-OnnxModel -Path (Join-Path $TestDrive 'clash.onnx') -InputName a, price } | Should -Be 'InvalidOnnxName'
            Test-Path (Join-Path $TestDrive 'one.onnx') | Should -BeFalse
        }
    }

    Context 'refusals and the file' {
        BeforeAll {
            $script:Small = New-Model -InputShape 3 -Seed 1 | Add-DenseLayer 2
        }

        It 'refuses a script-block Lambda, writing nothing' {
            $m = New-Model -InputShape 3 -Seed 1 | Add-LambdaLayer -ScriptBlock { $x.abs() }
            $p = Join-Path $TestDrive 'lambda.onnx'
            Get-ErrorId { $m | Export-OnnxModel -Path $p } | Should -Be 'OnnxUnsupportedLambda'
            Test-Path $p | Should -BeFalse
            @(Get-ChildItem $TestDrive -Filter '.lambda.onnx*' -Force).Count | Should -Be 0
        }

        It 'refuses a recurrent activation ONNX''s operators lack' {
            $m = New-Model -InputShape 4, 2 -Seed 1 | Add-LSTMLayer 3 -Activation gelu
            Get-ErrorId { $m | Export-OnnxModel -Path (Join-Path $TestDrive 'gelu.onnx') } | Should -Be 'OnnxUnsupportedActivation'
        }

        It 'refuses a model without weights' {
            $m = New-Model | Add-DenseLayer 2
            Get-ErrorId { $m | Export-OnnxModel -Path (Join-Path $TestDrive 'unbuilt.onnx') } | Should -Be 'ModelNotBuilt'
        }

        It 'replaces an existing file only with -Force, and writes nothing under -WhatIf' {
            $p = Join-Path $TestDrive 'force.onnx'
            Set-Content -Path $p -Value 'old'
            Get-ErrorId { $Small | Export-OnnxModel -Path $p } | Should -Be 'OnnxFileExists'
            Get-Content $p | Should -Be 'old'
            $Small | Export-OnnxModel -Path $p -Force -WhatIf
            Get-Content $p | Should -Be 'old'
            $file = $Small | Export-OnnxModel -Path $p -Force -PassThru
            $file | Should -BeOfType [IO.FileInfo]
            $file.Length | Should -BeGreaterThan 20
            $new = Join-Path $TestDrive 'whatif.onnx'
            $Small | Export-OnnxModel -Path $new -WhatIf
            Test-Path $new | Should -BeFalse
        }

        It 'refuses with OnnxWriteFailed when the file stays in use (Windows), the old file intact and no temporary left' {
            # The engine's test seam for Windows' refusal to replace an open file (internal, so reached by reflection).
            $flags = [Reflection.BindingFlags]'NonPublic, Static'
            $inUse = [KerasPS.Engine.FileReplace].GetProperty('SimulatedInUse', $flags)
            $recorded = [KerasPS.Engine.FileReplace].GetProperty('RecordedWaits', $flags)
            $folder = Join-Path $TestDrive 'inuse'
            New-Item -ItemType Directory -Path $folder | Out-Null
            $p = Join-Path $folder 'held.onnx'
            Set-Content -Path $p -Value 'old'
            $inUse.SetValue($null, 5); $recorded.SetValue($null, [Collections.Generic.List[TimeSpan]]::new())
            try { $err = Get-ErrorId { $Small | Export-OnnxModel -Path $p -Force } }
            finally { $inUse.SetValue($null, 0); $recorded.SetValue($null, $null) }
            $err | Should -Be 'OnnxWriteFailed'
            Get-Content $p | Should -Be 'old'
            @(Get-ChildItem -Path $folder -Force).Name | Should -Be @('held.onnx')
        }

        It 'says when the folder is missing or the names clash' {
            Get-ErrorId { $Small | Export-OnnxModel -Path (Join-Path $TestDrive 'no/such/m.onnx') } | Should -Be 'OnnxFolderNotFound'
            Get-ErrorId { $Small | Export-OnnxModel -Path (Join-Path $TestDrive 'n.onnx') -InputName x -OutputName x } | Should -Be 'InvalidOnnxName'
        }

        It 'starts the file with ir_version 8 and the model''s opset import 17' {
            $p = Join-Path $TestDrive 'bytes.onnx'
            $Small | Export-OnnxModel -Path $p
            $bytes = [IO.File]::ReadAllBytes($p)
            # field 1 (ir_version), varint: tag 0x08, value 8; the opset import ends with field 2 (version) = 17.
            $bytes[0] | Should -Be 0x08
            $bytes[1] | Should -Be 8
            $hex = [Convert]::ToHexString($bytes)
            $hex | Should -Match '42040A001011' -Because 'opset_import (field 8, 4 bytes) holds an empty domain (field 1) and version (field 2) 17'
        }
    }
}

# The files against the onnx package's own checker (Debian's python3-onnx 1.12, which knows opsets up to 17), with
# full_check: the protobuf, every node against its operator's schema, and shape inference through the graph.
Describe 'Export-OnnxModel files under onnx.checker' -Tag Slow, MachineChanging {
    BeforeAll {
        $script:Python = '/usr/bin/python3'
        & $Python -c 'import onnx' 2>$null
        if ($LASTEXITCODE -ne 0) {
            if (-not (Get-Command apt-get -ErrorAction Ignore)) { throw 'python3-onnx is not installed and apt-get is not available to install it.' }
            Write-Host 'Installing python3-onnx for the ONNX checker test (apt-get)...'
            $env:DEBIAN_FRONTEND = 'noninteractive'
            & apt-get update -qq 2>&1 | Out-Null
            $log = & apt-get install -y -qq python3-onnx 2>&1
            if ($LASTEXITCODE -ne 0) { throw "Installing python3-onnx failed (exit $LASTEXITCODE): $(($log | Select-Object -Last 5) -join ' ')" }
        }
    }

    It 'accepts every exported model' {
        $files = @(Get-ChildItem $CaseDir -Filter *.onnx)
        $files.Count | Should -Be ($OnnxCases.Count + 1)
        $script = 'import onnx, sys' + [Environment]::NewLine + 'for f in sys.argv[1:]:' + [Environment]::NewLine +
            '    m = onnx.load(f); onnx.checker.check_model(m, full_check=True); print("OK", f, m.opset_import[0].version, m.ir_version)'
        $out = & $Python -c $script @($files.FullName) 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out | Out-String)
        @($out | Where-Object { $_ -match '^OK .* 17 8$' }).Count | Should -Be $files.Count
    }

    It 'accepts the functional models, with several inputs and outputs' {
        # Written again here: the functional context's files went with its TestDrive.
        $files = foreach ($name in $Graphs.Keys) { $Graphs[$name].Model | Export-OnnxModel -Path (Join-Path $TestDrive "$name.onnx") -PassThru }
        @($files).Count | Should -Be 3
        $script = 'import onnx, sys' + [Environment]::NewLine + 'for f in sys.argv[1:]:' + [Environment]::NewLine +
            '    m = onnx.load(f); onnx.checker.check_model(m, full_check=True); print("OK", len(m.graph.input), len(m.graph.output))'
        $out = & $Python -c $script @($files.FullName) 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out | Out-String)
        @($out | Sort-Object) | Should -Be @('OK 1 1', 'OK 2 1', 'OK 2 2')
    }
}
