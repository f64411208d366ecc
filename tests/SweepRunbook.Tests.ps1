# examples/SweepRunbook.ps1 killed mid-sweep (a real process kill, as Azure Automation's restarts are) and started
# again: it must finish with every trial exactly once and the results of an unbroken sweep.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:pwsh = @(Get-PwshCommand)
    $script:runbook = Join-Path $RepoRoot 'examples/SweepRunbook.ps1'
    $script:manifest = Join-Path $RepoRoot 'KerasPS.psd1'
    $script:settings = @('-Trials', 8, '-Epochs', 4, '-Rows', 4000, '-Seed', 42, '-Threads', 1)

    function Start-SweepRunbook([string] $Journal) {
        $psi = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NonInteractive', '-NoProfile', '-OutputFormat', 'xml', '-File', $runbook,
                '-JournalPath', $Journal, '-ModulePath', $manifest) + $settings) { $psi.ArgumentList.Add([string]$a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        [Diagnostics.Process]::Start($psi)
    }
    function Get-JournalResults([string] $Path) {
        if (-not (Test-Path $Path)) { return @() }
        @(Get-Content $Path | Where-Object { $_ -match '"kind":"result"' })
    }
    function Get-Outcome($Results) {
        ($Results | Sort-Object Trial | ForEach-Object { '{0}:{1}:{2}:{3}:{4:R}' -f $_.Trial, $_.Status, $_.Seed, ($_.Parameters.Values -join '/'), $_.Best }) -join "`n"
    }
}

Describe 'examples/SweepRunbook.ps1' -Tag Slow {
    It 'finishes a killed sweep when started again, every trial exactly once, with the results of an unbroken sweep' {
        $journal = Join-Path $TestDrive 'jobs/otto-sweep.jsonl'
        $first = Start-SweepRunbook $journal
        $stderrTask = $first.StandardError.ReadToEndAsync()
        $null = $first.StandardOutput.ReadToEndAsync()
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        while ((Get-JournalResults $journal).Count -lt 2 -and -not $first.HasExited -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $first.HasExited | Should -BeFalse -Because "the first run must still be sweeping when it is killed (stderr: $(if ($first.HasExited) { $stderrTask.Result }))"
        $first.Kill($true)
        $first.WaitForExit()

        $before = @(Import-SweepJournal $journal)   # what survived the kill reads back (a torn last line would be ignored)
        $before.Count | Should -BeGreaterOrEqual 2
        $before.Count | Should -BeLessThan 8

        $second = Start-SweepRunbook $journal
        $stdout = $second.StandardOutput.ReadToEnd()
        $second.WaitForExit()
        $second.ExitCode | Should -Be 0 -Because $second.StandardError.ReadToEnd()
        $xml = ($stdout -split "`n" | Where-Object { $_ -notmatch '^#< CLIXML' }) -join "`n"
        $summary = @([Management.Automation.PSSerializer]::Deserialize($xml))
        $summary.Count | Should -Be 1
        $summary[0].Trials | Should -Be 8
        $summary[0].FromJournal | Should -Be $before.Count
        ($before.Count + $summary[0].RanThisRun) | Should -Be 8    # no trial trained to the end twice

        $after = @(Import-SweepJournal $journal)
        $after.Trial | Should -Be (1..8)
        (Get-JournalResults $journal).Count | Should -Be 8          # one result record per trial

        # The same sweep, never interrupted.
        $unbrokenJournal = Join-Path $TestDrive 'unbroken.jsonl'
        $null = & $runbook -JournalPath $unbrokenJournal -ModulePath $manifest -Trials 8 -Epochs 4 -Rows 4000 -Seed 42 -Threads 1
        Get-Outcome $after | Should -Be (Get-Outcome (Import-SweepJournal $unbrokenJournal))
    }
}
