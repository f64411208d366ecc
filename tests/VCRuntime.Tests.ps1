# The Visual C++ 2015-2022 runtime that libtorch's Windows build needs: its check takes the loader as a delegate, so
# every platform checks the message with a fake loader. The last case is for the Windows leg under Wine, run in a
# process of its own with Wine's stand-ins disabled, as a clean Windows machine would be:
#   WINEDLLOVERRIDES="msvcp140,vcruntime140,vcruntime140_1=d" <host> Invoke-Pester tests/VCRuntime.Tests.ps1
# Nothing in this file may compute before that case: libtorch, once loaded, stays loaded.
BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'VCRuntime' {
    It 'passes when the loader finds msvcp140, vcruntime140 and vcruntime140_1' {
        $script:asked = @()
        [KerasPS.Engine.Native.VCRuntime]::EnsurePresent([Func[string, bool]] { param($n) $script:asked += $n; $true })
        $script:asked | Should -Be @('msvcp140.dll', 'vcruntime140.dll', 'vcruntime140_1.dll')
    }

    It 'fails with VCRuntimeMissing naming <Missing> and the redistributable to install' -TestCases @(
        @{ Missing = @('vcruntime140_1.dll') }
        @{ Missing = @('msvcp140.dll', 'vcruntime140.dll', 'vcruntime140_1.dll') }
    ) {
        param($Missing)
        $err = $null
        try { [KerasPS.Engine.Native.VCRuntime]::EnsurePresent([Func[string, bool]] { param($n) $n -notin $Missing }) }
        catch { $err = $_.Exception.InnerException }
        $err.ErrorId | Should -Be 'VCRuntimeMissing'
        $err.Message | Should -BeLike "*this machine lacks $($Missing -join ', ').*"
        $err.Message | Should -BeLike '*Microsoft Visual C++ Redistributable for Visual Studio 2015-2022 (x64)*'
        $err.Message | Should -BeLike '*https://aka.ms/vs/17/release/vc_redist.x64.exe*'
        $err.Kind | Should -Be 'NotInstalled'
    }

    It 'asks nothing of the loader off Windows' -Skip:$IsWindows {
        { [KerasPS.Engine.Native.VCRuntime]::EnsurePresent() } | Should -Not -Throw
    }

    It 'stops the first computation with VCRuntimeMissing when the runtime is absent (Windows leg, WINEDLLOVERRIDES)' -Skip:(
        -not ($IsWindows -and $env:WINEDLLOVERRIDES -match 'vcruntime140[^=;]*=d')) {
        $err = $null
        try { New-Model -InputShape 3 -Seed 1 | Add-DenseLayer 2 | Out-Null }
        catch { $err = $_ }
        ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'VCRuntimeMissing'
        $err.Exception.Message | Should -BeLike '*vcruntime140.dll*https://aka.ms/vs/17/release/vc_redist.x64.exe*'
    }
}
