BeforeAll {
    . $PSScriptRoot/common.ps1

    $script:Locations = Get-KerasType 'KerasPS.Engine.Native.RuntimeLocations'
    $script:ElfPatch = Get-KerasType 'KerasPS.Engine.Native.ElfVersionPatch'
    $script:SavedSessionPath = $script:Locations::SessionPath
    $script:Rid = $script:Locations::Rid
    $script:Expected = @{
        'linux-x64' = @('libLibTorchSharp.so', 'libc10.so', 'libgomp-98b21ff3.so.1', 'libtorch.so', 'libtorch_cpu.so')
        'win-x64'   = @('LibTorchSharp.dll', 'c10.dll', 'libiomp5md.dll', 'torch.dll', 'torch_cpu.dll')
        'osx-arm64' = @('libLibTorchSharp.dylib', 'libc10.dylib', 'libomp.dylib', 'libtorch.dylib', 'libtorch_cpu.dylib')
    }

    # The packages restore already put in NuGet's global packages folder serve as an offline source.
    $script:GlobalPackages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else {
        ((& dotnet nuget locals global-packages --list) -replace '^.*?global-packages:\s*', '').Trim()
    }
    function New-SourceFolder([string] $Path, [string[]] $Packages) {
        New-Item -ItemType Directory -Path $Path -Force | Out-Null
        foreach ($p in $Packages) {
            $id, $version = $p -split '/'
            $file = Join-Path $script:GlobalPackages "$id/$version/$id.$version.nupkg"
            if (-not (Test-Path $file)) { throw "Restore first: $file is missing." }
            $target = Join-Path $Path "$id.$version.nupkg"
            try { New-Item -ItemType HardLink -Path $target -Target $file -ErrorAction Stop | Out-Null }
            catch { Copy-Item -LiteralPath $file -Destination $target }
        }
        $Path
    }
    $script:Source = New-SourceFolder (Join-Path $TestDrive 'src') @("libtorch-cpu-$($script:Rid)/2.10.0", 'torchsharp/0.107.0')
    $script:Root = Join-Path $TestDrive 'rt'
    $script:Folder = $script:Locations::FolderUnder($script:Root)

    $watch = [Diagnostics.Stopwatch]::StartNew()
    $script:Installed = Install-KerasRuntime -Source $script:Source -Path $script:Root
    $watch.Stop()
    $size = (Get-ChildItem -LiteralPath $script:Folder -File | Measure-Object Length -Sum).Sum
    Write-Host ("    Install-KerasRuntime from a local source: {0:N1} s, {1:N1} MB installed" -f $watch.Elapsed.TotalSeconds, ($size / 1MB))
}

AfterAll {
    if ($script:Locations) { $script:Locations::SessionPath = $script:SavedSessionPath }
}

Describe 'Install-KerasRuntime' -Tag Slow {
    Context 'from a local folder of .nupkg files, into -Path' {
        It 'installs exactly the libraries needed at run time' {
            (Get-ChildItem -LiteralPath $script:Folder -File).Name | Sort-Object |
                Should -Be (@($script:Expected[$script:Rid]) + 'runtime.json' | Sort-Object)
            Get-ChildItem -LiteralPath $script:Folder -Recurse -Filter '*torch_python*' | Should -BeNullOrEmpty
        }

        It 'lists every file in runtime.json with its size and SHA-256' {
            $manifest = Get-Content -Raw (Join-Path $script:Folder 'runtime.json') | ConvertFrom-Json
            $manifest.libTorchVersion | Should -Be '2.10.0'
            $manifest.torchSharpVersion | Should -Be '0.107.0'
            $manifest.rid | Should -Be $script:Rid
            $manifest.source | Should -Be $script:Source
            $manifest.files.name | Sort-Object | Should -Be ($script:Expected[$script:Rid] | Sort-Object)
            foreach ($f in $manifest.files) {
                $path = Join-Path $script:Folder $f.name
                (Get-Item -LiteralPath $path).Length | Should -Be $f.size
                (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash.ToLowerInvariant() | Should -Be $f.sha256
            }
        }

        It 'marks GLIBCXX_3.4.32 weak in its own copy of libLibTorchSharp.so (Debian 12 / Ubuntu 22.04)' -Skip:(-not $IsLinux) {
            $bridge = Join-Path $script:Folder 'libLibTorchSharp.so'
            if (Get-Command readelf -ErrorAction Ignore) {
                (readelf -V $bridge | Select-String 'Name: GLIBCXX_3\.4\.32').Line | Should -Match 'Flags: WEAK'
            }
            $script:ElfPatch::IsVersionNeedWeak($bridge, 'GLIBCXX_3.4.32') | Should -BeTrue
            $original = Join-Path $script:GlobalPackages 'torchsharp/0.107.0/runtimes/linux-x64/native/libLibTorchSharp.so'
            if (Test-Path $original) { $script:ElfPatch::IsVersionNeedWeak($original, 'GLIBCXX_3.4.32') | Should -BeFalse }
        }

        It 'returns the runtime, used by this session at once (Origin Session)' {
            $script:Installed.GetType().FullName | Should -Be 'KerasPS.RuntimeInfo'
            $script:Installed.Origin | Should -Be 'Session'
            $script:Installed.Path | Should -Be $script:Folder
            $script:Installed.InUse | Should -BeTrue
            $script:Installed.IsComplete | Should -BeTrue
            $script:Locations::SessionPath | Should -Be $script:Root
        }

        It 'is listed by Get-KerasRuntime -ListAvailable with Origin Session, and is the one in use' {
            $listed = Get-KerasRuntime -ListAvailable | Where-Object Path -eq $script:Folder
            $listed.Origin | Should -Be 'Session'
            $listed.Rid | Should -Be $script:Rid
            $listed.LibTorchVersion | Should -Be '2.10.0'
            $listed.TorchSharpVersion | Should -Be '0.107.0'
            $listed.Files | Sort-Object | Should -Be ($script:Expected[$script:Rid] | Sort-Object)
            $listed.SizeMB | Should -BeGreaterThan 100
            $listed.InstalledAt | Should -Not -BeNullOrEmpty
            $listed.InUse | Should -BeTrue
            (Get-KerasRuntime).Path | Should -Be $script:Folder
            (Get-KerasRuntime | Out-String) | Should -Match ([regex]::Escape($script:Rid))
        }

        It 'leaves a complete runtime alone when run again without -Force' {
            $before = Get-ChildItem -LiteralPath $script:Folder -File | ForEach-Object { "$($_.Name) $($_.LastWriteTimeUtc.Ticks)" }
            $again = Install-KerasRuntime -Source $script:Source -Path $script:Root
            $again.InstalledAt | Should -Be $script:Installed.InstalledAt
            Get-ChildItem -LiteralPath $script:Folder -File | ForEach-Object { "$($_.Name) $($_.LastWriteTimeUtc.Ticks)" } | Should -Be $before
        }

        It 'reinstalls with -Force, replacing the folder only once the new one is complete' {
            $root = Join-Path $TestDrive 'forced'
            $first = Install-KerasRuntime -Source $script:Source -Path $root
            Start-Sleep -Milliseconds 20
            $second = Install-KerasRuntime -Source $script:Source -Path $root -Force
            $second.InstalledAt | Should -BeGreaterThan $first.InstalledAt
            $second.IsComplete | Should -BeTrue
            @(Get-ChildItem -LiteralPath (Split-Path $second.Path) -Force).Name | Should -Be $script:Rid
            Remove-Item -LiteralPath $root -Recurse -Force
            $script:Locations::SessionPath = $script:Root
        }

        It 'refuses a -Force reinstall while the runtime stays in use (Windows), keeping it whole and leaving no staging folder' {
            # The engine's test seams for Windows' refusal to move a folder whose files are open (reached by reflection).
            $flags = [Reflection.BindingFlags]'NonPublic, Static'
            $inUse = [KerasPS.Engine.FileReplace].GetProperty('SimulatedInUse', $flags)
            $recorded = [KerasPS.Engine.FileReplace].GetProperty('RecordedWaits', $flags)
            $root = Join-Path $TestDrive 'held'
            $first = Install-KerasRuntime -Source $script:Source -Path $root
            $before = Get-ChildItem -LiteralPath $first.Path -File | ForEach-Object { "$($_.Name) $($_.Length) $($_.LastWriteTimeUtc.Ticks)" }
            $waits = [Collections.Generic.List[TimeSpan]]::new()
            $err = $null
            $inUse.SetValue($null, 5); $recorded.SetValue($null, $waits)
            try { Install-KerasRuntime -Source $script:Source -Path $root -Force } catch { $err = $_ }
            finally { $inUse.SetValue($null, 0); $recorded.SetValue($null, $null) }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'RuntimeInstallFailed'
            $err.Exception.Message | Should -BeLike "*'$($first.Path)' is in use:*"
            $waits.Count | Should -Be 4
            Get-ChildItem -LiteralPath $first.Path -File | ForEach-Object { "$($_.Name) $($_.Length) $($_.LastWriteTimeUtc.Ticks)" } |
                Should -Be $before
            @(Get-ChildItem -LiteralPath (Split-Path $first.Path) -Force).Name | Should -Be $script:Rid
            Remove-Item -LiteralPath $root -Recurse -Force
            $script:Locations::SessionPath = $script:Root
        }

        It 'removes the staging folders of killed installs (their process no longer runs) and keeps those of live installs' {
            $root = Join-Path $TestDrive 'stale'
            $parent = Split-Path ($script:Locations::FolderUnder($root))
            New-Item -ItemType Directory -Force -Path $parent | Out-Null
            $ended = Start-Process -FilePath dotnet -ArgumentList '--version' -PassThru -RedirectStandardOutput (Join-Path $TestDrive 'v.txt')
            $ended.WaitForExit()
            $name = { param($tag) Join-Path $parent ".$($script:Rid).partial-$tag$([guid]::NewGuid().ToString('N'))" }
            $killed = & $name "$($ended.Id)-"
            $live = & $name "$PID-"
            $oldUnnamed = & $name ''
            $newUnnamed = & $name ''
            foreach ($d in $killed, $live, $oldUnnamed, $newUnnamed) { New-Item -ItemType Directory -Path $d | Out-Null; Set-Content -Path (Join-Path $d 'libtorch_cpu.so') -Value 'partial' }
            [IO.Directory]::SetLastWriteTimeUtc($oldUnnamed, [DateTime]::UtcNow.AddHours(-2))

            $null = Install-KerasRuntime -Source $script:Source -Path $root
            Test-Path -LiteralPath $killed | Should -BeFalse -Because 'its process has ended'
            Test-Path -LiteralPath $oldUnnamed | Should -BeFalse -Because 'a staging folder without a process id, untouched for two hours, is abandoned'
            Test-Path -LiteralPath $live | Should -BeTrue -Because 'this process could still be writing it'
            Test-Path -LiteralPath $newUnnamed | Should -BeTrue -Because 'it was written a moment ago'
            @(Get-ChildItem -LiteralPath $parent -Force -Directory).Count | Should -Be 3   # the runtime and the two kept
            Remove-Item -LiteralPath $root -Recurse -Force
            $script:Locations::SessionPath = $script:Root
        }

        It 'removes the runtimes a killed -Force reinstall had renamed aside (.old-), and keeps a live one''s' {
            $root = Join-Path $TestDrive 'old-aside'
            $parent = Split-Path ($script:Locations::FolderUnder($root))
            New-Item -ItemType Directory -Force -Path $parent | Out-Null
            $ended = Start-Process -FilePath dotnet -ArgumentList '--version' -PassThru -RedirectStandardOutput (Join-Path $TestDrive 'v2.txt')
            $ended.WaitForExit()
            $name = { param($tag) Join-Path $parent ".$($script:Rid).old-$tag$([guid]::NewGuid().ToString('N'))" }
            $killed = & $name "$($ended.Id)-"
            $live = & $name "$PID-"
            $legacy = & $name ''
            foreach ($d in $killed, $live, $legacy) { New-Item -ItemType Directory -Path $d | Out-Null; Set-Content -Path (Join-Path $d 'libtorch_cpu.so') -Value 'old' }
            [IO.Directory]::SetLastWriteTimeUtc($legacy, [DateTime]::UtcNow.AddHours(-2))
            $null = Install-KerasRuntime -Source $script:Source -Path $root
            Test-Path -LiteralPath $killed | Should -BeFalse -Because 'the reinstall that renamed it aside was killed'
            Test-Path -LiteralPath $legacy | Should -BeFalse -Because 'an .old- folder without a process id, untouched for two hours, is abandoned'
            Test-Path -LiteralPath $live | Should -BeTrue -Because 'this process may still move it back'
            Remove-Item -LiteralPath $root -Recurse -Force
            $script:Locations::SessionPath = $script:Root
        }

        It 'changes nothing with -WhatIf' {
            $root = Join-Path $TestDrive 'whatif'
            Install-KerasRuntime -Source $script:Source -Path $root -WhatIf | Should -BeNullOrEmpty
            Test-Path $root | Should -BeFalse
            $script:Locations::SessionPath | Should -Be $script:Root
        }
    }

    Context 'refusing bad sources' {
        It 'refuses a package whose SHA-512 differs (one byte flipped): RuntimePackageCorrupt, and leaves no folder' {
            $bad = New-SourceFolder (Join-Path $TestDrive 'bad') @("libtorch-cpu-$($script:Rid)/2.10.0")
            $copy = Join-Path $bad 'torchsharp.0.107.0.nupkg'
            Copy-Item -LiteralPath (Join-Path $script:GlobalPackages 'torchsharp/0.107.0/torchsharp.0.107.0.nupkg') -Destination $copy
            $bytes = [IO.File]::ReadAllBytes($copy)
            $bytes[[int]($bytes.Length / 2)] = $bytes[[int]($bytes.Length / 2)] -bxor 0xFF
            [IO.File]::WriteAllBytes($copy, $bytes)
            $root = Join-Path $TestDrive 'corrupt'
            Get-ErrorId { Install-KerasRuntime -Source $bad -Path $root } | Should -Be 'RuntimePackageCorrupt'
            @(Get-ChildItem -LiteralPath $root -Recurse -Force -ErrorAction Ignore | Where-Object { -not $_.PSIsContainer }) | Should -BeNullOrEmpty
            Test-Path ($script:Locations::FolderUnder($root)) | Should -BeFalse
        }

        It 'installs the package it checked when the source file is renamed over after hashing (the hook swaps it)' {
            $race = New-SourceFolder (Join-Path $TestDrive 'race') @("libtorch-cpu-$($script:Rid)/2.10.0", 'torchsharp/0.107.0')
            $bridge = @($script:Expected[$script:Rid]) | Where-Object { $_ -like '*LibTorchSharp*' }
            $tampered = Join-Path $TestDrive 'tampered.nupkg'
            $zip = [IO.Compression.ZipFile]::Open($tampered, 'Create')
            try {
                $w = [IO.StreamWriter]::new($zip.CreateEntry("runtimes/$($script:Rid)/native/$bridge").Open())
                $w.Write('tampered bridge'); $w.Dispose()
            }
            finally { $zip.Dispose() }
            $hook = (Get-KerasType 'KerasPS.Engine.Native.RuntimeInstaller').GetProperty('AfterVerifyHook', [Reflection.BindingFlags]'NonPublic, Static')
            $hook | Should -Not -BeNullOrEmpty -Because 'the installer has a seam between hashing and extracting'
            $swapped = [Collections.Generic.List[string]]::new()
            # A rename, as an attacker would do it: the source may be a hard link into the NuGet cache, which must stay intact.
            $hook.SetValue($null, [Action[string]] {
                    param($path)
                    if ($path -like '*torchsharp.0.107.0.nupkg') { [IO.File]::Move($tampered, $path, $true); $swapped.Add($path) }
                }.GetNewClosure())
            $root = Join-Path $TestDrive 'raced'
            try { $info = Install-KerasRuntime -Source $race -Path $root }
            finally { $hook.SetValue($null, $null); $script:Locations::SessionPath = $script:Root }
            $swapped.Count | Should -Be 1
            (Get-Item -LiteralPath (Join-Path $race 'torchsharp.0.107.0.nupkg')).Length | Should -BeLessThan 1000 -Because 'the swap happened'
            $installed = Join-Path $info.Path $bridge
            (Get-FileHash -LiteralPath $installed).Hash | Should -Be (Get-FileHash -LiteralPath (Join-Path $script:Folder $bridge)).Hash
            (Get-Item -LiteralPath $installed).Length | Should -BeGreaterThan 1MB
            Remove-Item -LiteralPath $root, $race -Recurse -Force
        }

        It 'refuses a package name that is <Case> at once, without reading it: RuntimePackageCorrupt' -Skip:(-not $IsLinux) -ForEach @(
            @{ Case = 'a FIFO' }, @{ Case = 'a symbolic link to /dev/zero' }, @{ Case = 'a 20 GB sparse file' }
        ) {
            $folder = New-SourceFolder (Join-Path $TestDrive "odd-$($Case -replace '\W', '')") @("libtorch-cpu-$($script:Rid)/2.10.0")
            $name = Join-Path $folder 'torchsharp.0.107.0.nupkg'
            $writer = $null
            switch -Wildcard ($Case) {
                '*FIFO' {
                    & mkfifo $name
                    # Unblocks a reader that opened the FIFO after 8 s (it then reads nothing), so that a reader
                    # which waits on it fails this test instead of hanging it.
                    $writer = Start-Process -FilePath timeout -ArgumentList '20', 'sh', '-c', "sleep 8; exec 3>'$name'" -PassThru
                }
                '*dev/zero' { New-Item -ItemType SymbolicLink -Path $name -Target /dev/zero | Out-Null }
                '*sparse*' { $f = [IO.File]::Create($name); $f.SetLength(20GB); $f.Dispose() }
            }
            $installer = Get-KerasType 'KerasPS.Engine.Native.RuntimeInstaller'
            $plan = $installer::Plan((Join-Path $TestDrive 'odd-root'), $script:Rid, $folder)
            # Without the check, /dev/zero and the sparse file are read until this token stops the hashing.
            $cancel = [Threading.CancellationTokenSource]::new([TimeSpan]::FromSeconds(15))
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $err = try { $null = $installer::Install($plan, $false, $null, $cancel.Token, $null); $null } catch { $_.Exception.InnerException }
            $watch.Stop()
            if ($writer -and -not $writer.HasExited) { Stop-Process -Id $writer.Id -ErrorAction Ignore }
            $err.ErrorId | Should -Be 'RuntimePackageCorrupt'
            $err.Message | Should -Match 'regular file of 3345464 bytes'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 6
            Test-Path ($script:Locations::FolderUnder((Join-Path $TestDrive 'odd-root'))) | Should -BeFalse
        }

        It 'says which file it looked for when the source lacks a package: RuntimePackageNotFound' {
            $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'empty') -Force
            $err = try { Install-KerasRuntime -Source $empty.FullName -Path (Join-Path $TestDrive 'none'); $null } catch { $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'RuntimePackageNotFound'
            $err.Exception.Message | Should -Match ([regex]::Escape("libtorch-cpu-$($script:Rid).2.10.0.nupkg"))
            Test-Path (Join-Path $TestDrive 'none') | Should -BeFalse
        }

        It 'refuses a platform it has no packages for: UnsupportedRuntimePlatform' {
            Get-ErrorId { Install-KerasRuntime -Source $script:Source -Path (Join-Path $TestDrive 'riscv') -Rid linux-riscv64 } |
                Should -Be 'UnsupportedRuntimePlatform'
        }
    }

    Context 'for another platform, from the NuGet global-packages layout' {
        It 'installs the <Rid> set of libraries' -ForEach @(@{ Rid = 'win-x64' }, @{ Rid = 'osx-arm64' }) {
            if (-not (Test-Path (Join-Path $script:GlobalPackages "libtorch-cpu-$Rid/2.10.0/libtorch-cpu-$Rid.2.10.0.nupkg"))) {
                Set-ItResult -Skipped -Because "libtorch-cpu-$Rid is not in the NuGet cache"
                return
            }
            $root = Join-Path $TestDrive "other-$Rid"
            $info = Install-KerasRuntime -Source $script:GlobalPackages -Path $root -Rid $Rid
            $info.Rid | Should -Be $Rid
            $info.InUse | Should -BeFalse
            (Get-ChildItem -LiteralPath ($script:Locations::FolderUnder($root, $Rid)) -File).Name | Sort-Object |
                Should -Be (@($script:Expected[$Rid]) + 'runtime.json' | Sort-Object)
            Remove-Item -LiteralPath $root -Recurse -Force
        }
    }

    Context 'from a NuGet v3 flat-container URL' {
        BeforeAll {
            # A loopback feed in the flat-container layout ({id}/{version}/{id}.{version}.nupkg, the same as the global
            # packages folder's), served from a runspace of this process; '/quit' stops it.
            $probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
            $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
            $script:Feed = "http://127.0.0.1:$port/flat/"
            $script:Server = [powershell]::Create().AddScript({
                param($Prefix, $Packages)
                $listener = [Net.HttpListener]::new(); $listener.Prefixes.Add($Prefix); $listener.Start()
                try {
                    while ($true) {
                        $context = $listener.GetContext()
                        $relative = $context.Request.Url.AbsolutePath.Substring(([uri]$Prefix).AbsolutePath.Length)
                        if ($relative -eq 'quit') { $context.Response.Close(); break }
                        $file = Join-Path $Packages $relative
                        if ($relative -like '*.nupkg' -and (Test-Path -LiteralPath $file -PathType Leaf)) {
                            $stream = [IO.File]::OpenRead($file)
                            $context.Response.ContentLength64 = $stream.Length
                            try { $stream.CopyTo($context.Response.OutputStream) } finally { $stream.Dispose() }
                        }
                        else { $context.Response.StatusCode = 404 }
                        $context.Response.Close()
                    }
                }
                finally { $listener.Stop() }
            }).AddArgument($script:Feed).AddArgument($script:GlobalPackages)
            $script:ServerRun = $script:Server.BeginInvoke()
            $client = [Net.Http.HttpClient]::new()
            foreach ($i in 1..50) {
                try { $null = $client.GetAsync($script:Feed + 'ping').GetAwaiter().GetResult(); break } catch { Start-Sleep -Milliseconds 100 }
            }
            $client.Dispose()
        }
        AfterAll {
            $client = [Net.Http.HttpClient]::new()
            try { $null = $client.GetAsync($script:Feed + 'quit').GetAwaiter().GetResult() } catch { }
            $client.Dispose()
            $null = $script:ServerRun.AsyncWaitHandle.WaitOne(5000)
            $script:Server.Dispose()
        }

        It 'downloads, checks and installs the packages' {
            $root = Join-Path $TestDrive 'from-feed'
            $info = Install-KerasRuntime -Source $script:Feed -Path $root
            $info.Source | Should -Be $script:Feed
            $info.IsComplete | Should -BeTrue
            $info.Files | Sort-Object | Should -Be ($script:Expected[$script:Rid] | Sort-Object)
            Get-ChildItem -LiteralPath (Split-Path $info.Path) -Force | ForEach-Object Name | Should -Be $script:Rid
            $script:Locations::SessionPath = $script:Root
        }

        It 'reports a feed without the package: RuntimePackageNotFound' {
            $err = try { Install-KerasRuntime -Source ($script:Feed + 'nothing/') -Path (Join-Path $TestDrive 'feed-none'); $null } catch { $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'RuntimePackageNotFound'
            $err.Exception.Message | Should -Match '404'
            Test-Path ($script:Locations::FolderUnder((Join-Path $TestDrive 'feed-none'))) | Should -BeFalse
        }
    }

    Context 'in a fresh process with KERASPS_RUNTIME_PATH' {
        It 'loads the installed bridge and libtorch from that folder only, computes, and RuntimeLocations.Find() returns it' -Skip:(-not $IsLinux) {
            $moduleBin = Join-Path $script:RepoRoot 'module/bin'
            $script = @"
`$ErrorActionPreference = 'Stop'
`$bridge = Join-Path '$($script:Folder)' 'libLibTorchSharp.so'
`$handle = [System.Runtime.InteropServices.NativeLibrary]::Load(`$bridge)
Add-Type -TypeDefinition 'public delegate int KerasRuntimeIntFn();'
`$fn = [System.Runtime.InteropServices.NativeLibrary]::GetExport(`$handle, 'THSTorch_get_num_threads')
'threads=' + [System.Runtime.InteropServices.Marshal]::GetDelegateForFunctionPointer(`$fn, [KerasRuntimeIntFn]).Invoke()
Get-Content /proc/self/maps | Where-Object { `$_ -match '(libtorch_cpu|libc10|libgomp|libLibTorchSharp)[^/]*`$' } | ForEach-Object { 'map=' + (`$_ -split '\s+')[-1] } | Sort-Object -Unique
Import-Module '$(Join-Path $script:RepoRoot 'KerasPS.psd1')'
Import-Module '$(Join-Path $PSScriptRoot 'TestHelpers.psm1')' -DisableNameChecking
`$found = (Get-KerasType 'KerasPS.Engine.Native.RuntimeLocations')::Find()
'origin=' + `$found.Item1
'folder=' + `$found.Item2
"@
            $r = Invoke-FreshPwsh -Script $script -Environment @{ KERASPS_RUNTIME_PATH = $script:Root }
            $r.ExitCode | Should -Be 0 -Because $r.Output
            $r.Output | Should -Match 'threads=[1-9]'
            $maps = [regex]::Matches($r.Output, 'map=(\S+)') | ForEach-Object { $_.Groups[1].Value }
            $maps | Should -Not -BeNullOrEmpty
            foreach ($m in $maps) { $m | Should -BeLike "$($script:Folder)/*" }
            foreach ($name in 'libtorch_cpu.so', 'libc10.so', 'libLibTorchSharp.so', 'libgomp-98b21ff3.so.1') { $maps | Should -Contain "$($script:Folder)/$name" }
            $r.Output | Should -Match 'origin=Environment'
            $r.Output | Should -Match ('folder=' + [regex]::Escape($script:Folder))
        }
    }
}
