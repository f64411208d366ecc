BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Set-KerasOption / Get-KerasOption' {
    It 'sets libtorch''s intra-op threads module-wide' {
        $before = (Get-KerasOption).Threads
        try {
            Set-KerasOption -Threads 1
            (Get-KerasOption).Threads | Should -Be 1
            (Get-KerasOption).ThreadsSetByUser | Should -BeTrue
        }
        finally { Set-KerasOption -Threads $before }
    }

    It 'refuses fewer than one thread: InvalidThreadCount' {
        Get-ErrorId { Set-KerasOption -Threads 0 } | Should -Be 'InvalidThreadCount'
    }
}
