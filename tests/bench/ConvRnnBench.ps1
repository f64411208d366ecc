<#
.SYNOPSIS
    CNN and LSTM training and single-row predict latency, KerasPS beside the PyTorch peer in alternated rounds.
.DESCRIPTION
    Workloads (../shared/bench/README.md): 10,000 rows, Adam 1e-3, batch 128.
      CNN:  Reshape 28x28x1 -> Conv2D 32 3x3 relu -> MaxPool 2 -> Conv2D 64 3x3 relu -> MaxPool 2 -> Flatten -> Dense 10 softmax.
      LSTM: Embedding(1000, 64) -> LSTM(64) -> Dense(1, sigmoid) over 50 tokens.
    Each round runs a fresh seeded KerasPS fit, then the PyTorch peer (../shared/bench/peer_pytorch_cnn_lstm.py) as is
    and with an OPENBLAS_CORETYPE picked from the CPU's flags (Debian's OpenBLAS does not recognise newer CPUs and
    falls back to generic kernels; benchmarks only): SkylakeX where /proc/cpuinfo lists avx512f, else Haswell where it
    lists avx2, else no second run (SkylakeX's kernels are an illegal instruction on a CPU without AVX-512, such as
    the AMD EPYC machines this project is also built on). So all three see the same machine load. A peer run that
    dies is reported as missing (with its exit code), never as a time. A peer variant that is more than 1.25x slower
    than the other in round 1 is not run again (Debian's plain LSTM peer takes ~24 s per epoch). Reported: median of the epochs after the first
    (KerasPS / faster peer), and the first epoch against the second (median over rounds; round 1 runs in a process
    that has just started, where .NET is still compiling, and is quoted on its own in the note). Single-row predict:
    the Otto MLP, the engine's forward (compiled loop) against the peer's, and Invoke-ModelPredict against
    PowerShell's cost of calling a trivial cmdlet, interleaved in rounds after a 3-second warm-up, medians.
    Writes objects with Name, Unit, Value, Peer, PeerValue, Note (Invoke-Bench.ps1 tabulates them).
    Standalone: Import-Module ./KerasPS.psd1; ./tests/bench/ConvRnnBench.ps1 -Rounds 2
#>
param(
    [string] $DataDir,
    [int] $Epochs = 4,
    [int] $Rounds = 3,
    [ValidateSet('cnn', 'lstm', 'predict')] [string[]] $Workload = @('cnn', 'lstm', 'predict'),
    [int] $Threads = 2
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$shared = Join-Path $PSScriptRoot '../../../shared'   # beside the clone, as Invoke-Bench.ps1 finds it
if (-not (Test-Path (Join-Path $shared 'bench/peer_pytorch_cnn_lstm.py'))) { throw "ConvRnnBench needs ../shared/bench and ../shared/tools beside the clone (not found under $shared)." }
$peerScript = Join-Path $shared 'bench/peer_pytorch_cnn_lstm.py'
$py = '/usr/bin/python3'
$hasTorch = (Test-Path $py) -and $(& $py -c 'import torch, pandas' 2>$null; $LASTEXITCODE -eq 0)
# The OpenBLAS kernels the second peer run asks for: only what this CPU can execute.
$cpuFlags = @((Get-Content /proc/cpuinfo -ErrorAction SilentlyContinue) -match '^flags\s*:' | Select-Object -First 1) -replace '^flags\s*:', ''
$cpuFlags = @($cpuFlags -split '\s+' | Where-Object { $_ })
$coreType = if ('avx512f' -in $cpuFlags) { 'SkylakeX' } elseif ('avx2' -in $cpuFlags) { 'Haswell' } else { $null }
# Why a peer variant has no time (it died): variant -> 'missing (exit N)'.
$peerMissing = @{}
$ownDir = -not $DataDir
if ($ownDir) {
    $DataDir = Join-Path ([IO.Path]::GetTempPath()) "kerasps-convrnn-$PID"
    New-Item -ItemType Directory -Force -Path $DataDir | Out-Null
}

function Get-Median([double[]] $Values) {
    if (-not $Values -or $Values.Count -eq 0) { return [double]::NaN }
    $s = @($Values | Sort-Object)
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

function Out-Row([string] $Name, [string] $Unit, [double] $Value, [string] $Peer = '', $PeerValue = $null, [string] $Note = '') {
    [pscustomobject]@{ Name = $Name; Unit = $Unit; Value = $Value; Peer = $Peer; PeerValue = $PeerValue; Note = $Note }
}

# Runs the peer once, with OPENBLAS_CORETYPE=$CoreType when given; returns its per-epoch seconds (or the RESULT
# key/values for mlp), or $null when it did not run or died (then $peerMissing[$Variant] says how).
function Invoke-Peer([string] $Task, [string] $CoreType, [string] $Variant = 'plain', [int] $PeerEpochs = $Epochs) {
    if (-not $hasTorch) { return $null }
    $old = $env:OPENBLAS_CORETYPE
    try {
        if ($CoreType) { $env:OPENBLAS_CORETYPE = $CoreType } else { Remove-Item Env:OPENBLAS_CORETYPE -ErrorAction SilentlyContinue }
        $out = & $py $peerScript $Task --dir $DataDir --epochs $PeerEpochs --threads $Threads 2>&1
        $exit = $LASTEXITCODE
    }
    finally { if ($null -eq $old) { Remove-Item Env:OPENBLAS_CORETYPE -ErrorAction SilentlyContinue } else { $env:OPENBLAS_CORETYPE = $old } }
    $how = if ($CoreType) { "OPENBLAS_CORETYPE=$CoreType" } else { 'as is' }
    if ($exit -ne 0) {
        # 132 = 128 + SIGILL: kernels for instructions this CPU lacks.
        $peerMissing[$Variant] = "missing (exit $exit)"
        Write-Warning "PyTorch peer ($Task, $how) died with exit code $exit; reported as missing: $(@($out | Select-Object -Last 3) -join ' | ')"
        return $null
    }
    $line = $out | Where-Object { $_ -match '^RESULT ' } | Select-Object -Last 1
    if (-not $line) {
        $peerMissing[$Variant] = 'missing (no RESULT line)'
        Write-Warning "PyTorch peer ($Task, $how) gave no RESULT line: $($out -join ' | ')"
        return $null
    }
    $kv = @{}
    foreach ($pair in ($line -replace '^RESULT ', '') -split ' ') { $k, $v = $pair -split '=', 2; $kv[$k] = $v }
    $kv['epochs'] = [double[]]($kv['epochs_s'] -split ',')
    $kv
}

try {
    Set-KerasOption -Threads $Threads
    $load = (Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 3
    Write-Host "ConvRnnBench: $Rounds alternated rounds x $Epochs epochs, $Threads threads; load average at start: $($load -join ' ')."
    if (-not $hasTorch) { Write-Warning 'Debian python3-torch is not installed: KerasPS figures only (apt-get install -y python3-torch python3-pandas libopenblas0-pthread).' }
    if (-not (Test-Path (Join-Path $DataDir 'cnn.csv'))) {
        & $py (Join-Path $shared 'tools/make-cnn-lstm.py') $DataDir | Out-Null
    }

    $datasets = @{}
    foreach ($w in $Workload | Where-Object { $_ -ne 'predict' }) {
        $datasets[$w] = Import-ModelData -Path (Join-Path $DataDir "$w.csv") -Target label
    }
    $makeModel = @{
        cnn  = {
            New-Model -Name cnn -InputShape 784 -Seed 42 | Add-ReshapeLayer 28, 28, 1 |
                Add-Conv2DLayer 32 3 -Activation relu | Add-MaxPooling2DLayer 2 |
                Add-Conv2DLayer 64 3 -Activation relu | Add-MaxPooling2DLayer 2 |
                Add-FlattenLayer | Add-DenseLayer 10 -Activation softmax |
                Build-Model -Optimizer adam -Loss sparse_categorical_crossentropy -Metrics accuracy
        }
        lstm = {
            New-Model -Name lstm -InputShape 50 -Seed 42 | Add-EmbeddingLayer 1000 64 | Add-LSTMLayer 64 |
                Add-DenseLayer 1 -Activation sigmoid |
                Build-Model -Optimizer adam -Loss binary_crossentropy -Metrics accuracy
        }
    }
    foreach ($w in $Workload | Where-Object { $_ -ne 'predict' }) {
        $kFirst = [Collections.Generic.List[double]]::new(); $kLater = [Collections.Generic.List[double]]::new()
        $kFirstRatio = [Collections.Generic.List[double]]::new(); $coldRatio = $null
        $pLater = @{ plain = [Collections.Generic.List[double]]::new(); tuned = [Collections.Generic.List[double]]::new() }
        $variants = [Collections.Generic.List[string]]@('plain')
        if ($coreType) { $variants.Add('tuned') }
        $peerMissing.Clear()
        $final = $null
        for ($r = 0; $r -lt $Rounds; $r++) {
            $m = & $makeModel[$w]
            $h = @($m | Invoke-ModelFit -Data $datasets[$w] -Epochs $Epochs -BatchSize 128 -Seed 42)
            $kFirst.Add($h[0].Seconds)
            if ($h.Count -gt 1) {
                $kFirstRatio.Add($h[0].Seconds / $h[1].Seconds)
                if ($r -eq 0) { $coldRatio = $h[0].Seconds / $h[1].Seconds }
            }
            $h | Select-Object -Skip 1 | ForEach-Object { $kLater.Add($_.Seconds) }
            $final = $h[-1]
            Write-Host ("  round {0} KerasPS {1}: {2} s; loss {3:0.0000}" -f ($r + 1), $w, (($h | ForEach-Object { '{0:0.000}' -f $_.Seconds }) -join ', '), $final.Loss)
            $roundMedian = @{}
            foreach ($variant in @($variants)) {
                $peerEpochs = if ($r -eq 0) { [math]::Max(2, [math]::Min($Epochs, 3)) } else { $Epochs }
                $res = Invoke-Peer $w -CoreType $(if ($variant -eq 'tuned') { $coreType }) -Variant $variant -PeerEpochs $peerEpochs
                if ($null -eq $res) {
                    # A variant that died once (an illegal instruction) dies every time: do not run it again.
                    if ($peerMissing.ContainsKey($variant)) { [void]$variants.Remove($variant) }
                    continue
                }
                $later = @($res.epochs | Select-Object -Skip 1)
                $later | ForEach-Object { $pLater[$variant].Add($_) }
                $roundMedian[$variant] = Get-Median $later
                Write-Host ("  round {0} PyTorch {1} ({2}): {3} s" -f ($r + 1), $w, $variant, (($res.epochs | ForEach-Object { '{0:0.000}' -f $_ }) -join ', '))
            }
            if ($r -eq 0 -and $roundMedian.Count -eq 2) {
                # Keep only the faster BLAS setting when the other is clearly slower: the bench quotes the faster anyway.
                if ($roundMedian.plain -gt 1.25 * $roundMedian.tuned) { [void]$variants.Remove('plain') }
                elseif ($roundMedian.tuned -gt 1.25 * $roundMedian.plain) { [void]$variants.Remove('tuned') }
            }
        }
        $k = Get-Median $kLater.ToArray()
        $label = if ($w -eq 'cnn') { 'CNN epoch (10,000 x 28x28x1, Conv32-Pool-Conv64-Pool-Dense10, Adam)' } else { 'LSTM epoch (10,000 x 50 tokens, Emb64-LSTM64-Dense1, Adam)' }
        # Each variant's median, or why it has none (died: missing; not run on this CPU; dropped after round 1 as slower).
        $peerText = @{}
        $peerTime = @{}
        foreach ($variant in 'plain', 'tuned') {
            if ($pLater[$variant].Count) {
                $peerTime[$variant] = Get-Median $pLater[$variant].ToArray()
                $peerText[$variant] = '{0:0.000} s' -f $peerTime[$variant]
            }
            elseif ($peerMissing.ContainsKey($variant)) { $peerText[$variant] = $peerMissing[$variant] }
            else { $peerText[$variant] = 'not run' }
        }
        $tunedName = if ($coreType) { "OPENBLAS_CORETYPE=$coreType" } else { 'no OPENBLAS_CORETYPE for this CPU' }
        $peerNote = "PyTorch as is $($peerText.plain), $tunedName $($peerText.tuned)"
        if (-not $hasTorch) { Out-Row $label 's/epoch' $k 'PyTorch eager (python3-torch)' 'not installed' }
        elseif ($peerTime.Count -eq 0) {
            Out-Row $label 's/epoch' $k 'PyTorch eager (python3-torch)' 'missing' "goal <= 0.5; every peer run died; $peerNote"
        }
        else {
            $which = if ($peerTime.ContainsKey('plain') -and (-not $peerTime.ContainsKey('tuned') -or $peerTime.plain -le $peerTime.tuned)) { 'plain' } else { 'tuned' }
            $whichName = if ($which -eq 'plain') { 'as is' } else { $tunedName }
            Out-Row $label 's/epoch' $k "PyTorch eager, faster BLAS ($whichName)" $peerTime[$which] ("goal <= 0.5; epochs 2-$Epochs of $Rounds alternated rounds; " + $peerNote)
        }
        if ($kFirstRatio.Count) {
            Out-Row "$($w.ToUpperInvariant()) first epoch / second epoch (KerasPS)" 'ratio' (Get-Median $kFirstRatio.ToArray()) '' $null ("goal <= 1.2; median of $($kFirstRatio.Count) fits; the first $w fit in this process {0:0.00}; first epochs {1:0.000} s, later {2:0.000} s" -f $coldRatio, (Get-Median $kFirst.ToArray()), $k)
        }
    }

    if ('predict' -in $Workload) {
        # Single-row predict on the Otto MLP (93-100-9).
        $otto = Get-SampleData -Name Otto -Rows 20000
        $mlp = New-Model -Name otto -InputShape 93 -Seed 42 | Add-DenseLayer 100 -Activation relu | Add-DenseLayer 9 -Activation softmax |
            Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
        $null = $mlp | Invoke-ModelFit -Data $otto -Epochs 1 -BatchSize 128 -Seed 42
        $row = [double[]]$otto.Engine.Features[0..92]
        $x = , $row
        $engine = $mlp.Engine
        $rowTensor = $otto.Engine.FeatureTensor().narrow(0, 0, 1)
        # The engine's forward in a compiled loop (tests/bench/KerasPS.Bench, which Invoke-Bench.ps1 loads); run alone,
        # this script falls back to a PowerShell method call per row, which adds PowerShell's dispatch cost.
        $latency = [AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetType('KerasPS.Bench.PredictLatency', $false) } | Where-Object { $_ } | Select-Object -First 1
        $blocks = [ordered]@{
            empty   = {}
            trivial = { $mlp | Write-Output }
            matrix  = { $mlp | Invoke-ModelPredict -X $x -AsMatrix }
            objects = { $mlp | Invoke-ModelPredict -X $x }
        }
        if (-not $latency) { $blocks['engine'] = { $engine.Predict($rowTensor, 4096) } }
        # Warm up long enough for PowerShell and .NET to settle: hot code is compiled again (tier 1) in the background,
        # and a single-row predict (and PowerShell's own trivial cmdlet call) takes ~15,000 calls, ~3 s, to reach its
        # steady time (320 -> 53 us per call after 16,000 calls, 36 us after 25,000, measured). Then interleave the
        # blocks in rounds, so that all of them see the same machine load.
        $warm = [Diagnostics.Stopwatch]::StartNew()
        for ($n = 0; $n -lt 25000 -and $warm.Elapsed.TotalSeconds -lt 30; $n += 500) { foreach ($b in $blocks.Values) { foreach ($i in 1..500) { $null = & $b } } }
        $times = @{}
        foreach ($key in $blocks.Keys) { $times[$key] = [Collections.Generic.List[double]]::new() }
        foreach ($round in 1..15) {
            foreach ($key in $blocks.Keys) {
                $b = $blocks[$key]
                $sw = [Diagnostics.Stopwatch]::StartNew()
                foreach ($i in 1..300) { $null = & $b }
                $times[$key].Add($sw.Elapsed.TotalMilliseconds * 1000 / 300)
            }
        }
        $us = @{}
        foreach ($key in $blocks.Keys) { $us[$key] = Get-Median $times[$key].ToArray() }
        $engineUs = if ($latency) { $latency::MedianMicroseconds($engine, $rowTensor, 20000, 2000) } else { $us['engine'] }
        $engineHow = if ($latency) { 'compiled loop, median' } else { 'PowerShell method call per row, median' }
        $emptyUs = $us['empty']; $trivialUs = $us['trivial']; $predictUs = $us['matrix']; $predictObjUs = $us['objects']
        $peerFwd = $null; $peerFull = $null
        if ($hasTorch) {
            $ottoCsv = Join-Path $DataDir 'otto.csv'
            if (-not (Test-Path $ottoCsv)) { [KerasPS.Engine.Data.SampleData]::WriteCsv($otto.Engine, $ottoCsv, $true) }
            $peerMissing.Clear()
            $res = Invoke-Peer mlp -PeerEpochs 1
            if ($res) { $peerFwd = [double]$res['predict_fwd_median_us']; $peerFull = [double]$res['predict_full_median_us'] }
        }
        $peerFwdValue = if ($null -ne $peerFwd) { $peerFwd } elseif ($peerMissing.ContainsKey('plain')) { $peerMissing.plain } else { 'not installed' }
        Out-Row 'Single-row predict: engine forward (Otto MLP, no PowerShell)' 'us/call' $engineUs 'PyTorch forward, no_grad (median)' $peerFwdValue "goal <= 2x PyTorch; $engineHow"
        Out-Row 'Single-row Invoke-ModelPredict -AsMatrix' 'us/call' $predictUs 'PowerShell: trivial cmdlet call ($model | Write-Output)' $trivialUs ("goal <= 2x a trivial cmdlet; empty script block {0:0} us; PyTorch full predict {1} us" -f $emptyUs, $peerFull)
        Out-Row 'Single-row Invoke-ModelPredict (Prediction object)' 'us/call' $predictObjUs 'PowerShell: trivial cmdlet call ($model | Write-Output)' $trivialUs ''
    }
    $load = (Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 3
    Write-Host "ConvRnnBench: load average at end: $($load -join ' ')."
}
finally {
    if ($ownDir) { Remove-Item $DataDir -Recurse -Force -ErrorAction SilentlyContinue }
}
