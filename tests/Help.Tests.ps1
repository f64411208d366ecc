BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    $cmdlets = Get-Command -Module KerasPS -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } }
}
BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Get-Help for every KerasPS cmdlet' {
    It '<Name> has a synopsis, a description, an example and a description for every parameter' -ForEach $cmdlets {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -Match '^\s*$'
        $help.Synopsis | Should -Not -BeLike "$Name *"      # not the auto-generated syntax line
        $help.description.Text | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterThan 0
        @($help.examples.example)[0].code | Should -Match $Name
        foreach ($p in @($help.parameters.parameter) | Where-Object { $_.name }) { "$($p.name): $($p.description.Text)" | Should -Not -Match ': $' }
    }

    It 'exports exactly the cmdlets the manifest lists, and they are all approved verbs' {
        $manifest = Import-PowerShellDataFile (Join-Path $script:RepoRoot 'KerasPS.psd1')
        (Get-Command -Module KerasPS -CommandType Cmdlet).Name | Sort-Object | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        $approved = (Get-Verb).Verb
        foreach ($c in Get-Command -Module KerasPS) { $approved | Should -Contain $c.Verb }
    }
}
