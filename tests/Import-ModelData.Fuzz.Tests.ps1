BeforeAll {
    . $PSScriptRoot/common.ps1
}

# Mutated CSV files from a seeded generator (tests/fuzz/CsvFuzz.cs): bytes flipped, inserted and deleted (quotes,
# delimiters, line breaks, NUL, invalid UTF-8), cells replaced by numbers at and beyond float32's edges, UTF-16,
# Latin-1 and byte order marks. Each is loaded with Import-ModelData and compared with a strict reference parser that
# shares no code with the module (strict decoding, its own RFC 4180 tokenizer, exact decimal-to-float32 conversion
# with BigInteger arithmetic). The run happens in a child process, so that its peak memory is the loads' alone.
# Replay one case: pwsh tests/fuzz/Invoke-CsvFuzz.ps1 -Seed S -Case N
Describe 'Import-ModelData fuzz' -Tag Slow {
    It 'loads 1,000+ mutated CSV files: each gives exactly the strict reference''s values or a KerasPS error, within 512 MB' {
        $seed = if ($env:KERASPS_FUZZ_SEED) { [int]$env:KERASPS_FUZZ_SEED } else { 15 }
        $out = Join-Path $TestDrive 'csv-fuzz.json'
        $script = Join-Path $PSScriptRoot 'fuzz/Invoke-CsvFuzz.ps1'
        $run = Invoke-FreshPwsh -Script "& '$script' -Seed $seed -Cases 3000 -TimeLimitSeconds 100 -OutFile '$out'"
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $r = Get-Content $out -Raw | ConvertFrom-Json
        Write-Host "CSV fuzz, seed ${seed}: $($r.Cases) cases in $($r.Seconds) s; $($r.LoadedAndEqual) loaded with the reference's values, $($r.RefusedByBoth) refused by both, $($r.RefusedOnlyByKerasPS) refused by KerasPS alone ($(($r.ErrorIds.PSObject.Properties | ForEach-Object { "$($_.Name) $($_.Value)" }) -join ', ')); peak RSS $($r.PeakRssMB) MB"
        @($r.Failures) | Select-Object -First 10 | Should -BeNullOrEmpty -Because "seed $seed must never change a value silently (replay a case with tests/fuzz/Invoke-CsvFuzz.ps1 -Seed $seed -Case N)"
        $r.Cases | Should -BeGreaterOrEqual 1000
        $r.LoadedAndEqual | Should -BeGreaterThan 200
        $r.PeakRssMB | Should -BeLessThan 512
    }
}
