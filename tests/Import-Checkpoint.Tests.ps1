BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/ZipDamage.ps1
    Add-Type -AssemblyName System.IO.Compression

    # The entries of a checkpoint, in order, as name -> bytes.
    function Get-KptEntries {
        param([string] $Path)
        $zip = [IO.Compression.ZipFile]::OpenRead($Path)
        try {
            $entries = [ordered]@{}
            foreach ($e in $zip.Entries) {
                $ms = [IO.MemoryStream]::new(); $s = $e.Open(); $s.CopyTo($ms); $s.Dispose()
                $entries[$e.FullName] = $ms.ToArray()
            }
            $entries
        }
        finally { $zip.Dispose() }
    }

    # Writes entries (names taken as given, even hostile ones) into a new zip.
    function Write-Kpt {
        param([string] $Path, [System.Collections.IDictionary] $Entries)
        $fs = [IO.File]::Create($Path)
        $zip = [IO.Compression.ZipArchive]::new($fs, [IO.Compression.ZipArchiveMode]::Create)
        try {
            foreach ($name in $Entries.Keys) {
                $s = $zip.CreateEntry($name).Open()
                $bytes = [byte[]]$Entries[$name]
                $s.Write($bytes, 0, $bytes.Length); $s.Dispose()
            }
        }
        finally { $zip.Dispose(); $fs.Dispose() }
    }

    # A copy of the good checkpoint with one change made by $Change (which edits the entries in place).
    function New-BadKpt {
        param([string] $Name, [scriptblock] $Change)
        $entries = Get-KptEntries $script:Good
        & $Change $entries
        $p = Join-Path $TestDrive $Name
        Write-Kpt -Path $p -Entries $entries
        $p
    }

    function Split-SafeTensors {
        param([byte[]] $Bytes)
        $n = [int][BitConverter]::ToUInt64($Bytes, 0)
        @{ Header = [Text.Encoding]::UTF8.GetString($Bytes, 8, $n); Data = [byte[]]$Bytes[(8 + $n)..($Bytes.Length - 1)] }
    }

    function Join-SafeTensors {
        param([string] $Header, [byte[]] $Data)
        $h = [Text.Encoding]::UTF8.GetBytes($Header)
        [byte[]]([BitConverter]::GetBytes([uint64]$h.Length) + $h + $Data)
    }

    function Edit-Config {
        param($Entries, [scriptblock] $Edit)
        $c = [Text.Encoding]::UTF8.GetString($Entries['config.json']) | ConvertFrom-Json -AsHashtable
        & $Edit $c
        $Entries['config.json'] = [Text.Encoding]::UTF8.GetBytes(($c | ConvertTo-Json -Depth 30))
    }

    function Get-Weights {
        param($Model)
        $h = [ordered]@{}
        foreach ($w in $Model.Engine.Weights) { $h[$w.Path] = $w.ToArray() }
        $h
    }

    function Get-MaxDifference {
        param($A, $B)
        $max = 0.0
        foreach ($k in $A.Keys) {
            $x = $A[$k]; $y = $B[$k]
            for ($i = 0; $i -lt $x.Length; $i++) { $d = [math]::Abs($x[$i] - $y[$i]); if ($d -gt $max) { $max = $d } }
        }
        $max
    }

    function New-TestModel {
        param($Optimizer = 'adam')
        New-Model -Name otto -InputShape 93 -Seed 21 |
            Add-DenseLayer -Units 16 -Activation relu |
            Add-DropoutLayer -Rate 0.2 |
            Add-DenseLayer -Units 9 -Activation softmax |
            Build-Model -Optimizer $Optimizer -Loss categorical_crossentropy -Metrics accuracy
    }

    $script:Data = Get-SampleData -Name Otto -Rows 200 -Seed 3
    $script:Model = New-TestModel
    $script:Model | Invoke-ModelFit -Data $script:Data -Epochs 2 -BatchSize 50 -Seed 5 | Out-Null
    $script:Good = Join-Path $TestDrive 'good.kpt'
    $script:Model | Export-Checkpoint -Path $script:Good -IncludeOptimizer
}

Describe 'Import-Checkpoint' {
    Context 'round trip' {
        BeforeAll { $script:Back = Import-Checkpoint -Path $script:Good }

        It 'gives a model whose predictions are identical to the saved one' {
            $before = $script:Model | Invoke-ModelPredict -Data $script:Data -AsMatrix
            $after = $script:Back | Invoke-ModelPredict -Data $script:Data -AsMatrix
            $after.GetLength(0) | Should -Be 200
            [Linq.Enumerable]::SequenceEqual([float[]]@($before), [float[]]@($after)) | Should -BeTrue
        }

        It 'restores layers, compile settings and training state' {
            $b = $script:Back
            $b | Should -BeOfType [KerasPS.Model]
            $b.Name | Should -Be 'otto'
            $b.Layers | Should -Be @('dense', 'dropout', 'dense_1')
            $b.IsCompiled | Should -BeTrue
            $b.Optimizer | Should -Be 'adam'
            $b.Loss | Should -Be 'categorical_crossentropy'
            $b.Metrics | Should -Be @('accuracy')
            $b.EpochsTrained | Should -Be 2
            $b.Engine.FitSeed | Should -Be 5
            $b.Engine.Seed | Should -Be 21
            $b.Classes | Should -Be $script:Model.Classes
            $b.Engine.FeatureNames | Should -Be $script:Model.Engine.FeatureNames
            $b.Engine.History.Count | Should -Be 2
            $b.Engine.History[1].Loss | Should -Be $script:Model.Engine.History[1].Loss
            $b.Engine.Optimizer.Iterations | Should -Be 8
        }

        It 'keeps a layer''s Trainable setting' {
            $m = New-TestModel
            $m.Engine.Layers[0].Trainable = $false
            $p = Join-Path $TestDrive 'frozen.kpt'
            $m | Export-Checkpoint -Path $p
            (Import-Checkpoint -Path $p).Engine.Layers[0].Trainable | Should -BeFalse
        }

        It 'takes FileInfo objects and wildcard paths from the pipeline' {
            Copy-Item $script:Good (Join-Path $TestDrive 'copy1.kpt')
            Copy-Item $script:Good (Join-Path $TestDrive 'copy2.kpt')
            @(Get-ChildItem (Join-Path $TestDrive 'copy*.kpt') | Import-Checkpoint).Count | Should -Be 2
            @(Import-Checkpoint -Path (Join-Path $TestDrive 'copy?.kpt')).Count | Should -Be 2
        }

        It 'says CheckpointNotFound for a missing file and PathIsFolder for a folder' {
            Get-ErrorId { Import-Checkpoint -Path (Join-Path $TestDrive 'missing.kpt') } | Should -Be 'CheckpointNotFound'
            Get-ErrorId { Import-Checkpoint -LiteralPath (Join-Path $TestDrive 'missing.kpt') } | Should -Be 'CheckpointNotFound'
            Get-ErrorId { Import-Checkpoint -LiteralPath $TestDrive } | Should -Be 'PathIsFolder'
        }
    }

    Context 'resume' {
        It 'continues a <Name> fit from a checkpoint to the same weights as an unbroken fit' -TestCases @(
            @{ Name = 'SGD with momentum'; Optimizer = { New-Optimizer sgd -LearningRate 0.05 -Momentum 0.9 } }
            @{ Name = 'Adam'; Optimizer = { New-Optimizer adam -LearningRate 0.01 } }
            @{ Name = 'Nadam (momentum schedule state)'; Optimizer = { New-Optimizer nadam -LearningRate 0.01 } }
            @{ Name = 'Adam with a frozen first layer'; Optimizer = { New-Optimizer adam -LearningRate 0.01 }; Freeze = $true }
        ) {
            param($Name, $Optimizer, $Freeze)
            $unbroken = New-TestModel -Optimizer (& $Optimizer)
            if ($Freeze) { $unbroken.Engine.Layers[0].Trainable = $false }
            $unbroken | Invoke-ModelFit -Data $script:Data -Epochs 8 -BatchSize 50 -Seed 7 | Out-Null

            $first = New-TestModel -Optimizer (& $Optimizer)
            if ($Freeze) { $first.Engine.Layers[0].Trainable = $false }
            $first | Invoke-ModelFit -Data $script:Data -Epochs 4 -BatchSize 50 -Seed 7 | Out-Null
            $p = Join-Path $TestDrive "resume-$($Name -replace '\W').kpt"
            $first | Export-Checkpoint -Path $p -IncludeOptimizer
            $resumed = Import-Checkpoint -Path $p
            $records = $resumed | Invoke-ModelFit -Data $script:Data -Epochs 4 -BatchSize 50

            $records.Epoch | Should -Be @(5, 6, 7, 8)
            $resumed.EpochsTrained | Should -Be 8
            Get-MaxDifference (Get-Weights $unbroken) (Get-Weights $resumed) | Should -BeLessOrEqual 1e-6
            $resumed.Engine.History.Loss | Should -Be $unbroken.Engine.History.Loss
        }

        It 'resumes in place into a freshly built model (Checkpoint.RestoreInto, the engine call behind -Resume)' {
            $unbroken = New-TestModel -Optimizer (New-Optimizer adam -LearningRate 0.01)
            $unbroken | Invoke-ModelFit -Data $script:Data -Epochs 8 -BatchSize 50 -Seed 7 | Out-Null
            $first = New-TestModel -Optimizer (New-Optimizer adam -LearningRate 0.01)
            $first | Invoke-ModelFit -Data $script:Data -Epochs 4 -BatchSize 50 -Seed 7 | Out-Null
            $p = Join-Path $TestDrive 'in-place.kpt'
            $first | Export-Checkpoint -Path $p -IncludeOptimizer

            $restarted = New-TestModel -Optimizer (New-Optimizer adam -LearningRate 0.01)
            [KerasPS.Engine.Checkpoints.Checkpoint]::RestoreInto($restarted.Engine, $p)
            $restarted.EpochsTrained | Should -Be 4
            $restarted | Invoke-ModelFit -Data $script:Data -Epochs 4 -BatchSize 50 | Out-Null
            Get-MaxDifference (Get-Weights $unbroken) (Get-Weights $restarted) | Should -BeLessOrEqual 1e-6
        }

        It 'refuses to resume into a model compiled with another optimizer (OptimizerMismatch) and leaves it unchanged' {
            $m = New-TestModel -Optimizer sgd
            $before = Get-Weights $m
            $err = $null
            try { [KerasPS.Engine.Checkpoints.Checkpoint]::RestoreInto($m.Engine, $script:Good) } catch { $err = $_.Exception.InnerException }
            $err.ErrorId | Should -Be 'OptimizerMismatch'
            $err.Message | Should -BeLike "*optimizer 'adam'*compiled with 'sgd'*"
            $m.EpochsTrained | Should -Be 0
            Get-MaxDifference $before (Get-Weights $m) | Should -Be 0
        }

        It 'does not match the unbroken fit when the optimizer state was left out (the test can tell)' {
            $unbroken = New-TestModel -Optimizer (New-Optimizer adam -LearningRate 0.01)
            $unbroken | Invoke-ModelFit -Data $script:Data -Epochs 8 -BatchSize 50 -Seed 7 | Out-Null
            $first = New-TestModel -Optimizer (New-Optimizer adam -LearningRate 0.01)
            $first | Invoke-ModelFit -Data $script:Data -Epochs 4 -BatchSize 50 -Seed 7 | Out-Null
            $p = Join-Path $TestDrive 'no-optimizer.kpt'
            $first | Export-Checkpoint -Path $p
            $resumed = Import-Checkpoint -Path $p
            $resumed | Invoke-ModelFit -Data $script:Data -Epochs 8 -BatchSize 50 | Out-Null
            Get-MaxDifference (Get-Weights $unbroken) (Get-Weights $resumed) | Should -BeGreaterThan 1e-4
        }
    }

    Context 'one bad file among several' {
        It 'skips a corrupt and a missing checkpoint with non-terminating errors and loads the rest' {
            $bad = Join-Path $TestDrive 'corrupt-among.kpt'; Set-Content $bad 'not a checkpoint'
            $missing = Join-Path $TestDrive 'missing-among.kpt'
            $Error.Clear()
            $models = @(Import-Checkpoint -Path $script:Good, $bad, $missing, $script:Good -ErrorAction SilentlyContinue)
            $ok = $?
            $ok | Should -BeFalse
            $models.Count | Should -Be 2
            $Error.Count | Should -Be 2
            $Error[1].FullyQualifiedErrorId | Should -BeLike 'InvalidCheckpoint,*'
            $Error[1].TargetObject | Should -Be $bad
            $Error[0].FullyQualifiedErrorId | Should -BeLike 'CheckpointNotFound,*'
            $Error[0].TargetObject | Should -Be $missing
        }

        It 'refuses a path on another provider with NotAFileSystemPath' {
            Get-ErrorId { Import-Checkpoint -LiteralPath Env:/HOME } | Should -Be 'NotAFileSystemPath'
        }
    }

    Context 'bad files' {
        It 'refuses <Case> with InvalidCheckpoint naming the problem' -TestCases @(
            @{ Case = 'a file that is not a zip'; Message = '*zip signature*'; Make = {
                    $p = Join-Path $TestDrive 'text.kpt'; Set-Content $p 'just some text'; $p } }
            @{ Case = 'an empty file'; Message = '*empty*'; Make = {
                    $p = Join-Path $TestDrive 'empty.kpt'; [IO.File]::WriteAllBytes($p, [byte[]]::new(0)); $p } }
            @{ Case = 'a truncated file'; Message = '*truncated or damaged*'; Make = {
                    $b = [IO.File]::ReadAllBytes($script:Good); $p = Join-Path $TestDrive 'cut.kpt'
                    [IO.File]::WriteAllBytes($p, [byte[]]$b[0..([int]($b.Length * 0.6))]); $p } }
            @{ Case = 'a zip entry that climbs out of the archive'; Message = "*outside the archive: '../evil.txt'*"; Make = {
                    New-BadKpt 'dotdot.kpt' { param($e) $e['../evil.txt'] = [byte[]](1, 2, 3) } } }
            @{ Case = 'a zip entry with an absolute path'; Message = "*outside the archive: '/tmp/evil.txt'*"; Make = {
                    New-BadKpt 'absolute.kpt' { param($e) $e['/tmp/evil.txt'] = [byte[]](1, 2, 3) } } }
            @{ Case = 'a zip without config.json'; Message = '*no config.json*'; Make = {
                    New-BadKpt 'noconfig.kpt' { param($e) $e.Remove('config.json') } } }
            @{ Case = 'an unknown format version'; Message = '*format version 99*reads version 1*Update KerasPS*'; Make = {
                    New-BadKpt 'v99.kpt' { param($e) Edit-Config $e { param($c) $c.format_version = 99 } } } }
            @{ Case = 'a safetensors header longer than the file'; Message = '*declares a header of 1099511627776 bytes*'; Make = {
                    New-BadKpt 'longheader.kpt' { param($e)
                        $b = $e['model.safetensors']; [BitConverter]::GetBytes([uint64]1TB).CopyTo($b, 0) } } }
            @{ Case = 'the largest possible header length'; Message = '*declares a header of 18446744073709551615 bytes*'; Make = {
                    New-BadKpt 'maxheader.kpt' { param($e)
                        $b = $e['model.safetensors']; [BitConverter]::GetBytes([uint64]::MaxValue).CopyTo($b, 0) } } }
            @{ Case = 'data offsets that disagree with the shape'; Message = "*tensor 'dense/bias' has shape ``[16``]*but its data_offsets span*"; Make = {
                    New-BadKpt 'offsets.kpt' { param($e)
                        $s = Split-SafeTensors $e['model.safetensors']
                        $s.Header = $s.Header -replace '("dense/bias":\{[^}]*"data_offsets":\[)(\d+),(\d+)', { "$($_.Groups[1].Value)$($_.Groups[2].Value),$([int]$_.Groups[3].Value - 4)" }
                        $e['model.safetensors'] = Join-SafeTensors $s.Header $s.Data } } }
            @{ Case = 'tensors that do not cover the file'; Message = '*cover * bytes but the file holds * bytes*'; Make = {
                    New-BadKpt 'padded.kpt' { param($e) $e['model.safetensors'] = [byte[]]($e['model.safetensors'] + [byte[]]::new(8)) } } }
            @{ Case = 'a truncated model.safetensors'; Message = '*cover * bytes but the file holds * bytes*'; Make = {
                    New-BadKpt 'shortweights.kpt' { param($e) $b = $e['model.safetensors']; $e['model.safetensors'] = [byte[]]$b[0..($b.Length - 11)] } } }
            @{ Case = 'a float64 tensor'; Message = "*dtype F64*F32*"; Make = {
                    New-BadKpt 'f64.kpt' { param($e)
                        $s = Split-SafeTensors $e['model.safetensors']
                        $e['model.safetensors'] = Join-SafeTensors ($s.Header -replace '"F32"', '"F64"') $s.Data } } }
            @{ Case = 'weights whose shapes differ from the config'; Message = "*weight 'dense/kernel' would be (93, 17), but the weights file holds it as (93, 16)*"; Make = {
                    New-BadKpt 'shapes.kpt' { param($e) Edit-Config $e { param($c) $c.model.config.layers[0].config.units = 17 } } } }
            @{ Case = 'weights changed after writing'; Message = '*SHA-256*'; Make = {
                    New-BadKpt 'tampered.kpt' { param($e) $b = $e['model.safetensors']; $b[$b.Length - 1] = $b[$b.Length - 1] -bxor 0xFF } } }
            @{ Case = 'an unknown layer class'; Message = "*layer 1 (Mystery)*Unknown layer class*"; Make = {
                    New-BadKpt 'mystery.kpt' { param($e) Edit-Config $e { param($c) $c.model.config.layers[0].class_name = 'Mystery' } } } }
        ) {
            param($Case, $Message, $Make)
            $p = & $Make
            $err = $null
            try { Import-Checkpoint -Path $p | Out-Null } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCheckpoint'
            $err.CategoryInfo.Category | Should -Be 'InvalidData'
            $err.Exception.Message | Should -BeLike $Message
        }

        It 'refuses a small checkpoint whose config describes a huge model, before allocating it' {
            # The SHA-256 covers only the weights, so the config can be edited freely: units = 1,000,000 would be a
            # 93 x 1,000,000 kernel (372 MB of float32, twice over) built from the file before any comparison (the file is ~20 KB, optimizer state included).
            $p = New-BadKpt 'huge.kpt' { param($e) Edit-Config $e { param($c) $c.model.config.layers[0].config.units = 1000000 } }
            (Get-Item $p).Length | Should -BeLessThan 32KB
            $allocated = [GC]::GetTotalAllocatedBytes($true)
            $err = $null
            try { Import-Checkpoint -Path $p | Out-Null } catch { $err = $_ }
            ([GC]::GetTotalAllocatedBytes($true) - $allocated) / 1MB | Should -BeLessThan 32
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCheckpoint'
            $err.Exception.Message | Should -BeLike "*weight 'dense/kernel' would be (93, 1000000), but the weights file holds it as (93, 16)*Nothing was allocated*"
        }

        It 'refuses <Case> before building any layer' -TestCases @(
            @{ Case = 'an input shape beyond 32 bits'; Message = "*the model's input_shape is ``[1000000000000``]; it must be a list of positive integers*"; Edit = {
                    param($c) $c.model.config.input_shape = @(1000000000000) } }
            @{ Case = 'a weights list that disagrees with model.safetensors'; Message = "*'dense/bias' is (17) in the config but (16) in model.safetensors*"; Edit = {
                    param($c) ($c.weights | Where-Object name -eq 'dense/bias').shape = @(17) } }
            @{ Case = 'two layers with one name'; Message = "*two layers are named 'dense'*"; Edit = {
                    param($c) $c.model.config.layers[2].config.name = 'dense' } }
            @{ Case = 'a lambda whose shape probe would need a huge zero input'; Message = "*layer 'lambda' would run on a zero input (2, 300000000)*"; Edit = {
                    param($c) $c.model.config.layers = @(@{ class_name = 'Lambda'; config = @{ name = 'lambda'; expression = 'x * 2' } }) + $c.model.config.layers
                    $c.model.config.input_shape = @(300000000) } }
        ) {
            param($Case, $Message, $Edit)
            $p = New-BadKpt "prebuild-$($Case.Length).kpt" { param($e) Edit-Config $e $Edit }
            $allocated = [GC]::GetTotalAllocatedBytes($true)
            $err = $null
            try { Import-Checkpoint -Path $p | Out-Null } catch { $err = $_ }
            ([GC]::GetTotalAllocatedBytes($true) - $allocated) / 1MB | Should -BeLessThan 32
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCheckpoint'
            $err.Exception.Message | Should -BeLike $Message
        }

        It 'names the field when a config integer does not fit (units = 1e12)' {
            $p = New-BadKpt 'overflow.kpt' { param($e) Edit-Config $e { param($c) $c.model.config.layers[0].config.units = 1000000000000 } }
            $err = $null
            try { Import-Checkpoint -Path $p | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCheckpoint'
            $err.Exception.Message | Should -BeLike "*'units' is 1000000000000, which is not a 32-bit integer*"
        }

        It 'refuses a fractional integer setting instead of rounding it (units = 16.5)' {
            $p = New-BadKpt 'fraction.kpt' { param($e) Edit-Config $e { param($c) $c.model.config.layers[0].config.units = 16.5 } }
            $err = $null
            try { Import-Checkpoint -Path $p | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCheckpoint'
            $err.Exception.Message | Should -BeLike "*'units' is 16.5, which is not a 32-bit integer*"
        }

        It 'refuses a layer marked as carrying code (UnsafeCheckpoint) unless -AllowUnsafeDeserialization' {
            $p = New-BadKpt 'unsafe.kpt' { param($e) Edit-Config $e { param($c) $c.model.config.layers[2]['unsafe_to_deserialize'] = $true } }
            $err = $null
            try { Import-Checkpoint -Path $p | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'UnsafeCheckpoint'
            $err.CategoryInfo.Category | Should -Be 'SecurityError'
            $err.Exception.Message | Should -BeLike '*dense_1*-AllowUnsafeDeserialization*'
            (Import-Checkpoint -Path $p -AllowUnsafeDeserialization).Layers | Should -Be @('dense', 'dropout', 'dense_1')
        }
    }

    Context 'zip CRC-32' {
        # Entries rewritten stored, so one changed data byte leaves the zip readable: only the CRC-32 in the zip directory
        # can tell. Python's zipfile refuses such files with "Bad CRC-32"; so must Import-Checkpoint.
        BeforeAll {
            $script:Stored = Join-Path $TestDrive 'stored.kpt'
            Copy-ZipStored -From $script:Good -To $script:Stored
        }

        It 'loads an undamaged checkpoint whose entries are stored' {
            $back = Import-Checkpoint -Path $script:Stored
            $back.Name | Should -Be 'otto'
            Get-MaxDifference (Get-Weights $script:Model) (Get-Weights $back) | Should -Be 0
        }

        It 'refuses one changed byte in config.json (the model name) with InvalidCheckpoint naming the entry' {
            $p = Join-Path $TestDrive 'crc-config.kpt'
            Copy-Item $script:Stored $p
            Edit-ZipEntryData -Path $p -Name 'config.json' -Edit {
                param($b, $start, $length)
                $at = Find-Ascii $b $start $length '"otto"'
                $at | Should -BeGreaterThan 0
                $b[$at + 3] = [byte][char]'p'   # "otto" -> "otpo": valid JSON, a silently renamed model without the CRC
            }
            $err = $null
            try { Import-Checkpoint -Path $p | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCheckpoint'
            $err.Exception.Message | Should -BeLike "*crc-config.kpt*config.json is damaged: its CRC-32 is * but the zip directory records *"
        }

        It 'refuses one changed weight byte in model.safetensors before any weight of the target changes' {
            $p = Join-Path $TestDrive 'crc-weights.kpt'
            $w = Join-Path $TestDrive 'crc-weights-src.kpt'
            $script:Model | Export-Checkpoint -Path $w -WeightsOnly
            Copy-ZipStored -From $w -To $p
            Edit-ZipEntryData -Path $p -Name 'model.safetensors' -Edit {
                param($b, $start, $length)
                $b[$start + $length - 2] = $b[$start + $length - 2] -bxor 0x40   # a byte of the last float (tensor data, not header)
            }
            $target = New-TestModel
            $before = Get-Weights $target
            $err = $null
            try { Import-Checkpoint -Path $p -WeightsInto $target | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCheckpoint'
            $err.Exception.Message | Should -BeLike "*crc-weights.kpt*model.safetensors is damaged: its CRC-32 is*"
            Get-MaxDifference $before (Get-Weights $target) | Should -Be 0
        }
    }

    Context 'weights only' {
        BeforeAll {
            $script:WeightsPath = Join-Path $TestDrive 'w.kpt'
            $script:Model | Export-Checkpoint -Path $script:WeightsPath -WeightsOnly
        }

        It 'loads weights into a model with the same layers, name by name, and writes that model' {
            $target = New-TestModel
            $out = Import-Checkpoint -Path $script:WeightsPath -WeightsInto $target
            $out.Engine | Should -Be $target.Engine
            Get-MaxDifference (Get-Weights $script:Model) (Get-Weights $target) | Should -Be 0
        }

        It 'loads the weights of a full checkpoint too' {
            $target = New-TestModel
            Import-Checkpoint -Path $script:Good -WeightsInto $target | Out-Null
            Get-MaxDifference (Get-Weights $script:Model) (Get-Weights $target) | Should -Be 0
        }

        It 'builds an unbuilt target from the saved input shape' {
            $target = New-Model | Add-DenseLayer -Units 16 -Activation relu | Add-DropoutLayer -Rate 0.2 | Add-DenseLayer -Units 9 -Activation softmax
            Import-Checkpoint -Path $script:WeightsPath -WeightsInto $target | Out-Null
            $target.IsBuilt | Should -BeTrue
            Get-MaxDifference (Get-Weights $script:Model) (Get-Weights $target) | Should -Be 0
        }

        It 'refuses a saved input_shape of <Case> with InvalidCheckpoint when it would build an unbuilt target, and leaves the target unbuilt' -TestCases @(
            @{ Case = 'a number beyond 32 bits'; Shape = @([long]1e15) }
            @{ Case = 'text'; Shape = @('93') }
            @{ Case = 'zero'; Shape = @(0) }
            @{ Case = 'a fraction'; Shape = @(9.5) }
        ) {
            param($Case, $Shape)
            $entries = Get-KptEntries $script:WeightsPath
            Edit-Config $entries { param($c) $c.input_shape = $Shape; if ($c.model) { $c.model.config.input_shape = $Shape } }
            $p = Join-Path $TestDrive "shape-$($Case -replace '\W', '').kpt"
            Write-Kpt -Path $p -Entries $entries
            $target = New-Model | Add-DenseLayer -Units 16 -Activation relu | Add-DropoutLayer -Rate 0.2 | Add-DenseLayer -Units 9 -Activation softmax
            $err = $null
            try { Import-Checkpoint -Path $p -WeightsInto $target | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCheckpoint'
            $err.Exception.Message | Should -BeLike '*damaged input_shape*not a list of positive integers*'
            $target.IsBuilt | Should -BeFalse
        }

        It 'lists every mismatched name and shape in one WeightsMismatch error and leaves the model unchanged' {
            $target = New-Model -InputShape 93 -Seed 1 | Add-DenseLayer -Units 17 | Add-DenseLayer -Units 9 -Name head
            $before = Get-Weights $target
            $err = $null
            try { Import-Checkpoint -Path $script:WeightsPath -WeightsInto $target | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'WeightsMismatch'
            $m = $err.Exception.Message
            $m | Should -BeLike "*'dense/kernel' is (93, 16) in the file but (93, 17) in the model*"
            $m | Should -BeLike "*'head/kernel' (17, 9) is missing from the file*"
            $m | Should -BeLike "*'dense_1/bias' (9) in the file has no weight of that name in the model*"
            Get-MaxDifference $before (Get-Weights $target) | Should -Be 0
        }

        It 'says WeightsOnlyCheckpoint when a weights-only file is imported as a model' {
            Get-ErrorId { Import-Checkpoint -Path $script:WeightsPath } | Should -Be 'WeightsOnlyCheckpoint'
        }
    }

    Context 'files written by earlier releases' {
        BeforeAll {
            # tests/data/main-2aa0001-*.kpt: written by main at 2aa0001 (before layers owned their configs), with the
            # predictions that model made; see tests/data/README.md.
            $script:Recorded = Get-Content (Join-Path $PSScriptRoot 'data/main-2aa0001-predictions.json') -Raw | ConvertFrom-Json -AsHashtable
        }

        It 'imports <Name> (<Layers>) and predicts what the model that wrote it predicted' -ForEach @(
            @{ Name = 'dense'; Layers = 'Dense, BatchNormalization, LayerNormalization, the activation layers, noise and dropout, reshaping, SimpleRNN, LSTM, GRU, Conv1D and 1-D pooling' }
            @{ Name = 'conv'; Layers = 'Reshape, Normalization, Conv2D, 2-D pooling, Lambda, Softmax' }
            @{ Name = 'embedding'; Layers = 'Embedding, GRU with reset_after, Dense' }
        ) {
            $m = Import-Checkpoint -Path (Join-Path $PSScriptRoot "data/main-2aa0001-$Name.kpt")
            $recorded = $script:Recorded[$Name]
            $x = @($recorded.x | ForEach-Object { , [double[]]$_ })
            $matrix = $m | Invoke-ModelPredict -X $x -AsMatrix
            $predicted = @(foreach ($v in $matrix) { $v })   # row-major, as recorded
            $predicted.Count | Should -Be $recorded.predictions.Count
            $max = 0.0
            for ($i = 0; $i -lt $predicted.Count; $i++) {
                $max = [Math]::Max($max, [Math]::Abs([double]$predicted[$i] - [double]$recorded.predictions[$i]))
            }
            $max | Should -BeLessOrEqual 1e-6
        }

        It 'restores the optimizer state of an old file through the optimizer (Nadam: slots, steps and momentum product)' {
            $m = Import-Checkpoint -Path (Join-Path $PSScriptRoot 'data/main-2aa0001-dense.kpt')
            $state = $m.Engine.Optimizer.GetState()
            $state.Iterations | Should -Be 4
            $state.Variables['momentum_product'] | Should -BeGreaterThan 0
            $state.Variables['momentum_product'] | Should -BeLessThan 1
            $state.Slots.Count | Should -Be (2 * @($m.Engine.TrainableWeights).Count)
            @($state.Slots | Where-Object { $_.Value.abs().sum().item[float]() -gt 0 }).Count | Should -BeGreaterThan 0
        }

        It 'writes them back in the current form: each layer as Keras 3 serializes it' {
            $m = Import-Checkpoint -Path (Join-Path $PSScriptRoot 'data/main-2aa0001-embedding.kpt')
            $p = Join-Path $TestDrive 'resaved.kpt'
            $m | Export-Checkpoint -Path $p -IncludeOptimizer
            $c = [Text.Encoding]::UTF8.GetString((Read-ZipEntry $p 'config.json')) | ConvertFrom-Json -AsHashtable
            $first = $c.model.config.layers[0]
            $first.module | Should -Be 'keras.layers'
            $first.class_name | Should -Be 'Embedding'
            $first.Contains('registered_name') | Should -BeTrue
            $c.optimizer_state.name | Should -Be 'rmsprop'
            $again = Import-Checkpoint -Path $p
            $x = @($script:Recorded.embedding.x | ForEach-Object { , [double[]]$_ })
            $before = $m | Invoke-ModelPredict -X $x -AsMatrix
            $after = $again | Invoke-ModelPredict -X $x -AsMatrix
            @(foreach ($v in $after) { $v }) | Should -Be @(foreach ($v in $before) { $v })
        }
    }
}
