BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'Invoke-ModelFit in other hosts' {
    BeforeAll {
        $script:manifest = Join-Path $script:RepoRoot 'KerasPS.psd1'
        $script:runspace = [runspacefactory]::CreateRunspace()
        $runspace.Open()
        $setup = [powershell]::Create(); $setup.Runspace = $runspace
        $null = $setup.AddScript({
            param($Manifest)
            Import-Module $Manifest
            $global:data = Get-SampleData Otto -Rows 6000 -Seed 4
            $global:model = New-Model -InputShape 93 -Seed 1 | Add-DenseLayer 64 -Activation relu | Add-DenseLayer 9 -Activation softmax |
                Build-Model sgd categorical_crossentropy
        }).AddArgument($manifest).Invoke()
        $setup.Dispose()
    }
    AfterAll { $runspace.Dispose() }

    It 'stops within a batch when the pipeline is stopped (Ctrl+C), keeps the records written and leaves the model usable' {
        $ps = [powershell]::Create(); $ps.Runspace = $runspace
        $null = $ps.AddScript({ $ProgressPreference = 'Continue'; $model | Invoke-ModelFit -Data $data -Epochs 1000 -BatchSize 16 })
        $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $async = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $out)
        $sw = [Diagnostics.Stopwatch]::StartNew()
        while ($out.Count -lt 1 -and $sw.Elapsed.TotalSeconds -lt 60) { Start-Sleep -Milliseconds 20 }
        $out.Count | Should -BeGreaterThan 0
        Start-Sleep -Milliseconds 300      # now in the middle of an epoch
        $stopWatch = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $stopWatch.Elapsed.TotalSeconds | Should -BeLessThan 2
        $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        $written = @($out)
        $written[0].Epoch | Should -Be 1
        # No record for the interrupted epoch; the model's epoch count matches what was written.
        $check = [powershell]::Create(); $check.Runspace = $runspace
        $state = $check.AddScript({ [pscustomobject]@{ Epochs = $model.EpochsTrained; Rows = @($model | Invoke-ModelPredict -Data $data.Slice(0, 3)).Count; Busy = $false } }).Invoke()
        $check.Dispose()
        $state[0].Epochs | Should -Be $written.Count
        $state[0].Rows | Should -Be 3
        # Nothing went to Write-Progress: a runspace without a user interface is not an interactive host.
        $ps.Streams.Progress.Count | Should -Be 0
        $ps.Dispose()
    }

    It 'accepts a second fit on the same model after a stop (the model is not left busy)' {
        $ps = [powershell]::Create(); $ps.Runspace = $runspace
        $r = $ps.AddScript({ $model | Invoke-ModelFit -Data $data.Slice(0, 500) -Epochs 1 -BatchSize 100 }).Invoke()
        $ps.HadErrors | Should -BeFalse
        @($r).Count | Should -Be 1
        $ps.Dispose()
    }
}
