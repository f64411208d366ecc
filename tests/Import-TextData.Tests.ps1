# Import-TextData reads a folder as keras.utils.text_dataset_from_directory does (keras/src/utils/text_dataset_utils.py,
# dataset_utils.index_directory): class subfolders sorted by name, .txt files in sorted order, shuffled with NumPy's legacy
# RandomState(seed). The permutation below is NumPy's: np.random.RandomState(42).shuffle(list(range(10))) gives
# [8, 1, 5, 0, 7, 2, 9, 4, 3, 6] (checked with Debian's python3-numpy).
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Folder = Join-Path $TestDrive 'texts'
    foreach ($class in 'a', 'b') {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Folder $class) -Force
        foreach ($i in 0..4) { Set-Content -Path (Join-Path $dir "$class$i.txt") -Value "text $class $i" -NoNewline }
    }
    Set-Content -Path (Join-Path $Folder 'a/notes.md') -Value 'not a .txt file'
    function script:Keys($data) { @($data.Engine.RowKeys | ForEach-Object { $_ -replace '\\', '/' }) }
}

Describe 'Import-TextData' {
    It 'reads one row per .txt file, classes from the sorted subfolders, without shuffling when asked' {
        $data = Import-TextData $Folder -NoShuffle
        $data.Count | Should -Be 10
        $data.Classes | Should -Be @('a', 'b')
        Keys $data | Should -Be @('a/a0.txt', 'a/a1.txt', 'a/a2.txt', 'a/a3.txt', 'a/a4.txt', 'b/b0.txt', 'b/b1.txt', 'b/b2.txt', 'b/b3.txt', 'b/b4.txt')
        $data.Engine.TextColumns['text'][6] | Should -Be 'text b 1'
        $data.Engine.Labels[6] | Should -Be 1
    }
    It 'shuffles as Keras does with the seed, and splits off the last int(split * n) files for validation' {
        $all = Import-TextData $Folder -Seed 42
        Keys $all | Should -Be @('b/b3.txt', 'a/a1.txt', 'b/b0.txt', 'a/a0.txt', 'b/b2.txt', 'a/a2.txt', 'b/b4.txt', 'a/a4.txt', 'a/a3.txt', 'b/b1.txt')
        $all.Engine.TextColumns['text'][0] | Should -Be 'text b 3'
        $all.Engine.Labels[0] | Should -Be 1
        $train, $val = Import-TextData $Folder -ValidationSplit 0.2 -Subset both -Seed 42
        $train.Count | Should -Be 8
        Keys $val | Should -Be @('a/a3.txt', 'b/b1.txt')
        (Keys (Import-TextData $Folder -ValidationSplit 0.2 -Subset validation -Seed 42)) | Should -Be (Keys $val)
    }
    It 'takes -ClassNames in their order, -LabelMode none without a target, -MaxLength and -Column' {
        $data = Import-TextData $Folder -ClassNames b -NoShuffle -MaxLength 6 -Column body
        $data.Classes | Should -Be @('b')
        $data.Engine.TextColumns['body'][0] | Should -Be 'text b'
        (Import-TextData $Folder -LabelMode none -NoShuffle).TargetKind | Should -Be 'None'
    }
    It 'names a file that is not valid UTF-8 in a non-terminating error and loads the others' {
        $bad = Join-Path $TestDrive 'bad'
        New-Item -ItemType Directory -Path (Join-Path $bad 'x'), (Join-Path $bad 'y') -Force | Out-Null
        Set-Content -Path (Join-Path $bad 'x/good.txt') -Value 'fine'
        Set-Content -Path (Join-Path $bad 'y/ok.txt') -Value 'also fine'
        [IO.File]::WriteAllBytes((Join-Path $bad 'y/broken.txt'), [byte[]](0x61, 0xC3, 0x28, 0x62))
        $data = Import-TextData $bad -NoShuffle -ErrorVariable errs -ErrorAction SilentlyContinue
        $data.Count | Should -Be 2
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidTextFile*'
        $errs[0].Exception.Message | Should -BeLike '*broken.txt*UTF-8*'
    }
    It 'refuses a split without a seed, binary labels for three classes, and an unknown class folder' {
        { Import-TextData $Folder -ValidationSplit 0.2 -Subset training } | Should -Throw -ErrorId 'SeedNeeded*'
        New-Item -ItemType Directory -Path (Join-Path $Folder 'c') -Force | Out-Null
        { Import-TextData $Folder -LabelMode binary -NoShuffle } | Should -Throw -ErrorId 'BinaryNeedsTwoClasses*'
        { Import-TextData $Folder -ClassNames a, zz } | Should -Throw -ErrorId 'UnknownClassFolder*'
    }
    It 'trains a text model on the folder' {
        $data = Import-TextData $Folder -Seed 1 -ClassNames a, b
        $m = New-Model -Seed 3 | Add-TextVectorizationLayer -Adapt $data -OutputMode multi_hot | Add-DenseLayer 2 -Activation softmax |
            Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.1) -Loss sparse_categorical_crossentropy -Metrics accuracy
        $null = $m | Invoke-ModelFit -Data $data -Epochs 60 -Seed 1
        ($m | Invoke-ModelEvaluate -Data $data).Accuracy | Should -Be 1
    }
}
