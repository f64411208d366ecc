# Shared by every test file: imports the built module once per Pester run.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$script:RepoRoot = Split-Path -Parent $PSScriptRoot
$script:SharedData = Join-Path (Split-Path -Parent $script:RepoRoot) 'shared/data'
if (-not (Get-Module KerasPS)) {
    Import-Module (Join-Path $script:RepoRoot 'KerasPS.psd1') -ErrorAction Stop
}

function Get-ErrorId {
    # The FullyQualifiedErrorId's first part (the engine's stable id) of the error a script block raises.
    param([scriptblock] $ScriptBlock)
    try { & $ScriptBlock | Out-Null } catch { return ($_.FullyQualifiedErrorId -split ',')[0] }
    return $null
}
