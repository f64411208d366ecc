<#
.SYNOPSIS
    KerasPS benchmarks, each printed next to its peers measured in the same run (ratios, not absolute seconds:
    these machines are shared and noisy).
.DESCRIPTION
    Workload (the Otto walkthrough, ../shared/bench/README.md): Otto-shaped 61,878 x 93, 15 % validation,
    Dense(100, relu) -> Dense(9, softmax), SGD 0.01, batch 128, 2 threads.
    Peers: the PyTorch eager loop (../shared/bench/peer_pytorch.py, Debian python3-torch) when it is installed,
    and a plain hand-written TorchSharp loop (tests/bench/KerasPS.Bench) always. ConvRnnBench.ps1 adds the CNN and
    LSTM workloads and single-row predict latency against ../shared/bench/peer_pytorch_cnn_lstm.py.
#>
param(
    [Parameter(Mandatory)] [string] $Root,
    [int] $Epochs = 5,
    [int] $Threads = 2,
    # Run only these of the area benchmarks (script names without .ps1, e.g. Measure-SandboxRunbook); all by default.
    [string[]] $Only
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Join-Path $Root 'KerasPS.psd1')
$shared = Join-Path (Split-Path -Parent $Root) 'shared'
$work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-bench-$PID"
New-Item -ItemType Directory -Force -Path $work | Out-Null
$results = [System.Collections.Generic.List[object]]::new()

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

function Add-Result([string] $Name, [string] $Unit, [double] $KerasPS, [string] $Peer, $PeerValue, [string] $Note = '') {
    $ratio = if ($PeerValue -is [double] -and $PeerValue -gt 0) { [math]::Round($KerasPS / $PeerValue, 3) } else { $null }
    $results.Add([pscustomobject]@{ Benchmark = $Name; Unit = $Unit; KerasPS = [math]::Round($KerasPS, 4); Peer = $Peer; PeerValue = $PeerValue; Ratio = $ratio; Note = $Note })
}

function Test-PythonModule([string] $Module) {
    $py = '/usr/bin/python3'
    if (-not (Test-Path $py)) { $py = (Get-Command python3 -ErrorAction SilentlyContinue).Source }
    if (-not $py) { return $null }
    & $py -c "import $Module" 2>$null
    if ($LASTEXITCODE -eq 0) { return $py }
    return $null
}

# The peer's median epoch in seconds; 'not installed' without python3-torch; 'missing (...)' when the run died (an
# OPENBLAS_CORETYPE from the environment that this CPU cannot execute ends in SIGILL, exit 132): never a time of 0.
function Invoke-PyTorchPeer([string] $Csv, [string] $Hidden, [string] $Optimizer) {
    $py = Test-PythonModule torch
    if (-not $py) { return 'not installed' }
    $out = & $py (Join-Path $shared 'bench/peer_pytorch.py') $Csv --epochs $Epochs --threads $Threads --hidden $Hidden --opt $Optimizer 2>&1
    if ($LASTEXITCODE -ne 0) {
        Write-Warning "PyTorch peer died with exit code $LASTEXITCODE; reported as missing: $(@($out | Select-Object -Last 3) -join ' | ')"
        return "missing (exit $LASTEXITCODE)"
    }
    $line = $out | Where-Object { $_ -match '^RESULT ' } | Select-Object -Last 1
    if ($line -notmatch 'epoch_median_s=([\d.]+)') { Write-Warning "PyTorch peer gave no RESULT line: $($out -join ' | ')"; return 'missing (no RESULT line)' }
    [double]$Matches[1]
}

try {
    Set-KerasOption -Threads $Threads
    Write-Host "KerasPS bench: $Epochs epochs per fit, $Threads threads, $([Environment]::ProcessorCount) cores."
    $otto = Get-SampleData -Name Otto
    $csv = Join-Path $work 'otto-train.csv'
    [KerasPS.Engine.Data.SampleData]::WriteCsv($otto.Engine, $csv, $true)

    # --- MLP cell: KerasPS fit and the plain TorchSharp loop, alternated -------------------------------------------
    # The two run in turns (3 epochs each, 3 rounds) so that both see the same machine load; medians of all epochs
    # after the first fit's warm-up epoch.
    $nVal = [int][math]::Floor($otto.Count * 0.15)
    $train = $otto.Slice(0, $otto.Count - $nVal)
    $val = $otto.Slice($otto.Count - $nVal, $nVal)
    $model = New-Model -Name otto -InputShape 93 -Seed 42 |
        Add-DenseLayer 100 -Activation relu | Add-DenseLayer 9 -Activation softmax |
        Build-Model -Optimizer sgd -Loss categorical_crossentropy -Metrics accuracy
    $benchProj = Join-Path $Root 'tests/bench/KerasPS.Bench/KerasPS.Bench.csproj'
    & dotnet build $benchProj -c Release --nologo -v quiet -o (Join-Path $work 'benchlib') | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'Building tests/bench/KerasPS.Bench failed.' }
    # Into the module's own load context, beside the TorchSharp (and libtorch) that KerasPS uses.
    $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([TorchSharp.torch].Assembly)
    $benchLib = $context.LoadFromAssemblyPath((Join-Path $work 'benchlib/KerasPS.Bench.dll'))
    $plainLoop = $benchLib.GetType('KerasPS.Bench.PlainTorchSharpLoop', $true)
    $toLong = { param($d) [long[]]$d.Engine.Labels }
    $kerasTimes = [System.Collections.Generic.List[double]]::new()
    $plainTimes = [System.Collections.Generic.List[double]]::new()
    $perRound = [math]::Max(2, [int][math]::Ceiling($Epochs / 3))
    for ($round = 0; $round -lt 3; $round++) {
        $h = $model | Invoke-ModelFit -Data $train -ValidationData $val -Epochs $perRound -BatchSize 128 -Seed 42
        $h | Select-Object -Skip ([int]($round -eq 0)) | ForEach-Object { $kerasTimes.Add($_.Seconds) }
        $plain = $plainLoop::Run($train.Engine.Features, (& $toLong $train), $val.Engine.Features, (& $toLong $val),
            93, 9, [int[]]@(100), $perRound, 128, 0.01, 42)
        $plain | Select-Object -Skip ([int]($round -eq 0)) | ForEach-Object { $plainTimes.Add($_) }
    }
    $kerasEpoch = Get-Median $kerasTimes.ToArray()
    $plainEpoch = Get-Median $plainTimes.ToArray()
    Write-Host ("KerasPS MLP: median epoch {0:0.000} s over {1} epochs, final val_loss {2:0.0000}" -f $kerasEpoch, $kerasTimes.Count, $h[-1].ValLoss)
    Add-Result 'MLP epoch (61,878 x 93, batch 128, SGD)' 's/epoch' $kerasEpoch 'TorchSharp plain loop' $plainEpoch 'goal <= 0.8; alternated runs'

    # --- PyTorch peer ------------------------------------------------------------------------------------------
    $pyEpoch = Invoke-PyTorchPeer $csv '100' 'sgd'
    $pyNote = if ('not installed' -eq $pyEpoch) { 'apt-get install -y python3-torch python3-pandas libopenblas0-pthread' } else { 'goal <= 0.5' }
    Add-Result 'MLP epoch (61,878 x 93, batch 128, SGD)' 's/epoch' $kerasEpoch 'PyTorch eager (python3-torch)' $pyEpoch $pyNote

    # --- deeper model with dropout, Adam -------------------------------------------------------------------------
    $deep = New-Model -Name deep -InputShape 93 -Seed 42 |
        Add-DenseLayer 512 -Activation relu | Add-DropoutLayer 0.3 |
        Add-DenseLayer 512 -Activation relu | Add-DropoutLayer 0.3 |
        Add-DenseLayer 512 -Activation relu | Add-DropoutLayer 0.3 |
        Add-DenseLayer 9 -Activation softmax | Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
    $hd = $deep | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 3 -BatchSize 128 -Seed 42
    $deepEpoch = Get-Median ($hd | Select-Object -Skip 1 | ForEach-Object { $_.Seconds })
    $pyDeep = Invoke-PyTorchPeer $csv '512,512,512' 'adam'
    Add-Result 'Deep epoch (93-512-512-512-9, dropout, Adam)' 's/epoch' $deepEpoch 'PyTorch eager (no dropout)' $pyDeep

    # --- predict throughput ------------------------------------------------------------------------------------------
    $testSet = Get-SampleData -Name Otto -Rows 144368 -Seed 43
    $null = $model | Invoke-ModelPredict -Data $testSet.Slice(0, 1000) -AsMatrix
    $pt = foreach ($i in 1..3) { (Measure-Command { $null = $model | Invoke-ModelPredict -Data $testSet -AsMatrix }).TotalSeconds }
    $rowsPerSecond = 144368 / (Get-Median $pt)
    Add-Result 'Predict 144,368 rows (-AsMatrix)' 'rows/s' $rowsPerSecond '' $null
    $pobj = (Measure-Command { $null = $model | Invoke-ModelPredict -Data $testSet.Slice(0, 20000) }).TotalSeconds
    Add-Result 'Predict 20,000 rows as objects' 'rows/s' (20000 / $pobj) '' $null

    # --- data and experiment benches contributed by their areas ----------------------------------------------------
    $extras = @(
        @{ Script = 'CsvBench.ps1'; Args = @{ CsvPath = $csv } }
        @{ Script = 'Measure-SweepSpeedup.ps1'; Args = @{ Epochs = 20; Repeat = 3 } }   # long enough that runspace start-up does not dominate
        @{ Script = 'Measure-SandboxRunbook.ps1'; Args = @{ Rows = 20000; Epochs = 10 } }
        @{ Script = 'Measure-CrossValidationSpeedup.ps1'; Args = @{ Epochs = 10; Repeat = 3 } }
        @{ Script = 'Measure-SweepSearch.ps1'; Args = @{ Rows = 3000; Seeds = 1, 2, 3 } }   # a 3,000-row Otto subset: ~30 s per seed on 2 cores
        @{ Script = 'ConvRnnBench.ps1'; Args = @{ Epochs = 4; Rounds = 3; Threads = $Threads } }   # CNN, LSTM, single-row predict vs PyTorch
        @{ Script = 'FunctionalBench.ps1'; Args = @{ Epochs = 1; Rounds = 9; Threads = $Threads } }   # functional vs Sequential, residual vs no Add
        @{ Script = 'TextBench.ps1'; Args = @{ Runs = 3 } }   # TextVectorization adapt + sparse multi_hot vs sklearn CountVectorizer
        @{ Script = 'TextEpochBench.ps1'; Args = @{ Count = 20000 } }   # text processing's share of a text model's fit
        @{ Script = 'ImageBench.ps1'; Args = @{ Count = 10000; Runs = 3 } }   # decode + resize 10,000 PNGs vs Pillow
        @{ Script = 'StudyBench.ps1'; Args = @{ Claims = 1000; TrialsPerWorker = 10; StudyTrials = 200 } }   # database studies: claim latency, 4 worker processes vs 1 and the machine's ceiling, a 200-trial TPE study
        @{ Script = 'ThreadChoiceBench.ps1'; Args = @{ Epochs = 6; Rounds = 3 } }   # the automatic thread choice on a small CNN
        @{ Script = 'StreamBench.ps1'; Args = @{ CsvPath = $csv } }   # streamed vs in-memory epoch; peak RSS for 200 MB and 2 GB files
    )
    if ($PSBoundParameters.ContainsKey('Only')) {
        $extras = @(foreach ($e in $extras) { if ([IO.Path]::GetFileNameWithoutExtension($e['Script']) -in $Only) { $e } })
    }
    foreach ($extra in $extras) {
        $path = Join-Path $Root "tests/bench/$($extra.Script)"
        if (Test-Path $path) {
            $a = $extra.Args
            foreach ($r in & $path @a | Where-Object { $_.PSObject.Properties['Name'] -and $_.PSObject.Properties['Value'] }) {
                $peerValue = if ($r.PSObject.Properties['PeerValue']) { $r.PeerValue } else { $null }
                Add-Result $r.Name $r.Unit $r.Value $(if ($r.PSObject.Properties['Peer']) { $r.Peer } else { '' }) $peerValue $(if ($r.PSObject.Properties['Note']) { $r.Note } else { '' })
            }
        }
    }

    $peak = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB
    Add-Result 'Peak working set of the bench process' 'MiB' $peak '' $null
    # The numbers first, then the words: at any width the ratios stay in view (the peer's name is the column that wraps).
    $results | Format-Table Ratio, KerasPS, PeerValue, Unit, Benchmark, Peer -Wrap | Out-String -Width 240 | Write-Host
    # The notes (goals, rounds, what each side timed) under the table, one line each, where a narrow column cannot cut them.
    foreach ($r in $results | Where-Object Note) { Write-Host "  $($r.Benchmark): $($r.Note)" }
    $results
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
