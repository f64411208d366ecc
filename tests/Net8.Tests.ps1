# The module's load path on a real .NET 8 (what PowerShell 7.4 and Azure Automation runbooks run on). PowerShell 7.4
# itself is not served here, but the .NET 8 runtime is: tests/net8/Net8Runtime.proj restores it, and a DOTNET_ROOT
# made in $TestDrive puts it beside the installed SDK's host. tests/net8/LoadPathCheck loads the built module as
# PowerShell does (KerasPS.LoadContext.dll's hook, then code that names the engine) and trains, saves and reloads a
# checkpoint, reads a CSV, round-trips a DataFrame (with ML.NET's vector type) and writes a PNG.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . (Join-Path $RepoRoot 'tools/BuildTools.ps1')   # Get-NuGetPackagesRoot
    $net8 = Join-Path $RepoRoot 'tests/net8'
    & dotnet restore (Join-Path $net8 'Net8Runtime.proj') --nologo -v quiet
    if ($LASTEXITCODE -ne 0) { throw 'Restoring the .NET 8 runtime package failed.' }
    & dotnet build (Join-Path $net8 'LoadPathCheck/LoadPathCheck.csproj') -c Release --nologo -v quiet
    if ($LASTEXITCODE -ne 0) { throw 'Building tests/net8/LoadPathCheck failed.' }
    $script:app = Join-Path $net8 'LoadPathCheck/bin/Release/net8.0/LoadPathCheck.dll'

    # A .NET root with the installed host and the restored 8.0 runtime. The muxer must be a copy: it finds its root
    # from its own real path, so a link would lead back to the installed root.
    $muxer = [Environment]::ProcessPath
    $target = (Get-Item $muxer).ResolvedTarget
    if ($target) { $muxer = [IO.Path]::GetFullPath($target, (Split-Path $muxer)) }
    $installed = Split-Path $muxer
    $script:root = Join-Path $TestDrive 'dotnet8'
    $framework = Join-Path $root 'shared/Microsoft.NETCore.App/8.0.34'
    New-Item -ItemType Directory -Force $framework, (Join-Path $root 'host') | Out-Null
    Copy-Item $muxer (Join-Path $root 'dotnet')
    New-Item -ItemType SymbolicLink -Path (Join-Path $root 'host/fxr') -Target (Join-Path $installed 'host/fxr') | Out-Null
    $pack = Join-Path (Get-NuGetPackagesRoot) 'microsoft.netcore.app.runtime.linux-x64/8.0.34/runtimes/linux-x64'
    foreach ($f in Get-ChildItem (Join-Path $pack 'lib/net8.0'), (Join-Path $pack 'native') -File) {
        New-Item -ItemType SymbolicLink -Path (Join-Path $framework $f.Name) -Target $f.FullName | Out-Null
    }
    function Invoke-LoadPathCheck([string] $Mode) {
        $out = & (Join-Path $root 'dotnet') $app (Join-Path $RepoRoot 'module/bin') (Join-Path $TestDrive "work-$Mode") $Mode 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($out | Out-String) }
    }
    $script:private = Invoke-LoadPathCheck private
    $script:shared = Invoke-LoadPathCheck shared
}

Describe 'KerasPS on .NET 8' -Tag Slow {
    It 'runs on a real .NET 8, with the engine in the module''s own load context' {
        $private.Output | Should -Match 'RUNTIME 8\.0\.34 \.NET 8\.0\.34'
        $private.Output | Should -Match 'HOST_IMMUTABLE 8\.0\.0\.0'
        $private.Output | Should -Match 'ENGINE_CONTEXT KerasPS'
    }

    It 'trains, saves and reloads a checkpoint, reads a CSV, round-trips a DataFrame and writes a PNG' {
        foreach ($step in 'context', 'csv', 'fit', 'checkpoint', 'dataframe', 'png') {
            $private.Output | Should -Match "STEP $step OK" -Because $private.Output
        }
        $private.ExitCode | Should -Be 0
        Test-Path (Join-Path $TestDrive 'work-private/loss.png') | Should -BeTrue
    }

    It 'would break DataFrames in PowerShell''s shared context (the fault it fixes: System.Collections.Immutable 9 vs .NET 8''s 8.0)' {
        $shared.Output | Should -Match 'ENGINE_CONTEXT Default'
        $shared.Output | Should -Match 'STEP dataframe FAILED FileLoadException: .*System\.Collections\.Immutable, Version=9\.0\.0\.0.*0x80131621'
        $shared.ExitCode | Should -Not -Be 0
    }
}
