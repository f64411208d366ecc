# Text columns end to end: datasets keep them as strings (-Text), a model that starts with a string layer encodes them once
# per dataset, predicts from raw strings and objects, and keeps its vocabulary through .kpt and .keras files.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Teams = @('storage', 'compute', 'identity')
    $script:Phrases = @('disk full on web01', 'cpu high on db02', 'password reset for bob')
    $script:Rows = 1..45 | ForEach-Object { [pscustomobject]@{ id = $_; title = "$($Phrases[$_ % 3]) #$_"; team = $Teams[$_ % 3] } }
    $script:Csv = Join-Path $TestDrive 'tickets.csv'
    $Rows | Export-Csv $Csv -NoTypeInformation
    function script:New-TicketModel($Data) {
        New-Model -Seed 1 | Add-TextVectorizationLayer -Adapt $Data -OutputSequenceLength 6 -MaxTokens 100 |
            Add-EmbeddingLayer 100 8 | Add-GlobalAveragePooling1DLayer | Add-DenseLayer 3 -Activation softmax |
            Build-Model -Optimizer adam -Loss sparse_categorical_crossentropy -Metrics accuracy
    }
}

Describe 'Text columns in datasets' {
    It 'Import-ModelData -Text keeps the column as strings with one placeholder feature' {
        $data = Import-ModelData $Csv -Target team -Text title -Exclude id
        $data.Engine.TextColumns.Keys | Should -Be @('title')
        $data.Engine.TextColumns['title'][0] | Should -Be 'cpu high on db02 #1'
        $data.FeatureShape | Should -Be @(1)
        $data.Categories.Count | Should -Be 0
        $data.Classes | Should -Be @('compute', 'identity', 'storage')
    }
    It 'ConvertTo-ModelData -Text keeps strings from objects, numbers-looking text included' {
        $data = @([pscustomobject]@{ t = '007'; y = 1 }, [pscustomobject]@{ t = $null; y = 0 }) | ConvertTo-ModelData -Target y -Text t
        $data.Engine.TextColumns['t'] | Should -Be @('007', '')
    }
    It 'keeps the strings of the rows it splits' {
        $data = Import-ModelData $Csv -Target team -Text title -Exclude id
        $part = $data.GetRows(2, 0)
        $part.Engine.TextColumns['title'] | Should -Be @('disk full on web01 #3', 'cpu high on db02 #1')
        $split = $data | Split-TrainTest -TestSize 0.2 -Seed 1
        ($split.Train.Count + $split.Test.Count) | Should -Be 45
        $split.Test.Engine.TextColumns['title'].Count | Should -Be $split.Test.Count
    }
}

Describe 'Text models' {
    BeforeAll {
        $script:Data = Import-ModelData $Csv -Target team -Text title -Exclude id
        $script:Model = New-TicketModel $Data
        $null = $Model | Invoke-ModelFit -Data $Data -Epochs 40 -Seed 1
    }
    It 'trains on the raw text column and learns it' {
        ($Model | Invoke-ModelEvaluate -Data $Data).Accuracy | Should -Be 1
        $Model.Engine.FeatureNames | Should -Be @('title')
    }
    It 'encodes a dataset once, and again only when the vocabulary changes' {
        $inputs = Get-KerasType 'KerasPS.Engine.Data.TextInputs'
        $first = $inputs::ForModel($Model.Engine, $Data.Engine)
        [object]::ReferenceEquals($first, $inputs::ForModel($Model.Engine, $Data.Engine)) | Should -BeTrue
        $first.FeatureShape | Should -Be @(6)
        $first.Features[0..5] | Should -Be ($Model.Engine.Layers[0].EncodeStrings([string[]]@('cpu high on db02 #1')))
    }
    It 'predicts from plain strings and objects as from the dataset' {
        $fromData = $Model | Invoke-ModelPredict -Data $Data.GetRows(0) -AsMatrix
        $fromString = 'cpu high on db02 #1' | Invoke-ModelPredict -Model $Model -AsMatrix
        $fromObject = [pscustomobject]@{ title = 'cpu high on db02 #1'; other = 5 } | Invoke-ModelPredict -Model $Model -AsMatrix
        foreach ($j in 0..2) {
            $fromString[0, $j] | Should -Be $fromData[0, $j]
            $fromObject[0, $j] | Should -Be $fromData[0, $j]
        }
        ('password reset for carol', 'disk full on web77' | Invoke-ModelPredict -Model $Model).Class | Should -Be @('identity', 'storage')
    }
    It 'reports an object without the text property and predicts the others' {
        $out = @([pscustomobject]@{ name = 'x'; size = 1 }, 'cpu high') | Invoke-ModelPredict -Model $Model -ErrorVariable bad -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'UnknownTextColumn*'
    }
    It 'refuses a text column for a model that starts with numbers' {
        $m = New-Model -InputShape 1 | Add-DenseLayer 3 -Activation softmax | Build-Model -Optimizer adam -Loss sparse_categorical_crossentropy
        { $m | Invoke-ModelFit -Data $Data -Epochs 1 } | Should -Throw -ErrorId 'TextColumnNotUsed*'
    }
    It 'refuses int output without -OutputSequenceLength in a model' {
        { New-Model | Add-TextVectorizationLayer -Adapt $Data } | Should -Throw -ErrorId 'MissingOutputSequenceLength*'
    }
    It 'builds the same model with a multi_hot vocabulary and a StringLookup first layer' {
        $mh = New-Model -Seed 2 | Add-TextVectorizationLayer -Adapt $Data -OutputMode multi_hot | Add-DenseLayer 3 -Activation softmax |
            Build-Model -Optimizer adam -Loss sparse_categorical_crossentropy -Metrics accuracy
        $null = $mh | Invoke-ModelFit -Data $Data -Epochs 60 -Seed 1
        ($mh | Invoke-ModelEvaluate -Data $Data).Accuracy | Should -Be 1
        $vocabularySize = $mh.Engine.Layers[0].VocabularySize
        $mh.Engine.InputShape | Should -Be @($vocabularySize)
        $teams = $Rows | ConvertTo-ModelData -Target team -Text title -Exclude id
        $sl = New-Model | Add-StringLookupLayer -Adapt $Rows -Column team -OutputMode one_hot
        $sl.Engine.InputShape | Should -Be @(4)
        ('compute', 'nobody' | Invoke-ModelPredict -Model $sl -AsMatrix)[1, 0] | Should -Be 1
        $teams.Count | Should -Be 45
    }
}

Describe 'Saving text models' {
    BeforeAll {
        $script:Data = Import-ModelData $Csv -Target team -Text title -Exclude id
        $script:Model = New-TicketModel $Data
        $null = $Model | Invoke-ModelFit -Data $Data -Epochs 5 -Seed 1
        $script:Probe = 'disk full on web09 and more'
        $script:Expected = $Probe | Invoke-ModelPredict -Model $Model -AsMatrix
    }
    It 'predicts the same from raw strings after Import-Checkpoint in a fresh process (.kpt)' {
        $kpt = Join-Path $TestDrive 'tickets.kpt'
        $Model | Export-Checkpoint -Path $kpt
        $module = (Get-Module KerasPS).Path
        $script = "Import-Module '$module'; `$m = Import-Checkpoint -Path '$kpt'; " +
            "`$p = '$Probe' | Invoke-ModelPredict -Model `$m -AsMatrix; (0..2 | ForEach-Object { `$p[0, `$_].ToString('R') }) -join ';'"
        $run = Invoke-FreshPwsh -Script $script
        $run.ExitCode | Should -Be 0 -Because $run.Output
        ($run.Output.Trim() -split "`n")[-1].Trim() | Should -Be ((0..2 | ForEach-Object { $Expected[0, $_].ToString('R') }) -join ';')
    }
    It 'writes a .keras file as Keras 3 does (a string input, the vocabulary in the config) and reads it back' {
        $path = Join-Path $TestDrive 'tickets.keras'
        $Model | Export-Checkpoint -Path $path
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($path)
        try {
            $reader = [IO.StreamReader]::new($zip.GetEntry('config.json').Open())
            $config = $reader.ReadToEnd() | ConvertFrom-Json -Depth 50; $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $config.config.layers[0].config.dtype | Should -Be 'string'
        $config.config.layers[0].config.batch_shape | Should -Be @($null, 1)
        $tv = $config.config.layers[1]
        $tv.class_name | Should -Be 'TextVectorization'
        $tv.config.vocabulary[0..1] | Should -Be @('', '[UNK]')
        $tv.config.output_sequence_length | Should -Be 6
        $back = Import-Checkpoint -Path $path
        $p = $Probe | Invoke-ModelPredict -Model $back -AsMatrix
        foreach ($j in 0..2) { $p[0, $j] | Should -Be $Expected[0, $j] }
    }
    It 'reads an adapted vocabulary from the assets folder, as Keras saves it (vocabulary null in the config)' {
        $path = Join-Path $TestDrive 'assets.keras'
        $Model | Export-Checkpoint -Path $path
        $vocabulary = $Model.Engine.Layers[0].GetVocabulary($true)
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::Open($path, 'Update')
        try {
            $entry = $zip.GetEntry('config.json')
            $reader = [IO.StreamReader]::new($entry.Open())
            $json = $reader.ReadToEnd(); $reader.Dispose()
            $entry.Delete()
            $config = $json | ConvertFrom-Json -Depth 50
            $name = $config.config.layers[1].config.name
            $config.config.layers[1].config.vocabulary = $null
            $writer = [IO.StreamWriter]::new($zip.CreateEntry('config.json').Open())
            $writer.Write(($config | ConvertTo-Json -Depth 50)); $writer.Dispose()
            $writer = [IO.StreamWriter]::new($zip.CreateEntry("assets/layers/$name/vocabulary.txt").Open())
            $writer.Write(($vocabulary -join "`n")); $writer.Dispose()
        }
        finally { $zip.Dispose() }
        $back = Import-Checkpoint -Path $path
        $back.Engine.Layers[0].GetVocabulary($true) | Should -Be $vocabulary
        $p = $Probe | Invoke-ModelPredict -Model $back -AsMatrix
        foreach ($j in 0..2) { $p[0, $j] | Should -Be $Expected[0, $j] }
    }
    It 'refuses ONNX export naming the TextVectorization layer' {
        { $Model | Export-OnnxModel -Path (Join-Path $TestDrive 'tickets.onnx') } | Should -Throw -ErrorId 'OnnxUnsupportedLayer*'
        try { $Model | Export-OnnxModel -Path (Join-Path $TestDrive 'tickets.onnx') } catch { $_.Exception.Message | Should -BeLike '*TextVectorization*' }
    }
}

Describe 'examples/Tickets.ps1' -Tag Slow {
    It 'classifies the generated tickets from raw titles, with an Embedding and with an LSTM' {
        $script = Join-Path $RepoRoot 'examples/Tickets.ps1'
        $run = Invoke-FreshPwsh -Script "& '$script' -OutputDirectory '$TestDrive'"
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'Embedding held-out accuracy'
        $result = ($run.Output -split "`n" | Where-Object { $_ -match '^\{.*\}\s*$' } | Select-Object -Last 1) | ConvertFrom-Json
        $result.EmbeddingAccuracy | Should -BeGreaterOrEqual 0.8 -Because 'each team has its own words'
        $result.LstmAccuracy | Should -BeGreaterOrEqual 0.7
        Test-Path $result.Checkpoint | Should -BeTrue
    }
}
