# Sparse text encodings: a multi_hot / count / tf_idf encoding of a dataset is kept as CSR rows (only the tokens each text
# holds) and made dense one batch at a time, so 100,000 texts over 20,000 tokens never become an 8 GB matrix. The sparse
# path must give what the dense one gives: the same rows, the same predictions and the same weights after a seeded fit.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Inputs = Get-KerasType 'KerasPS.Engine.Data.TextInputs'
    $script:Teams = @('storage', 'compute', 'identity')
    $script:Words = @('disk full volume quota', 'cpu high load core', 'password reset account lock')
    $script:Rows = 1..60 | ForEach-Object {
        $w = $Words[$_ % 3] -split ' '
        [pscustomobject]@{ title = "$($w[$_ % 4]) $($w[($_ + 1) % 4]) host$($_ % 7) $($w[$_ % 4])!"; team = $Teams[$_ % 3] }
    }
    # Fits a seeded model on the rows with the given sparse setting and returns its weights and predictions.
    function script:Invoke-SeededFit([string] $Mode, $Sparse, [switch] $Dropout) {
        $Inputs::SparseEncoding = $Sparse
        try {
            $data = $Rows | ConvertTo-ModelData -Target team -Text title
            $m = New-Model -Seed 3 | Add-TextVectorizationLayer -Adapt $data -OutputMode $Mode
            # Dense next: a sparse x dense product per batch; Dropout next: the batch's dense rows
            if ($Dropout) { $m = $m | Add-DropoutLayer 0.2 }
            $m = $m | Add-DenseLayer 8 -Activation relu | Add-DenseLayer 3 -Activation softmax |
                Build-Model -Optimizer adam -Loss sparse_categorical_crossentropy -Metrics accuracy
            $history = $m | Invoke-ModelFit -Data $data -Epochs 4 -BatchSize 8 -ValidationSplit 0.25 -Seed 5
            $encoded = $Inputs::ForModel($m.Engine, $data.Engine)
            @{
                Encoded     = $encoded
                Weights     = @($m.Engine.Layers | ForEach-Object { $_.Weights } | ForEach-Object { , $_.ToArray() })
                Predictions = $m.Engine.PredictData($data.Engine, 16)
                Loss        = @($history.Loss)
            }
        }
        finally { $Inputs::SparseEncoding = $null }
    }
    function script:Assert-Close([single[]] $Actual, [single[]] $Expected, [double] $Tolerance = 1e-6) {
        $Actual.Length | Should -Be $Expected.Length
        for ($i = 0; $i -lt $Actual.Length; $i++) {
            [math]::Abs($Actual[$i] - $Expected[$i]) | Should -BeLessOrEqual $Tolerance -Because "value $i ($($Actual[$i]) vs $($Expected[$i]))"
        }
    }
}

Describe 'Sparse rows of a bag encoding' {
    It 'encodes multi_hot and count rows as CSR, hand-computed' {
        # adapt: b:2, a:2, c:2, d:1 -> ties by token descending: c, b, a, then d; [UNK] at 0 -> c=1, b=2, a=3, d=4
        $texts = [string[]]@('b a b', 'c c d', 'a', 'zz b')
        $hot = (New-Model | Add-TextVectorizationLayer -Adapt $texts[0..2] -OutputMode multi_hot).Engine.Layers[0]
        $hot.GetVocabulary($true) | Should -Be @('[UNK]', 'c', 'b', 'a', 'd')
        $rows = $hot.EncodeSparse($texts)
        $rows.Width | Should -Be 5
        $rows.RowOffsets | Should -Be @(0, 2, 4, 5, 7)
        $rows.Indices | Should -Be @(2, 3, 1, 4, 3, 0, 2)
        $rows.Values | Should -Be @(1, 1, 1, 1, 1, 1, 1)
        $count = (New-Model | Add-TextVectorizationLayer -Adapt $texts[0..2] -OutputMode count).Engine.Layers[0]
        $count.EncodeSparse($texts).Values | Should -Be @(2, 1, 2, 1, 1, 1, 1)
        # the dense form of the CSR rows is the dense encoding
        $rows.ToDense(0, 4) | Should -Be ($hot.EncodeStrings($texts))
    }
    It 'gives the dense tf_idf rows, and none for int output' {
        $texts = [string[]]@('b a b', 'c c d', 'a', 'zz b', '')
        $tfidf = (New-Model | Add-TextVectorizationLayer -Adapt $texts[0..2] -OutputMode tf_idf).Engine.Layers[0]
        $dense = $tfidf.EncodeStrings($texts)
        $sparse = $tfidf.EncodeSparse($texts)
        $sparse.ToDense(0, 5) | Should -Be $dense
        # b in 1 of 3 documents: idf = ln(1 + 3/2); 'b a b' counts b twice
        $sparse.Values[0] | Should -Be ([single](2 * [single][math]::Log(2.5)))
        $sparse.RowOffsets[5] - $sparse.RowOffsets[4] | Should -Be 0
        $int = (New-Model | Add-TextVectorizationLayer -Adapt $texts -OutputSequenceLength 3).Engine.Layers[0]
        $int.EncodeSparse($texts) | Should -BeNullOrEmpty
    }
    It 'tokenizes without a string per token as Tokenize does (punctuation runs, tabs, non-ASCII capitals)' {
        $texts = [string[]]@("Disk-FULL!! on`tweb01 ... again", "  ÉTÉ  été -- x", '', '!!!', "a`r`nb`fc`vd A")
        foreach ($standardize in 'lower_and_strip_punctuation', 'lower', 'strip_punctuation', 'none') {
            $layer = (New-Model | Add-TextVectorizationLayer -Adapt $texts -OutputMode count -Standardize $standardize).Engine.Layers[0]
            # the adapted vocabulary is the one of Tokenize's tokens (counts, ties by token descending)
            $tokens = @($texts | ForEach-Object { $layer.Tokenize($_) })
            $expected = @($tokens | Group-Object -CaseSensitive -NoElement |
                Sort-Object @{ e = 'Count'; Descending = $true }, @{ e = { $_.Name }; Descending = $true } |
                ForEach-Object Name)
            # Sort-Object compares culture-aware; check the set and the counts' order, then the rows
            @($layer.GetVocabulary($false) | Sort-Object) | Should -Be @($expected | Sort-Object) -Because $standardize
            $layer.EncodeSparse($texts).ToDense(0, $texts.Length) | Should -Be ($layer.EncodeStrings($texts)) -Because $standardize
            # int output of a model's width: the first 3 token ids of Tokenize's tokens, padded with 0, OOV 1
            $vocabulary = @($layer.GetVocabulary($false) | Select-Object -First 3)
            $int = (New-Model | Add-TextVectorizationLayer -Vocabulary $vocabulary -OutputSequenceLength 3 -Standardize $standardize).Engine.Layers[0]
            $expectedIds = foreach ($text in $texts) {
                $ids = @($int.Tokenize($text) | Select-Object -First 3 | ForEach-Object { $at = [array]::IndexOf([string[]]$vocabulary, $_); if ($at -ge 0) { $at + 2 } else { 1 } })
                $ids + @(0) * (3 - $ids.Count)
            }
            $int.EncodeStrings($texts) | Should -Be $expectedIds -Because $standardize
        }
    }
    It 'encodes StringLookup one_hot and multi_hot rows the same way' {
        $values = [string[]]@('red', 'blue', 'red', 'green', 'plum')
        foreach ($mode in 'one_hot', 'multi_hot', 'count') {
            $layer = (New-Model | Add-StringLookupLayer -Adapt $values[0..3] -OutputMode $mode).Engine.Layers[0]
            $rows = $layer.EncodeSparse($values)
            $rows.ToDense(0, 5) | Should -Be ($layer.EncodeStrings($values))
            # red (2 rows) first, then green before blue (ties descending); plum is OOV at 0
            $rows.Indices | Should -Be @(1, 3, 1, 2, 0)
        }
    }
}

Describe 'A model fed sparse text rows' {
    It 'keeps the dataset as CSR rows and row handles, not a dense matrix' {
        $data = $Rows | ConvertTo-ModelData -Target team -Text title
        $m = New-Model | Add-TextVectorizationLayer -Adapt $data -OutputMode multi_hot | Add-DenseLayer 3 -Activation softmax
        $Inputs::SparseEncoding = $true
        try { $encoded = $Inputs::ForModel($m.Engine, $data.Engine) } finally { $Inputs::SparseEncoding = $null }
        $encoded.Sparse | Should -Not -BeNullOrEmpty
        $encoded.Features.Length | Should -Be 0
        $encoded.Count | Should -Be 60
        $width = $m.Engine.Layers[0].VocabularySize
        $encoded.FeatureShape | Should -Be @($width)
        $encoded.FeatureTensor().shape | Should -Be @(60, 1)
        # 60 texts of 4 tokens: at most 4 values a row
        $encoded.Sparse.NonZeros | Should -BeLessOrEqual 240
        $encoded.Sparse.ToDense(0, 60) | Should -Be ($m.Engine.Layers[0].EncodeStrings([string[]]$data.Engine.TextColumns['title']))
    }
    It 'chooses sparse rows on its own for a wide vocabulary and dense rows for a narrow one' {
        $data = $Rows | ConvertTo-ModelData -Target team -Text title
        $wide = New-Model | Add-TextVectorizationLayer -Adapt $data -OutputMode multi_hot -MaxTokens 500 -PadToMaxTokens
        $Inputs::ForModel($wide.Engine, $data.Engine).Sparse | Should -Not -BeNullOrEmpty
        $narrow = New-Model | Add-TextVectorizationLayer -Vocabulary 'disk', 'cpu' -OutputMode multi_hot
        $dense = $Inputs::ForModel($narrow.Engine, $data.Engine)
        $dense.Sparse | Should -BeNullOrEmpty
        $dense.Features.Length | Should -Be (60 * 3)
    }
    It 'fits to the same weights, losses and predictions as the dense rows (<Mode>, dropout <Dropout>)' -ForEach @(
        @{ Mode = 'multi_hot'; Dropout = $false }, @{ Mode = 'count'; Dropout = $false }, @{ Mode = 'tf_idf'; Dropout = $false }
        @{ Mode = 'multi_hot'; Dropout = $true }
    ) {
        $dense = Invoke-SeededFit $Mode $false -Dropout:$Dropout
        $sparse = Invoke-SeededFit $Mode $true -Dropout:$Dropout
        $dense.Encoded.Sparse | Should -BeNullOrEmpty
        $sparse.Encoded.Sparse | Should -Not -BeNullOrEmpty
        $sparse.Weights.Count | Should -Be 4
        for ($w = 0; $w -lt 4; $w++) { Assert-Close $sparse.Weights[$w] $dense.Weights[$w] }
        Assert-Close $sparse.Loss $dense.Loss
        Assert-Close $sparse.Predictions $dense.Predictions
        # the fit learned something: the weights moved from their seeded start
        $sparse.Loss[-1] | Should -BeLessThan $sparse.Loss[0]
    }
    It 'evaluates and predicts from raw strings as with dense rows' {
        $data = $Rows | ConvertTo-ModelData -Target team -Text title
        $m = New-Model -Seed 4 | Add-TextVectorizationLayer -Adapt $data -OutputMode count | Add-DenseLayer 3 -Activation softmax |
            Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.05) -Loss sparse_categorical_crossentropy -Metrics accuracy
        $Inputs::SparseEncoding = $true
        try {
            $null = $m | Invoke-ModelFit -Data $data -Epochs 30 -BatchSize 8 -Seed 1
            $sparseEval = $m | Invoke-ModelEvaluate -Data $data
            $sparsePredict = $m.Engine.PredictData($data.Engine, 7)
        }
        finally { $Inputs::SparseEncoding = $false }
        try {
            $denseEval = $m | Invoke-ModelEvaluate -Data $data
            $densePredict = $m.Engine.PredictData($data.Engine, 7)
        }
        finally { $Inputs::SparseEncoding = $null }
        [math]::Abs($sparseEval.Loss - $denseEval.Loss) | Should -BeLessOrEqual 1e-6
        $sparseEval.Accuracy | Should -Be 1
        Assert-Close $sparsePredict $densePredict
        ($Rows[0].title, $Rows[1].title | Invoke-ModelPredict -Model $m).Class | Should -Be @($Rows[0].team, $Rows[1].team)
    }
}
