# Shared by every test file: imports the built module once per Pester run.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$script:RepoRoot = Split-Path -Parent $PSScriptRoot
if (-not (Get-Module KerasPS)) {
    Import-Module (Join-Path $script:RepoRoot 'KerasPS.psd1') -ErrorAction Stop
}
if (-not (Get-Module TestHelpers)) { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -DisableNameChecking }
