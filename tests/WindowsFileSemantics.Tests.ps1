# Windows file semantics, checked on every platform by passing the platform in: a replace that Windows refuses while
# another program holds the file (retried with back-off, then one error), names Windows cannot hold (con.txt, a
# trailing dot), and paths over 260 characters. The cmdlets' own cases are in Export-Checkpoint, Export-OnnxModel,
# Export-HistoryPlot and Install-KerasRuntime; the ones that need $IsWindows run in the Windows leg. The Visual C++
# runtime's check is in VCRuntime.Tests.ps1.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Replace = [KerasPS.Engine.FileReplace]
    # The engine's test seams (internal, per thread): fail the next moves as a sharing violation would; record waits.
    $flags = [Reflection.BindingFlags]'NonPublic, Static'
    $script:SimulatedInUse = $script:Replace.GetProperty('SimulatedInUse', $flags)
    $script:RecordedWaits = $script:Replace.GetProperty('RecordedWaits', $flags)

    function Invoke-Replace([int] $InUse, [scriptblock] $Change, [switch] $Sleep) {
        # Runs FileReplace.Run with $InUse simulated refusals; returns the waits (or the real time) and the error.
        $waits = [Collections.Generic.List[TimeSpan]]::new()
        $script:SimulatedInUse.SetValue($null, $InUse)
        if (-not $Sleep) { $script:RecordedWaits.SetValue($null, $waits) }
        $err = $null
        $clock = [Diagnostics.Stopwatch]::StartNew()
        try { $script:Replace::Run('C:\runs\model.kpt', [Action]$Change) }
        catch { $err = $_.Exception.InnerException ?? $_.Exception }
        finally {
            $script:SimulatedInUse.SetValue($null, 0)
            $script:RecordedWaits.SetValue($null, $null)
        }
        [pscustomobject]@{ Waits = @($waits | ForEach-Object TotalMilliseconds); Error = $err; Elapsed = $clock.Elapsed }
    }
}

Describe 'FileReplace' {
    Context 'the retry policy' {
        It 'retries a file in use with a doubling wait and succeeds once it is free' {
            $script:calls = 0
            $r = Invoke-Replace -InUse 3 -Change { $script:calls++ }
            $r.Error | Should -BeNullOrEmpty
            $script:calls | Should -Be 1
            $r.Waits | Should -Be @(50, 100, 200)
        }

        It 'does not wait when the first try succeeds' {
            $r = Invoke-Replace -InUse 0 -Change { }
            $r.Error | Should -BeNullOrEmpty
            $r.Waits.Count | Should -Be 0
        }

        It 'gives up after 5 tries and 0.75 s of waiting with one FileInUseException naming the file and the reason' {
            $script:calls = 0
            $r = Invoke-Replace -InUse 5 -Change { $script:calls++ }
            $script:calls | Should -Be 0
            $r.Waits | Should -Be @(50, 100, 200, 400)
            $r.Error.GetType().Name | Should -Be 'FileInUseException'
            $r.Error | Should -BeOfType [IO.IOException]
            $r.Error.Path | Should -Be 'C:\runs\model.kpt'
            $r.Error.Message | Should -BeLike "'C:\runs\model.kpt' is in use: another program holds it open*"
            $r.Error.Message | Should -BeLike '*tried 5 times over 0.75 s*'
        }

        It 'really waits, and well under 2 s in all, before it gives up' {
            $r = Invoke-Replace -InUse 5 -Change { } -Sleep
            $r.Error.GetType().Name | Should -Be 'FileInUseException'
            $r.Elapsed.TotalSeconds | Should -BeGreaterThan 0.7
            $r.Elapsed.TotalSeconds | Should -BeLessThan 2
        }
    }

    Context 'what counts as in use' {
        It 'is <Name> on Windows: <OnWindows>, elsewhere: <Elsewhere>' -TestCases @(
            @{ Name = 'a sharing violation (0x80070020)'; Make = { [IO.IOException]::new('x', [int]0x80070020 -bor 0) }
                OnWindows = $true; Elsewhere = $true }
            @{ Name = 'a lock violation (0x80070021)'; Make = { [IO.IOException]::new('x', [int]0x80070021 -bor 0) }
                OnWindows = $true; Elsewhere = $true }
            @{ Name = 'access denied'; Make = { [UnauthorizedAccessException]::new('x') }; OnWindows = $true; Elsewhere = $false }
            @{ Name = 'a full disk'; Make = { [IO.IOException]::new('x', [int]0x80070070 -bor 0) }; OnWindows = $false; Elsewhere = $false }
            @{ Name = 'a missing file'; Make = { [IO.FileNotFoundException]::new('x') }; OnWindows = $false; Elsewhere = $false }
        ) {
            param($Name, $Make, $OnWindows, $Elsewhere)
            $e = & $Make
            $script:Replace::IsInUse($e, $true) | Should -Be $OnWindows
            $script:Replace::IsInUse($e, $false) | Should -Be $Elsewhere
        }
    }
}

Describe 'WindowsFileNames' {
    It 'refuses <Name> on Windows only, saying <Why>' -TestCases @(
        @{ Name = 'con'; Why = '*reserved device name*' }
        @{ Name = 'CON.kpt'; Why = '*''CON'' is a reserved device name*' }
        @{ Name = 'nul.tar.gz'; Why = '*reserved device name*' }
        @{ Name = 'Aux .h5'; Why = '*reserved device name*' }
        @{ Name = 'prn.onnx'; Why = '*reserved device name*' }
        @{ Name = 'com1.kpt'; Why = '*''COM1''*' }
        @{ Name = 'LPT9.png'; Why = '*''LPT9''*' }
        @{ Name = 'model.kpt.'; Why = '*ends in a dot*''model.kpt''*' }
        @{ Name = 'model.kpt '; Why = '*ends in a space*' }
    ) {
        param($Name, $Why)
        $names = [KerasPS.Engine.WindowsFileNames]
        $names::Problem($Name) | Should -BeLike $Why
        foreach ($path in "C:\runs\$Name", "/runs/$Name", $Name) {
            $err = $null
            try { $names::Check($path, $true) } catch { $err = $_.Exception.InnerException }
            $err.ErrorId | Should -Be 'InvalidFileName'
            $err.Message | Should -BeLike "'$path' cannot be written on Windows: *Choose another file name."
            { $names::Check($path, $false) } | Should -Not -Throw
        }
    }

    It 'accepts <Name>' -TestCases @(
        @{ Name = 'model.kpt' }, @{ Name = 'console.kpt' }, @{ Name = 'com10.kpt' }, @{ Name = 'lpt0.kpt' }
        @{ Name = 'my con.kpt' }, @{ Name = 'nul_model.h5' }, @{ Name = '.hidden' }, @{ Name = '..' }
    ) {
        param($Name)
        [KerasPS.Engine.WindowsFileNames]::Problem($Name) | Should -BeNullOrEmpty
        { [KerasPS.Engine.WindowsFileNames]::Check("C:\runs\$Name", $true) } | Should -Not -Throw
    }

    It 'CheckPath refuses any part of a path on Windows only: <Path>' -TestCases @(
        @{ Path = 'C:\runs\con\model.kpt' }, @{ Path = '/runs/logs./train' }, @{ Path = 'C:\runs\trials \1.kpt' }
        @{ Path = '\\?\C:\runs\nul.jsonl' }, @{ Path = 'runs/com1{epoch}/lpt2.kpt' }
    ) {
        param($Path)
        $names = [KerasPS.Engine.WindowsFileNames]
        $err = $null
        try { $names::CheckPath($Path, $true, $false) } catch { $err = $_.Exception.InnerException }
        $err.ErrorId | Should -Be 'InvalidFileName'
        $err.Message | Should -BeLike "'$([WildcardPattern]::Escape($Path))' cannot be written on Windows: *Choose another name."
        { $names::CheckPath($Path, $false, $false) } | Should -Not -Throw
    }

    It 'CheckPath accepts <Path>' -TestCases @(
        @{ Path = '\\?\C:\runs\model.kpt' }, @{ Path = 'C:\Users\me\runs\..\.\model.kpt' }, @{ Path = '/home/me/console/com10.kpt' }
        @{ Path = '\\server\share\runs\model.kpt' }
    ) {
        param($Path)
        { [KerasPS.Engine.WindowsFileNames]::CheckPath($Path, $true, $false) } | Should -Not -Throw
    }

    It 'CheckPath leaves a part with a placeholder to the save when checking a template, and checks the others' {
        $names = [KerasPS.Engine.WindowsFileNames]
        { $names::CheckPath('C:\runs\com{epoch}.kpt', $true, $true) } | Should -Not -Throw
        { $names::CheckPath('C:\runs\com{epoch}.kpt', $true, $false) } | Should -Not -Throw   # 'com{epoch}' is no device
        { $names::CheckPath('C:\runs\com1.kpt', $true, $false) } | Should -Throw
        { $names::CheckPath('C:\nul\{epoch}.kpt', $true, $true) } | Should -Throw
    }

    Context 'through the cmdlets that write files' {
        BeforeAll {
            $script:Small = New-Model -InputShape 3 -Seed 1 | Add-DenseLayer 2 |
                Build-Model -Optimizer sgd -Loss mse
        }

        It 'refuses con.kpt and model.kpt. with InvalidFileName on Windows' -Skip:(-not $IsWindows) {
            Get-ErrorId { $script:Small | Export-Checkpoint -Path (Join-Path $TestDrive 'con.kpt') } | Should -Be 'InvalidFileName'
            Get-ErrorId { $script:Small | Export-Checkpoint -Path "$TestDrive\model.kpt." } | Should -Be 'InvalidFileName'
            Get-ErrorId { $script:Small | Export-OnnxModel -Path (Join-Path $TestDrive 'NUL.onnx') } | Should -Be 'InvalidFileName'
            @(Get-ChildItem $TestDrive -Force).Count | Should -Be 0
        }

        It 'writes con.kpt where the platform allows it (not Windows)' -Skip:$IsWindows {
            $p = Join-Path $TestDrive 'con.kpt'
            $script:Small | Export-Checkpoint -Path $p
            Test-Path -LiteralPath $p | Should -BeTrue
        }
    }
}

Describe 'paths longer than 260 characters' {
    # .NET adds Windows' \\?\ prefix itself where a path needs it, so files need neither the LongPathsEnabled registry
    # setting nor a manifest (on Linux this is plain; the Windows leg runs it on Windows' rules).
    BeforeAll {
        $script:Small = New-Model -InputShape 3 -Seed 1 | Add-DenseLayer 2 | Build-Model -Optimizer sgd -Loss mse
        $segments = 1..5 | ForEach-Object { "$_" + ('d' * 59) }
        $script:Deep = Join-Path $TestDrive ($segments -join [IO.Path]::DirectorySeparatorChar)
        New-Item -ItemType Directory -Path $script:Deep -Force | Out-Null
    }

    It 'writes, replaces and reads back a checkpoint and writes an ONNX file there' {
        $p = Join-Path $script:Deep 'model-with-a-long-path.kpt'
        $p.Length | Should -BeGreaterThan 300
        $script:Small | Export-Checkpoint -Path $p
        $script:Small | Export-Checkpoint -Path $p -Force
        (Import-Checkpoint -Path $p).ParamCount | Should -Be $script:Small.ParamCount
        $onnx = Join-Path $script:Deep 'model-with-a-long-path.onnx'
        $script:Small | Export-OnnxModel -Path $onnx
        (Get-Item -LiteralPath $onnx).Length | Should -BeGreaterThan 20
        @(Get-ChildItem -LiteralPath $script:Deep -Force).Name | Sort-Object |
            Should -Be @('model-with-a-long-path.kpt', 'model-with-a-long-path.onnx')
    }
}

Describe 'SweepJournal appends while another handle holds the file' {
    # On Windows a byte-range lock (LockFileEx) or a handle without sharing refuses the append; the seam simulates it.
    BeforeAll {
        $script:JournalPath = Join-Path $TestDrive 'held.jsonl'
        $script:Journal = [KerasPS.Engine.Sweeps.SweepJournal]::Open($script:JournalPath)
        function Add-Record([int] $InUse, [int] $Trial = 1) {
            $waits = [Collections.Generic.List[TimeSpan]]::new()
            $script:SimulatedInUse.SetValue($null, $InUse)
            $script:RecordedWaits.SetValue($null, $waits)
            try { $script:Journal.Append([KerasPS.Engine.Sweeps.JournalRecord]@{ Kind = 'run'; Trial = $Trial }); $null }
            catch { $_.Exception.InnerException ?? $_.Exception }
            finally {
                $script:SimulatedInUse.SetValue($null, 0)
                $script:RecordedWaits.SetValue($null, $null)
            }
        }
    }
    AfterAll { $script:Journal.Dispose() }

    It 'retries an append that is refused, then writes the record once' {
        Add-Record -InUse 3 | Should -BeNullOrEmpty
        @(Get-Content -LiteralPath $script:JournalPath).Count | Should -Be 1
    }

    It 'refuses with JournalUnavailable after every try, the records already there unchanged' {
        # Read sharing the journal's open handle (Windows refuses ReadAllBytes while a writer holds it).
        function Read-Bytes {
            $s = [IO.File]::Open($script:JournalPath, 'Open', 'Read', 'ReadWrite')
            try { $b = [byte[]]::new($s.Length); $s.ReadExactly($b); $b } finally { $s.Dispose() }
        }
        $before = Read-Bytes
        $err = Add-Record -InUse 5 -Trial 2
        $err.ErrorId | Should -Be 'JournalUnavailable'
        $err.Message | Should -BeLike "Cannot write to the sweep journal: '*held.jsonl' is in use:*tried 5 times*unchanged."
        Read-Bytes | Should -Be $before
        Add-Record -InUse 0 -Trial 2 | Should -BeNullOrEmpty
        # one line per record: the refused append left nothing behind (a second trial-2 line would be a duplicate)
        @(Get-Content -LiteralPath $script:JournalPath).Count | Should -Be 2
        @([KerasPS.Engine.Sweeps.SweepJournal]::Read($script:JournalPath)).Trial | Should -Be @(1, 2)
    }
}
