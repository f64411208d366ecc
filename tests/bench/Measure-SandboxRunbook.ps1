<#
.SYNOPSIS
    Measures what Azure Automation's cloud sandbox cares about: examples/SandboxRunbook.ps1 run as a job would run it
    (a fresh pwsh, a fresh temporary folder), with the runtime installed from a local source (the NuGet packages
    folder the build restored). Reports the install time, the job's peak resident memory and the package size.
.EXAMPLE
    dotnet pwsh tests/bench/Measure-SandboxRunbook.ps1 -Rows 20000
#>
param([int] $Rows = 20000, [int] $Epochs = 10)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
. (Join-Path $root 'tools/BuildTools.ps1')
$tmp = Join-Path ([IO.Path]::GetTempPath()) "kerasps-sandbox-$PID"
New-Item -ItemType Directory -Force $tmp | Out-Null
$savedTmp = $env:TMPDIR
try {
    $env:TMPDIR = $tmp   # the job's own temporary folder: nothing installed there yet
    $pwsh = @(Get-PwshCommand)
    $json = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command "& '$root/examples/SandboxRunbook.ps1' -RuntimeSource '$(Get-NuGetPackagesRoot)' -ModulePath '$root/KerasPS.psd1' -Rows $Rows -Epochs $Epochs | ConvertTo-Json -Compress"
    if ($LASTEXITCODE -ne 0) { throw "The sandbox runbook failed: $json" }
    $r = $json | Select-Object -Last 1 | ConvertFrom-Json
    [pscustomobject]@{ Name = "Sandbox runbook: runtime install from a local source"; Unit = 's'; Value = $r.InstallSeconds; Note = "$($r.RuntimeMB) MiB installed into the job's temp folder" }
    [pscustomobject]@{ Name = "Sandbox runbook: peak resident memory ($Rows Otto rows, $Epochs epochs)"; Unit = 'MiB'; Value = $r.PeakMemoryMB; Note = "the cloud sandbox allows about 400 MB; val_loss $($r.ValLoss)" }
    $package = Get-ChildItem (Join-Path $root 'out') -Filter 'KerasPS.*.nupkg' -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $package) { $package = Get-Item (Invoke-ModulePackage -Root $root 6>$null) }
    [pscustomobject]@{ Name = 'Module package (build.ps1 -Task Package)'; Unit = 'MiB'; Value = [math]::Round($package.Length / 1MB, 1); Note = 'Azure Automation imports modules up to 100 MB' }
}
finally {
    $env:TMPDIR = $savedTmp
    Remove-Item $tmp -Recurse -Force -ErrorAction SilentlyContinue
}
