#Requires -Version 7.4
<#
.SYNOPSIS
    Text classification of short help-desk tickets: the raw ticket titles go into the model, a TextVectorization layer
    learns the vocabulary and turns each title into token ids, an Embedding with GlobalAveragePooling1D (then an LSTM)
    classifies them. The saved model takes raw strings.
.DESCRIPTION
    The ~300 tickets are generated here from a seed: each team has its own words (disk, quota, vpn, password, cpu, ...)
    mixed with words every team uses (server names, "please", "urgent"), so the words, not the layout, say the team.
    Prints the held-out accuracy of both models and writes one JSON line with them at the end.
.EXAMPLE
    ./examples/Tickets.ps1 -Epochs 30
#>
param([int] $Epochs = 30, [int] $Count = 300, [long] $Seed = 7, [string] $OutputDirectory = [IO.Path]::GetTempPath())
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../KerasPS.psd1')

$words = @{
    storage  = 'disk', 'full', 'quota', 'volume', 'backup', 'snapshot', 'nas', 'share', 'raid', 'space'
    network  = 'vpn', 'dns', 'latency', 'packet', 'loss', 'firewall', 'switch', 'wifi', 'route', 'timeout'
    identity = 'password', 'reset', 'locked', 'account', 'login', 'mfa', 'token', 'group', 'access', 'expired'
    compute  = 'cpu', 'memory', 'high', 'process', 'hung', 'reboot', 'service', 'crash', 'load', 'patch'
}
$shared = 'on', 'web01', 'db02', 'app03', 'please', 'urgent', 'since', 'morning', 'for', 'user', 'again', 'the'
$rng = [Random]::new($Seed)
$teams = @($words.Keys | Sort-Object)
$tickets = foreach ($i in 1..$Count) {
    $team = $teams[$rng.Next($teams.Count)]
    $n = 3 + $rng.Next(4)
    $title = @(foreach ($k in 1..$n) {
        if ($rng.NextDouble() -lt 0.55) { $words[$team][$rng.Next(10)] } else { $shared[$rng.Next($shared.Count)] }
    }) -join ' '
    [pscustomobject]@{ title = ($title.Substring(0, 1).ToUpper() + $title.Substring(1) + '!'); team = $team }
}

# The titles stay strings in the dataset (-Text); the model's first layer encodes them once per dataset.
$data = $tickets | ConvertTo-ModelData -Target team -Text title
$split = $data | Split-TrainTest -TestSize 0.25 -Stratify -Seed $Seed

function New-TicketModel([switch] $Lstm) {
    $m = New-Model -Seed $Seed |
        Add-TextVectorizationLayer -Adapt $split.Train -MaxTokens 200 -OutputSequenceLength 8 |
        Add-EmbeddingLayer 200 16
    $m = if ($Lstm) { $m | Add-LSTMLayer 16 } else { $m | Add-GlobalAveragePooling1DLayer }
    $m | Add-DenseLayer 4 -Activation softmax |
        Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.01) -Loss sparse_categorical_crossentropy -Metrics accuracy
}

$results = [ordered]@{}
foreach ($variant in 'Embedding', 'LSTM') {
    $model = New-TicketModel -Lstm:($variant -eq 'LSTM')
    $null = $model | Invoke-ModelFit -Data $split.Train -Epochs $Epochs -BatchSize 16 -Seed $Seed
    $accuracy = ($model | Invoke-ModelEvaluate -Data $split.Test).Accuracy
    $results[$variant] = [math]::Round($accuracy, 4)
    "{0,-9} held-out accuracy: {1:P1}" -f $variant, $accuracy
}

# The saved model takes raw strings: no tokenizer to carry beside it.
$path = Join-Path $OutputDirectory 'tickets.kpt'
$model | Export-Checkpoint -Path $path -Force
$saved = Import-Checkpoint -Path $path
'Disk full on web01 again', 'VPN timeout since morning', 'Password expired for user' |
    Invoke-ModelPredict -Model $saved | Format-Table Class, Probability | Out-String | Write-Host
[pscustomobject]@{ EmbeddingAccuracy = $results['Embedding']; LstmAccuracy = $results['LSTM']; Checkpoint = $path } |
    ConvertTo-Json -Compress
