# The Windows leg (build.ps1 -Task TestWindows; tools/BuildTools.ps1, Invoke-WindowsTest): the module's main path in
# the win-x64 PowerShell host (tests/windows/PwshHost) under Wine, with the module laid out as its package installs it
# and the win-x64 runtime installed by Install-KerasRuntime from the restored packages. The leg sets
# KERASPS_TEST_MODULE (KerasPS.psd1 to import), KERASPS_TEST_RUNTIME_SOURCE (a folder of .nupkg files or a NuGet
# packages folder) and KERASPS_TEST_RUNTIME_ROOT (where to install the runtime: not under TestDrive, since Windows
# cannot delete DLLs that the process has loaded, so Pester's cleanup of TestDrive would fail). Without them the file
# runs on Linux against the built clone, where the Windows-only cases skip. The leg runs this file first (its
# NativeRuntimeMissing case needs a process without a runtime); the Linux test files it runs after it use the runtime
# installed here (tests/common.ps1).
BeforeAll {
    $ErrorActionPreference = 'Stop'
    $ProgressPreference = 'SilentlyContinue'
    $script:Leg = [bool]$env:KERASPS_TEST_MODULE
    $module = if ($script:Leg) { $env:KERASPS_TEST_MODULE } else { Join-Path (Split-Path (Split-Path $PSScriptRoot)) 'KerasPS.psd1' }
    $script:Source = $env:KERASPS_TEST_RUNTIME_SOURCE
    if (-not $script:Source) {
        $script:Source = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else {
            ((& dotnet nuget locals global-packages --list) -replace '^.*?global-packages:\s*', '').Trim()
        }
    }
    Import-Module $module
    $script:Work = Join-Path $TestDrive 'work'
    $null = New-Item -ItemType Directory -Path $script:Work
    $script:Data = Get-SampleData -Name Otto -Rows 200 -Seed 3
    $script:Sweep = @{
        Parameters = @{ Units = 4, 8 }; Data = $script:Data.Slice(0, 150); ValidationData = $script:Data.Slice(150, 50)
        Epochs = 1; BatchSize = 50; Seed = 7; ThrottleLimit = 2; Threads = 1
        ModelScript = {
            param($p)
            New-Model -InputShape 93 | Add-DenseLayer -Units $p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
                Build-Model -Optimizer sgd -Loss categorical_crossentropy
        }
    }
    # Get-ChildItem -Filter is not used here: under Wine it missed 'events.out.tfevents.*' files on drive C: (Wine's
    # directory mask matching, not Windows's), which would also let a 'no temp file left' check pass unseen.

    function New-OttoModel {
        New-Model -Name otto -InputShape 93 -Seed 11 |
            Add-DenseLayer -Units 12 -Activation relu |
            Add-DenseLayer -Units 9 -Activation softmax |
            Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
    }
    function Get-Id([scriptblock] $ScriptBlock) {
        # The engine's stable id (the FullyQualifiedErrorId's first part) of the error a script block raises.
        try { $null = & $ScriptBlock } catch { return ($_.FullyQualifiedErrorId -split ',')[0] }
        return $null
    }
    function New-Folder([string] $Name) { (New-Item -ItemType Directory -Path (Join-Path $script:Work $Name)).FullName }
    function Get-Prediction($Model) { , ($Model | Invoke-ModelPredict -Data $script:Data.Slice(0, 10) -AsMatrix) }
    function Assert-SamePrediction($Expected, $Actual) {
        $Actual.GetLength(0) | Should -Be $Expected.GetLength(0)
        $Actual.GetLength(1) | Should -Be $Expected.GetLength(1)
        for ($i = 0; $i -lt $Expected.GetLength(0); $i++) {
            for ($j = 0; $j -lt $Expected.GetLength(1); $j++) {
                [math]::Abs($Actual[$i, $j] - $Expected[$i, $j]) | Should -BeLessThan 1e-6
            }
        }
    }
}

Describe 'KerasPS in a Windows process' {
    It 'runs on Windows (the win-x64 host), with the module imported from its package layout' -Skip:(-not $env:KERASPS_TEST_MODULE) {
        $IsWindows | Should -BeTrue
        [Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier | Should -Be 'win-x64'
        (Get-Module KerasPS).ModuleBase | Should -Be (Split-Path $env:KERASPS_TEST_MODULE)
    }

    It 'says NativeRuntimeMissing, naming win-x64 and Install-KerasRuntime, before a runtime is installed' -Skip:(-not $env:KERASPS_TEST_MODULE) {
        # The leg's module has no runtime beside it and its Wine prefix none in the user's folder.
        $err = { New-Model -InputShape 3 | Add-DenseLayer 2 | Out-Null } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'NativeRuntimeMissing,*'
        $err.Exception.Message | Should -Match 'win-x64.*Install-KerasRuntime'
    }

    It 'installs the runtime for this platform with Install-KerasRuntime -Source, and Get-KerasRuntime reports it' {
        $rid = [Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
        $root = if ($env:KERASPS_TEST_RUNTIME_ROOT) { $env:KERASPS_TEST_RUNTIME_ROOT } else { Join-Path $TestDrive 'rt' }
        $script:Runtime = Install-KerasRuntime -Source $script:Source -Path $root
        $script:Runtime.Rid | Should -Be $rid
        $script:Runtime.IsComplete | Should -BeTrue
        $script:Runtime.LibTorchVersion | Should -Be '2.10.0'
        $expected = @{
            'win-x64'   = 'LibTorchSharp.dll', 'c10.dll', 'libiomp5md.dll', 'torch.dll', 'torch_cpu.dll'
            'linux-x64' = 'libLibTorchSharp.so', 'libc10.so', 'libgomp-98b21ff3.so.1', 'libtorch.so', 'libtorch_cpu.so'
        }
        $script:Runtime.Files | Sort-Object | Should -Be ($expected[$rid] | Sort-Object)
        $current = Get-KerasRuntime
        $current.Path | Should -Be $script:Runtime.Path
        $current.InUse | Should -BeTrue
        Write-Host ('    {0} runtime: {1:N0} MB on disk' -f $rid, $current.SizeMB)
    }

    It 'fits, evaluates and predicts' {
        $script:Model = New-OttoModel
        $script:History = $script:Model | Invoke-ModelFit -Data $script:Data -Epochs 3 -BatchSize 50 -Seed 5
        @($script:History).Count | Should -Be 3
        $script:History[-1].Loss | Should -BeLessThan $script:History[0].Loss
        $e = $script:Model | Invoke-ModelEvaluate -Data $script:Data
        [double]::IsFinite($e.Loss) | Should -BeTrue
        $e.Accuracy | Should -BeGreaterThan 0
        $p = Get-Prediction $script:Model
        $p.GetLength(0) | Should -Be 10
        $p.GetLength(1) | Should -Be 9
        for ($i = 0; $i -lt 10; $i++) {
            $sum = 0.0
            for ($j = 0; $j -lt 9; $j++) { $sum += $p[$i, $j] }
            [math]::Abs($sum - 1) | Should -BeLessThan 1e-4
        }
    }

    It 'round-trips a <Extension> checkpoint with the same predictions' -ForEach @(@{ Extension = '.kpt' }, @{ Extension = '.keras' }) {
        $path = Join-Path $script:Work "otto$Extension"
        $script:Model | Export-Checkpoint -Path $path
        $back = Import-Checkpoint -Path $path
        Assert-SamePrediction (Get-Prediction $script:Model) (Get-Prediction $back)
        # Writing over the file replaces it in place (File.Move with overwrite on Windows).
        $script:Model | Export-Checkpoint -Path $path -Force
        Assert-SamePrediction (Get-Prediction $script:Model) (Get-Prediction (Import-Checkpoint -Path $path))
        @(Get-ChildItem $script:Work | Where-Object Name -like '*.tmp*').Count | Should -Be 0
    }

    It 'reads a checkpoint through a \ path in other letter case (Windows names are case-insensitive)' -Skip:(-not $IsWindows) {
        $path = Join-Path $script:Work 'Case.kpt'
        $script:Model | Export-Checkpoint -Path $path
        $other = ($path -replace '/', '\').ToUpperInvariant()
        Assert-SamePrediction (Get-Prediction $script:Model) (Get-Prediction (Import-Checkpoint -Path $other))
    }

    It 'refuses to replace a checkpoint that another handle holds open, leaving it intact' -Skip:(-not $IsWindows) {
        # Windows (not Linux) refuses to rename over a file open without FILE_SHARE_DELETE, as a reader, an editor or
        # an antivirus scanner holds it.
        $path = Join-Path $script:Work 'held.kpt'
        $script:Model | Export-Checkpoint -Path $path
        $before = [IO.File]::ReadAllBytes($path)
        $reader = [IO.File]::Open($path, 'Open', 'Read', 'Read')
        try {
            $err = { $script:Model | Export-Checkpoint -Path $path -Force } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'CheckpointWriteFailed*'
        }
        finally { $reader.Dispose() }
        [IO.File]::ReadAllBytes($path) | Should -Be $before
        @(Get-ChildItem $script:Work | Where-Object Name -like 'held.kpt?*').Count | Should -Be 0
    }

    It 'writes a PNG history plot (the SkiaSharp native library for this platform loads)' {
        $path = Join-Path $script:Work 'history.png'
        $script:History | Export-HistoryPlot -Path $path
        $bytes = [IO.File]::ReadAllBytes($path)
        $bytes[0..3] | Should -Be @(0x89, 0x50, 0x4E, 0x47)
        $bytes.Length | Should -BeGreaterThan 1000
    }

    It 'runs a sweep in two parallel runspaces' {
        $build = {
            param($p)
            New-Model -InputShape 93 | Add-DenseLayer -Units $p.Units -Activation relu | Add-DenseLayer -Units 9 -Activation softmax |
                Build-Model -Optimizer sgd -Loss categorical_crossentropy -Metrics accuracy
        }
        $trials = @(Invoke-ModelSweep -Parameters @{ Units = 4, 8 } -ModelScript $build -Data $script:Data.Slice(0, 150) `
                -ValidationData $script:Data.Slice(150, 50) -Epochs 1 -BatchSize 50 -Seed 7 -ThrottleLimit 2 -Threads 1)
        $trials.Count | Should -Be 2
        ($trials.Units | Sort-Object) | Should -Be @(4, 8)
        foreach ($t in $trials) { [double]::IsFinite([double]$t.Best) | Should -BeTrue }
    }

    It 'writes TensorBoard event files and closes them, so the log folder can be deleted' {
        $iris = Get-SampleData Iris
        $model = New-Model -Seed 1 | Add-DenseLayer -Units 8 -Activation relu | Add-DenseLayer -Units 3 -Activation softmax |
            Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
        $dir = Join-Path $script:Work 'logs'
        $null = $model | Invoke-ModelFit -Data $iris.Slice(0, 120) -ValidationData $iris.Slice(120, 30) -Epochs 2 -Seed 1 `
            -Callbacks (New-TensorBoardLogger -LogDir $dir)
        foreach ($part in 'train', 'validation') {
            $files = @(Get-ChildItem (Join-Path $dir $part) | Where-Object Name -like 'events.out.tfevents.*')
            $files.Count | Should -Be 1
            $files[0].Length | Should -BeGreaterThan 0
        }
        # On Windows a file still open in this process cannot be deleted.
        Remove-Item -LiteralPath $dir -Recurse -Force
        Test-Path -LiteralPath $dir | Should -BeFalse
    }

    It 'gives the same cross-validation fold scores at -ThrottleLimit 1 and 2' {
        $build = {
            param($p, $train)
            New-Model | Add-NormalizationLayer -Adapt $train | Add-DenseLayer -Units 8 -Activation relu |
                Add-DenseLayer -Units 3 -Activation softmax | Build-Model -Optimizer adam -Loss categorical_crossentropy
        }
        $cv = @{ Data = (Get-SampleData Wine); Folds = 3; Stratify = $true; ModelScript = $build; Epochs = 2; BatchSize = 32; Seed = 11 }
        $one = @(Invoke-ModelCrossValidation @cv -ThrottleLimit 1 | Where-Object { $_ -is [KerasPS.CrossValidationFold] } | Sort-Object Fold)
        $two = @(Invoke-ModelCrossValidation @cv -ThrottleLimit 2 | Where-Object { $_ -is [KerasPS.CrossValidationFold] } | Sort-Object Fold)
        $two.Count | Should -Be 3
        ($two.Best -join ',') | Should -Be ($one.Best -join ',')
    }

    It 'leaves no foreground thread after a sweep and a cross-validation at throttle 2: a host returning from Main exits' -Skip:(-not $env:KERASPS_TEST_MODULE) {
        # Found in this leg: the runspaces a sweep keeps for the next one ran their pipelines on PowerShell's ReuseThread
        # thread, a foreground thread, so a host that returns from Main (not pwsh, which calls Environment.Exit) never
        # ended. The same host process, told by PWSHHOST_RETURN=1 to return from Main, must exit on its own.
        $script = Join-Path $TestDrive 'exit-after-sweep.ps1'
        Set-Content -LiteralPath $script -Value @"
`$ErrorActionPreference = 'Stop'
Import-Module '$env:KERASPS_TEST_MODULE'
`$d = Get-SampleData Iris
`$build = { param(`$p) New-Model | Add-DenseLayer -Units `$p.Units -Activation relu | Add-DenseLayer -Units 3 -Activation softmax |
    Build-Model -Optimizer sgd -Loss categorical_crossentropy }
`$t = @(Invoke-ModelSweep -Parameters @{ Units = 4, 8 } -ModelScript `$build -Data `$d -Epochs 1 -Seed 1 -ThrottleLimit 2 -Threads 1)
`$f = @(Invoke-ModelCrossValidation -ModelScript { `$build.Invoke(@{ Units = 4 }) } -Data `$d -Folds 2 -Epochs 1 -Seed 1 -ThrottleLimit 2)
"trials `$(`$t.Count)"
"@
        $start = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
        $start.ArgumentList.Add($script)
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.Environment['PWSHHOST_RETURN'] = '1'
        $start.Environment['KERASPS_RUNTIME_PATH'] = $env:KERASPS_TEST_RUNTIME_ROOT
        $process = [Diagnostics.Process]::Start($start)
        $out = $process.StandardOutput.ReadToEndAsync()
        $err = $process.StandardError.ReadToEndAsync()
        $exited = $process.WaitForExit(90000)
        if (-not $exited) { $process.Kill($true) }
        $process.WaitForExit()
        $exited | Should -BeTrue -Because "the host returned from Main after the script; output: $($out.Result) $($err.Result)"
        $out.Result | Should -Match 'trials 2'
        $process.ExitCode | Should -Be 0
    }

    It 'exports an ONNX file' {
        $path = Join-Path $script:Work 'otto.onnx'
        $script:Model | Export-OnnxModel -Path $path
        $bytes = [IO.File]::ReadAllBytes($path)
        $bytes.Length | Should -BeGreaterThan (12 * 93 * 4)
        $bytes[0] | Should -Be 0x08   # ModelProto field 1 (ir_version), a varint
    }

    It 'reads a CSV with CRLF line ends, a byte order mark and a trailing empty line' {
        $path = Join-Path $script:Work 'crlf.csv'
        [IO.File]::WriteAllText($path, "a,b,y`r`n1,2,x`r`n3,4,z`r`n`r`n", [Text.UTF8Encoding]::new($true))
        $d = Import-ModelData $path -Target y
        $d.FeatureNames | Should -Be @('a', 'b')
        $d.Count | Should -Be 2
        $d.GetFeatures(1) | Should -Be @(3, 4)
    }
}

Describe 'streamed data, image folders and sweep studies in this process' {
    # Also on the Windows leg: the stream cache's delete-on-close file, SkiaSharp decoding files by Windows paths, and
    # the bundled e_sqlite3 that Microsoft.Data.Sqlite loads on Windows (Linux uses the system's libsqlite3).
    It 'streams a CSV with -CacheFile to the losses of the uncached stream, and the cache file goes with DropCache' {
        $csv = Join-Path $script:Work 'stream.csv'
        $rows = foreach ($i in 0..299) { '{0},{1},{2},{3}' -f $i, (($i % 7) / 7), ((($i * 13) % 11) / 11), $(if ($i % 7 -lt 3) { 'a' } else { 'b' }) }
        Set-Content -Path $csv -Value (@('id,f1,f2,y') + $rows)
        $fit = {
            param($ds)
            $m = New-Model -InputShape 2 -Seed 3 | Add-DenseLayer -Units 2 -Activation softmax |
                Build-Model -Optimizer sgd -Loss categorical_crossentropy
            @($m | Invoke-ModelFit -Data $ds -Epochs 3 -BatchSize 32 -Seed 5 | ForEach-Object Loss)
        }
        $plain = Import-ModelData $csv -Target y -Exclude id -Stream -ShuffleBuffer 100
        $file = Join-Path $script:Work 'rows.cache'
        $cached = Import-ModelData $csv -Target y -Exclude id -Stream -ShuffleBuffer 100 -CacheFile $file
        $expected = & $fit $plain
        $expected.Count | Should -Be 3
        & $fit $cached | Should -Be $expected
        $cached.Stream.Cache.IsComplete | Should -BeTrue
        $cached.Stream.DropCache()
        Test-Path $file | Should -BeFalse
    }

    It 'imports an image folder in memory and streamed to the same evaluation' {
        $root = New-Folder 'images'
        foreach ($c in 'cat', 'dog') {
            $null = New-Item -ItemType Directory -Path (Join-Path $root $c)
            foreach ($i in 0..2) {
                $px = [byte[]]::new(6 * 5 * 3)
                for ($j = 0; $j -lt $px.Length; $j++) { $px[$j] = [byte](($j * 7 + $i * 40 + ($c.Length * 3)) % 256) }
                [KerasPS.Engine.Data.Images.ImageEncoder]::Save((Join-Path $root $c "$i.png"), $px, 6, 5, 3, 95)
            }
        }
        $inMemory = Import-ImageData $root -ImageSize 4, 4
        $streamed = Import-ImageData $root -ImageSize 4, 4 -Stream
        $inMemory.Count | Should -Be 6
        $m = New-Model -InputShape 4, 4, 3 -Seed 2 | Add-RescalingLayer -Scale (1 / 255) | Add-FlattenLayer |
            Add-DenseLayer -Units 2 -Activation softmax | Build-Model -Optimizer sgd -Loss sparse_categorical_crossentropy
        $a = $m | Invoke-ModelEvaluate -Data $inMemory
        $b = $m | Invoke-ModelEvaluate -Data $streamed
        [math]::Abs($a.Loss - $b.Loss) | Should -BeLessThan 1e-6
    }

    It 'runs a sweep study on SQLite and reads it back with Get-SweepTrial' {
        $url = 'sqlite:///' + (Join-Path $script:Work 'study.db')
        $null = New-SweepStudy -Storage $url -Name win -Parameters @{ Units = 4, 8 } -Search Grid -Trials 2 -Epochs 1 -Seed 7
        $ran = @(Start-SweepWorker -Storage $url -Study win -Data $script:Sweep.Data -ValidationData $script:Sweep.ValidationData `
                -BatchSize 50 -ModelScript $script:Sweep.ModelScript)
        $ran.Count | Should -Be 2
        @($ran.Status | Sort-Object -Unique) | Should -Be @('Completed')
        $read = @(Get-SweepTrial -Storage $url -Study win)
        ($read.Units | Sort-Object) -join ',' | Should -Be '4,8'
        foreach ($r in $ran) { ($read | Where-Object Trial -eq $r.Trial).ValLoss | Should -Be $r.ValLoss }
    }
}

Describe 'Windows paths' -Skip:(-not $IsWindows) {
    It 'round-trips a .h5 checkpoint (Keras 2 HDF5) with the same predictions' {
        $path = Join-Path $script:Work 'otto.h5'
        $script:Model | Export-Checkpoint -Path $path
        $script:Model | Export-Checkpoint -Path $path -Force
        Assert-SamePrediction (Get-Prediction $script:Model) (Get-Prediction (Import-Checkpoint -Path $path))
    }

    It 'writes and reads through a drive-letter path with \ separators, / separators and the \\?\ long form' {
        $dir = New-Folder 'drive'
        $dir | Should -Match '^[A-Za-z]:\\'
        $path = "$dir\model.kpt"
        $script:Model | Export-Checkpoint -Path $path
        Assert-SamePrediction (Get-Prediction $script:Model) (Get-Prediction (Import-Checkpoint -Path ($path -replace '\\', '/')))
        $long = "\\?\$dir\long.kpt"
        $script:Model | Export-Checkpoint -Path $long
        Test-Path -LiteralPath "$dir\long.kpt" | Should -BeTrue
        Assert-SamePrediction (Get-Prediction $script:Model) (Get-Prediction (Import-Checkpoint -LiteralPath $long))
    }

    It 'treats names that differ only in case as the same file' {
        $dir = New-Folder 'case'
        $script:Model | Export-Checkpoint -Path "$dir\Model.KPT"
        Get-Id { $script:Model | Export-Checkpoint -Path "$dir\model.kpt" } | Should -Be 'CheckpointExists'
        $script:Model | Export-Checkpoint -Path "$dir\MODEL.kpt" -Force
        @(Get-ChildItem -LiteralPath $dir -Force).Name | Should -Be @('Model.KPT')
    }
}

Describe 'sweep journals on Windows' -Skip:(-not $IsWindows) {
    It 'journals a sweep at throttle 2 and resumes it from the journal without running a trial again' {
        $journal = Join-Path (New-Folder 'journal') 'sweep.jsonl'
        $first = @(Invoke-ModelSweep @script:Sweep -Journal $journal)
        $kinds = @(Get-Content -LiteralPath $journal | ForEach-Object { ($_ | ConvertFrom-Json).kind })
        $kinds[0] | Should -Be 'sweep'
        @($kinds | Where-Object { $_ -ne 'sweep' }).Count | Should -BeGreaterOrEqual 2
        $again = @(Invoke-ModelSweep @script:Sweep -Journal $journal -Verbose 4>&1)
        ($again | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message |
            Should -Contain 'Resumed from the journal: 2 runs recorded there were not run again.'
        $results = @($again | Where-Object { $_ -isnot [Management.Automation.VerboseRecord] })
        ($results | Sort-Object Trial | ForEach-Object Best) -join ',' | Should -Be (($first | Sort-Object Trial | ForEach-Object Best) -join ',')
        @(Get-Content -LiteralPath $journal).Count | Should -Be $kinds.Count   # nothing run, so nothing appended
    }

    It 'waits for a journal that another handle holds, then refuses it with JournalUnavailable, leaving it unchanged' {
        $journal = Join-Path (New-Folder 'held-journal') 'sweep.jsonl'
        Set-Content -LiteralPath $journal -Value '' -NoNewline
        $holder = [IO.File]::Open($journal, 'Open', 'ReadWrite', 'None')
        $clock = [Diagnostics.Stopwatch]::StartNew()
        try { Get-Id { Invoke-ModelSweep @script:Sweep -Journal $journal } | Should -Be 'JournalUnavailable' }
        finally { $holder.Dispose() }
        $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 0.7   # FileReplace's 0.75 s of back-off
        (Get-Item -LiteralPath $journal).Length | Should -Be 0
    }

    # Skipped under Wine, by name: Wine does not enforce byte-range locks on writes (a write through a second handle into
    # a range that LockFileEx locked succeeds there; checked in the leg's host), so only real Windows can refuse it.
    It 'refuses to append to a journal whose end another handle has locked, with JournalUnavailable' -Skip:(
        $IsWindows -and (Test-Path 'HKLM:\Software\Wine')) {
        $journal = Join-Path (New-Folder 'locked-journal') 'sweep.jsonl'
        Set-Content -LiteralPath $journal -Value '' -NoNewline
        # A reader that shares the file but locks the bytes the sweep would write next (LockFileEx).
        $holder = [IO.FileStream]::new($journal, 'Open', 'Read', 'ReadWrite')
        $holder.Lock(0, 1MB)
        try { Get-Id { Invoke-ModelSweep @script:Sweep -Journal $journal } | Should -Be 'JournalUnavailable' }
        finally { $holder.Dispose() }
        (Get-Item -LiteralPath $journal).Length | Should -Be 0
    }
}

Describe 'names Windows cannot hold, refused on every path KerasPS writes' -Skip:(-not $IsWindows) {
    # con, nul, aux, prn, com1, lpt1 (with any extension) open a device; a trailing dot or space is trimmed, so another
    # file than the one named would be written. Each case asserts InvalidFileName and that its folder stays empty.
    It 'New-ModelCheckpoint -Path <Name>' -TestCases @(@{ Name = 'con.kpt' }, @{ Name = 'best.kpt.' }, @{ Name = 'aux\best.kpt' }) {
        param($Name)
        $dir = New-Folder "ckpt-$($Name -replace '\W', '_')"
        Get-Id { New-ModelCheckpoint -Path "$dir\$Name" } | Should -Be 'InvalidFileName'
        @(Get-ChildItem -LiteralPath $dir -Force).Count | Should -Be 0
    }

    It 'New-ModelCheckpoint with a placeholder that fills in to com1.kpt, when the fit saves' {
        $dir = New-Folder 'ckpt-template'
        $callback = New-ModelCheckpoint -Path "$dir\com{epoch}.kpt"
        $model = New-OttoModel
        Get-Id { $model | Invoke-ModelFit -Data $script:Data -Epochs 1 -BatchSize 50 -Seed 5 -Callbacks $callback } |
            Should -Be 'InvalidFileName'
        @(Get-ChildItem -LiteralPath $dir -Force).Count | Should -Be 0
    }

    It 'Invoke-ModelSweep -Journal <Name>' -TestCases @(@{ Name = 'nul.jsonl' }, @{ Name = 'sweep.jsonl ' }) {
        param($Name)
        $dir = New-Folder "journal-$($Name -replace '\W', '_')"
        Get-Id { Invoke-ModelSweep @script:Sweep -Journal "$dir\$Name" } | Should -Be 'InvalidFileName'
        @(Get-ChildItem -LiteralPath $dir -Force).Count | Should -Be 0
    }

    It 'Invoke-ModelSweep -CheckpointDirectory trials.' {
        $dir = New-Folder 'sweep-ckpt'
        Get-Id { Invoke-ModelSweep @script:Sweep -CheckpointDirectory "$dir\trials." } | Should -Be 'InvalidFileName'
        @(Get-ChildItem -LiteralPath $dir -Force).Count | Should -Be 0
    }

    It 'New-TensorBoardLogger -LogDir <Name>' -TestCases @(@{ Name = 'prn' }, @{ Name = 'logs ' }) {
        param($Name)
        $dir = New-Folder "tb-$($Name -replace '\W', '_')"
        Get-Id { New-TensorBoardLogger -LogDir "$dir\$Name" } | Should -Be 'InvalidFileName'
        @(Get-ChildItem -LiteralPath $dir -Force).Count | Should -Be 0
    }

    It 'Install-KerasRuntime -Path lpt1' {
        $dir = New-Folder 'runtime-name'
        Get-Id { Install-KerasRuntime -Source $script:Source -Path "$dir\lpt1" } | Should -Be 'InvalidFileName'
        @(Get-ChildItem -LiteralPath $dir -Force).Count | Should -Be 0
    }

    It 'Export-<Cmdlet> to <Name>' -TestCases @(
        @{ Cmdlet = 'Checkpoint'; Name = 'com9.keras' }, @{ Cmdlet = 'Checkpoint'; Name = 'con\model.kpt' }
        @{ Cmdlet = 'OnnxModel'; Name = 'model.onnx.' }, @{ Cmdlet = 'HistoryPlot'; Name = 'aux.png' }
    ) {
        param($Cmdlet, $Name)
        $dir = New-Folder "export-$Cmdlet-$($Name -replace '\W', '_')"
        $path = "$dir\$Name"
        $write = switch ($Cmdlet) {
            'Checkpoint' { { $script:Model | Export-Checkpoint -Path $path } }
            'OnnxModel' { { $script:Model | Export-OnnxModel -Path $path } }
            'HistoryPlot' { { $script:History | Export-HistoryPlot -Path $path } }
        }
        Get-Id $write | Should -Be 'InvalidFileName'
        @(Get-ChildItem -LiteralPath $dir -Force).Count | Should -Be 0
    }
}

Describe 'examples/SandboxRunbook.ps1 in a fresh Windows process' -Skip:(-not $env:KERASPS_TEST_MODULE) {
    # Azure Automation's cloud sandbox is Windows with about 400 MB per job. The runbook as a job runs it: a fresh host
    # process, a fresh temporary folder, the win-x64 runtime installed there from the restored packages, 20,000 Otto
    # rows, 10 epochs on one thread, a prediction and a checkpoint. Its memory figures are Wine's accounting, not
    # Windows's (module/RUNBOOKS.md).
    It 'completes and reports its peak working set, private memory and the runtime''s mapped images' {
        $temp = New-Folder 'sandbox-temp'
        $example = Join-Path (Split-Path (Split-Path $PSScriptRoot)) 'examples/SandboxRunbook.ps1'
        $script = Join-Path $TestDrive 'sandbox.ps1'
        Set-Content -LiteralPath $script -Value ("& '$example' -RuntimeSource '$script:Source' -ModulePath '$env:KERASPS_TEST_MODULE' " +
            "-Rows 20000 -Epochs 10 | ConvertTo-Json -Compress")
        $start = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
        $start.ArgumentList.Add($script)
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        foreach ($name in 'TEMP', 'TMP') { $start.Environment[$name] = $temp }
        $start.Environment.Remove('KERASPS_RUNTIME_PATH') | Out-Null
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $process = [Diagnostics.Process]::Start($start)
        $out = $process.StandardOutput.ReadToEndAsync()
        $err = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit(240000)) { $process.Kill($true) }
        $process.WaitForExit()
        $process.ExitCode | Should -Be 0 -Because "$($out.Result) $($err.Result)"
        $r = ($out.Result -split "`r?`n" | Where-Object { $_ -match '^\{' } | Select-Object -Last 1) | ConvertFrom-Json
        $r.Epochs | Should -Be 10
        $r.Predictions | Should -Be 4000
        $r.RuntimePath | Should -BeLike "$temp*win-x64"
        Test-Path -LiteralPath $r.CheckpointPath | Should -BeTrue
        $r.ValAccuracy | Should -BeGreaterThan (1 / 9)
        $r.PeakMemoryMB | Should -BeGreaterThan 50
        $r.RuntimeImagesMB | Should -BeGreaterThan 100   # torch_cpu.dll alone maps about 265 MB
        $line = ('    sandbox runbook (20,000 rows, 10 epochs, 1 thread, {0:N0} s): peak working set {1} MiB, private {2} MiB ' +
            '(peak {3}), working set at the end {4} MiB, loaded images {5} MiB of which the runtime''s {6} MiB, runtime {7} MB on disk, ' +
            'install {8} s, val_accuracy {9}') -f $clock.Elapsed.TotalSeconds, $r.PeakMemoryMB, $r.PrivateMB, $r.PeakPrivateMB,
            $r.WorkingSetMB, $r.ImagesMB, $r.RuntimeImagesMB, $r.RuntimeMB, $r.InstallSeconds, $r.ValAccuracy
        Write-Host $line
    }
}
