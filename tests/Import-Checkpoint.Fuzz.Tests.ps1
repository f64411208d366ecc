BeforeAll {
    . $PSScriptRoot/common.ps1
}

# Hostile and damaged checkpoints, generated from valid ones by a seeded mutator (tests/fuzz/CheckpointFuzz.cs): byte
# flips, truncations, entry swaps, drops, duplicates and hostile names, config values replaced by huge, negative,
# wrong-typed and deeply nested ones, safetensors header lengths, shapes and offsets changed, weight bytes changed,
# with the SHA-256 in config.json recomputed as a forger would. The run happens in a child process, so that its peak
# resident memory is the import's alone. Replay one case: pwsh tests/fuzz/Invoke-CheckpointFuzz.ps1 -Seed S -Case N
# Keras files join it: .keras and .h5 files with their bytes flipped, cut, zeroed and copied (HDF5 structure damage,
# guarded by H5Guard since issue 28), and .keras files with their zip entries and config.json mutated the same way
# (replay: -KerasCase N -KerasByteMutations). The child runs under a watchdog (time, memory) and has its own per-case
# watchdog (10 s, 1536 MB) that names the case; a case that crashes the process is the last line of the trace file.
Describe 'Import-Checkpoint fuzz' -Tag Slow {
    It 'imports 1,000+ mutated checkpoints and 1,000 byte-damaged .keras and .h5 files: each gives the weights its file holds or InvalidCheckpoint/UnsafeCheckpoint/WeightsOnlyCheckpoint, within 768 MB' {
        $seed = if ($env:KERASPS_FUZZ_SEED) { [int]$env:KERASPS_FUZZ_SEED } else { 15 }
        $out = Join-Path $TestDrive 'kpt-fuzz.json'
        $script = Join-Path $PSScriptRoot 'fuzz/Invoke-CheckpointFuzz.ps1'
        $trace = Join-Path $TestDrive 'kpt-fuzz.trace'
        $run = Invoke-WatchedPwsh -TimeoutSeconds 420 -MaxMemoryMB 2048 -Script ("& '$script' -Seed $seed -Cases 1500 -KerasCases 1000 -KerasByteMutations " +
            "-TimeLimitSeconds 150 -CaseSeconds 10 -MaxMemoryMB 1536 -TraceFile '$trace' -OutFile '$out'")
        $last = if (Test-Path $trace) { Get-Content $trace -Tail 1 } else { 'no case started' }
        $run.Killed | Should -BeNullOrEmpty -Because "the fuzz process was killed at: $last"
        $run.ExitCode | Should -Be 0 -Because "the fuzz process ended at: $last`n$($run.Output)"
        $r = Get-Content $out -Raw | ConvertFrom-Json
        Write-Host "checkpoint fuzz, seed ${seed}: $($r.Cases) cases in $($r.Seconds) s; $($r.Loaded) loaded ($($r.LoadedChangedWeights) with forged weights), $($r.Refused) refused ($(($r.ErrorIds.PSObject.Properties | ForEach-Object { "$($_.Name) $($_.Value)" }) -join ', ')); peak RSS $($r.PeakRssMB) MB"
        @($r.Failures) | Select-Object -First 10 | Should -BeNullOrEmpty -Because "seed $seed must give no other outcome (replay a case with tests/fuzz/Invoke-CheckpointFuzz.ps1 -Seed $seed -Case N)"
        $r.Cases | Should -BeGreaterOrEqual 1000
        $r.Loaded | Should -BeGreaterThan 50        # the mutations must also reach files that load, not only refusals
        $r.Refused | Should -BeGreaterThan 500
        Write-Host ("  Keras files: $($r.KerasCases) cases; $($r.KerasLoadedSame) loaded the same weights, $($r.KerasLoadedChanged) loaded changed " +
            "weights (.h5 data and rezipped .keras weights: no checksum covers them), $($r.KerasRefused) refused ($(($r.KerasRefusedIds.PSObject.Properties | ForEach-Object { "$($_.Name) $($_.Value)" }) -join ', ')); " +
            "peak RSS $($r.PeakRssMB) MB (watchdog saw $($run.PeakMB) MB), $($run.Seconds) s in all; longest case $($r.LongestCaseSeconds) s ($($r.LongestCase))")
        $r.KerasCases | Should -BeGreaterOrEqual 1000
        $r.KerasLoaded | Should -BeGreaterThan 20
        $r.KerasRefused | Should -BeGreaterThan 100
        # The process holds libtorch, the module and three small models (~340 MB); a config that sized a model from
        # its own numbers (units = 20,000,000 or 2,000,000,000) would pass this at once.
        $r.PeakRssMB | Should -BeLessThan 768
    }
}
