BeforeAll {
    . $PSScriptRoot/common.ps1

    # Reads a TFRecord file back, checking both masked CRC32C checksums of every record (TensorFlow's framing).
    function Read-TFRecord([string] $Path) {
        $bytes = [IO.File]::ReadAllBytes($Path)
        $crc = Get-KerasType 'KerasPS.Engine.Training.Callbacks.Crc32C'
        $pos = 0
        while ($pos -lt $bytes.Length) {
            $len = [BitConverter]::ToUInt64($bytes, $pos)
            $crc::Masked([byte[]] $bytes[$pos..($pos + 7)]) | Should -Be ([BitConverter]::ToUInt32($bytes, $pos + 8))
            $data = [byte[]] $bytes[($pos + 12)..($pos + 11 + $len)]
            $crc::Masked($data) | Should -Be ([BitConverter]::ToUInt32($bytes, $pos + 12 + $len))
            , $data
            $pos += 16 + $len
        }
    }
    function Read-Varint([byte[]] $b, [ref] $i) {
        [uint64] $v = 0; $shift = 0
        do { $x = $b[$i.Value]; $i.Value++; $v = $v -bor ([uint64]($x -band 0x7F) -shl $shift); $shift += 7 } while ($x -band 0x80)
        $v
    }
    # Decodes an Event: step (field 2), file_version (3), and the scalars of its summary (5 -> value 1 -> tag 1, simple_value 2).
    function Read-Event([byte[]] $b) {
        $e = @{ Scalars = [ordered]@{} }
        $i = 0
        while ($i -lt $b.Length) {
            $key = Read-Varint $b ([ref] $i); $field = $key -shr 3; $wire = $key -band 7
            switch ($wire) {
                0 { $v = Read-Varint $b ([ref] $i); if ($field -eq 2) { $e.Step = $v } }
                1 { if ($field -eq 1) { $e.WallTime = [BitConverter]::ToDouble($b, $i) }; $i += 8 }
                2 {
                    $len = Read-Varint $b ([ref] $i); $sub = [byte[]] $b[$i..($i + $len - 1)]; $i += $len
                    if ($field -eq 3) { $e.FileVersion = [Text.Encoding]::UTF8.GetString($sub) }
                    if ($field -eq 5) {
                        $j = 0
                        while ($j -lt $sub.Length) {
                            $null = Read-Varint $sub ([ref] $j); $vl = Read-Varint $sub ([ref] $j); $value = [byte[]] $sub[$j..($j + $vl - 1)]; $j += $vl
                            $k = 0; $tag = $null; $num = $null
                            while ($k -lt $value.Length) {
                                $vk = Read-Varint $value ([ref] $k)
                                if (($vk -band 7) -eq 2) { $tl = Read-Varint $value ([ref] $k); $tag = [Text.Encoding]::UTF8.GetString($value, $k, $tl); $k += $tl }
                                elseif (($vk -band 7) -eq 5) { $num = [BitConverter]::ToSingle($value, $k); $k += 4 }
                            }
                            $e.Scalars[$tag] = $num
                        }
                    }
                }
                5 { $i += 4 }
            }
        }
        $e
    }
}

Describe 'New-TensorBoardLogger' {
    It 'computes CRC32C as the standard check value says (0xE3069283 for "123456789")' {
        $crc = Get-KerasType 'KerasPS.Engine.Training.Callbacks.Crc32C'
        $crc::Compute([Text.Encoding]::ASCII.GetBytes('123456789')) | Should -Be 0xE3069283u
    }

    It 'writes each epoch''s scalars to train/ and validation/ event files that parse back with valid CRCs' {
        $iris = Get-SampleData Iris
        $split = $iris | Split-TrainTest -TestSize 0.2 -Seed 1 -Stratify
        $model = New-Model -Seed 1 | Add-DenseLayer -Units 8 -Activation relu | Add-DenseLayer -Units 3 -Activation softmax |
            Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
        $dir = Join-Path $TestDrive 'logs'
        $history = @($model | Invoke-ModelFit -Data $split.Train -ValidationData $split.Test -Epochs 3 -Seed 1 -Callbacks (New-TensorBoardLogger -LogDir $dir))
        $trainFile = @(Get-ChildItem (Join-Path $dir 'train') -Filter 'events.out.tfevents.*')
        $valFile = @(Get-ChildItem (Join-Path $dir 'validation') -Filter 'events.out.tfevents.*')
        $trainFile.Count | Should -Be 1
        $valFile.Count | Should -Be 1
        $train = @(Read-TFRecord $trainFile[0].FullName | ForEach-Object { Read-Event $_ })
        $train.Count | Should -Be 4
        $train[0].FileVersion | Should -Be 'brain.Event:2'
        for ($e = 0; $e -lt 3; $e++) {
            $train[$e + 1].Step | Should -Be $e
            $train[$e + 1].Scalars['epoch_loss'] | Should -Be ([single] $history[$e].Loss)
            $train[$e + 1].Scalars['epoch_accuracy'] | Should -Be ([single] $history[$e].Accuracy)
            $train[$e + 1].Scalars['epoch_learning_rate'] | Should -Be ([single] $history[$e].LearningRate)
        }
        $val = @(Read-TFRecord $valFile[0].FullName | ForEach-Object { Read-Event $_ })
        $val[3].Scalars['epoch_loss'] | Should -Be ([single] $history[2].ValLoss)
        $val[3].Scalars['epoch_accuracy'] | Should -Be ([single] $history[2].ValAccuracy)
    }

    It 'ends a fit on a full disk with LogWriteFailed, the event file ending in a whole record' {
        $disk = Join-Path $TestDrive 'full'
        if ($why = Mount-SmallDisk $disk -FreePages 1) { Set-ItResult -Skipped -Because $why; return }
        try {
            $model = New-Model -InputShape 1 -Seed 1 | Add-DenseLayer 1 | Build-Model -Optimizer sgd -Loss mse
            $x = @(@(1.0), @(2.0)); $y = @(1.0, 2.0)
            # One 4 KB page holds the first event and some 50 epochs of about 80 bytes; the fit runs past that.
            $err = try { $model | Invoke-ModelFit -X $x -Y $y -Epochs 400 -Callbacks (New-TensorBoardLogger -LogDir (Join-Path $disk 'logs')) | Out-Null; $null }
            catch { $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'LogWriteFailed'
            $err.Exception.Message | Should -BeLike '*failed at epoch *free disk space*'
            $file = @(Get-ChildItem (Join-Path $disk 'logs/train') -Filter 'events.out.tfevents.*')[0].FullName
            $events = @(Read-TFRecord $file | ForEach-Object { Read-Event $_ })
            $events.Count | Should -BeGreaterThan 10
            $events[-1].Step | Should -Be ($events.Count - 2) -Because 'the epochs logged before the disk filled are all there'
        }
        finally { Dismount-SmallDisk $disk }
    }

    It 'writes nothing with -WhatIf' {
        New-TensorBoardLogger -LogDir (Join-Path $TestDrive 'none') -WhatIf | Should -BeNullOrEmpty
    }
}
