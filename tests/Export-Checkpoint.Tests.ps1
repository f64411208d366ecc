BeforeAll {
    . $PSScriptRoot/common.ps1

    $script:Data = Get-SampleData -Name Otto -Rows 200 -Seed 3
    $script:Model = New-Model -Name otto -InputShape 93 -Seed 11 |
        Add-DenseLayer -Units 12 -Activation relu |
        Add-DropoutLayer -Rate 0.1 |
        Add-DenseLayer -Units 9 -Activation softmax |
        Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
    $script:Model | Invoke-ModelFit -Data $script:Data -Epochs 2 -BatchSize 50 -Seed 5 | Out-Null
}

Describe 'Export-Checkpoint' {
    Context 'the format of a name without a checkpoint extension' {
        It 'refuses model.pt with UnknownCheckpointFormat, listing the formats, and writes nothing' {
            $pt = Join-Path $TestDrive 'model.pt'
            $err = $null
            try { $script:Model | Export-Checkpoint -Path $pt } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'UnknownCheckpointFormat*'
            $err.Exception.Message | Should -BeLike '*.kpt*.keras*.h5*-Format*'
            Test-Path $pt | Should -BeFalse
        }
        It 'writes the format -Format names under any extension' {
            $pt = Join-Path $TestDrive 'model-kpt.pt'
            $script:Model | Export-Checkpoint -Path $pt -Format kpt
            (Import-Checkpoint -Path $pt).EpochsTrained | Should -Be 2
            $h5 = Join-Path $TestDrive 'model-h5.pt'
            $script:Model | Export-Checkpoint -Path $h5 -Format h5
            [IO.File]::ReadAllBytes($h5)[1..3] | Should -Be ([byte[]][char[]]'HDF')
        }
    }

    Context 'the file it writes' {
        BeforeAll {
            $script:Path = Join-Path $TestDrive 'otto.kpt'
            $script:Model | Export-Checkpoint -Path $script:Path -IncludeOptimizer
            $script:Config = [Text.Encoding]::UTF8.GetString((Read-ZipEntry $script:Path 'config.json')) | ConvertFrom-Json -AsHashtable
        }

        It 'is one zip holding config.json, model.safetensors and, with -IncludeOptimizer, optimizer.safetensors' {
            Get-ZipEntryNames $script:Path | Sort-Object | Should -Be @('config.json', 'model.safetensors', 'optimizer.safetensors')
        }

        It 'holds weights that an independent safetensors reader gets back exactly, named layer/weight' {
            $st = Read-SafeTensors (Read-ZipEntry $script:Path 'model.safetensors')
            $weights = @($script:Model.Engine.Weights)
            $st.Tensors.Keys | Sort-Object | Should -Be ($weights.Path | Sort-Object)
            foreach ($w in $weights) {
                $t = $st.Tensors[$w.Path]
                $t.DType | Should -Be 'F32'
                $t.Shape | Should -Be $w.Shape
                $expected = $w.ToArray()
                $t.Values.Length | Should -Be $expected.Length
                for ($i = 0; $i -lt $expected.Length; $i++) {
                    if ($t.Values[$i] -ne $expected[$i]) { throw "$($w.Path)[$i]: file $($t.Values[$i]) model $($expected[$i])" }
                }
            }
        }

        It 'lays the data out back to back, 8-byte aligned, with nothing left over' {
            $st = Read-SafeTensors (Read-ZipEntry $script:Path 'model.safetensors')
            (8 + $st.HeaderLength) % 8 | Should -Be 0
            ($st.Tensors.Values | Measure-Object -Property End -Maximum).Maximum | Should -Be $st.DataLength
            $st.Metadata.layout | Should -Be 'keras'
        }

        It 'stores kernels in Keras (in, out) orientation' {
            $st = Read-SafeTensors (Read-ZipEntry $script:Path 'model.safetensors')
            $st.Tensors['dense/kernel'].Shape | Should -Be @(93, 12)
            $st.Tensors['dense_1/kernel'].Shape | Should -Be @(12, 9)
        }

        It 'records the model, compile settings, training state and versions in config.json' {
            $c = $script:Config
            $c.format | Should -Be 'kerasps.checkpoint'
            $c.format_version | Should -Be 1
            $c.kerasps_version | Should -Not -BeNullOrEmpty
            $c.model.config.name | Should -Be 'otto'
            $c.model.config.seed | Should -Be 11
            $c.model.config.input_shape | Should -Be @(93)
            $c.model.config.layers.class_name | Should -Be @('Dense', 'Dropout', 'Dense')
            $c.model.config.layers[0].config.units | Should -Be 12
            $c.compile.optimizer.name | Should -Be 'adam'
            $c.compile.loss | Should -Be 'categorical_crossentropy'
            $c.compile.metrics | Should -Be @('accuracy')
            $c.training.epochs_trained | Should -Be 2
            $c.training.fit_seed | Should -Be 5
            $c.training.classes.Count | Should -Be 9
            $c.training.feature_names.Count | Should -Be 93
            $c.training.history.Count | Should -Be 2
            $c.optimizer_state.iterations | Should -Be 8
        }

        It 'records a SHA-256 of model.safetensors that matches its bytes' {
            $bytes = Read-ZipEntry $script:Path 'model.safetensors'
            $sha = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($bytes)).ToLowerInvariant()
            $script:Config.files['model.safetensors'].sha256 | Should -Be $sha
        }

        It 'stores the optimizer moments as weight/slot tensors with the weight''s shape' {
            $st = Read-SafeTensors (Read-ZipEntry $script:Path 'optimizer.safetensors')
            $st.Tensors.Keys | Should -Contain 'dense/kernel/m'
            $st.Tensors.Keys | Should -Contain 'dense_1/bias/v'
            $st.Tensors['dense/kernel/v'].Shape | Should -Be @(93, 12)
        }

        It 'leaves out the optimizer state without -IncludeOptimizer' {
            $p = Join-Path $TestDrive 'plain.kpt'
            $script:Model | Export-Checkpoint -Path $p
            Get-ZipEntryNames $p | Should -Not -Contain 'optimizer.safetensors'
        }

        It 'writes only weights with -WeightsOnly' {
            $p = Join-Path $TestDrive 'weights.kpt'
            $script:Model | Export-Checkpoint -Path $p -WeightsOnly
            $c = [Text.Encoding]::UTF8.GetString((Read-ZipEntry $p 'config.json')) | ConvertFrom-Json -AsHashtable
            $c.weights_only | Should -BeTrue
            $c.ContainsKey('model') | Should -BeFalse
            (Read-SafeTensors (Read-ZipEntry $p 'model.safetensors')).Tensors.Count | Should -Be 4
        }
    }

    Context 'kernel orientation against the model''s arithmetic' {
        It 'gives output j for input e_i as kernel[i, j] + bias[j]' {
            $m = New-Model -InputShape 2 -Seed 4 | Add-DenseLayer -Units 3 -BiasInitializer ones
            $p = Join-Path $TestDrive 'tiny.kpt'
            $m | Export-Checkpoint -Path $p
            $t = (Read-SafeTensors (Read-ZipEntry $p 'model.safetensors')).Tensors
            $out = $m | Invoke-ModelPredict -X @(, [double[]](0, 1)) -AsMatrix
            for ($j = 0; $j -lt 3; $j++) {
                [math]::Abs($out[0, $j] - ($t['dense/kernel'].Values[1 * 3 + $j] + $t['dense/bias'].Values[$j])) | Should -BeLessThan 1e-6
            }
        }
    }

    Context 'overwriting and -WhatIf' {
        It 'refuses to replace an existing file without -Force (CheckpointExists) and leaves it as it was' {
            $p = Join-Path $TestDrive 'exists.kpt'
            Set-Content -Path $p -Value 'precious'
            Get-ErrorId { $script:Model | Export-Checkpoint -Path $p } | Should -Be 'CheckpointExists'
            Get-Content -Path $p | Should -Be 'precious'
        }

        It 'skips an existing file with a non-terminating CheckpointExists: -ErrorAction SilentlyContinue, $? false, $Error holds it' {
            $p = Join-Path $TestDrive 'exists-quiet.kpt'
            Set-Content -Path $p -Value 'precious'
            $Error.Clear()
            $script:Model | Export-Checkpoint -Path $p -ErrorAction SilentlyContinue
            $ok = $?
            $ok | Should -BeFalse
            $Error[0].FullyQualifiedErrorId | Should -BeLike 'CheckpointExists,*'
            $Error[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $Error[0].TargetObject | Should -Be $p
            Get-Content -Path $p | Should -Be 'precious'
        }

        It 'refuses -Force with -NoClobber, and keeps the file with -NoClobber' {
            $p = Join-Path $TestDrive 'noclobber.kpt'
            Set-Content -Path $p -Value 'old'
            Get-ErrorId { $script:Model | Export-Checkpoint -Path $p -Force -NoClobber } | Should -Be 'ForceAndNoClobber'
            Get-ErrorId { $script:Model | Export-Checkpoint -Path $p -NoClobber } | Should -Be 'CheckpointExists'
            Get-Content -Path $p | Should -Be 'old'
        }

        It 'replaces an existing file with -Force' {
            $p = Join-Path $TestDrive 'forced.kpt'
            Set-Content -Path $p -Value 'old'
            $script:Model | Export-Checkpoint -Path $p -Force
            Get-ZipEntryNames $p | Should -Contain 'config.json'
        }

        It 'writes nothing under -WhatIf' {
            $p = Join-Path $TestDrive 'whatif.kpt'
            $script:Model | Export-Checkpoint -Path $p -WhatIf
            Test-Path $p | Should -BeFalse
            Set-Content -Path $p -Value 'old'
            $script:Model | Export-Checkpoint -Path $p -Force -WhatIf
            Get-Content -Path $p | Should -Be 'old'
            @(Get-ChildItem -Path $TestDrive -Filter '*.tmp*' -Force).Count | Should -Be 0
        }

        It 'writes the FileInfo with -PassThru' {
            $p = Join-Path $TestDrive 'passthru.kpt'
            $f = $script:Model | Export-Checkpoint -Path $p -PassThru
            $f | Should -BeOfType [IO.FileInfo]
            $f.FullName | Should -Be $p
        }
    }

    Context 'atomic writes' {
        BeforeAll {
            # The engine's test seam for a write that dies part-way (internal, so reached by reflection).
            $script:FailAfterBytes = [KerasPS.Engine.AtomicFile].GetProperty('FailAfterBytes', [Reflection.BindingFlags]'NonPublic, Static')
        }

        It 'keeps the previous checkpoint intact when a write fails after <Bytes> bytes' -TestCases @(
            @{ Bytes = 0 }, @{ Bytes = 100 }, @{ Bytes = 3000 }, @{ Bytes = 9000 }
        ) {
            param($Bytes)
            $folder = Join-Path $TestDrive "atomic$Bytes"
            New-Item -ItemType Directory -Path $folder | Out-Null
            $p = Join-Path $folder 'model.kpt'
            $script:Model | Export-Checkpoint -Path $p
            $before = [IO.File]::ReadAllBytes($p)
            $options = [KerasPS.Engine.Checkpoints.CheckpointSaveOptions]::new()
            $options.Overwrite = $true
            $options.IncludeOptimizer = $true
            $err = $null
            $script:FailAfterBytes.SetValue($null, [Nullable[long]]$Bytes)
            try { [KerasPS.Engine.Checkpoints.Checkpoint]::Save($script:Model.Engine, $p, $options) } catch { $err = $_.Exception.InnerException ?? $_.Exception }
            finally { $script:FailAfterBytes.SetValue($null, $null) }
            $err.ErrorId | Should -Be 'CheckpointWriteFailed'
            $err.Message | Should -BeLike '*unchanged*'
            [Linq.Enumerable]::SequenceEqual([IO.File]::ReadAllBytes($p), $before) | Should -BeTrue
            @(Get-ChildItem -Path $folder -Force).Name | Should -Be @('model.kpt')
            Import-Checkpoint -Path $p | Should -Not -BeNullOrEmpty
        }

        It 'removes the temporary files of writers that died mid-write, on the next write and on import, and keeps a live writer''s' -Tag Slow {
            # A killed writer leaves .<name>.tmp-<pid>-<guid> beside the target (44 kills once left 39 files, 218 MB).
            $folder = Join-Path $TestDrive 'stale'
            New-Item -ItemType Directory -Path $folder | Out-Null
            $p = Join-Path $folder 'model.kpt'
            $script:Model | Export-Checkpoint -Path $p
            $pwsh = @(Get-PwshCommand)
            $child = Start-Process -FilePath $pwsh[0] -ArgumentList (@($pwsh | Select-Object -Skip 1) + '-NoProfile', '-Command', 'exit') -PassThru
            $child.WaitForExit()
            $dead = $child.Id
            $deadTemp = Join-Path $folder ".model.kpt.tmp-$dead-$([guid]::NewGuid().ToString('N'))"
            [IO.File]::WriteAllBytes($deadTemp, [byte[]]::new(4096))
            $liveTemp = Join-Path $folder ".model.kpt.tmp-$PID-$([guid]::NewGuid().ToString('N'))"
            [IO.File]::WriteAllBytes($liveTemp, [byte[]]::new(16))
            $otherTarget = Join-Path $folder ".other.kpt.tmp-$dead-$([guid]::NewGuid().ToString('N'))"
            [IO.File]::WriteAllBytes($otherTarget, [byte[]]::new(16))

            $script:Model | Export-Checkpoint -Path $p -Force
            Test-Path $deadTemp | Should -BeFalse
            Test-Path $liveTemp | Should -BeTrue        # this process is alive: it may be writing it now
            Test-Path $otherTarget | Should -BeTrue     # another target's temporaries are that target's business

            [IO.File]::WriteAllBytes($deadTemp, [byte[]]::new(4096))
            Import-Checkpoint -Path $p | Out-Null
            Test-Path $deadTemp | Should -BeFalse
            Remove-Item $liveTemp, $otherTarget -Force
        }

        It 'waits for a checkpoint another program holds open and replaces it once it is let go' {
            # The engine's test seams for Windows' refusal to replace an open file (internal, so reached by reflection).
            $flags = [Reflection.BindingFlags]'NonPublic, Static'
            $inUse = [KerasPS.Engine.FileReplace].GetProperty('SimulatedInUse', $flags)
            $recorded = [KerasPS.Engine.FileReplace].GetProperty('RecordedWaits', $flags)
            $folder = Join-Path $TestDrive 'inuse-brief'
            New-Item -ItemType Directory -Path $folder | Out-Null
            $p = Join-Path $folder 'model.kpt'
            Set-Content -Path $p -Value 'old'
            $waits = [Collections.Generic.List[TimeSpan]]::new()
            $inUse.SetValue($null, 2); $recorded.SetValue($null, $waits)
            try { $script:Model | Export-Checkpoint -Path $p -Force }
            finally { $inUse.SetValue($null, 0); $recorded.SetValue($null, $null) }
            $waits.TotalMilliseconds | Should -Be @(50, 100)
            (Import-Checkpoint -Path $p).ParamCount | Should -Be $script:Model.ParamCount
            @(Get-ChildItem -Path $folder -Force).Name | Should -Be @('model.kpt')
        }

        It 'refuses with CheckpointWriteFailed naming the file when it stays in use, the old file intact and no temporary left' {
            $flags = [Reflection.BindingFlags]'NonPublic, Static'
            $inUse = [KerasPS.Engine.FileReplace].GetProperty('SimulatedInUse', $flags)
            $recorded = [KerasPS.Engine.FileReplace].GetProperty('RecordedWaits', $flags)
            $folder = Join-Path $TestDrive 'inuse'
            New-Item -ItemType Directory -Path $folder | Out-Null
            $p = Join-Path $folder 'model.kpt'
            $script:Model | Export-Checkpoint -Path $p
            $before = [IO.File]::ReadAllBytes($p)
            $waits = [Collections.Generic.List[TimeSpan]]::new()
            $err = $null
            $inUse.SetValue($null, 5); $recorded.SetValue($null, $waits)
            try { $script:Model | Export-Checkpoint -Path $p -Force -IncludeOptimizer } catch { $err = $_ }
            finally { $inUse.SetValue($null, 0); $recorded.SetValue($null, $null) }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'CheckpointWriteFailed'
            $err.Exception.Message | Should -BeLike "Could not write checkpoint '$p': '$p' is in use: another program holds it open*"
            $err.Exception.Message | Should -BeLike '*tried 5 times*unchanged*'
            $err.TargetObject | Should -Be $p
            $waits.Count | Should -Be 4
            [Linq.Enumerable]::SequenceEqual([IO.File]::ReadAllBytes($p), $before) | Should -BeTrue
            @(Get-ChildItem -Path $folder -Force).Name | Should -Be @('model.kpt')
        }

        It 'writes a complete file when the byte budget is not reached' {
            $p = Join-Path $TestDrive 'budget.kpt'
            $options = [KerasPS.Engine.Checkpoints.CheckpointSaveOptions]::new()
            $script:FailAfterBytes.SetValue($null, [Nullable[long]]10MB)
            try { [KerasPS.Engine.Checkpoints.Checkpoint]::Save($script:Model.Engine, $p, $options) }
            finally { $script:FailAfterBytes.SetValue($null, $null) }
            (Import-Checkpoint -Path $p).ParamCount | Should -Be $script:Model.ParamCount
        }
    }

    Context 'PowerShell paths' {
        It 'refuses Env:/x.kpt with NotAFileSystemPath and writes nothing anywhere' {
            Push-Location $TestDrive
            try {
                Get-ErrorId { $script:Model | Export-Checkpoint -Path Env:/x.kpt } | Should -Be 'NotAFileSystemPath'
                Test-Path (Join-Path $TestDrive 'x.kpt') | Should -BeFalse
                Test-Path ([IO.Path]::Combine([Environment]::CurrentDirectory, 'x.kpt')) | Should -BeFalse
                Test-Path Env:/x.kpt | Should -BeFalse
            }
            finally { Pop-Location }
        }

        It 'writes relative to the current PowerShell location and to PSDrives' {
            $dir = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'drive') -Force
            Push-Location $dir
            try {
                $script:Model | Export-Checkpoint -Path rel.kpt
                Test-Path (Join-Path $dir 'rel.kpt') | Should -BeTrue
                $null = New-PSDrive -Name KerasOut -PSProvider FileSystem -Root $dir.FullName -Scope Global
                $script:Model | Export-Checkpoint -Path KerasOut:/drive.kpt
                Test-Path (Join-Path $dir 'drive.kpt') | Should -BeTrue
            }
            finally { Pop-Location; Remove-PSDrive KerasOut -ErrorAction SilentlyContinue }
        }

        It 'takes -LiteralPath: brackets are part of the name' {
            $p = Join-Path $TestDrive 'run[1].kpt'
            $script:Model | Export-Checkpoint -LiteralPath $p
            Test-Path -LiteralPath $p | Should -BeTrue
        }
    }

    Context 'refusals' {
        It 'says CheckpointFolderNotFound when the folder does not exist' {
            Get-ErrorId { $script:Model | Export-Checkpoint -Path (Join-Path $TestDrive 'no/such/dir/m.kpt') } | Should -Be 'CheckpointFolderNotFound'
        }

        It 'says InvalidCheckpointPath when the path is a folder' {
            Get-ErrorId { $script:Model | Export-Checkpoint -Path $TestDrive } | Should -Be 'InvalidCheckpointPath'
        }

        It 'says ModelNotCompiled for -IncludeOptimizer on a model without an optimizer' {
            $m = New-Model -InputShape 4 | Add-DenseLayer -Units 2
            Get-ErrorId { $m | Export-Checkpoint -Path (Join-Path $TestDrive 'nc.kpt') -IncludeOptimizer } | Should -Be 'ModelNotCompiled'
            Test-Path (Join-Path $TestDrive 'nc.kpt') | Should -BeFalse
        }

        It 'says ModelNotBuilt for -WeightsOnly on a model without weights' {
            $m = New-Model | Add-DenseLayer -Units 2
            Get-ErrorId { $m | Export-Checkpoint -Path (Join-Path $TestDrive 'nb.kpt') -WeightsOnly } | Should -Be 'ModelNotBuilt'
        }

        It 'saves an unbuilt model''s config, which imports as the same unbuilt model' {
            $m = New-Model -Name later | Add-DenseLayer -Units 5 -Activation relu | Add-ActivationLayer -Activation tanh | Add-DenseLayer -Units 2
            $p = Join-Path $TestDrive 'unbuilt.kpt'
            $m | Export-Checkpoint -Path $p
            $back = Import-Checkpoint -Path $p
            $back.IsBuilt | Should -BeFalse
            $back.Layers | Should -Be @('dense', 'activation', 'dense_1')
            $back.Engine.Layers[1].Activation | Should -Be 'tanh'
        }
    }
}
