BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/fuzz/Hdf5Damage.ps1
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-hdf5-$PID"
    New-Item -ItemType Directory -Path $script:Work -Force | Out-Null
    function Read-ZipEntries([string] $path) {
        $zip = [IO.Compression.ZipFile]::OpenRead($path)
        try {
            foreach ($e in $zip.Entries) {
                $ms = [IO.MemoryStream]::new(); $s = $e.Open(); $s.CopyTo($ms); $s.Dispose()
                [pscustomobject]@{ Name = $e.FullName; Bytes = $ms.ToArray() }
            }
        }
        finally { $zip.Dispose() }
    }
    function Write-ZipEntries([string] $path, $entries) {
        # A new zip with correct CRCs, as a forger would write it, so that the damage reaches the HDF5 reader.
        $fs = [IO.File]::Create($path)
        $zip = [IO.Compression.ZipArchive]::new($fs, [IO.Compression.ZipArchiveMode]::Create)
        foreach ($e in $entries) { $s = $zip.CreateEntry($e.Name).Open(); $s.Write($e.Bytes, 0, $e.Bytes.Length); $s.Dispose() }
        $zip.Dispose(); $fs.Dispose()
    }
}

AfterAll { Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue }

# Issue 28, items 1-3: one damaged structure in an HDF5 file overflowed PureHDF's stack (the whole PowerShell process
# died: a stack overflow cannot be caught) or looped allocating without end. Each file below is made from the
# project's own files, and is imported in a child process under a watchdog (time and memory), so that a regression
# fails this test instead of killing the test run.
Describe 'Import-Checkpoint on damaged HDF5 structure' {
    It 'refuses a soft link to itself, a B-tree node that is its own child and a message running to end-of-file as InvalidCheckpoint' {
        $m = New-Model -Name dense -InputShape 4 -Seed 1 | Add-DenseLayer 3 -Activation relu | Add-DenseLayer 2 | Build-Model sgd mse
        $keras = Join-Path $script:Work 'dense.keras'
        $h5 = Join-Path $script:Work 'dense.h5'
        $m | Export-Checkpoint -Path $keras -Force
        $m | Export-Checkpoint -Path $h5 -Force
        $entries = @(Read-ZipEntries $keras)
        $w = $entries | Where-Object Name -eq 'model.weights.h5'
        $w.Bytes = New-SelfSoftLink $w.Bytes
        $cases = [ordered]@{
            'soft link to itself (.keras)' = Join-Path $script:Work 'soft.keras'
            'B-tree self-loop (Keras 2 .h5)' = Join-Path $script:Work 'loop.h5'
            'message to end-of-file (.h5)' = Join-Path $script:Work 'runaway.h5'
        }
        Write-ZipEntries $cases['soft link to itself (.keras)'] $entries
        [IO.File]::WriteAllBytes($cases['B-tree self-loop (Keras 2 .h5)'],
            (New-BTreeSelfLoop ([IO.File]::ReadAllBytes((Join-Path $PSScriptRoot 'data/simple_sparse_xent_mlp_keras_2_model.h5')))))
        [IO.File]::WriteAllBytes($cases['message to end-of-file (.h5)'], (New-RunawayHeader ([IO.File]::ReadAllBytes($h5))))
        # The undamaged files load, so the refusals below are the damage's.
        @((Import-Checkpoint -Path $keras).Engine.Weights.Path).Count | Should -Be 4
        @((Import-Checkpoint -Path $h5).Engine.Weights.Path).Count | Should -Be 4
        $module = (Get-Module KerasPS).Path
        $list = ($cases.Values | ForEach-Object { "'$_'" }) -join ','
        $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$module'; foreach (`$p in @($list)) { `$t = [Diagnostics.Stopwatch]::StartNew(); " +
            "try { `$null = Import-Checkpoint -Path `$p; 'LOADED' } catch { ((`$_.FullyQualifiedErrorId -split ',')[0]) + ' | ' + `$_.Exception.GetType().Name + ' | ' + `$_.Exception.Message }; " +
            "'SECONDS ' + [math]::Round(`$t.Elapsed.TotalSeconds, 2) }"
        $run = Invoke-WatchedPwsh -Script $script -TimeoutSeconds 60 -MaxMemoryMB 1536
        $run.Killed | Should -BeNullOrEmpty -Because $run.Output
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $lines = @($run.Output -split "`n" | ForEach-Object { $_.Trim() } | Where-Object { $_ -match '^(LOADED|InvalidCheckpoint|SECONDS|\w+ \|)' })
        $results = @($lines | Where-Object { $_ -notlike 'SECONDS*' })
        $results.Count | Should -Be 3 -Because $run.Output
        $results[0] | Should -Match "^InvalidCheckpoint \| KerasException \| .*soft link" -Because 'a soft link is refused before PureHDF resolves it'
        $results[1] | Should -Match '^InvalidCheckpoint \| KerasException \| .*B-tree.*(loop|level)'
        $results[2] | Should -Match '^InvalidCheckpoint \| KerasException \| .*object header.*(cut short|outside)'
        foreach ($s in $lines | Where-Object { $_ -like 'SECONDS*' }) { [double]($s -split ' ')[1] | Should -BeLessThan 10 }
        Write-Host "  three reproducers refused; child peak RSS $($run.PeakMB) MB"
    }
}
