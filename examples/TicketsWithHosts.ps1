#Requires -Version 7.4
<#
.SYNOPSIS
    Text beside numbers: help-desk tickets classified from their raw title, the raw host name and a numeric column in one
    functional model (Keras's keras.Input(shape=(1,), dtype="string") inputs). The saved model takes raw objects.
.DESCRIPTION
    The tickets are generated here from a seed. Each of 120 hosts belongs to one team; a title has a few of its team's
    words, but half of its words are shared by every team, so the title alone is often ambiguous and the host settles it.
    The title goes through a TextVectorization layer (multi_hot), the host through a StringLookup layer (one_hot; a host
    not seen in training goes to the OOV slot), and both are concatenated with the open-hours column before two Dense
    layers. The strings are encoded once per dataset, not once per epoch. Prints the held-out accuracy of the title-only
    model and of the title + host + hours model, and writes one JSON line with both at the end.
.EXAMPLE
    ./examples/TicketsWithHosts.ps1 -Epochs 20
#>
param([int] $Epochs = 20, [int] $Count = 600, [long] $Seed = 7, [string] $OutputDirectory = [IO.Path]::GetTempPath())
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../KerasPS.psd1')

$words = @{
    storage  = 'disk', 'full', 'quota', 'volume', 'backup'
    network  = 'vpn', 'dns', 'latency', 'packet', 'firewall'
    identity = 'password', 'reset', 'locked', 'account', 'login'
    compute  = 'cpu', 'memory', 'process', 'hung', 'reboot'
}
$shared = 'slow', 'error', 'please', 'urgent', 'since', 'morning', 'again', 'down', 'failing', 'alert'
$rng = [Random]::new($Seed)
$teams = @($words.Keys | Sort-Object)
$hostTeam = @{}
foreach ($i in 1..120) { $hostTeam['srv{0:d4}' -f $i] = $teams[$rng.Next($teams.Count)] }
$hostNames = @($hostTeam.Keys | Sort-Object)
$tickets = foreach ($i in 1..$Count) {
    $hostName = $hostNames[$rng.Next($hostNames.Count)]
    $team = $hostTeam[$hostName]
    $title = @(foreach ($k in 1..3) {
        if ($rng.NextDouble() -lt 0.25) { $words[$team][$rng.Next(5)] } else { $shared[$rng.Next($shared.Count)] }
    }) -join ' '
    [pscustomobject]@{ title = $title; host = $hostName; hours = [math]::Round($rng.NextDouble() * 48, 1); team = $team }
}

# -Text keeps title and host as strings; -Inputs says which columns feed which model input.
$data = $tickets | ConvertTo-ModelData -Target team -Text title, host -Inputs @{ title = 'title'; host = 'host'; hours = 'hours' }
$split = $data | Split-TrainTest -TestSize 0.25 -Stratify -Seed $Seed

function New-TicketModel([switch] $TitleOnly) {
    $title = New-ModelInput -Name title -DType string
    $t = $title | Add-TextVectorizationLayer -Adapt $split.Train -Column title -MaxTokens 100 -OutputMode multi_hot
    if ($TitleOnly) { $inputs = @($title); $x = $t }
    else {
        $hostName = New-ModelInput -Name host -DType string
        $hours = New-ModelInput -Shape 1 -Name hours
        $h = $hostName | Add-StringLookupLayer -Adapt $split.Train -Column host -OutputMode one_hot
        $inputs = $title, $hostName, $hours
        $x = $t | Add-ConcatenateLayer -With $h, ($hours | Add-RescalingLayer -Scale (1 / 48))
    }
    $out = $x | Add-DenseLayer 32 -Activation relu | Add-DenseLayer 4 -Activation softmax
    New-Model -Inputs $inputs -Outputs $out -Seed $Seed |
        Build-Model -Optimizer (New-Optimizer adam -LearningRate 0.01) -Loss sparse_categorical_crossentropy -Metrics accuracy
}

$results = [ordered]@{}
foreach ($variant in 'TitleOnly', 'TitleHostHours') {
    $model = New-TicketModel -TitleOnly:($variant -eq 'TitleOnly')
    $null = $model | Invoke-ModelFit -Data $split.Train -Epochs $Epochs -BatchSize 16 -Seed $Seed
    $accuracy = ($model | Invoke-ModelEvaluate -Data $split.Test).Accuracy
    $results[$variant] = [math]::Round($accuracy, 4)
    "{0,-15} held-out accuracy: {1:P1}" -f $variant, $accuracy
}

# The saved model takes raw objects: the title and host as strings, the hours as a number.
$path = Join-Path $OutputDirectory 'tickets-hosts.kpt'
$model | Export-Checkpoint -Path $path -Force
$saved = Import-Checkpoint -Path $path
@(
    [pscustomobject]@{ title = 'disk full again'; host = $hostNames[0]; hours = 2 }
    [pscustomobject]@{ title = 'slow since morning'; host = 'srv9999'; hours = 30 }   # a host never seen: the OOV slot
) | Invoke-ModelPredict -Model $saved | Format-Table Class, Probability | Out-String | Write-Host
[pscustomobject]@{ TitleOnlyAccuracy = $results['TitleOnly']; TitleHostHoursAccuracy = $results['TitleHostHours']; Checkpoint = $path } |
    ConvertTo-Json -Compress
