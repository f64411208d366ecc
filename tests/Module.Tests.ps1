BeforeAll {
    . $PSScriptRoot/common.ps1
    # A copy of the built module: manifest, format files and data, and module/bin with every file hard-linked (a copy
    # of libtorch's ~480 MB would only cost time; the loader sees a separate folder all the same).
    function Copy-Module([string] $Destination, [string[]] $Without = @(), [string[]] $Corrupt = @(), [switch] $WithoutRuntime) {
        New-Item -ItemType Directory -Force (Join-Path $Destination 'module/bin') | Out-Null
        Copy-Item (Join-Path $RepoRoot 'KerasPS.psd1') $Destination
        Get-ChildItem (Join-Path $RepoRoot 'module') -File | Copy-Item -Destination (Join-Path $Destination 'module')
        Copy-Item (Join-Path $RepoRoot 'module/data') (Join-Path $Destination 'module') -Recurse
        foreach ($f in Get-ChildItem (Join-Path $RepoRoot 'module/bin') -Recurse -File) {
            if ($Without -contains $f.Name) { continue }
            if ($WithoutRuntime -and $f.FullName -like "*[\\/]runtime[\\/]*") { continue }
            $target = Join-Path $Destination ('module/bin' + $f.FullName.Substring((Join-Path $RepoRoot 'module/bin').Length))
            New-Item -ItemType Directory -Force (Split-Path $target) | Out-Null
            if ($Corrupt -contains $f.Name) { Set-Content -Path $target -Value 'not a shared library'; continue }
            New-Item -ItemType HardLink -Path $target -Target $f.FullName | Out-Null
        }
    }
}

Describe 'The KerasPS module' -Tag Slow {
    It 'has the manifest settings Azure Automation on PowerShell 7.4 needs, and explicit exports' {
        $m = Import-PowerShellDataFile (Join-Path $RepoRoot 'KerasPS.psd1')
        $m.CompatiblePSEditions | Should -Be @('Core')
        $m.PowerShellVersion | Should -Be '7.4'
        $m.CmdletsToExport | Should -Not -Contain '*'
        $m.CmdletsToExport.Count | Should -BeGreaterThan 50
    }

    It 'has an about_KerasPS help topic that Get-Help finds after Import-Module, and no invented HelpInfoUri' {
        $help = Get-Help about_KerasPS | Out-String
        $help | Should -Match 'THE PIPELINE MODEL'
        $help | Should -Match 'ERRORS'
        $help | Should -Match 'Set-KerasOption -Seed'
        # No public home yet: an address such as github.com/kerasps/KerasPS could be someone else's (issue 27).
        (Import-PowerShellDataFile (Join-Path $RepoRoot 'KerasPS.psd1')).HelpInfoUri | Should -BeNullOrEmpty
    }

    It 'runs the README quick start to the end as written (on 3,000 rows for 2 epochs), test.csv included' {
        $readme = Get-Content -Raw (Join-Path $RepoRoot 'README.md')
        $block = [regex]::Match($readme, '(?s)## Quick start\s+```powershell\r?\n(.*?)```')
        $block.Success | Should -BeTrue
        $code = $block.Groups[1].Value -replace 'Import-Module \./KerasPS\.psd1', '' -replace 'Get-SampleData -Name Otto(\s+#)', 'Get-SampleData -Name Otto -Rows 3000$1' -replace '-Epochs 20', '-Epochs 2'
        Push-Location $TestDrive
        try { $out = @(& ([scriptblock]::Create($code))) } finally { Pop-Location }
        foreach ($file in 'history.csv', 'otto.kpt', 'test.csv') { Join-Path $TestDrive $file | Should -Exist }
        $predictions = @($out | Where-Object { $_.PSObject.Properties['Class'] })
        $predictions.Count | Should -Be 5
        $predictions[0].Class | Should -Match '^Class_[1-9]$'
    }

    It 'ships no System.Management.Automation.dll (the host supplies it), and the engine does not reference it' {
        Test-Path (Join-Path $RepoRoot 'module/bin/System.Management.Automation.dll') | Should -BeFalse
        Test-Path (Join-Path $RepoRoot 'module/bin/dependencies/System.Management.Automation.dll') | Should -BeFalse
        # An assembly reference is stored by name in the metadata, so its absence from the file's bytes is proof enough.
        $bytes = [IO.File]::ReadAllBytes((Join-Path $RepoRoot 'module/bin/dependencies/KerasPS.Engine.dll'))
        [Text.Encoding]::ASCII.GetString($bytes) | Should -Not -Match 'System\.Management\.Automation'
        [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes((Join-Path $RepoRoot 'module/bin/KerasPS.dll'))) | Should -Match 'System\.Management\.Automation'
    }

    It 'keeps only its own assemblies in PowerShell''s shared load context: the cmdlets name the engine, .NET and PowerShell, nothing else' {
        $refs = [KerasPS.Model].Assembly.GetReferencedAssemblies().Name
        $refs | Should -Contain 'KerasPS.Engine'
        # Newtonsoft.Json is PowerShell's own (ConvertTo-Json honours its [JsonIgnore]); nothing is shipped for it.
        $refs | Where-Object { $_ -notmatch '^(System(\..+)?|netstandard|mscorlib|KerasPS\.Engine|Newtonsoft\.Json)$' } | Should -BeNullOrEmpty
        Get-ChildItem (Join-Path $RepoRoot 'module/bin') -File -Filter *.dll | ForEach-Object Name | Sort-Object |
            Should -Be @('KerasPS.dll', 'KerasPS.LoadContext.dll')
        $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext((Get-KerasType 'TorchSharp.torch').Assembly)
        $context.Name | Should -Be 'KerasPS'
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([KerasPS.Model].Assembly).Name | Should -Be 'Default'
    }

    It 'imports and trains from a copied folder' {
        $dir = Join-Path $TestDrive 'copy'
        Copy-Module $dir
        $r = Invoke-FreshPwsh "`$ErrorActionPreference='Stop'; Import-Module '$dir/KerasPS.psd1'; (Get-Module KerasPS).ModuleBase; `$m = New-Model -InputShape 93 -Seed 1 | Add-DenseLayer 9 -Activation softmax | Build-Model sgd categorical_crossentropy; (`$m | Invoke-ModelFit -Data (Get-SampleData Otto -Rows 300) -Epochs 1).Epoch"
        $r.ExitCode | Should -Be 0
        $r.Output | Should -Match ([regex]::Escape($dir))
        $r.Output.Trim() | Should -Match '1$'
    }

    It 'says in one NativeRuntimeMissing error that the runtime is missing and names Install-KerasRuntime' {
        $dir = Join-Path $TestDrive 'no-runtime'
        Copy-Module $dir -WithoutRuntime
        $r = Invoke-FreshPwsh -Environment @{ XDG_DATA_HOME = (Join-Path $TestDrive 'empty-user-data'); KERASPS_RUNTIME_PATH = $null } -Script "Import-Module '$dir/KerasPS.psd1'; try { New-Model -InputShape 3 | Add-DenseLayer 2 | Out-Null } catch { 'ID=' + `$_.FullyQualifiedErrorId; 'CAT=' + `$_.CategoryInfo.Category; 'MSG=' + `$_.Exception.Message }; try { New-Model -InputShape 3 | Add-DenseLayer 2 | Out-Null } catch { 'AGAIN=' + `$_.FullyQualifiedErrorId }"
        $r.Output | Should -Match 'ID=NativeRuntimeMissing,'
        $r.Output | Should -Match 'CAT=NotInstalled'
        $r.Output | Should -Match 'MSG=The libtorch runtime for linux-x64 is not installed.*Install-KerasRuntime'
        $r.Output | Should -Match 'AGAIN=NativeRuntimeMissing,'
        $r.Output | Should -Not -Match 'type initializer'
    }

    It 'says in one NativeLibraryLoadFailed error what is wrong when the runtime is there but cannot load' {
        $dir = Join-Path $TestDrive 'broken'
        Copy-Module $dir -Corrupt 'libLibTorchSharp.so'
        $r = Invoke-FreshPwsh "Import-Module '$dir/KerasPS.psd1'; try { New-Model -InputShape 3 | Add-DenseLayer 2 | Out-Null } catch { 'ID=' + `$_.FullyQualifiedErrorId; 'CAT=' + `$_.CategoryInfo.Category; 'MSG=' + `$_.Exception.Message }; try { New-Model -InputShape 3 | Add-DenseLayer 2 | Out-Null } catch { 'AGAIN=' + `$_.FullyQualifiedErrorId }"
        $r.Output | Should -Match 'ID=NativeLibraryLoadFailed,'
        $r.Output | Should -Match 'CAT=NotInstalled'
        $r.Output | Should -Match 'MSG=.*libLibTorchSharp\.so.*(invalid ELF header|too short).*Install-KerasRuntime -Force'
        $r.Output | Should -Match 'AGAIN=NativeLibraryLoadFailed,'
        $r.Output | Should -Not -Match 'type initializer'
    }
}

Describe 'The source layout' {
    It 'puts every C# file in the namespace its folder names (src/<Project>/<A>/<B>/X.cs -> <Project>.<A>.<B>)' {
        $src = Join-Path $RepoRoot 'src'
        $wrong = foreach ($f in Get-ChildItem $src -Recurse -File -Filter *.cs | Where-Object FullName -notmatch '[\\/](bin|obj)[\\/]') {
            $relative = [IO.Path]::GetRelativePath($src, $f.DirectoryName) -replace '[\\/]', '.'
            $declared = (Select-String -Path $f.FullName -Pattern '^namespace ([\w.]+);' | Select-Object -First 1).Matches.Groups[1].Value
            if ($declared -ne $relative) { "$([IO.Path]::GetRelativePath($src, $f.FullName)): namespace $declared" }
        }
        $wrong | Should -BeNullOrEmpty
    }
}
