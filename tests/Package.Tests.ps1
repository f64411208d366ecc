# The module as a user gets it: build.ps1 -Task Package -> a local PSResourceGet repository -> Install-PSResource into a
# fresh home -> Install-KerasRuntime from a local folder -> Import-Module KerasPS by name in a new process -> train.
# Each step runs in its own pwsh with HOME pointing into $TestDrive, so nothing of this machine's modules,
# repositories or runtimes is seen or changed.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . (Join-Path $RepoRoot 'tools/BuildTools.ps1')
    $script:package = Invoke-ModulePackage -Root $RepoRoot 6>$null
    $script:userHome = Join-Path $TestDrive 'home'
    New-Item -ItemType Directory -Force $userHome | Out-Null
    # A fresh user: HOME (module path, PSResourceGet's settings, the CurrentUser runtime root) inside $TestDrive.
    $script:userEnv = @{ HOME = $userHome; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; KERASPS_RUNTIME_PATH = $null; PSModulePath = $null }

    # The offline source for Install-KerasRuntime: the two packages the build restored, linked into one folder.
    $script:runtimeSource = Join-Path $TestDrive 'runtime-source'
    New-Item -ItemType Directory -Force $runtimeSource | Out-Null
    $nuget = Get-NuGetPackagesRoot
    foreach ($p in 'libtorch-cpu-linux-x64/2.10.0/libtorch-cpu-linux-x64.2.10.0.nupkg', 'torchsharp/0.107.0/torchsharp.0.107.0.nupkg') {
        New-Item -ItemType HardLink -Path (Join-Path $runtimeSource (Split-Path -Leaf $p)) -Target (Join-Path $nuget $p) | Out-Null
    }

    $repo = Join-Path $TestDrive 'repo'
    New-Item -ItemType Directory -Force $repo | Out-Null
    Copy-Item $package $repo
    $script:install = Invoke-FreshPwsh -Environment $userEnv -Script @"
`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'
Register-PSResourceRepository -Name KerasPSLocal -Uri '$repo' -Trusted
Install-PSResource -Name KerasPS -Repository KerasPSLocal -Scope CurrentUser -TrustRepository
'INSTALLED=' + (Get-Module KerasPS -ListAvailable).ModuleBase
"@
}

Describe 'The KerasPS package' -Tag Slow {
    It 'is a module package well under Azure Automation''s 100 MB, with the managed module and no libtorch' {
        (Get-Item $package).Length / 1MB | Should -BeLessThan 24   # 21.1 MiB with Npgsql, SQLite (win-x64 native) and Parquet.Net
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($package)
        try { $names = $zip.Entries.FullName } finally { $zip.Dispose() }
        $names | Should -Contain 'KerasPS.psd1'
        $names | Should -Contain 'LICENSE'
        $names | Should -Contain 'module/bin/KerasPS.dll'
        $names | Should -Contain 'module/bin/KerasPS.LoadContext.dll'
        $names | Should -Contain 'module/bin/dependencies/KerasPS.Engine.dll'
        $names | Should -Contain 'module/bin/dependencies/TorchSharp.dll'
        $names | Should -Contain 'module/bin/en-US/KerasPS.dll-Help.xml'
        $names | Where-Object { $_ -match 'libtorch|LibTorchSharp|/runtime/' } | Should -BeNullOrEmpty
    }

    It 'carries the metadata a gallery shows, and assemblies versioned as the module' {
        $m = Import-PowerShellDataFile (Join-Path $RepoRoot 'KerasPS.psd1')
        $m.Description | Should -Not -BeNullOrEmpty
        foreach ($key in 'Tags', 'ReleaseNotes') { $m.PrivateData.PSData[$key] | Should -Not -BeNullOrEmpty }
        # No public home yet: no invented addresses (issue 27); the package carries LICENSE itself.
        foreach ($key in 'ProjectUri', 'LicenseUri', 'IconUri') { $m.PrivateData.PSData[$key] | Should -BeNullOrEmpty }
        (Get-Content (Join-Path $RepoRoot 'KerasPS.psd1') -Raw) | Should -Not -Match 'github\.com/kerasps'
        Test-Path (Join-Path $RepoRoot 'LICENSE') | Should -BeTrue
        $version = [version]$m.ModuleVersion
        foreach ($dll in 'module/bin/KerasPS.dll', 'module/bin/KerasPS.LoadContext.dll', 'module/bin/dependencies/KerasPS.Engine.dll') {
            $v = [Reflection.AssemblyName]::GetAssemblyName((Join-Path $RepoRoot $dll)).Version
            "$($v.Major).$($v.Minor).$($v.Build)" | Should -Be "$version" -Because $dll
        }
    }

    It 'installs with Install-PSResource from a local repository into a fresh module path' {
        $install.ExitCode | Should -Be 0 -Because $install.Output
        $install.Output | Should -Match ([regex]::Escape("INSTALLED=$userHome/.local/share/powershell/Modules/KerasPS/0.1.0"))
    }

    It 'imports by name and, with no runtime installed, says NativeRuntimeMissing and names Install-KerasRuntime' {
        $r = Invoke-FreshPwsh -Environment $userEnv -Script "Import-Module KerasPS; try { New-Model -InputShape 3 | Add-DenseLayer 2 | Out-Null; 'TRAINED' } catch { 'ID=' + `$_.FullyQualifiedErrorId; 'MSG=' + `$_.Exception.Message }"
        $r.Output | Should -Match 'ID=NativeRuntimeMissing,'
        $r.Output | Should -Match 'MSG=.*Install-KerasRuntime'
        $r.Output | Should -Not -Match 'TRAINED'
    }

    It 'trains and predicts after Install-KerasRuntime -Source with a local folder, in a new process, by module name' {
        $i = Invoke-FreshPwsh -Environment $userEnv -Script "`$ProgressPreference = 'SilentlyContinue'; Import-Module KerasPS; `$r = Install-KerasRuntime -Source '$runtimeSource'; 'ORIGIN=' + `$r.Origin; 'RUNTIME=' + `$r.Path"
        $i.ExitCode | Should -Be 0 -Because $i.Output
        $i.Output | Should -Match ([regex]::Escape("RUNTIME=$userHome/.local/share/KerasPS/runtime/libtorch-2.10.0/linux-x64"))

        $r = Invoke-FreshPwsh -Environment $userEnv -Script @'
$ErrorActionPreference = 'Stop'
Import-Module KerasPS
'BASE=' + (Get-Module KerasPS).ModuleBase
'INUSE=' + (Get-KerasRuntime).Origin
$data = Get-SampleData Iris
$model = New-Model -InputShape 4 -Seed 3 | Add-DenseLayer 16 -Activation relu | Add-DenseLayer 3 -Activation softmax |
    Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
$h = $model | Invoke-ModelFit -Data $data -Epochs 40 -BatchSize 16 -Seed 3
'ACC=' + $h[-1].Accuracy
'CLASS=' + ([pscustomobject]@{ sepal_length = 6.7; sepal_width = 3.0; petal_length = 5.2; petal_width = 2.3 } | Invoke-ModelPredict -Model $model).Class
'@
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match ([regex]::Escape("BASE=$userHome/.local/share/powershell/Modules/KerasPS/0.1.0"))
        $r.Output | Should -Match 'INUSE=CurrentUser'
        [double]($r.Output | Select-String 'ACC=([\d.]+)').Matches[0].Groups[1].Value | Should -BeGreaterThan 0.8
        $r.Output | Should -Match 'CLASS=virginica'
    }
}
