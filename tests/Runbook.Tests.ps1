# examples/Runbook.ps1 under pwsh -NonInteractive: killed mid-training, started again, it finishes from its checkpoint.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:pwsh = @(Get-PwshCommand)
    $script:runbook = Join-Path $RepoRoot 'examples/Runbook.ps1'
    $script:manifest = Join-Path $RepoRoot 'KerasPS.psd1'

    function Start-Runbook([string] $Checkpoint, [int] $Epochs, [switch] $Wait) {
        $psi = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NonInteractive', '-NoProfile', '-OutputFormat', 'xml', '-File', $runbook,
                '-CheckpointPath', $Checkpoint, '-Epochs', $Epochs, '-Rows', 20000, '-Threads', 1, '-ModulePath', $manifest)) { $psi.ArgumentList.Add([string]$a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        [Diagnostics.Process]::Start($psi)
    }

    $null = New-Model -InputShape 2 -Seed 1 | Add-DenseLayer -Units 1   # load libtorch here now, not while polling
    function Get-CheckpointEpochs([string] $Path) {
        if (-not (Test-Path $Path)) { return 0 }
        (Import-Checkpoint -Path $Path).EpochsTrained
    }
}

Describe 'examples/Runbook.ps1' -Tag Slow {
    It 'resumes from its checkpoint after being killed, and the epochs of both runs add up' {
        $checkpoint = Join-Path $TestDrive 'jobs/otto.kpt'
        $epochs = 12
        $first = Start-Runbook $checkpoint $epochs
        $stderrTask = $first.StandardError.ReadToEndAsync()
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        while ((Get-CheckpointEpochs $checkpoint) -lt 2 -and -not $first.HasExited -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        $first.HasExited | Should -BeFalse -Because "the first run must still be training when it is killed (stderr: $(if ($first.HasExited) { $stderrTask.Result }))"
        $first.Kill($true)
        $first.WaitForExit()

        $done = Get-CheckpointEpochs $checkpoint          # the checkpoint survived the kill and loads
        $done | Should -BeGreaterOrEqual 2
        $done | Should -BeLessThan $epochs

        $second = Start-Runbook $checkpoint $epochs
        $stdout = $second.StandardOutput.ReadToEnd()
        $second.WaitForExit()
        $second.ExitCode | Should -Be 0 -Because $second.StandardError.ReadToEnd()
        $xml = ($stdout -split "`n" | Where-Object { $_ -notmatch '^#< CLIXML' }) -join "`n"
        $out = @([Management.Automation.PSSerializer]::Deserialize($xml))
        $out.Count | Should -Be 1   # one summary object, not a line per epoch
        $summary = $out[0]
        $summary.Completed | Should -BeTrue
        $summary.EpochsTrained | Should -Be $epochs
        ($done + $summary.EpochsThisRun) | Should -Be $epochs
        Get-CheckpointEpochs $checkpoint | Should -Be $epochs
    }
}
