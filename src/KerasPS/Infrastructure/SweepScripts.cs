namespace KerasPS.Infrastructure;

/// <summary>
/// The PowerShell that runs on a sweep worker (a local runspace or a remote session). The same text runs in both
/// places, so a trial trains the same way wherever it lands: Invoke-ModelFit on the model that -ModelScript builds.
/// </summary>
internal static class SweepScripts
{
    public const string TrialFunction = "Invoke-KerasPSSweepTrial";

    /// <summary>Once per worker: import KerasPS (remote hosts), turn the data back into datasets, define the trial function.</summary>
    public const string Setup = """
        param([string] $ModulePath, $Data, $ValidationData, [string] $Trial)
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        if ($ModulePath) { Import-Module $ModulePath -ErrorAction Stop }
        $toDataset = { param($d) if ($null -eq $d) { $null } elseif ($d -is [KerasPS.Dataset]) { $d } else { [KerasPS.Infrastructure.SweepWire]::DatasetFromWire($d) } }
        $global:KerasPSSweep = @{ Data = & $toDataset $Data; ValidationData = & $toDataset $ValidationData }
        $null = Set-Item -Path function:global:Invoke-KerasPSSweepTrial -Value ([scriptblock]::Create($Trial))
        """;

    /// <summary>After the sweep, in sessions the caller keeps: drop the data and the trial function.</summary>
    public const string Teardown = """
        Remove-Variable -Name KerasPSSweep -Scope Global -ErrorAction Ignore
        Remove-Item -Path function:Invoke-KerasPSSweepTrial -ErrorAction Ignore   # function:global: is not a path Remove-Item takes
        [GC]::Collect()
        """;

    /// <summary>One trial: build the model with the user's script, train it with Invoke-ModelFit, return plain data.</summary>
    public const string Trial = """
        param([string] $ModelScript, [System.Collections.IDictionary] $Parameters, [long] $Seed, [System.Collections.IDictionary] $Fit, [string] $CallbackScript,
              [string] $Monitor, [string] $CheckpointPath, [switch] $ReturnCheckpoint)
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $model = $null
        $p = @{}
        foreach ($e in $Parameters.GetEnumerator()) { $p[[string]$e.Key] = $e.Value }
        try {
            $built = @(& ([scriptblock]::Create($ModelScript)) $p).Where({ $_ -is [KerasPS.Model] })
            if ($built.Count -eq 0) {
                return @{ ErrorId = 'ModelScriptReturnedNoModel'; Error = '-ModelScript returned no model. End it with the model, e.g. { param($p) New-Model | Add-DenseLayer -Units $p.Units ... | Build-Model sgd categorical_crossentropy }.'; DurationTicks = $clock.Elapsed.Ticks }
            }
            $model = $built[-1]
            # An unseeded, untrained model gets the trial seed (Reseed redraws any weights already built), so its
            # initial weights too are reproducible per trial; a script that seeds New-Model keeps its own seed.
            if ($null -eq $model.Engine.Seed -and $model.EpochsTrained -eq 0) { $model.Engine.Reseed($Seed) }
            $fitArgs = @{}
            foreach ($e in $Fit.GetEnumerator()) { $fitArgs[[string]$e.Key] = $e.Value }
            $callbacks = if ($CallbackScript) { @(& ([scriptblock]::Create($CallbackScript)) $p) } else { @() }
            if ($ReturnCheckpoint) { $CheckpointPath = [IO.Path]::Combine([IO.Path]::GetTempPath(), "kerasps-sweep-$([guid]::NewGuid().ToString('n')).kpt") }
            if ($CheckpointPath) {
                if (-not (Get-Command New-ModelCheckpoint -ErrorAction Ignore)) {
                    return @{ ErrorId = 'CheckpointsUnavailable'; Error = "KerasPS on $([Environment]::MachineName) has no New-ModelCheckpoint, so -CheckpointDirectory cannot keep this trial's best model. Update KerasPS there."; DurationTicks = $clock.Elapsed.Ticks }
                }
                # Keeps the trial's best model by the sweep's monitor (Keras ModelCheckpoint, save_best_only).
                $callbacks += New-ModelCheckpoint -Path $CheckpointPath -Monitor $Monitor -SaveBestOnly
            }
            if ($callbacks.Count -gt 0) { $fitArgs['Callbacks'] = $callbacks }
            if ($global:KerasPSSweep.ValidationData) { $fitArgs['ValidationData'] = $global:KerasPSSweep.ValidationData }
            $null = Invoke-ModelFit -Model $model -Data $global:KerasPSSweep.Data -Seed $Seed @fitArgs
            $reply = @{ History = [KerasPS.Infrastructure.SweepWire]::HistoryToWire($model.Engine.History); DurationTicks = $clock.Elapsed.Ticks }
            if ($ReturnCheckpoint -and (Test-Path -LiteralPath $CheckpointPath)) {
                # A remote host sends the checkpoint back as bytes; the file there was only a staging copy.
                $reply['Checkpoint'] = [Convert]::ToBase64String([IO.File]::ReadAllBytes($CheckpointPath))
                Remove-Item -LiteralPath $CheckpointPath -Force
            }
            $reply
        }
        catch {
            $id = if ($_.Exception -is [KerasPS.Engine.KerasException]) { $_.Exception.ErrorId }
                  elseif ($_.FullyQualifiedErrorId -like '*,*') { ($_.FullyQualifiedErrorId -split ',')[0] }
                  else { 'TrialScriptFailed' }
            if ($ReturnCheckpoint -and $CheckpointPath -and (Test-Path -LiteralPath $CheckpointPath)) { Remove-Item -LiteralPath $CheckpointPath -Force }
            $history = if ($model) { [KerasPS.Infrastructure.SweepWire]::HistoryToWire($model.Engine.History) } else { @() }
            @{ ErrorId = $id; Error = $_.Exception.Message; History = $history; DurationTicks = $clock.Elapsed.Ticks }
        }
        """;
}
