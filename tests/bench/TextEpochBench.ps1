#Requires -Version 7.4
<#
.SYNOPSIS
    The share of a text model's fit spent in text processing, for the examples/Tickets.ps1 shape (TextVectorization int
    + Embedding + GlobalAveragePooling1D) and a multi_hot bag of a 5,000-token vocabulary (TextVectorization multi_hot +
    Dense), on -Count generated tickets.
.DESCRIPTION
    The tickets are generated as examples/Tickets.ps1 makes them (team words mixed with shared words), plus a host name
    of 4,000 (host0..host3999), so that the bag's vocabulary is wide and its rows sparse. For each model, on a fresh
    dataset:
      encode  = TextInputs.ForModel: tokenizing and encoding the text column, done once per dataset and vocabulary (the
                fit reuses it every epoch, as Keras advises vectorizing once outside the training loop);
      batches = what the string layer does per epoch: nothing for int output (the token ids are the tensor), turning the
                batches' row handles into sparse batches for the bag (SparseRows.Sparse over every batch);
      epoch   = one epoch of Invoke-ModelFit after the encoding (its batches included).
    Share of a one-epoch fit = (encode + batches) / (encode + epoch); of an -Epochs fit = (encode + Epochs x batches) /
    (encode + Epochs x epoch). The issue's goal: at most 10 %. Writes one bench object per model.
.EXAMPLE
    ./tests/bench/TextEpochBench.ps1 -Count 20000
#>
[CmdletBinding()]
param(
    [int] $Count = 20000,
    [int] $Epochs = 10,
    [int] $BatchSize = 32,
    [string] $Root = (Join-Path $PSScriptRoot '../..')
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Module KerasPS)) { Import-Module (Join-Path $Root 'KerasPS.psd1') }
function Get-EngineType([string] $FullName) {
    foreach ($a in [AppDomain]::CurrentDomain.GetAssemblies()) { if ($t = $a.GetType($FullName, $false)) { return $t } }
}

$words = @{
    storage  = 'disk', 'full', 'quota', 'volume', 'backup', 'snapshot', 'nas', 'share', 'raid', 'space'
    network  = 'vpn', 'dns', 'latency', 'packet', 'loss', 'firewall', 'switch', 'wifi', 'route', 'timeout'
    identity = 'password', 'reset', 'locked', 'account', 'login', 'mfa', 'token', 'group', 'access', 'expired'
    compute  = 'cpu', 'memory', 'high', 'process', 'hung', 'reboot', 'service', 'crash', 'load', 'patch'
}
$shared = 'on', 'web01', 'db02', 'app03', 'please', 'urgent', 'since', 'morning', 'for', 'user', 'again', 'the'
$rng = [Random]::new(7)
$teams = @($words.Keys | Sort-Object)
$rows = [object[]]::new($Count)
$sb = [Text.StringBuilder]::new()
for ($i = 0; $i -lt $Count; $i++) {
    $team = $teams[$rng.Next($teams.Count)]
    $null = $sb.Clear().Append('Host').Append($rng.Next(4000))
    for ($k = 3 + $rng.Next(4); $k -gt 0; $k--) {
        $null = $sb.Append(' ').Append($(if ($rng.NextDouble() -lt 0.55) { $words[$team][$rng.Next(10)] } else { $shared[$rng.Next($shared.Count)] }))
    }
    $rows[$i] = [pscustomobject]@{ title = $sb.Append('!').ToString(); team = $team }
}
$inputs = Get-EngineType 'KerasPS.Engine.Data.TextInputs'
$sparseRows = $null

$variants = [ordered]@{
    'Tickets: TextVectorization int + Embedding + GlobalAveragePooling1D' = {
        param($data)
        New-Model -Seed 7 | Add-TextVectorizationLayer -Adapt $data -MaxTokens 5000 -OutputSequenceLength 8 |
            Add-EmbeddingLayer 5000 16 | Add-GlobalAveragePooling1DLayer | Add-DenseLayer 4 -Activation softmax
    }
    'Bag: TextVectorization multi_hot (5,000 tokens) + Dense' = {
        param($data)
        New-Model -Seed 7 | Add-TextVectorizationLayer -Adapt $data -MaxTokens 5000 -OutputMode multi_hot |
            Add-DenseLayer 16 -Activation relu | Add-DenseLayer 4 -Activation softmax
    }
}
foreach ($name in $variants.Keys) {
    # a warm-up fit on a few rows: compiling and loading are not text processing
    $small = $rows[0..199] | ConvertTo-ModelData -Target team -Text title
    $m = & $variants[$name] $small | Build-Model -Optimizer adam -Loss sparse_categorical_crossentropy
    $null = $m | Invoke-ModelFit -Data $small -Epochs 1 -BatchSize $BatchSize -Seed 1

    $data = $rows | ConvertTo-ModelData -Target team -Text title
    $model = & $variants[$name] $data | Build-Model -Optimizer adam -Loss sparse_categorical_crossentropy
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $encoded = $inputs::ForModel($model.Engine, $data.Engine)
    $encode = $sw.Elapsed.TotalSeconds
    $batches = 0.0
    if ($encoded.Sparse) {
        $sparseRows = Get-EngineType 'KerasPS.Engine.Data.SparseRows'
        $handles = $encoded.FeatureTensor()
        $sw.Restart()
        for ($s = 0; $s -lt $encoded.Count; $s += $BatchSize) {
            $part = $handles.narrow(0, $s, [math]::Min($BatchSize, $encoded.Count - $s))
            $batch = $sparseRows::Sparse($part)
            $batch.Dispose(); $part.Dispose()
        }
        $batches = $sw.Elapsed.TotalSeconds
    }
    $sw.Restart()
    $null = $model | Invoke-ModelFit -Data $data -Epochs 1 -BatchSize $BatchSize -Seed 1
    $epoch = $sw.Elapsed.TotalSeconds
    $one = ($encode + $batches) / ($encode + $epoch)
    $many = ($encode + $Epochs * $batches) / ($encode + $Epochs * $epoch)
    [pscustomobject]@{
        Name  = "Text processing share of a 1-epoch fit, $name, $($Count.ToString('N0')) tickets"
        Unit  = '%'
        Value = [math]::Round(100 * $one, 2)
        Note  = ("encode once {0:N3} s ({1}), per-epoch batches {2:N3} s, epoch {3:N3} s (batch {4}); {5:N2} % of a {6}-epoch fit; " +
            "goal <= 10 %") -f $encode, $(if ($encoded.Sparse) { 'sparse rows' } else { 'dense rows' }), $batches, $epoch, $BatchSize,
            (100 * $many), $Epochs
    }
}
