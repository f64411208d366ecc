# Functions behind build.ps1. Dot-sourced; no side effects on load.

function Get-PwshCommand {
    # The pwsh that runs this script, as a command line that starts a fresh one (works for the
    # dotnet tool, where the process is 'dotnet', and for an installed pwsh alike).
    $exe = [Environment]::ProcessPath
    $first = [Environment]::GetCommandLineArgs()[0]
    if ($first -like '*.dll') { return @($exe, $first) }
    return @($exe)
}

function Get-NuGetPackagesRoot {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = & dotnet nuget locals global-packages --list 2>$null | Select-Object -First 1
    if ($line -match 'global-packages:\s*(.+)$') { return $Matches[1].Trim() }
    return (Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages')
}

function Get-HostRid {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
    if ($IsWindows) { return "win-$arch" }
    if ($IsMacOS) { return "osx-$arch" }
    return "linux-$arch"
}

function Assert-FolderNotInUse {
    # Windows keeps a loaded DLL open until its process ends (Remove-Module does not unload a binary module), so
    # Remove-Item would delete part of module/bin and then fail. Look first, waiting out a scanner as the engine's
    # FileReplace does (5 tries, 50 ms doubling), and stop with the folder unchanged. Elsewhere a loaded library can
    # be replaced, so there is nothing to check.
    param([Parameter(Mandatory)] [string] $Folder)
    if (-not $IsWindows -or -not (Test-Path $Folder)) { return }
    foreach ($dll in Get-ChildItem $Folder -Recurse -File -Include *.dll) {
        $wait = 50
        for ($try = 1; ; $try++) {
            try { [IO.File]::Open($dll.FullName, 'Open', 'ReadWrite', 'None').Dispose(); break }
            catch [IO.IOException], [UnauthorizedAccessException] {
                if ($try -ge 5) {
                    throw "Cannot rebuild: '$($dll.FullName)' is in use, most likely by a PowerShell session that " +
                        "imported KerasPS from this clone (Remove-Module does not unload it). Close that session and " +
                        "build again; '$Folder' is unchanged."
                }
                Start-Sleep -Milliseconds $wait
                $wait *= 2
            }
        }
    }
}

function Invoke-ModuleBuild {
    param([string] $Root, [string] $Configuration = 'Release')
    $out = Join-Path $Root 'module/bin'
    $rid = Get-HostRid
    $project = Join-Path $Root 'src/KerasPS/KerasPS.csproj'
    $stamp = Join-Path $out '.build-stamp'
    Copy-AboutHelp -Root $Root
    # Skip the publish when nothing under src/ changed since the last one: it keeps test and example start-up fast.
    # The stamp names the sources too (a hash of their paths), so a deleted or renamed file also rebuilds.
    $inputs = @(Get-ChildItem (Join-Path $Root 'src') -Recurse -File -Include *.cs, *.csproj) +
        @(Get-ChildItem $Root -File -Filter *.props) + @(Get-Item (Join-Path $Root '.editorconfig') -ErrorAction Ignore) |
        Where-Object { $_ -and $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }
    $latest = $inputs | Sort-Object LastWriteTimeUtc -Descending | Select-Object -First 1
    $names = ($inputs | ForEach-Object { [IO.Path]::GetRelativePath($Root, $_.FullName) } | Sort-Object) -join "`n"
    $sourcesHash = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($names)))
    $stampText = "$Configuration $rid $sourcesHash"
    if ((Test-Path $stamp) -and $latest -and [IO.File]::GetLastWriteTimeUtc($stamp) -gt $latest.LastWriteTimeUtc -and
        (Get-Content $stamp -Raw).Trim() -eq $stampText) {
        Write-Verbose 'module/bin is up to date.'
        return $out
    }
    Write-Host "Building KerasPS ($Configuration, $rid) -> module/bin"
    # A fresh folder each time, so nothing of an older layout (or a deleted dependency) lingers.
    Assert-FolderNotInUse -Folder $out
    if (Test-Path $out) { Remove-Item $out -Recurse -Force }
    # The cmdlet assembly alone in module/bin; the engine and its managed dependencies in module/bin/dependencies,
    # where the module's own load context finds them (src/KerasPS.LoadContext/EngineLoadContext.cs).
    foreach ($p in $project, (Join-Path $Root 'src/KerasPS.LoadContext/KerasPS.LoadContext.csproj')) {
        & dotnet publish $p -c $Configuration -o $out --nologo -v quiet '-p:GenerateFullPaths=true'
        if ($LASTEXITCODE -ne 0) { throw "dotnet publish of $(Split-Path -Leaf $p) failed with exit code $LASTEXITCODE." }
    }
    $deps = Join-Path $out 'dependencies'
    & dotnet publish (Join-Path $Root 'src/KerasPS.Engine/KerasPS.Engine.csproj') -c $Configuration -o $deps --nologo -v quiet '-p:GenerateFullPaths=true' '-p:EngineDependencyPrivateAssets=none'
    if ($LASTEXITCODE -ne 0) { throw "dotnet publish of the engine failed with exit code $LASTEXITCODE." }
    Remove-UnsupportedNatives -Dependencies $deps
    Install-CloneRuntime -Root $Root -Rid $rid
    # Get-Help content for the binary cmdlets, from their /// comments (written in a fresh process: it imports the module).
    $pwsh = Get-PwshCommand
    $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
    & $exe @rest -NoProfile -NonInteractive -File (Join-Path $Root 'tools/New-MamlHelp.ps1') -Root $Root | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "Writing the cmdlet help failed (exit $LASTEXITCODE)." }
    Set-Content -Path $stamp -Value $stampText
    return $out
}

function Copy-AboutHelp {
    # Get-Help finds about_ topics only in <ModuleBase>/<culture>, and a built clone's ModuleBase is the root, where
    # KerasPS.psd1 is. The topics live with the other module files (module/en-US) and are copied there on every build.
    param([string] $Root)
    foreach ($culture in Get-ChildItem (Join-Path $Root 'module') -Directory | Where-Object { Get-ChildItem $_.FullName -Filter 'about_*.help.txt' }) {
        $target = Join-Path $Root $culture.Name
        $null = New-Item -ItemType Directory -Path $target -Force
        Copy-Item -Path (Join-Path $culture.FullName 'about_*.help.txt') -Destination $target -Force
    }
}

function Remove-UnsupportedNatives {
    # The module supports linux-x64, win-x64 and osx-arm64 (SkiaSharp's macOS build is under runtimes/osx); the other
    # platforms' natives would only make the package bigger. TorchSharp's own native bridge belongs to the runtime
    # that Install-KerasRuntime places (patched for older libstdc++ there), not to the managed module.
    param([string] $Dependencies)
    $runtimes = Join-Path $Dependencies 'runtimes'
    if (-not (Test-Path $runtimes)) { return }
    Get-ChildItem $runtimes -Directory | Where-Object Name -notin 'linux-x64', 'win-x64', 'osx-arm64', 'osx' |
        Remove-Item -Recurse -Force
    Get-ChildItem $runtimes -Recurse -File -Filter '*LibTorchSharp*' | Remove-Item -Force
    # SQLite (sweep studies) is the system's library on Linux and macOS; only Windows uses the bundled e_sqlite3.
    Get-ChildItem $runtimes -Recurse -File -Filter '*e_sqlite3*' | Where-Object { $_.FullName -notmatch '[\\/]win-x64[\\/]' } |
        Remove-Item -Force
}

function Install-CloneRuntime {
    <#
    A built clone keeps its native runtime in module/bin/runtime (RuntimeLocations' "Module" origin). It is placed by
    the module's own Install-KerasRuntime, from the libtorch and TorchSharp packages restored into the NuGet packages
    folder (tools/RuntimeSource.proj): the same verified, trimmed and patched runtime a user installs.
    #>
    param([string] $Root, [string] $Rid)
    Restore-RuntimePackage -Root $Root -Rid $Rid
    $source = Get-NuGetPackagesRoot
    $target = Join-Path $Root 'module/bin/runtime'
    $pwsh = Get-PwshCommand
    $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
    $script = "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'; Import-Module '$(Join-Path $Root 'KerasPS.psd1')'; " +
        "`$r = Install-KerasRuntime -Source '$source' -Path '$target'; 'Runtime: {0} ({1:N0} MB)' -f `$r.Path, `$r.SizeMB"
    & $exe @rest -NoProfile -NonInteractive -Command $script | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "Installing the clone's runtime into module/bin/runtime failed (exit $LASTEXITCODE)." }
}

function Copy-ModuleLayout {
    <#
    Lays the built module out in -Destination as its package installs it (manifest, format views, docs, sample data,
    the cmdlet and load-context assemblies and bin/dependencies), without the native runtime, which
    Install-KerasRuntime places per machine. The managed files serve every platform; bin/dependencies/runtimes holds
    SkiaSharp's natives for each supported one. Used by the package and by the Windows leg.
    #>
    param([string] $Root, [string] $Destination)
    $stage = $Destination
    New-Item -ItemType Directory -Force (Join-Path $stage 'module/bin') | Out-Null
    Copy-Item (Join-Path $Root 'KerasPS.psd1'), (Join-Path $Root 'LICENSE'), (Join-Path $Root 'README.md') $stage
    Get-ChildItem (Join-Path $Root 'module') -File | Copy-Item -Destination (Join-Path $stage 'module')
    Copy-Item (Join-Path $Root 'module/data') (Join-Path $stage 'module') -Recurse
    # about_ topics go where Get-Help looks for them: <ModuleBase>/<culture>, the package root.
    foreach ($culture in Get-ChildItem (Join-Path $Root 'module') -Directory | Where-Object { Get-ChildItem $_.FullName -Filter 'about_*.help.txt' }) {
        Copy-Item $culture.FullName (Join-Path $stage $culture.Name) -Recurse
    }
    $bin = Join-Path $Root 'module/bin'
    foreach ($item in Get-ChildItem $bin) {
        if ($item.Name -in 'runtime', '.build-stamp') { continue }   # the runtime is installed apart
        Copy-Item $item.FullName (Join-Path $stage 'module/bin') -Recurse
    }
}

function Invoke-ModulePackage {
    <#
    Writes out/KerasPS.<version>.nupkg: the module as Install-PSResource installs it (manifest, format views, docs,
    sample data, the cmdlet and load-context assemblies and bin/dependencies), without the native runtime, which
    Install-KerasRuntime places per machine. Returns the package file.
    #>
    param([string] $Root)
    $version = (Import-PowerShellDataFile (Join-Path $Root 'KerasPS.psd1')).ModuleVersion
    $out = Join-Path $Root 'out'
    $stage = Join-Path $out 'stage/KerasPS'
    if (Test-Path (Join-Path $out 'stage')) { Remove-Item (Join-Path $out 'stage') -Recurse -Force }
    Copy-ModuleLayout -Root $Root -Destination $stage
    $package = Join-Path $out "KerasPS.$version.nupkg"
    if (Test-Path $package) { Remove-Item $package -Force }
    Compress-PSResource -Path $stage -DestinationPath $out
    if (-not (Test-Path $package)) { throw "Compress-PSResource did not write $package." }
    Remove-Item (Join-Path $out 'stage') -Recurse -Force
    $mb = (Get-Item $package).Length / 1MB
    Write-Host ('Package: {0} ({1:N1} MB; Azure Automation imports modules up to 100 MB)' -f $package, $mb)
    if ($mb -ge 100) { throw "The package is $([math]::Round($mb, 1)) MB, over Azure Automation's 100 MB module limit." }
    return $package
}

function Invoke-ModuleClean {
    param([string] $Root)
    foreach ($p in 'en-US', 'module/bin', 'src/KerasPS/bin', 'src/KerasPS/obj', 'src/KerasPS.Engine/bin', 'src/KerasPS.Engine/obj', 'src/KerasPS.LoadContext/bin', 'src/KerasPS.LoadContext/obj', 'tests/obj', 'tests/bin', 'tests/bench/obj', 'tests/bench/bin', 'tools/obj', 'tools/bin', 'tests/net8/LoadPathCheck/bin', 'tests/net8/LoadPathCheck/obj', 'tests/windows/PwshHost/bin', 'tests/windows/PwshHost/obj', 'obj/windows', 'out') {
        $full = Join-Path $Root $p
        if (Test-Path $full) { Remove-Item $full -Recurse -Force }
    }
}

function Get-PesterModulePath {
    param([string] $Root)
    & dotnet restore (Join-Path $Root 'tests/Pester.proj') --nologo -v quiet
    if ($LASTEXITCODE -ne 0) { throw 'Restoring Pester from NuGet failed.' }
    $path = Join-Path (Get-NuGetPackagesRoot) 'pester/6.2.0/tools/Pester.psd1'
    if (-not (Test-Path $path)) { throw "Pester 6.2.0 was restored but $path is missing." }
    return $path
}

function Invoke-ModuleTest {
    <#
    Runs the Pester tests in a fresh pwsh and prints 'N passed, N failed[, N skipped]' (skipped counts skipped,
    inconclusive and not-run tests alike, so none of them passes unseen). -Fast leaves out the tests tagged Slow
    (fresh processes, packages, kills) or MachineChanging (they install system packages); CI runs everything.
    #>
    param([string] $Root, [string[]] $TestPath, [switch] $Fast, [switch] $PassThru)
    $pester = Get-PesterModulePath -Root $Root
    $TestPath = @($TestPath | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
    $paths = if ($TestPath) { $TestPath | ForEach-Object { if (Test-Path $_) { (Resolve-Path $_).Path } else { Join-Path $Root "tests/$_" } } } else { @(Join-Path $Root 'tests') }
    $result = Join-Path ([IO.Path]::GetTempPath()) "kerasps-pester-$PID.json"
    # A fresh process: the module under test is loaded once, by the tests, from module/bin.
    $script = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$pester'
`$c = New-PesterConfiguration
`$c.Run.Path = @('$($paths -join "','")')
`$c.Run.PassThru = `$true
$(if (-not $TestPath) { "`$c.Run.ExcludePath = @('$(Join-Path $Root 'tests/windows')/*')   # the Windows leg's" })
`$c.Output.Verbosity = 'Detailed'
$(if ($Fast) { "`$c.Filter.ExcludeTag = @('Slow', 'MachineChanging')" })
`$r = Invoke-Pester -Configuration `$c
@{ Passed = `$r.PassedCount; Failed = `$r.FailedCount + `$r.FailedBlocksCount + `$r.FailedContainersCount; Skipped = `$r.SkippedCount; Inconclusive = `$r.InconclusiveCount; NotRun = `$r.NotRunCount } | ConvertTo-Json | Set-Content '$result'
"@
    $pwsh = Get-PwshCommand
    $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
    & $exe @rest -NoProfile -NonInteractive -Command $script | Out-Host
    $childExit = $LASTEXITCODE
    if (-not (Test-Path $result)) {
        Write-Host "The Pester process ended (exit $childExit) without a result."
        Write-Host '0 passed, 1 failed'
        if ($PassThru) { return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }
        return 1
    }
    $r = Get-Content $result -Raw | ConvertFrom-Json
    Remove-Item $result -Force
    if ($null -eq $r.Passed -or $null -eq $r.Failed -or ($r.Passed + $r.Failed) -eq 0) {
        Write-Host 'Pester ran no test.'
        Write-Host '0 passed, 1 failed'
        if ($PassThru) { return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }
        return 1
    }
    $notPassed = [int]$r.Skipped + [int]$r.Inconclusive + $(if ($Fast) { 0 } else { [int]$r.NotRun })
    if ($r.Inconclusive) { Write-Host "$($r.Inconclusive) inconclusive (counted as skipped below)" }
    $line = "$($r.Passed) passed, $($r.Failed) failed"
    if ($notPassed) { $line += ", $notPassed skipped" }
    Write-Host $line
    if ($PassThru) { return [pscustomobject]@{ Passed = [int]$r.Passed; Failed = [int]$r.Failed; Skipped = [int]$notPassed } }
    if ($r.Failed -gt 0) { return 1 }
    return 0
}

function Install-DebianPrerequisite {
    <#
    The Debian packages that tests and benchmarks use as peers or servers (docs/PLATFORM.md): Python Optuna with its
    SQLite and PostgreSQL drivers, scikit-learn, Pillow and PostgreSQL 15 (and, with -Bench, PyTorch). Installs the
    missing ones with apt-get when this runs as root on Debian; otherwise says which are missing, and the tests that
    need them skip with a message.
    #>
    param([switch] $Bench)
    $packages = @('python3-optuna', 'python3-sqlalchemy', 'python3-psycopg2', 'python3-sklearn', 'python3-pil', 'postgresql')
    # The PyTorch and pandas peers of the benchmarks (../shared/bench/peer_pytorch*.py, CsvBench): about 200 packages, so
    # for -Task Bench only.
    if ($Bench) { $packages += 'python3-torch', 'python3-pandas', 'libopenblas0-pthread' }
    if (-not $IsLinux -or -not (Get-Command dpkg-query -ErrorAction Ignore)) { return }
    $missing = @($packages | Where-Object {
            (& dpkg-query -W -f '${Status}' $_ 2>$null) -notmatch 'install ok installed'
        })
    if (-not $missing) { return }
    if ((& id -u) -ne '0' -or -not (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Host "Missing Debian packages (the tests that need them skip): $($missing -join ', ')"
        return
    }
    Write-Host "Installing with apt-get: $($missing -join ', ')"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -qq | Out-Null
    & apt-get install -y -qq --no-install-recommends @missing | Out-Null
    if ($LASTEXITCODE -ne 0) { Write-Host "apt-get install $($missing -join ' ') failed (exit $LASTEXITCODE)." }
}

function ConvertTo-WinePath([string] $Path) {
    # Wine maps the Linux root to drive Z:.
    return 'Z:' + ([IO.Path]::GetFullPath($Path) -replace '/', '\')
}

function Restore-RuntimePackage {
    # libtorch-cpu-<rid> (and TorchSharp) into the NuGet packages folder: a built clone's runtime comes from there, the
    # Windows leg installs the win-x64 runtime from there, and so does Install-KerasRuntime.Tests.ps1's win-x64 case.
    param([string] $Root, [string] $Rid)
    & dotnet restore (Join-Path $Root 'tools/RuntimeSource.proj') "-p:HostRid=$Rid" --nologo -v quiet
    if ($LASTEXITCODE -ne 0) { throw "Restoring libtorch-cpu-$Rid failed with exit code $LASTEXITCODE." }
}

function Invoke-WindowsTest {
    <#
    The Windows leg: runs tests/windows/*.Tests.ps1, WindowsFileSemantics.Tests.ps1 and (in a second process, without
    Wine's Visual C++ runtime) VCRuntime.Tests.ps1 with Pester in a self-contained win-x64 PowerShell host
    (tests/windows/PwshHost, Microsoft.PowerShell.SDK) under Wine, with the built module laid out as its package
    installs it and the win-x64 libtorch runtime installed by the tests from the restored packages. Installs wine64
    with apt-get when Wine is missing and this runs as root on Linux; otherwise skips the leg with a message and
    returns $null (nothing counted). Returns the counts (Passed, Failed, Skipped) and prints them on one line.
    KMP_AFFINITY and DOTNET_EnableWriteXorExecute are set for Wine only (docs/PLATFORM.md); Windows needs neither.
    #>
    param([string] $Root, [int] $TimeoutSeconds = 360, [switch] $NoRestore)
    $watch = [Diagnostics.Stopwatch]::StartNew()
    if ($IsWindows) { Write-Host 'Windows leg skipped: on Windows, run the tests natively.'; return $null }
    if (-not (Get-Command wine -ErrorAction Ignore)) {
        if (-not $IsLinux -or (& id -u) -ne '0' -or -not (Get-Command apt-get -ErrorAction Ignore)) {
            Write-Host 'Windows leg skipped: Wine is missing (apt-get install wine wine64 as root, then run it again).'
            return $null
        }
        Write-Host 'Windows leg: installing wine and wine64 with apt-get'
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get update -qq | Out-Null
        & apt-get install -y -qq --no-install-recommends wine wine64 | Out-Null
        if ($LASTEXITCODE -ne 0 -or -not (Get-Command wine -ErrorAction Ignore)) { throw 'apt-get install wine wine64 failed.' }
    }
    $work = Join-Path $Root 'obj/windows'
    $null = New-Item -ItemType Directory -Force -Path $work
    if (-not $NoRestore) { Restore-RuntimePackage -Root $Root -Rid win-x64 }
    $pester = Get-PesterModulePath -Root $Root
    # The host, self-contained; the SDK's built-in modules (Microsoft.PowerShell.Utility …) go beside it.
    $hostDir = Join-Path $work 'host'
    & dotnet publish (Join-Path $Root 'tests/windows/PwshHost/PwshHost.csproj') -c Release -o $hostDir --nologo -v quiet
    if ($LASTEXITCODE -ne 0) { throw "Publishing tests/windows/PwshHost failed with exit code $LASTEXITCODE." }
    $builtIn = Join-Path $hostDir 'runtimes/win/lib/net10.0/Modules'
    if (-not (Test-Path $builtIn)) { throw "The published host has no $builtIn." }
    Copy-Item $builtIn $hostDir -Recurse -Force
    # The module as its package installs it; the runtime is not in it (the tests install it).
    $module = Join-Path $work 'KerasPS'
    if (Test-Path $module) { Remove-Item $module -Recurse -Force }
    Copy-ModuleLayout -Root $Root -Destination $module
    # The tests install the runtime here: Windows cannot delete loaded DLLs, so not under Pester's TestDrive.
    $runtimeRoot = Join-Path $work 'runtime'
    if (Test-Path $runtimeRoot) { Remove-Item $runtimeRoot -Recurse -Force }
    # Pester runs in two host processes. The first runs tests/windows (first: it checks NativeRuntimeMissing, then
    # installs the runtime) and the Linux test files whose Windows-only cases need a Windows process; the second runs
    # VCRuntime.Tests.ps1 with Wine's stand-ins for the Visual C++ runtime disabled, as a clean Windows machine has
    # none (its other cases run there too). Skipped under Wine, by name in its file: the journal append into a range
    # another handle locked (Wine does not enforce byte-range locks on writes).
    $runs = @(
        @{ Name = 'main'; Paths = @((Join-Path $Root 'tests/windows'), (Join-Path $Root 'tests/WindowsFileSemantics.Tests.ps1')); Overrides = 'mshtml=d'; Timeout = $TimeoutSeconds }
        # Never mscoree (the .NET host needs it); the .NET runtime itself links the C runtime statically, so it starts.
        @{ Name = 'vcruntime'; Paths = @(Join-Path $Root 'tests/VCRuntime.Tests.ps1'); Overrides = 'mshtml=d;msvcp140,vcruntime140,vcruntime140_1=d'; Timeout = 120 }
    )
    $runner = Join-Path $work 'run.ps1'
    Set-Content -Path $runner -Value @"
param([string] `$Result, [string] `$Paths)
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$(ConvertTo-WinePath $pester)'
`$c = New-PesterConfiguration
`$c.Run.Path = [string[]](`$Paths -split ';')
`$c.Run.PassThru = `$true
`$c.Output.Verbosity = 'Detailed'
`$c.Output.RenderMode = 'Plaintext'
`$r = Invoke-Pester -Configuration `$c
@{ Passed = `$r.PassedCount; Failed = `$r.FailedCount + `$r.FailedBlocksCount + `$r.FailedContainersCount; Skipped = `$r.SkippedCount + `$r.InconclusiveCount + `$r.NotRunCount } | ConvertTo-Json | Set-Content `$Result
"@
    $settings = @{
        WINEPREFIX = Join-Path $work 'wineprefix'; WINEDEBUG = '-all'; WINEDLLOVERRIDES = 'mshtml=d'
        KMP_AFFINITY = 'disabled'; DOTNET_EnableWriteXorExecute = '0'
        KERASPS_TEST_MODULE = ConvertTo-WinePath (Join-Path $module 'KerasPS.psd1')
        KERASPS_TEST_RUNTIME_SOURCE = ConvertTo-WinePath (Get-NuGetPackagesRoot)
        KERASPS_TEST_RUNTIME_ROOT = ConvertTo-WinePath $runtimeRoot
    }
    $saved = @{}
    foreach ($k in $settings.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $settings[$k]) }
    $counts = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
    try {
        Write-Host "Windows leg: Pester in the win-x64 host under Wine ($(& wine --version))"
        foreach ($run in $runs) {
            $result = Join-Path $work "result-$($run.Name).json"
            if (Test-Path $result) { Remove-Item $result -Force }
            $env:WINEDLLOVERRIDES = $run.Overrides
            $paths = ($run.Paths | ForEach-Object { ConvertTo-WinePath $_ }) -join ';'
            # timeout: a Wine hang must not hold CI; the leg's budget is 10 minutes.
            & timeout --kill-after=15 $run.Timeout wine (Join-Path $hostDir 'PwshHost.exe') (ConvertTo-WinePath $runner) (ConvertTo-WinePath $result) $paths | Out-Host
            $exit = $LASTEXITCODE
            $server = Get-Command wineserver -ErrorAction Ignore
            if (-not $server) { $server = Get-Command /usr/lib/wine/wineserver64, /usr/lib/wine/wineserver -ErrorAction Ignore | Select-Object -First 1 }
            if ($server) { & $server.Source -k 2>$null }
            $r = $null
            if ($exit -eq 124 -or $exit -eq 137) { Write-Host "Windows leg ($($run.Name)): the host was stopped after $($run.Timeout) s." }
            if (Test-Path $result) {
                $r = Get-Content $result -Raw | ConvertFrom-Json
                if (($r.Passed + $r.Failed) -eq 0) { Write-Host "Windows leg ($($run.Name)): Pester ran no test."; $r = $null }
            }
            else { Write-Host "Windows leg ($($run.Name)): the host ended (exit $exit$(if ($exit -eq 124) { ', timed out' })) without a result." }
            if (-not $r) { $r = [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }
            foreach ($k in 'Passed', 'Failed', 'Skipped') { $counts.$k += [int]$r.$k }
        }
    }
    finally {
        foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
    }
    Write-Host ('Windows: {0} passed, {1} failed, {2} skipped ({3:N0} s)' -f $counts.Passed, $counts.Failed, $counts.Skipped, $watch.Elapsed.TotalSeconds)
    return $counts
}
