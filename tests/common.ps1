# Shared by every test file: imports the built module once per Pester run. In the Windows leg (tools/BuildTools.ps1,
# Invoke-WindowsTest) $env:KERASPS_TEST_MODULE names the module in its package layout instead, and
# $env:KERASPS_TEST_RUNTIME_ROOT the folder where tests/windows/Windows.Tests.ps1 (run first) installed the win-x64
# runtime: it is made this process's runtime folder through $env:KERASPS_RUNTIME_PATH.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$script:RepoRoot = Split-Path -Parent $PSScriptRoot
if ($env:KERASPS_TEST_RUNTIME_ROOT -and -not $env:KERASPS_RUNTIME_PATH) { $env:KERASPS_RUNTIME_PATH = $env:KERASPS_TEST_RUNTIME_ROOT }
if (-not (Get-Module KerasPS)) {
    $module = if ($env:KERASPS_TEST_MODULE) { $env:KERASPS_TEST_MODULE } else { Join-Path $script:RepoRoot 'KerasPS.psd1' }
    Import-Module $module -ErrorAction Stop
}
if (-not (Get-Module TestHelpers)) { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -DisableNameChecking }
