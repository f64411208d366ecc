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
