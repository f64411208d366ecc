# String inputs of functional models (Keras's keras.Input(shape=(1,), dtype="string")): text and categories beside
# numbers, encoded on the host by the layer each string input feeds (TextVectorization, StringLookup, Hashing), once per
# dataset; predictions from -Data and from objects; .kpt and .keras round trips; refusals that name what is wrong.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Phrases = @('disk full', 'cpu high', 'password reset')
    $script:Teams = @('storage', 'compute', 'identity')
    $script:Hosts = @('web01', 'db02', 'mail03', 'dc04')
    $script:Rows = 1..36 | ForEach-Object {
        [pscustomobject]@{ title = "$($Phrases[$_ % 3]) now"; host = $Hosts[$_ % 4]; a = $_ % 5; b = ($_ % 3) * 0.5; team = $Teams[$_ % 3] }
    }
    $script:Csv = Join-Path $TestDrive 'tickets.csv'
    $Rows | Export-Csv $Csv -NoTypeInformation
    $script:Data = Import-ModelData $Csv -Target team -Text title, host -Inputs @{ title = 'title'; host = 'host'; numbers = 'a', 'b' }
    function script:Get-Column($Matrix, [int] $Column = 0) { 0..($Matrix.GetLength(0) - 1) | ForEach-Object { $Matrix[$_, $Column] } }
    function script:New-TextData([string[]] $Values) {
        $Values | ForEach-Object { [pscustomobject]@{ s = $_ } } | ConvertTo-ModelData -Text s
    }
    function script:New-TicketModel {
        $title = New-ModelInput -Name title -DType string
        $hostName = New-ModelInput -Name host -DType string
        $numbers = New-ModelInput -Shape 2 -Name numbers
        $t = $title | Add-TextVectorizationLayer -Adapt $Data -Column title -OutputMode multi_hot -MaxTokens 50
        $h = $hostName | Add-StringLookupLayer -Adapt $Data -Column host -OutputMode one_hot
        $out = $t | Add-ConcatenateLayer -With $h, $numbers | Add-DenseLayer 8 -Activation relu | Add-DenseLayer 3 -Activation softmax
        New-Model -Inputs $title, $hostName, $numbers -Outputs $out -Seed 1 |
            Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.05) -Loss sparse_categorical_crossentropy -Metrics accuracy
    }
}

Describe 'New-ModelInput -DType string' {
    It 'takes one string per row: shape (1,) when -Shape is left out' {
        $in = New-ModelInput -Name title -DType string
        $in.Shape | Should -Be @(1)
        $in.DType | Should -Be 'string'
    }
    It 'refuses another shape for a string input, and a numeric input without -Shape' {
        Get-ErrorId { New-ModelInput -Shape 3 -Name title -DType string } | Should -Be 'StringInputShape'
        Get-ErrorId { New-ModelInput -Name n } | Should -Be 'InvalidInputShape'
    }
    It 'refuses a string input fed to a layer that takes numbers, naming the input' {
        $in = New-ModelInput -Name title -DType string
        $err = { $in | Add-DenseLayer 3 } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'StringInputNotEncoded*'
        $err.Exception.Message | Should -BeLike "*input 'title' holds strings*"
        $err.Exception.Message | Should -BeLike 'A Dense layer takes numbers*'   # an unnamed layer, without an empty ''
        ({ $in | Add-DenseLayer 3 -Name head } | Should -Throw -PassThru).Exception.Message | Should -BeLike "Layer 'head' (Dense) takes*"
        $n = New-ModelInput -Shape 2 -Name n
        Get-ErrorId { $in | Add-ConcatenateLayer -With $n } | Should -Be 'StringInputNotEncoded'
    }
}

Describe 'String inputs encoded as Keras encodes them' {
    It 'gives TextVectorization token ids (0 padding, 1 OOV, the vocabulary from 2)' {
        $s = New-ModelInput -Name s -DType string
        $ids = $s | Add-TextVectorizationLayer -Vocabulary disk, full, cpu -OutputSequenceLength 5
        $p = New-Model -Inputs $s -Outputs $ids | Invoke-ModelPredict -Data (New-TextData 'Disk FULL on web01!', 'cpu') -AsMatrix
        0..4 | ForEach-Object { $p[0, $_] } | Should -Be @(2, 3, 1, 1, 0)
        0..4 | ForEach-Object { $p[1, $_] } | Should -Be @(4, 0, 0, 0, 0)
    }
    It 'hashes strings into Keras''s Hashing docstring bins (A..E into 3 bins: 1 0 1 1 2), as ids and one-hot' {
        $s = New-ModelInput -Name s -DType string
        $data = New-TextData A, B, C, D, E
        $p = New-Model -Inputs $s -Outputs ($s | Add-HashingLayer 3) | Invoke-ModelPredict -Data $data -AsMatrix
        Get-Column $p | Should -Be @(1, 0, 1, 1, 2)
        $s = New-ModelInput -Name s -DType string
        $p = New-Model -Inputs $s -Outputs ($s | Add-HashingLayer 3 -OutputMode one_hot) | Invoke-ModelPredict -Data $data -AsMatrix
        $p.GetLength(1) | Should -Be 3
        0..4 | ForEach-Object { $r = $_; (0..2 | Where-Object { $p[$r, $_] -eq 1 }) } | Should -Be @(1, 0, 1, 1, 2)
    }
    It 'predicts a one-string-input model from plain strings and from objects of one text property' {
        $s = New-ModelInput -Name s -DType string
        $model = New-Model -Inputs $s -Outputs ($s | Add-HashingLayer 3)
        Get-Column ('A', 'B', 'C', 'D', 'E' | Invoke-ModelPredict -Model $model -AsMatrix) | Should -Be @(1, 0, 1, 1, 2)
        Get-Column ([pscustomobject]@{ name = 'E' } | Invoke-ModelPredict -Model $model -AsMatrix) | Should -Be @(2)
    }
    It 'keeps Hashing''s bin 0 for the mask value (A, B, '''', C, D into 1 1 0 2 2)' {
        $s = New-ModelInput -Name s -DType string
        $p = New-Model -Inputs $s -Outputs ($s | Add-HashingLayer 3 -MaskValue '') |
            Invoke-ModelPredict -Data (New-TextData A, B, '', C, D) -AsMatrix
        Get-Column $p | Should -Be @(1, 1, 0, 2, 2)
    }
    It 'looks up thousands of categories with StringLookup, unseen values to the OOV index 0' {
        $names = 1..3000 | ForEach-Object { 'host{0:d4}' -f $_ }
        $s = New-ModelInput -Name s -DType string
        $lookup = $s | Add-StringLookupLayer -Adapt $names
        $model = New-Model -Inputs $s -Outputs $lookup
        $layer = $model.Engine.Layers | Where-Object { $_ -is [KerasPS.Engine.Layers.Preprocessing.StringLookup] }
        $vocabulary = @($layer.Lookup.GetVocabulary($true))
        $vocabulary.Count | Should -Be 3001
        $p = $model | Invoke-ModelPredict -Data (New-TextData 'host0042', 'host2999', 'nothere') -AsMatrix
        Get-Column $p | Should -Be @([array]::IndexOf($vocabulary, 'host0042'), [array]::IndexOf($vocabulary, 'host2999'), 0)
        $p[0, 0] | Should -BeGreaterThan 0
    }
    It 'looks up thousands of categories in a Sequential model from raw strings, unseen values to OOV' {
        $names = 1..3000 | ForEach-Object { 'host{0:d4}' -f $_ }
        $model = New-Model | Add-StringLookupLayer -Adapt $names -OutputMode one_hot
        $model.Engine.OutputShape | Should -Be @(3001)
        $p = 'host0042', 'nothere' | Invoke-ModelPredict -Model $model -AsMatrix
        $vocabulary = @($model.Engine.Layers[0].Lookup.GetVocabulary($true))
        $p[0, [array]::IndexOf($vocabulary, 'host0042')] | Should -Be 1
        $p[1, 0] | Should -Be 1
        (0..3000 | ForEach-Object { $p[0, $_] } | Measure-Object -Sum).Sum | Should -Be 1
    }
    It 'refuses strings for a Sequential model that starts with Hashing, pointing to the functional form' {
        $model = New-Model -InputShape 1 | Add-HashingLayer 3 | Add-DenseLayer 1 | Build-Model -Optimizer sgd -Loss mse
        $data = 1..4 | ForEach-Object { [pscustomobject]@{ s = "v$_"; y = $_ } } | ConvertTo-ModelData -Target y -Text s
        $err = { $model | Invoke-ModelFit -Data $data -Epochs 1 } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'TextColumnNotUsed*'
        $err.Exception.Message | Should -BeLike '*New-ModelInput -DType string | Add-HashingLayer*'
    }
}

Describe 'Text beside numbers in one functional model' {
    It 'keeps -Text columns of named inputs as strings' {
        $Data.Engine.TextColumns.Keys | Sort-Object | Should -Be @('host', 'title')
        $Data.Inputs | Sort-Object | Should -Be @('host', 'numbers', 'title')
    }
    It 'computes what the same weights compute by hand, and what a Sequential text model of those weights computes' {
        $title = New-ModelInput -Name title -DType string
        $numbers = New-ModelInput -Shape 2 -Name numbers
        $t = $title | Add-TextVectorizationLayer -Vocabulary disk, full, cpu -OutputMode multi_hot
        $out = $t | Add-ConcatenateLayer -With $numbers | Add-DenseLayer 1 -Name out
        $model = New-Model -Inputs $title, $numbers -Outputs $out
        $null = $model | Set-ModelWeight -Layer out -Name kernel -Value ([double[]](1, 2, 4, 8, 16, 32)) -Shape 6, 1
        $null = $model | Set-ModelWeight -Layer out -Name bias -Value ([double[]]@(0.5)) -Shape 1
        $rows = @([pscustomobject]@{ title = 'disk full now'; a = 1; b = 0.5 }, [pscustomobject]@{ title = 'cpu'; a = 0; b = 2 })
        $data = $rows | ConvertTo-ModelData -Text title -Inputs @{ title = 'title'; numbers = 'a', 'b' }
        $p = $model | Invoke-ModelPredict -Data $data -AsMatrix
        # multi_hot over [UNK], disk, full, cpu: [1,1,1,0] and [0,0,0,1]; then a, b
        Get-Column $p | Should -Be @((1 + 2 + 4 + 16 * 1 + 32 * 0.5 + 0.5), (8 + 32 * 2 + 0.5))
        $seq = New-Model | Add-TextVectorizationLayer -Vocabulary disk, full, cpu -OutputMode multi_hot | Add-DenseLayer 1 -Name out
        $null = $seq | Set-ModelWeight -Layer out -Name kernel -Value ([double[]](1, 2, 4, 8)) -Shape 4, 1
        $null = $seq | Set-ModelWeight -Layer out -Name bias -Value ([double[]]@(0.5)) -Shape 1
        $zero = $rows | ForEach-Object { [pscustomobject]@{ title = $_.title; a = 0; b = 0 } } |
            ConvertTo-ModelData -Text title -Inputs @{ title = 'title'; numbers = 'a', 'b' }
        Get-Column ($model | Invoke-ModelPredict -Data $zero -AsMatrix) |
            Should -Be (Get-Column ('disk full now', 'cpu' | Invoke-ModelPredict -Model $seq -AsMatrix))
    }
    It 'encodes a dataset''s strings once: the same encoding for every epoch and call' {
        $model = New-TicketModel
        $first = [KerasPS.Engine.Data.StringInputs]::ForModel($model.Engine, $Data.Engine)
        $again = [KerasPS.Engine.Data.StringInputs]::ForModel($model.Engine, $Data.Engine)
        [object]::ReferenceEquals($first, $again) | Should -BeTrue
        $first.TextColumns | Should -BeNullOrEmpty
        [object]::ReferenceEquals([KerasPS.Engine.Data.StringInputs]::ForModel($model.Engine, $first), $first) | Should -BeTrue
    }
    It 'fits, evaluates and predicts title + host + numbers, from -Data and from objects alike' {
        $model = New-TicketModel
        $history = $model | Invoke-ModelFit -Data $Data -Epochs 30 -BatchSize 8 -Seed 1
        $history[-1].accuracy | Should -BeGreaterOrEqual 0.95
        $eval = $model | Invoke-ModelEvaluate -Data $Data
        $eval.accuracy | Should -BeGreaterOrEqual 0.95
        $fromData = $model | Invoke-ModelPredict -Data $Data -AsMatrix
        $fromObjects = $Rows | Select-Object title, host, a, b | Invoke-ModelPredict -Model $model -AsMatrix
        $fromObjects.GetLength(0) | Should -Be 36
        foreach ($r in 0, 7, 35) { foreach ($j in 0..2) { $fromObjects[$r, $j] | Should -Be $fromData[$r, $j] } }
        $classes = $Rows[0..2] | Invoke-ModelPredict -Model $model | ForEach-Object Class
        $classes | Should -Be $Rows[0..2].team
        $unseen = [pscustomobject]@{ title = 'disk full again'; host = 'never-seen'; a = 1; b = 0 } | Invoke-ModelPredict -Model $model
        $unseen.Class | Should -Be 'storage'
    }
    It 'refuses a numeric column given to a string input, naming input and column' {
        $model = New-TicketModel
        $bad = Import-ModelData $Csv -Target team -Text host -Inputs @{ title = 'a'; host = 'host'; numbers = 'a', 'b' }
        $err = { $model | Invoke-ModelFit -Data $bad -Epochs 1 } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'StringInputGivenNumbers*'
        $err.Exception.Message | Should -BeLike "*String input 'title'*'a'*"
    }
    It 'refuses a string input that feeds two layers' {
        $s = New-ModelInput -Name s -DType string
        $a = $s | Add-HashingLayer 3
        $b = $s | Add-HashingLayer 5
        $model = New-Model -Inputs $s -Outputs ($a | Add-ConcatenateLayer -With $b)
        Get-ErrorId { $model | Invoke-ModelPredict -Data (New-TextData A) -AsMatrix } | Should -Be 'StringInputConsumers'
    }
}

Describe 'Files of models with string inputs' {
    BeforeAll {
        $script:Model = New-TicketModel
        $null = $Model | Invoke-ModelFit -Data $Data -Epochs 5 -BatchSize 8 -Seed 1
        $script:Probe = [pscustomobject]@{ title = 'password reset please'; host = 'dc04'; a = 2; b = 1 }
        $script:Expected = $Probe | Invoke-ModelPredict -Model $Model -AsMatrix
    }
    It 'predicts the same from raw objects after Import-Checkpoint in a fresh process (.kpt)' {
        $kpt = Join-Path $TestDrive 'strings.kpt'
        $Model | Export-Checkpoint -Path $kpt
        $module = (Get-Module KerasPS).Path
        $script = "Import-Module '$module'; `$m = Import-Checkpoint -Path '$kpt'; " +
            "`$o = [pscustomobject]@{ title = 'password reset please'; host = 'dc04'; a = 2; b = 1 }; " +
            "`$p = `$o | Invoke-ModelPredict -Model `$m -AsMatrix; (0..2 | ForEach-Object { `$p[0, `$_].ToString('R') }) -join ';'"
        $run = Invoke-FreshPwsh -Script $script
        $run.ExitCode | Should -Be 0 -Because $run.Output
        ($run.Output.Trim() -split "`n")[-1].Trim() | Should -Be ((0..2 | ForEach-Object { $Expected[0, $_].ToString('R') }) -join ';')
    }
    It 'writes string InputLayers to .keras as Keras 3 does (dtype string, batch_shape [null, 1]) and reads them back' {
        $path = Join-Path $TestDrive 'strings.keras'
        $Model | Export-Checkpoint -Path $path
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($path)
        try {
            $reader = [IO.StreamReader]::new($zip.GetEntry('config.json').Open())
            $config = $reader.ReadToEnd() | ConvertFrom-Json -Depth 50; $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $inputs = $config.config.layers | Where-Object class_name -EQ 'InputLayer'
        $title = $inputs | Where-Object { $_.config.name -eq 'title' }
        $title.config.dtype | Should -Be 'string'
        $title.config.batch_shape | Should -Be @($null, 1)
        $back = Import-Checkpoint -Path $path
        $back.Engine.Inputs.DType | Should -Be @('string', 'string', 'float32')
        $p = $back | Invoke-ModelPredict -Data $Data -AsMatrix
        $q = $Model | Invoke-ModelPredict -Data $Data -AsMatrix
        foreach ($r in 0, 1, 35) { foreach ($j in 0..2) { $p[$r, $j] | Should -Be $q[$r, $j] } }
    }
    It 'reads a Keras string input of shape () (batch_shape [null]) as one string per row' {
        $s = New-ModelInput -Name s -DType string
        $source = Join-Path $TestDrive 'scalar.keras'
        New-Model -Inputs $s -Outputs ($s | Add-HashingLayer 3) | Export-Checkpoint -Path $source
        $path = Join-Path $TestDrive 'scalar-edited.keras'
        Copy-Item $source $path
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::Open($path, 'Update')
        try {
            $entry = $zip.GetEntry('config.json')
            $reader = [IO.StreamReader]::new($entry.Open()); $text = $reader.ReadToEnd(); $reader.Dispose()
            $text = $text -replace '"batch_shape":\s*\[\s*null,\s*1\s*\]', '"batch_shape": [null]'
            $text | Should -Match '"batch_shape": \[null\]'
            $entry.Delete()
            $writer = [IO.StreamWriter]::new($zip.CreateEntry('config.json').Open()); $writer.Write($text); $writer.Dispose()
        }
        finally { $zip.Dispose() }
        $back = Import-Checkpoint -Path $path
        $back.Engine.Inputs[0].Shape | Should -Be @(1)
        Get-Column ($back | Invoke-ModelPredict -Data (New-TextData A, B, C, D, E) -AsMatrix) | Should -Be @(1, 0, 1, 1, 2)
    }
    It 'refuses ONNX export by the name of the string input' {
        $err = { $Model | Export-OnnxModel -Path (Join-Path $TestDrive 'strings.onnx') } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'OnnxStringInput*'
        $err.Exception.Message | Should -BeLike "*input 'title' takes strings*"
    }
}

Describe 'examples/TicketsWithHosts.ps1' -Tag Slow {
    It 'classifies tickets from title, host and hours better than from the title alone' {
        $script = Join-Path $RepoRoot 'examples/TicketsWithHosts.ps1'
        $run = Invoke-FreshPwsh -Script "& '$script' -OutputDirectory '$TestDrive'"
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $result = ($run.Output -split "`n" | Where-Object { $_ -match '^\{.*\}\s*$' } | Select-Object -Last 1) | ConvertFrom-Json
        $result.TitleHostHoursAccuracy | Should -BeGreaterOrEqual 0.9
        $result.TitleHostHoursAccuracy | Should -BeGreaterThan ($result.TitleOnlyAccuracy + 0.1) -Because 'the host settles ambiguous titles'
        Test-Path $result.Checkpoint | Should -BeTrue
    }
}
