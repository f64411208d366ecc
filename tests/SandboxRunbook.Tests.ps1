# examples/SandboxRunbook.ps1 as a cloud-sandbox job runs it: a fresh pwsh, a fresh temporary folder, the runtime
# installed there from a local source (the NuGet packages folder the build restored), then a small fit.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . (Join-Path $RepoRoot 'tools/BuildTools.ps1')   # Get-NuGetPackagesRoot
    $script:jobTemp = Join-Path $TestDrive 'job-temp'
    New-Item -ItemType Directory -Force $jobTemp | Out-Null
    $script:run = Invoke-FreshPwsh -Environment @{ TMPDIR = $jobTemp; KERASPS_RUNTIME_PATH = $null } -Script "& '$RepoRoot/examples/SandboxRunbook.ps1' -RuntimeSource '$(Get-NuGetPackagesRoot)' -ModulePath '$RepoRoot/KerasPS.psd1' -Rows 600 -Epochs 3 | ConvertTo-Json -Compress"
    $script:result = ($run.Output -split "`n" | Where-Object { $_ -match '^\{' } | Select-Object -Last 1) | ConvertFrom-Json
}

Describe 'examples/SandboxRunbook.ps1' -Tag Slow {
    It 'installs the runtime into the job''s temporary folder and trains with it' {
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $result.RuntimePath | Should -Be (Join-Path $jobTemp 'kerasps-runtime/libtorch-2.10.0/linux-x64')
        Test-Path (Join-Path $result.RuntimePath 'runtime.json') | Should -BeTrue
        $result.Epochs | Should -Be 3
        $result.ValLoss | Should -BeGreaterThan 0
        $result.ValAccuracy | Should -BeGreaterThan (1 / 9)   # better than chance on 9 classes
    }

    It 'reports the install time and the peak memory of the job' {
        $result.InstallSeconds | Should -BeGreaterThan 0
        $result.PeakMemoryMB | Should -BeGreaterThan 50
        $result.PeakMemoryMB | Should -BeLessThan 400   # the cloud sandbox's memory, for a job this small
    }
}
