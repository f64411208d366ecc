#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and benchmarks KerasPS.
.DESCRIPTION
    -Task Build  publishes the cmdlet and engine assemblies, with libtorch for this platform, to module/bin.
    -Task Test   builds, installs the Debian packages tests use as peers when missing (as root; Install-DebianPrerequisite
                 in tools/BuildTools.ps1), then runs every Pester test in a fresh pwsh process and prints 'N passed, N failed'
                 (-Fast leaves out the tests tagged Slow or MachineChanging). Without -Fast and -TestPath the Windows
                 leg follows, and a last line sums both legs.
    -Task TestWindows builds, then runs only the Windows leg: tests/windows, WindowsFileSemantics.Tests.ps1 and
                 VCRuntime.Tests.ps1 (without Wine's VC++ runtime, in a process of its own) in a win-x64 PowerShell host under
                 Wine (installed with apt-get when missing and run as root; skipped otherwise).
    -Task Bench  builds, then runs the benchmarks in tests/bench and prints ratios against the peers in ../shared/bench.
    -Task Package builds, then writes out/KerasPS.<version>.nupkg for Install-PSResource (managed module only; the
                 libtorch runtime is installed apart with Install-KerasRuntime).
    -Task Clean  removes build output.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'TestWindows', 'Bench', 'Package', 'Clean')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Pester tests to run (paths or names under tests/); all by default.
    [string[]] $TestPath,
    # With -Task Test: leave out the tests tagged Slow or MachineChanging, for a quick inner loop (CI runs all).
    [switch] $Fast,
    # Bench size knobs, so a quick bench can be run while developing.
    [int] $BenchEpochs = 5,
    # With -Task Bench: only these area benchmarks (tests/bench script names without .ps1); all by default.
    [string[]] $BenchOnly
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = $PSScriptRoot

. (Join-Path $Root 'tools/BuildTools.ps1')

switch ($Task) {
    'Build' { Invoke-ModuleBuild -Root $Root -Configuration $Configuration | Out-Null }
    'Clean' { Invoke-ModuleClean -Root $Root }
    'Package' {
        Invoke-ModuleBuild -Root $Root -Configuration $Configuration | Out-Null
        Invoke-ModulePackage -Root $Root
    }
    'Test' {
        Invoke-ModuleBuild -Root $Root -Configuration $Configuration | Out-Null
        Install-DebianPrerequisite
        if ($Fast -or $TestPath) {
            $code = Invoke-ModuleTest -Root $Root -TestPath $TestPath -Fast:$Fast
            exit $code
        }
        # The Linux leg, then the Windows leg (even when the first failed), then one line with the sums. The win-x64
        # package comes first, so that the Linux leg's Install-KerasRuntime tests check the win-x64 set on every run.
        $restored = $false
        try { Restore-RuntimePackage -Root $Root -Rid win-x64; $restored = $true } catch { Write-Host "$_ (the win-x64 cases skip)" }
        $legs = @(Invoke-ModuleTest -Root $Root -PassThru)
        try { $legs += Invoke-WindowsTest -Root $Root -NoRestore:$restored }
        catch {
            Write-Host "Windows leg failed: $_"
            $legs += [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
        }
        $sum = @{ Passed = 0; Failed = 0; Skipped = 0 }
        foreach ($leg in $legs | Where-Object { $_ }) { foreach ($k in @($sum.Keys)) { $sum[$k] += $leg.$k } }
        Write-Host "$($sum.Passed) passed, $($sum.Failed) failed, $($sum.Skipped) skipped"
        exit $(if ($sum.Failed -gt 0) { 1 } else { 0 })
    }
    'TestWindows' {
        Invoke-ModuleBuild -Root $Root -Configuration $Configuration | Out-Null
        $counts = Invoke-WindowsTest -Root $Root
        if (-not $counts) { exit 0 }
        exit $(if ($counts.Failed -gt 0) { 1 } else { 0 })
    }
    'Bench' {
        Invoke-ModuleBuild -Root $Root -Configuration $Configuration | Out-Null
        Install-DebianPrerequisite -Bench
        $bench = @{ Root = $Root; Epochs = $BenchEpochs }
        if ($PSBoundParameters.ContainsKey('BenchOnly')) { $bench.Only = @($BenchOnly | ForEach-Object { $_ -split ',' } | Where-Object { $_ }) }
        $null = & (Join-Path $Root 'tests/bench/Invoke-Bench.ps1') @bench
    }
}
