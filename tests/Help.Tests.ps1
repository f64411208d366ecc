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

    It '<Name> has at least two examples and shows its parameter types as users write them' -ForEach $cmdlets {
        $help = Get-Help $Name -Full
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($p in @($help.parameters.parameter) | Where-Object { $_.name }) {
            $p.type.name | Should -Not -BeNullOrEmpty -Because "-$($p.name) has a type"
            $p.type.name | Should -Not -MatchExactly '`|^(Nullable|Int32|Int64|Double|Single|String|Boolean|Object|Hashtable|TimeSpan|SwitchParameter)\b' -Because "-$($p.name)"
        }
    }

    It 'shows -MaxDuration as a [timespan] that takes seconds, and default values from the cmdlets'' initializers' {
        $p = Get-Help Invoke-ModelFit -Parameter MaxDuration
        $p.type.name | Should -Be 'timespan'
        $p.description.Text | Should -Match 'Seconds when a number'
        (Get-Help Invoke-ModelFit).syntax | Out-String -Width 400 | Should -Match '-MaxDuration <timespan>'
        (Get-Help Invoke-ModelFit -Parameter BatchSize).defaultValue | Should -Be '32'
        (Get-Help Invoke-ModelFit -Parameter Epochs).defaultValue | Should -Be '1'
        (Get-Help Invoke-ModelFit -Parameter Epochs).type.name | Should -Be 'int'
        (Get-Help Get-SampleData -Parameter Seed).defaultValue | Should -Be '42'
        (Get-Help Get-SampleData -Parameter Name).type.name | Should -Be 'string[]'
        (Get-Help Get-SampleData -Parameter Seed).type.name | Should -Be 'long'
    }

    It 'exports exactly the cmdlets the manifest lists, and they are all approved verbs' {
        $manifest = Import-PowerShellDataFile (Join-Path $script:RepoRoot 'KerasPS.psd1')
        (Get-Command -Module KerasPS -CommandType Cmdlet).Name | Sort-Object | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        $approved = (Get-Verb).Verb
        foreach ($c in Get-Command -Module KerasPS) { $approved | Should -Contain $c.Verb }
    }
}
