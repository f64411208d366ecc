BeforeAll {
    . $PSScriptRoot/common.ps1
    # A W x H PNG whose every pixel is (r, g, b) = (value, value + 1, value + 2): the value tells the files apart.
    function New-TestPng([string] $Path, [int] $Value, [int] $Width = 4, [int] $Height = 3) {
        $null = New-Item -ItemType Directory -Force (Split-Path $Path)
        $px = [byte[]]::new($Width * $Height * 3)
        for ($i = 0; $i -lt $px.Length; $i++) { $px[$i] = [byte](($Value + $i % 3) % 256) }
        [KerasPS.Engine.Data.Images.ImageEncoder]::Save($Path, $px, $Width, $Height, 3, 95)
    }
    $script:root = Join-Path $TestDrive 'photos'
    # Classes in alphanumeric (code point) order: 'B_dog' < 'a_cat' < 'c_fox'; a hidden folder and a text file are skipped.
    $v = 0
    foreach ($c in 'a_cat', 'B_dog', 'c_fox') {
        foreach ($n in 'x2.png', 'x1.png', 'x10.png', 'sub/y.png') { New-TestPng (Join-Path $root "$c/$n") ($v += 10) }
    }
    New-TestPng (Join-Path $root '.hidden/z.png') 250
    Set-Content (Join-Path $root 'a_cat/notes.txt') 'not an image'
    # Keras's order without shuffling: classes in order, in each the folder's own files sorted, then subfolders.
    $script:sortedNames = foreach ($c in 'B_dog', 'a_cat', 'c_fox') { foreach ($n in 'x1.png', 'x10.png', 'x2.png', 'sub/y.png') { "$c/$n" } }
    function Get-Relative($d) { $d.Engine.RowKeys | ForEach-Object { [IO.Path]::GetRelativePath($root, $_).Replace('\', '/') } }
    $script:refs = Get-Content -Raw (Join-Path $PSScriptRoot 'data/images/references.json') | ConvertFrom-Json
}

Describe 'Import-ImageData' {
    Context 'files and labels as Keras finds them' {
        It 'labels each file by its class folder, classes in alphanumeric order, files sorted, hidden folders skipped' {
            $d = Import-ImageData $root -ImageSize 3, 4 -NoShuffle
            $d.Classes | Should -Be @('B_dog', 'a_cat', 'c_fox')
            $d.Count | Should -Be 12
            $d.Shape | Should -Be '(None, 3, 4, 3)'
            Get-Relative $d | Should -Be $sortedNames
            $d.Engine.Labels | Should -Be @(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2)
            $d.TargetKind | Should -Be 'Classification'
        }
        It 'shuffles as NumPy''s RandomState(seed).shuffle, so the same seed gives Keras''s file order' {
            # np.random.RandomState(42).shuffle(list(range(10))) and RandomState(1337) on 7 items, from NumPy 1.24:
            $l = [Collections.Generic.List[int]]::new([int[]](0..9))
            [KerasPS.Engine.MersenneTwister]::NumPyRandomState(42).NumPyShuffle($l)
            $l | Should -Be @(8, 1, 5, 0, 7, 2, 9, 4, 3, 6)
            $l = [Collections.Generic.List[int]]::new([int[]](0..6))
            [KerasPS.Engine.MersenneTwister]::NumPyRandomState(1337).NumPyShuffle($l)
            $l | Should -Be @(6, 2, 1, 3, 0, 4, 5)
            $l = [Collections.Generic.List[int]]::new([int[]](0..11))
            [KerasPS.Engine.MersenneTwister]::NumPyRandomState(42).NumPyShuffle($l)
            $d = Import-ImageData $root -ImageSize 3, 4 -Seed 42
            Get-Relative $d | Should -Be @($l | ForEach-Object { $sortedNames[$_] })
            $d.Engine.Labels | Should -Be @($l | ForEach-Object { [int][math]::Floor($_ / 4) })
            (Get-Relative (Import-ImageData $root -ImageSize 3, 4 -Seed 43)) -join ',' | Should -Not -Be ((Get-Relative $d) -join ',')
        }
        It 'splits as Keras: the first files train, the last int(split x n) validate, with -Subset both giving two datasets' {
            $train, $val = Import-ImageData $root -ImageSize 3, 4 -ValidationSplit 0.3 -Subset both -Seed 7
            $val.Count | Should -Be 3      # int(0.3 * 12)
            $train.Count | Should -Be 9
            $all = Get-Relative (Import-ImageData $root -ImageSize 3, 4 -Seed 7)
            Get-Relative $train | Should -Be $all[0..8]
            Get-Relative $val | Should -Be $all[9..11]
            Get-Relative (Import-ImageData $root -ImageSize 3, 4 -ValidationSplit 0.3 -Subset validation -Seed 7) | Should -Be $all[9..11]
        }
        It 'keeps the order -ClassNames gives and loads only those classes' {
            $d = Import-ImageData $root -ImageSize 3, 4 -ClassNames c_fox, a_cat -NoShuffle
            $d.Classes | Should -Be @('c_fox', 'a_cat')
            (Get-Relative $d)[0] | Should -Be 'c_fox/x1.png'
            $d.Engine.Labels | Should -Be @(0, 0, 0, 0, 1, 1, 1, 1)
        }
        It 'loads images without a target with -LabelMode none' {
            $d = Import-ImageData (Join-Path $root 'a_cat') -ImageSize 3, 4 -LabelMode none -NoShuffle
            $d.TargetKind | Should -Be 'None'
            $d.Count | Should -Be 4
        }
        It 'lists an image set by its count, image shape and classes, without empty feature lines' {
            $text = Import-ImageData $root -ImageSize 3, 4 -NoShuffle | Format-List | Out-String
            $text | Should -Match 'Count\s+:\s+12'
            $text | Should -Match 'ImageShape\s+:\s+3 x 4 x 3 \(height, width, channels\)'
            $text | Should -Match 'Classes\s+:\s+B_dog, a_cat, c_fox'
            $text | Should -Match 'LabelMode\s+:\s+int'
            $text | Should -Not -Match 'FeatureNames|Categorical'
            # A table's list view keeps its feature names.
            [pscustomobject]@{ a = 1; y = 0 }, [pscustomobject]@{ a = 2; y = 1 } | ConvertTo-ModelData -Target y | Format-List |
                Out-String | Should -Match 'FeatureNames\s+:\s+a'
        }
        It 'refuses <Case> with <Id>' -TestCases @(
            @{ Case = 'unknown class names'; Id = 'UnknownClassName'; Splat = @{ ClassNames = 'wolf' } }
            @{ Case = 'binary labels for three classes'; Id = 'BinaryNeedsTwoClasses'; Splat = @{ LabelMode = 'binary' } }
            @{ Case = 'a split without a seed'; Id = 'ValidationSplitNeedsSeed'; Splat = @{ ValidationSplit = 0.2; Subset = 'both' } }
            @{ Case = 'a split without a subset'; Id = 'ValidationSplitNeedsSubset'; Splat = @{ ValidationSplit = 0.2; Seed = 1 } }
            @{ Case = 'a subset without a split'; Id = 'SubsetNeedsValidationSplit'; Splat = @{ Subset = 'training'; Seed = 1 } }
            @{ Case = 'a zero image size'; Id = 'InvalidImageSize'; Splat = @{ ImageSize = 0, 4 } }
        ) {
            { Import-ImageData $root @Splat } | Should -Throw -ErrorId "$Id,*"
        }
        It 'refuses a folder that does not exist with ImageFolderNotFound' {
            { Import-ImageData (Join-Path $TestDrive 'nowhere') } | Should -Throw -ErrorId 'ImageFolderNotFound,*'
        }
    }

    Context 'pixels as tf.image.resize gives them' {
        It 'resizes <Method> to <H> x <W> within 1/255 of the reference (tests/data/images/make-references.py)' -TestCases @(
            @{ Method = 'bilinear'; H = 3; W = 4 }, @{ Method = 'bilinear'; H = 9; W = 11 }
            @{ Method = 'nearest'; H = 3; W = 4 }, @{ Method = 'nearest'; H = 9; W = 11 }
        ) {
            $d = Import-ImageData (Join-Path $PSScriptRoot 'data') -ClassNames images -ImageSize $H, $W -Interpolation $Method -NoShuffle
            $ref = $refs."${Method}_${H}x${W}"
            $got = $d.Engine.Features
            $got.Length | Should -Be $ref.Count
            $worst = 0.0
            for ($i = 0; $i -lt $ref.Count; $i++) { $worst = [math]::Max($worst, [math]::Abs($got[$i] - $ref[$i])) }
            $worst | Should -BeLessOrEqual (1 / 255)
        }
        It 'gives the decoded values unchanged at the image''s own size, float32 in 0-255, channels last' {
            $d = Import-ImageData (Join-Path $PSScriptRoot 'data') -ClassNames images -ImageSize 5, 7 -NoShuffle
            # fixed.png pixel (row 1, column 2): R = (2*37 + 11) % 256, G = (53 + 10 + 20), B = (2*29 + 7)
            $at = (1 * 7 + 2) * 3
            $d.Engine.Features[$at..($at + 2)] | Should -Be @(85, 83, 65)
        }
        It 'converts colour to grey with 0.299 R + 0.587 G + 0.114 B, and keeps alpha with rgba' {
            $g = Import-ImageData (Join-Path $PSScriptRoot 'data') -ClassNames images -ImageSize 5, 7 -ColorMode grayscale -NoShuffle
            $g.Shape | Should -Be '(None, 5, 7, 1)'
            $g.Engine.Features[9] | Should -Be ([math]::Floor((299 * 85 + 587 * 83 + 114 * 65 + 500) / 1000))
            $a = Import-ImageData (Join-Path $PSScriptRoot 'data') -ClassNames images -ImageSize 5, 7 -ColorMode rgba -NoShuffle
            $a.Shape | Should -Be '(None, 5, 7, 4)'
            $a.Engine.Features[3] | Should -Be 255
        }
        It 'keeps the decoded values at the same size with bicubic and area, and area halves to 2 x 2 block means' {
            $dir = Join-Path $TestDrive 'kernels'
            $null = New-Item -ItemType Directory -Force (Join-Path $dir 'k')
            $px = [byte[]]::new(4 * 6 * 3)
            for ($i = 0; $i -lt $px.Length; $i++) { $px[$i] = [byte](($i * 37) % 256) }
            [KerasPS.Engine.Data.Images.ImageEncoder]::Save((Join-Path $dir 'k/a.png'), $px, 6, 4, 3, 95)
            foreach ($method in 'bicubic', 'area') {
                $same = Import-ImageData $dir -ImageSize 4, 6 -Interpolation $method -NoShuffle
                $same.Engine.Features | ForEach-Object { [math]::Round($_, 3) } | Should -Be ([double[]]$px) -Because "$method at the same size"
            }
            $half = (Import-ImageData $dir -ImageSize 2, 3 -Interpolation area -NoShuffle).Engine.Features
            foreach ($r in 0..1) { foreach ($c in 0..2) { foreach ($ch in 0..2) {
                $sum = 0
                foreach ($dy in 0..1) { foreach ($dx in 0..1) { $sum += $px[((2 * $r + $dy) * 6 + 2 * $c + $dx) * 3 + $ch] } }
                [math]::Abs($half[($r * 3 + $c) * 3 + $ch] - $sum / 4) | Should -BeLessThan 1e-3
            } } }
        }
        It 'crops the centre to the target''s aspect ratio with -CropToAspectRatio' {
            # 7 wide, 5 high to 5 x 5: crop width int(5 * 5 / 5) = 5 from column int((7 - 5) / 2) = 1; same size, so no resampling.
            $full = Import-ImageData (Join-Path $PSScriptRoot 'data') -ClassNames images -ImageSize 5, 7 -NoShuffle
            $crop = Import-ImageData (Join-Path $PSScriptRoot 'data') -ClassNames images -ImageSize 5, 5 -CropToAspectRatio -NoShuffle
            $f = $full.Engine.Features; $c = $crop.Engine.Features
            foreach ($r in 0..4) {
                $c[($r * 15)..($r * 15 + 14)] | Should -Be $f[($r * 21 + 3)..($r * 21 + 17)]
            }
        }
    }

    Context 'damaged files' {
        It 'reports a corrupt file by name as a non-terminating error and loads the others' {
            $dir = Join-Path $TestDrive 'damaged'
            New-TestPng (Join-Path $dir 'ok/a.png') 10
            New-TestPng (Join-Path $dir 'ok/b.png') 20
            $bad = Join-Path $dir 'ok/broken.png'
            [IO.File]::WriteAllBytes($bad, [byte[]](0x89, 0x50, 0x4E, 0x47, 1, 2, 3))
            $d = Import-ImageData $dir -ImageSize 3, 4 -NoShuffle -ErrorAction SilentlyContinue -ErrorVariable errs
            $d.Count | Should -Be 2
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'ImageDecodeFailed,*'
            $errs[0].TargetObject | Should -Be $bad
            $errs[0].Exception.Message | Should -BeLike "*broken.png*"
            Get-Relative $d | ForEach-Object { Split-Path -Leaf $_ } | Should -Be @('a.png', 'b.png')
        }
    }
}

Describe 'Invoke-ModelPredict on image files' {
    BeforeAll {
        # The mean of each channel: the test images are one colour, (value, value + 1, value + 2).
        $script:meanModel = New-Model -InputShape 3, 4, 3 -Seed 1 | Add-GlobalAveragePooling2DLayer
    }
    It 'decodes piped files to the model''s input size and names each prediction by its file' {
        $files = Get-ChildItem (Join-Path $root 'a_cat') -Filter *.png | Sort-Object Name
        $p = @($files | Invoke-ModelPredict -Model $meanModel)
        $p.Count | Should -Be 3
        $p.Path | Should -Be $files.FullName
        # a_cat's files in creation order: x2 = 10, x1 = 20, x10 = 30; sorted by name x1, x10, x2
        $p.Value1 | Should -Be @(20, 30, 10)
        $p.Value3 | Should -Be @(22, 32, 12)
    }
    It 'takes path strings, resizing to the model''s input' {
        $m = New-Model -InputShape 6, 2, 3 -Seed 1 | Add-GlobalAveragePooling2DLayer
        $p = Join-Path $root 'c_fox/x1.png' | Invoke-ModelPredict -Model $m
        $p.Path | Should -Be (Join-Path $root 'c_fox/x1.png')
        $p.Value2 | Should -Be 101
    }
    It 'reports a file it cannot decode by name and predicts the others' {
        $bad = Join-Path $TestDrive 'notes.png'
        Set-Content $bad 'not a png'
        $p = @((Join-Path $root 'a_cat/x1.png'), $bad | Invoke-ModelPredict -Model $meanModel -ErrorAction SilentlyContinue -ErrorVariable errs)
        $p.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ImageDecodeFailed,*'
        $errs[0].TargetObject | Should -Be $bad
    }
}

Describe 'examples/Images.ps1' -Tag Slow {
    It 'makes a folder of shapes, trains a small CNN with augmentation on it, and classifies held-out images' {
        $script = Join-Path $RepoRoot 'examples/Images.ps1'
        $folder = Join-Path $TestDrive 'shapes'
        $run = Invoke-FreshPwsh -Script "& '$script' -OutputDirectory '$folder' | ConvertTo-Json -Compress"
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'triangle_000\.png\s+\w+'
        $result = ($run.Output -split "`n" | Where-Object { $_ -match '^\{.*\}\s*$' } | Select-Object -Last 1) | ConvertFrom-Json
        $result.Classes | Should -Be @('circle', 'square', 'triangle')
        $result.Validation | Should -Be 36      # int(0.2 * 180)
        $result.Train | Should -Be 144
        $result.Accuracy | Should -BeGreaterOrEqual 0.9 -Because 'the three shapes separate well on held-out images'
        @(Get-ChildItem $folder -Recurse -Filter *.png).Count | Should -Be 180
    }
}

Describe 'Import-ImageData -Stream' {
    BeforeAll {
        # 3 classes x 14 files of 6 x 5 pixels, each file its own colour, so a file's place in a batch changes the loss.
        $script:many = Join-Path $TestDrive 'many'
        $v = 0
        foreach ($c in 'red', 'green', 'blue') {
            for ($i = 0; $i -lt 14; $i++) { New-TestPng (Join-Path $many "$c/f$i.png") (($v += 6) % 250) -Width 6 -Height 5 }
        }
        function New-ImageModel {
            New-Model -InputShape 5, 6, 3 -Seed 3 | Add-RescalingLayer -Scale (1 / 255) | Add-FlattenLayer |
                Add-DenseLayer 8 -Activation relu | Add-DenseLayer 3 -Activation softmax |
                Build-Model -Optimizer adam -Loss sparse_categorical_crossentropy -Metrics accuracy
        }
        function Assert-SameHistory($A, $B, [string[]] $Keys) {
            $A.Count | Should -Be $B.Count
            for ($e = 0; $e -lt $A.Count; $e++) {
                foreach ($k in $Keys) { [math]::Abs($A[$e].$k - $B[$e].$k) | Should -BeLessThan 1e-6 -Because "$k of epoch $($e + 1)" }
            }
        }
        $script:memTrain, $script:memVal = Import-ImageData $many -ImageSize 5, 6 -ValidationSplit 0.25 -Subset both -Seed 9
        $script:strTrain, $script:strVal = Import-ImageData $many -ImageSize 5, 6 -ValidationSplit 0.25 -Subset both -Seed 9 -Stream
    }

    It 'holds the same files, labels, order and split as the in-memory import, and no pixels' {
        $strTrain.IsStreamed | Should -BeTrue
        $strTrain.Count | Should -Be 32
        $strVal.Count | Should -Be 10       # int(0.25 * 42)
        $strTrain.Stream.Paths | Should -Be $memTrain.Engine.RowKeys
        $strVal.Stream.Paths | Should -Be $memVal.Engine.RowKeys
        $strTrain.Classes | Should -Be @('blue', 'green', 'red')
        $strTrain.ClassCounts | Should -Be $memTrain.ClassCounts
        $strTrain.Shape | Should -Be '(None, 5, 6, 3)'
        $strTrain.ShuffleBuffer | Should -Be 32
        "$strTrain" | Should -BeLike "Streamed dataset: 32 rows x 5x6x3 features from '*many', 3 classes"
        $e = try { $strTrain.GetRows(0) } catch { $_ }
        $e.Exception.InnerException.ErrorId | Should -Be 'StreamedDataset'
    }

    It 'fits epoch for epoch as the in-memory images with the same seed, validation streamed too' {
        $a = New-ImageModel | Invoke-ModelFit -Data $memTrain -ValidationData $memVal -Epochs 4 -BatchSize 5 -Seed 21
        $b = New-ImageModel | Invoke-ModelFit -Data $strTrain -ValidationData $strVal -Epochs 4 -BatchSize 5 -Seed 21
        Assert-SameHistory $a $b 'Loss', 'Accuracy', 'ValLoss', 'ValAccuracy'
        $a[3].Loss | Should -BeLessThan $a[0].Loss
        # unshuffled too: files in the import's order
        $c = New-ImageModel | Invoke-ModelFit -Data $memTrain -Epochs 2 -BatchSize 7 -Seed 2 -Shuffle:$false
        $d = New-ImageModel | Invoke-ModelFit -Data $strTrain -Epochs 2 -BatchSize 7 -Seed 2 -Shuffle:$false
        Assert-SameHistory $c $d 'Loss', 'Accuracy'
    }

    It 'evaluates and predicts as in memory, each prediction keyed by its file' {
        $model = New-ImageModel
        $null = $model | Invoke-ModelFit -Data $memTrain -Epochs 2 -BatchSize 8 -Seed 1
        $em = $model | Invoke-ModelEvaluate -Data $memTrain -BatchSize 6
        $es = $model | Invoke-ModelEvaluate -Data $strTrain -BatchSize 6
        [math]::Abs($es.Loss - $em.Loss) | Should -BeLessThan 1e-6
        $es.Samples | Should -Be 32
        $pm = @($model | Invoke-ModelPredict -Data $memTrain)
        $ps = @($model | Invoke-ModelPredict -Data $strTrain -BatchSize 4)
        $ps.Count | Should -Be 32
        $ps.path | Should -Be $memTrain.Engine.RowKeys
        $ps.Class | Should -Be $pm.Class
        for ($i = 0; $i -lt 32; $i++) { [math]::Abs($ps[$i].Probability - $pm[$i].Probability) | Should -BeLessThan 1e-6 }
    }

    It 'shuffles file numbers through a smaller -ShuffleBuffer: reproducible with a seed, unlike a full shuffle' {
        $small = Import-ImageData $many -ImageSize 5, 6 -Seed 9 -Stream -ShuffleBuffer 4
        $full = Import-ImageData $many -ImageSize 5, 6 -Seed 9 -Stream
        $small.ShuffleBuffer | Should -Be 4
        $a = New-ImageModel | Invoke-ModelFit -Data $small -Epochs 2 -BatchSize 6 -Seed 4
        $b = New-ImageModel | Invoke-ModelFit -Data $small -Epochs 2 -BatchSize 6 -Seed 4
        $c = New-ImageModel | Invoke-ModelFit -Data $full -Epochs 2 -BatchSize 6 -Seed 4
        $b[1].Loss | Should -Be $a[1].Loss
        $c[0].Loss | Should -Not -Be $a[0].Loss
        # tf.data's buffer over rows 0..9 with 3 slots, drawn as the CSV stream's buffer draws rows
        $order = [KerasPS.Engine.Data.Streaming.RowBatches]::BufferedOrder(10, 3, 5)
        @($order | Sort-Object) | Should -Be (0..9)
        $order[0] | Should -BeLessThan 3 -Because 'the first row comes out of the first three'
        [KerasPS.Engine.Data.Streaming.RowBatches]::BufferedOrder(10, 1, 5) | Should -Be (0..9)
        Get-ErrorId { Import-ImageData $many -ImageSize 5, 6 -Seed 9 -ShuffleBuffer 4 } | Should -Be 'ShuffleBufferNeedsStream'
    }

    It 'streams images without a target with -LabelMode none, for prediction' {
        $d = Import-ImageData (Join-Path $many 'red') -ImageSize 5, 6 -LabelMode none -NoShuffle -Stream
        $d.TargetKind | Should -Be 'None'
        $d.Count | Should -Be 14
        $mean = New-Model -InputShape 5, 6, 3 -Seed 1 | Add-GlobalAveragePooling2DLayer
        $p = @($mean | Invoke-ModelPredict -Data $d)
        $p.Count | Should -Be 14
        $p[0].path | Should -Be $d.Stream.Paths[0]
        # red/f0.png is the first file made: every pixel (6, 7, 8)
        $p[0].Value1 | Should -Be 6
        $p[0].Value3 | Should -Be 8
    }

    It 'reports a damaged file at import by name, non-terminating, and streams the others' {
        $dir = Join-Path $TestDrive 'damaged-stream'
        New-TestPng (Join-Path $dir 'ok/a.png') 10
        New-TestPng (Join-Path $dir 'ok/b.png') 20
        $bad = Join-Path $dir 'ok/broken.png'
        [IO.File]::WriteAllBytes($bad, [byte[]](0x89, 0x50, 0x4E, 0x47, 1, 2, 3))
        $d = Import-ImageData $dir -ImageSize 3, 4 -NoShuffle -Stream -ErrorAction SilentlyContinue -ErrorVariable errs
        $d.Count | Should -Be 2
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ImageDecodeFailed,*'
        $errs[0].TargetObject | Should -Be $bad
        $d.Stream.Paths | ForEach-Object { Split-Path -Leaf $_ } | Should -Be @('a.png', 'b.png')
    }

    It 'stops the fit with ImageDecodeFailed naming a file damaged after the import' {
        $dir = Join-Path $TestDrive 'later'
        foreach ($i in 1..4) { New-TestPng (Join-Path $dir "k$($i % 2)/f$i.png") ($i * 20) -Width 6 -Height 5 }
        $d = Import-ImageData $dir -ImageSize 5, 6 -Seed 1 -Stream
        [IO.File]::WriteAllBytes((Join-Path $dir 'k1/f3.png'), [byte[]](1, 2, 3))
        $m = New-Model -InputShape 5, 6, 3 -Seed 3 | Add-FlattenLayer | Add-DenseLayer 2 -Activation softmax |
            Build-Model -Optimizer sgd -Loss sparse_categorical_crossentropy
        $e = try { $m | Invoke-ModelFit -Data $d -Epochs 1 -BatchSize 2 -Seed 1 } catch { $_ }
        ($e.FullyQualifiedErrorId -split ',')[0] | Should -Be 'ImageDecodeFailed'
        $e.Exception.Message | Should -BeLike '*f3.png*import the folder again*'
    }
}

Describe 'Import-ImageData -Stream memory' -Tag Slow {
    It 'trains on a folder whose decoded pixels exceed the bound with a peak RSS under it, in a child process (VmHWM)' -Skip:(-not $IsLinux) {
        # 5,600 files decoded to 128 x 128 x 3 float32: 1,050 MiB of pixels, twice the 500 MiB bound that the streamed fit
        # must stay under (the runtime alone is about 270 MiB here; the fit adds a few 12 MiB batches, read ahead, and
        # their tensors). Measured 2026-12-07: 372 and 412 MiB for 3,200 files. Small 16 x 16 sources copied many times
        # keep the folder quick to make; they are resized up on decode.
        $dir = Join-Path $TestDrive 'big-images'
        foreach ($c in 'a', 'b') {
            New-TestPng (Join-Path $dir "$c/seed.png") ($c -eq 'a' ? 40 : 200) -Width 16 -Height 16
            foreach ($i in 1..2799) { Copy-Item (Join-Path $dir "$c/seed.png") (Join-Path $dir "$c/f$i.png") }
        }
        $module = if ($env:KERASPS_TEST_MODULE) { $env:KERASPS_TEST_MODULE } else { Join-Path $RepoRoot 'KerasPS.psd1' }
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$module'
`$data = Import-ImageData '$dir' -ImageSize 128, 128 -Seed 1 -Stream
`$m = New-Model -InputShape 128, 128, 3 -Seed 1 | Add-RescalingLayer -Scale (1 / 255) | Add-GlobalAveragePooling2DLayer |
    Add-DenseLayer 2 -Activation softmax | Build-Model -Optimizer sgd -Loss sparse_categorical_crossentropy
`$h = `$m | Invoke-ModelFit -Data `$data -Epochs 1 -BatchSize 64 -Seed 1
'ROWS=' + `$data.Count
'LOSS=' + `$h[-1].Loss
'HWM=' + ((Get-Content /proc/self/status | Where-Object { `$_ -like 'VmHWM:*' }) -replace '\D', '')
"@
        $r = Invoke-FreshPwsh -Script $script
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output -match 'ROWS=(\d+)' | Should -BeTrue -Because $r.Output
        [int]$Matches[1] | Should -Be 5600
        (5600 * 128 * 128 * 3 * 4) / 1MB | Should -BeGreaterThan 1000
        $r.Output | Should -Match 'LOSS=\d'
        $r.Output -match 'HWM=(\d+)' | Should -BeTrue
        $peakMiB = [double]$Matches[1] / 1024
        Write-Host "Import-ImageData -Stream: peak RSS $([math]::Round($peakMiB, 1)) MiB for 1,050 MiB of decoded pixels"
        $peakMiB | Should -BeLessThan 500 -Because "the peak RSS of the streamed fit was $([math]::Round($peakMiB, 1)) MiB"
    }
}
