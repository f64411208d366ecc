# Values from Keras's own docstrings (keras/src/layers/preprocessing/text_vectorization.py, string_lookup.py,
# integer_lookup.py at keras-team/keras 3422977a) and hand-computed ones, each with its working in a comment.
BeforeAll {
    . $PSScriptRoot/common.ps1
    function script:Encode($layer, [string[]] $texts) {
        $shape = $null
        $values = $layer.Encode($texts, [ref]$shape)
        , @{ Values = $values; Width = $shape[0] }
    }
    function script:Lookup($layer, [string[][]] $samples) {
        $width = 0
        $values = $layer.Encode($samples, [ref]$width)
        , @{ Values = $values; Width = $width }
    }
}

Describe 'Add-TextVectorizationLayer' {
    Context 'Keras docstring examples' {
        It 'adapts by frequency with ties in descending token order, and pads/truncates token ids to output_sequence_length' {
            # text_vectorization.py: adapt(["foo bar", "bar baz", "baz bada boom"]), max_len 4:
            # [["foo qux bar"], ["qux baz"]] -> [[4, 1, 3, 0], [1, 2, 0, 0]]
            $m = New-Model | Add-TextVectorizationLayer -Adapt 'foo bar', 'bar baz', 'baz bada boom' -MaxTokens 5000 -OutputSequenceLength 4
            $layer = $m.Engine.Layers[0]
            $layer.GetVocabulary($true) | Should -Be @('', '[UNK]', 'baz', 'bar', 'foo', 'boom', 'bada')
            $r = Encode $layer 'foo qux bar', 'qux baz'
            $r.Values | Should -Be @(4, 1, 3, 0, 1, 2, 0, 0)
            $m.Engine.InputShape | Should -Be @(4)
        }
        It 'puts the padding and OOV tokens before a given vocabulary' {
            # text_vectorization.py: vocabulary ["earth", "wind", "and", "fire"] -> ['', '[UNK]', 'earth', 'wind', 'and', 'fire']
            $m = New-Model | Add-TextVectorizationLayer -Vocabulary earth, wind, and, fire -OutputSequenceLength 4
            $m.Engine.Layers[0].GetVocabulary($true) | Should -Be @('', '[UNK]', 'earth', 'wind', 'and', 'fire')
            (Encode $m.Engine.Layers[0] 'Earth, Wind & Fire! and more words').Values | Should -Be @(2, 3, 5, 4)
        }
    }
    Context 'standardize, split, n-grams and padding' {
        It 'lower-cases ASCII and strips Python string.punctuation by default' {
            $layer = (New-Model | Add-TextVectorizationLayer -Vocabulary 'disk', 'full', "web01's" -OutputSequenceLength 5).Engine.Layers[0]
            # "DISK-full on Web01's!" -> "diskfull on web01s" -> [diskfull, on, web01s] -> all OOV
            (Encode $layer "DISK-full on Web01's!").Values | Should -Be @(1, 1, 1, 0, 0)
            (Encode $layer "Disk  FULL`t").Values | Should -Be @(2, 3, 0, 0, 0)
        }
        It 'keeps case and punctuation with -Standardize none' {
            $layer = (New-Model | Add-TextVectorizationLayer -Vocabulary 'Disk', 'full!' -Standardize none -OutputSequenceLength 3).Engine.Layers[0]
            (Encode $layer 'Disk full! disk').Values | Should -Be @(2, 3, 1)
        }
        It 'splits into characters' {
            $layer = (New-Model | Add-TextVectorizationLayer -Adapt 'abca' -Split character -OutputSequenceLength 4).Engine.Layers[0]
            # counts a:2, b:1, c:1 -> a, then c before b (ties descending)
            $layer.GetVocabulary($false) | Should -Be @('a', 'c', 'b')
            (Encode $layer 'cab').Values | Should -Be @(3, 2, 4, 0)
        }
        It 'makes n-grams of widths 1..n joined by a space, width by width' {
            $layer = (New-Model | Add-TextVectorizationLayer -Adapt 'a b c' -Ngrams 2 -OutputSequenceLength 6).Engine.Layers[0]
            $layer.Tokenize('a b c') | Should -Be @('a', 'b', 'c', 'a b', 'b c')
            # all counts 1: descending order c, b a... : 'c', 'b c', 'b', 'a b', 'a'
            $layer.GetVocabulary($false) | Should -Be @('c', 'b c', 'b', 'a b', 'a')
            (Encode $layer 'a b').Values | Should -Be @(6, 4, 5, 0, 0, 0)
        }
        It 'keeps at most max_tokens entries, padding and OOV included' {
            $layer = (New-Model | Add-TextVectorizationLayer -Adapt 'x x x y y z' -MaxTokens 4 -OutputSequenceLength 3).Engine.Layers[0]
            $layer.GetVocabulary($true) | Should -Be @('', '[UNK]', 'x', 'y')
            (Encode $layer 'z y x').Values | Should -Be @(1, 3, 2)
        }
        It 'pads to the longest text of the batch without output_sequence_length, as Keras' {
            $layer = [KerasPS.Engine.Layers.Preprocessing.TextVectorization]::new()
            $layer.Adapt([string[]]@('a b c'))
            $r = Encode $layer 'a', 'a b c d'
            $r.Width | Should -Be 4
            $r.Values | Should -Be @(4, 0, 0, 0, 4, 3, 2, 1)
        }
    }
    Context 'bag outputs' {
        It 'multi_hot marks each term once, with OOV at index 0' {
            $layer = (New-Model | Add-TextVectorizationLayer -Adapt 'a a b', 'c' -OutputMode multi_hot).Engine.Layers[0]
            # vocabulary [UNK], a, c, b (a:2; b, c: 1, descending)
            $layer.GetVocabulary($true) | Should -Be @('[UNK]', 'a', 'c', 'b')
            (Encode $layer 'b a a zz').Values | Should -Be @(1, 1, 0, 1)
        }
        It 'count counts occurrences' {
            $layer = (New-Model | Add-TextVectorizationLayer -Adapt 'a a b', 'c' -OutputMode count).Engine.Layers[0]
            (Encode $layer 'b a a zz qq').Values | Should -Be @(2, 2, 0, 1)
        }
        It 'tf_idf weighs counts by log(1 + documents / (1 + documents with the term)), OOV by their mean' {
            $layer = (New-Model | Add-TextVectorizationLayer -Adapt 'a b', 'a c', 'a' -OutputMode tf_idf).Engine.Layers[0]
            $layer.GetVocabulary($true) | Should -Be @('[UNK]', 'a', 'c', 'b')
            $ia = [math]::Log(1 + 3 / 4); $ib = [math]::Log(1 + 3 / 2)
            $oov = ($ia + 2 * $ib) / 3
            $v = (Encode $layer 'a a b z').Values
            $expected = @($oov, (2 * $ia), 0, $ib)
            for ($i = 0; $i -lt 4; $i++) { [math]::Abs($v[$i] - $expected[$i]) | Should -BeLessThan 1e-5 }
        }
        It 'pads rows to max_tokens with -PadToMaxTokens' {
            $layer = (New-Model | Add-TextVectorizationLayer -Adapt 'a b' -OutputMode multi_hot -MaxTokens 6 -PadToMaxTokens).Engine.Layers[0]
            # vocabulary [UNK], b, a (a tie: descending order)
            (Encode $layer 'b').Values | Should -Be @(0, 1, 0, 0, 0, 0)
            $layer.EncodedShape | Should -Be @(6)
        }
    }
    Context 'config' {
        It 'round-trips its settings and vocabulary through get_config/from_config' {
            $layer = (New-Model | Add-TextVectorizationLayer -Adapt 'foo bar', 'bar baz' -OutputSequenceLength 3 -Ngrams 1, 2 -MaxTokens 50).Engine.Layers[0]
            $config = $layer.GetConfig()
            $config['vocabulary'] | Should -Be @('', '[UNK]', 'bar', 'foo bar', 'foo', 'baz', 'bar baz')
            $config['ngrams'] | Should -Be @(1, 2)
            $config['standardize'] | Should -Be 'lower_and_strip_punctuation'
            $copy = [KerasPS.Engine.Layers.LayerRegistry]::FromConfig('TextVectorization', $config, $false)
            $copy.GetVocabulary($true) | Should -Be $layer.GetVocabulary($true)
            (Encode $copy 'foo bar baz').Values | Should -Be (Encode $layer 'foo bar baz').Values
        }
    }
    Context 'errors' {
        It 'refuses a repeated vocabulary term' {
            { New-Model | Add-TextVectorizationLayer -Vocabulary a, b, a } | Should -Throw -ErrorId 'RepeatedVocabulary*'
        }
        It 'says a model needs -OutputSequenceLength for int output' {
            { New-Model | Add-TextVectorizationLayer -Adapt 'a b' } | Should -Throw -ErrorId 'MissingOutputSequenceLength*'
            # The layer has no name before it joins the model: the sentence must not show an empty '' for it.
            { New-Model | Add-TextVectorizationLayer -Adapt 'a b' } | Should -Throw 'TextVectorization in a model needs -OutputSequenceLength*'
        }
        It 'refuses -OutputSequenceLength with a bag output mode' {
            { New-Model | Add-TextVectorizationLayer -Adapt 'a' -OutputMode count -OutputSequenceLength 3 } |
                Should -Throw -ErrorId 'InvalidOutputSequenceLength*'
        }
    }
}

Describe 'Add-StringLookupLayer' {
    It 'maps given vocabulary terms from 1 and unseen values to the OOV index 0 (string_lookup.py)' {
        $layer = (New-Model | Add-StringLookupLayer -Vocabulary a, b, c, d).Engine.Layers[0]
        (Lookup $layer @(@('a', 'c', 'd'), @('d', 'z', 'b'))).Values | Should -Be @(1, 3, 4, 4, 0, 2)
    }
    It 'spreads unseen strings over several OOV slots by FarmHash Fingerprint64 modulo the count (to_hash_bucket_fast)' {
        # Fingerprint64: a 12917804110809363939 (odd), b 11795596070477164822 (even), c ...872 (even), d ...465 (odd)
        $layer = (New-Model | Add-StringLookupLayer -Vocabulary x, y -NumOovIndices 2).Engine.Layers[0]
        (Lookup $layer @(, @('a', 'b', 'c', 'd', 'x', 'y'))).Values | Should -Be @(1, 0, 0, 1, 2, 3)
    }
    It 'adapts by frequency, then descending order (string_lookup.py)' {
        $layer = (New-Model | Add-StringLookupLayer -Adapt a, c, d, d, z, b).Engine.Layers[0]
        $layer.Lookup.GetVocabulary($true) | Should -Be @('[UNK]', 'd', 'z', 'c', 'b', 'a')
        (Lookup $layer @(@('a', 'c', 'd'), @('d', 'z', 'b'))).Values | Should -Be @(5, 3, 1, 1, 2, 4)
    }
    It 'encodes one_hot, multi_hot and count as string_lookup.py shows' {
        $oh = (New-Model | Add-StringLookupLayer -Vocabulary a, b, c, d -OutputMode one_hot).Engine.Layers[0]
        $oh.EncodeStrings([string[]]@('a', 'z')) | Should -Be @(0, 1, 0, 0, 0, 1, 0, 0, 0, 0)
        $mh = (New-Model | Add-StringLookupLayer -Vocabulary a, b, c, d -OutputMode multi_hot).Engine.Layers[0]
        (Lookup $mh @(@('a', 'c', 'd', 'd'), @('d', 'z', 'b', 'z'))).Values | Should -Be @(0, 1, 0, 1, 1, 1, 0, 1, 0, 1)
        $ct = (New-Model | Add-StringLookupLayer -Vocabulary a, b, c, d -OutputMode count).Engine.Layers[0]
        (Lookup $ct @(@('a', 'c', 'd', 'd'), @('d', 'z', 'b', 'z'))).Values | Should -Be @(0, 1, 0, 1, 2, 2, 0, 1, 0, 1)
    }
    It 'weighs tf_idf by the given IDF, OOV by their average (string_lookup.py)' {
        $layer = (New-Model | Add-StringLookupLayer -Vocabulary a, b, c, d -IdfWeights 0.25, 0.75, 0.6, 0.4 -OutputMode tf_idf).Engine.Layers[0]
        $v = (Lookup $layer @(@('a', 'c', 'd', 'd'), @('d', 'z', 'b', 'z'))).Values
        $expected = @(0, 0.25, 0, 0.6, 0.8, 1.0, 0, 0.75, 0, 0.4)
        for ($i = 0; $i -lt 10; $i++) { [math]::Abs($v[$i] - $expected[$i]) | Should -BeLessThan 1e-6 }
    }
    It 'inverts indices back to terms, OOV as [UNK] (string_lookup.py)' {
        $layer = [KerasPS.Engine.Layers.Preprocessing.StringLookup]::new($null, 1, [NullString]::Value, '[UNK]',
            [string[]]@('a', 'b', 'c', 'd'), $null, $true, 'int', $false, [NullString]::Value)
        $layer.InvertIndices([long[]]@(1, 3, 4, 4, 0, 2)) | Should -Be @('a', 'c', 'd', 'd', '[UNK]', 'b')
    }
    It 'puts the mask token at 0 and OOV at 1 in int mode' {
        $layer = (New-Model | Add-StringLookupLayer -Vocabulary a, b -MaskToken '').Engine.Layers[0]
        $layer.EncodeStrings([string[]]@('', 'b', 'q')) | Should -Be @(0, 3, 1)
    }
    It 'errors on an unseen value with -NumOovIndices 0' {
        $layer = (New-Model | Add-StringLookupLayer -Vocabulary a -NumOovIndices 0).Engine.Layers[0]
        { $layer.EncodeStrings([string[]]@('b')) } | Should -Throw '*not in the vocabulary*'
    }
}

Describe 'Add-IntegerLookupLayer' {
    It 'maps a given vocabulary from 1, unseen values to 0 (integer_lookup.py)' {
        $m = New-Model -InputShape 3 | Add-IntegerLookupLayer -Vocabulary 12, 36, 1138, 42
        $out = $m | Invoke-ModelPredict -X @(@(12, 1138, 42), @(42, 1000, 36)) -AsMatrix
        @($out[0, 0], $out[0, 1], $out[0, 2], $out[1, 0], $out[1, 1], $out[1, 2]) | Should -Be @(1, 3, 4, 4, 0, 2)
    }
    It 'adapts by frequency, then descending value (integer_lookup.py)' {
        $m = New-Model | Add-IntegerLookupLayer -Adapt @(@(12, 1138, 42), @(42, 1000, 36))
        $m.Engine.Layers[0].GetVocabulary($true) | Should -Be @(-1, 42, 1138, 1000, 36, 12)
        $out = $m | Invoke-ModelPredict -X @(@(12, 1138, 42), @(42, 1000, 36)) -AsMatrix
        @($out[0, 0], $out[0, 1], $out[0, 2], $out[1, 0], $out[1, 1], $out[1, 2]) | Should -Be @(5, 2, 1, 1, 3, 4)
    }
    It 'spreads unseen values over several OOV slots by floormod (integer_lookup.py)' {
        $m = New-Model -InputShape 3 | Add-IntegerLookupLayer -Vocabulary 12, 36, 1138, 42 -NumOovIndices 2
        $out = $m | Invoke-ModelPredict -X @(@(12, 1138, 42), @(37, 1000, 36)) -AsMatrix
        @($out[0, 0], $out[0, 1], $out[0, 2], $out[1, 0], $out[1, 1], $out[1, 2]) | Should -Be @(2, 4, 5, 1, 0, 3)
    }
    It 'one-hot encodes a column of one value per row (integer_lookup.py)' {
        $m = New-Model -InputShape 1 | Add-IntegerLookupLayer -Vocabulary 12, 36, 1138, 42 -OutputMode one_hot
        $m.Engine.OutputShape | Should -Be @(5)
        $out = $m | Invoke-ModelPredict -X @(@(36), @(7)) -AsMatrix
        @(0..4 | ForEach-Object { $out[0, $_] }) | Should -Be @(0, 0, 1, 0, 0)
        @(0..4 | ForEach-Object { $out[1, $_] }) | Should -Be @(1, 0, 0, 0, 0)
    }
    It 'round-trips its vocabulary through get_config/from_config' {
        $layer = (New-Model | Add-IntegerLookupLayer -Adapt @(@(5), @(5), @(9))).Engine.Layers[0]
        $config = $layer.GetConfig()
        $config['vocabulary'] | Should -Be @(-1, 5, 9)
        $copy = [KerasPS.Engine.Layers.LayerRegistry]::FromConfig('IntegerLookup', $config, $false)
        $copy.GetVocabulary($true) | Should -Be @(-1, 5, 9)
    }
}
