BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:iris = Get-SampleData Iris
    # The trial command is plumbing and not exported: reach it in the module's scope, as a remote host does.
    $script:trialCommand = & (Get-Module KerasPS) { Get-Command Invoke-ModelTrial -CommandType Cmdlet }
    $proxy = [System.Management.Automation.ProxyCommand]::Create([System.Management.Automation.CommandMetadata]::new($script:trialCommand))
    $proxy = $proxy -replace "\`$ExecutionContext\.InvokeCommand\.GetCommand\('[^']*Invoke-ModelTrial'[^)]*\)", '$script:trialCommand'
    Set-Item -Path function:script:Invoke-ModelTrial -Value ([scriptblock]::Create($proxy))
    # Its wire format is internal too.
    $script:wire = [KerasPS.Dataset].Assembly.GetType('KerasPS.Infrastructure.SweepWire', $true)
    $script:build = 'param($p, $train) New-Model | Add-DenseLayer -Units $p.Units -Activation relu | Add-DenseLayer -Units 3 -Activation softmax | Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy'
}

Describe 'Invoke-ModelTrial' {
    It 'is plumbing: not exported, not in the help listing, but callable in the module scope as remote hosts call it' {
        Get-Command Invoke-ModelTrial -Module KerasPS -ErrorAction Ignore | Should -BeNullOrEmpty
        (Import-PowerShellDataFile (Join-Path $script:RepoRoot 'KerasPS.psd1')).CmdletsToExport | Should -Not -Contain 'Invoke-ModelTrial'
        $script:wire.IsPublic | Should -BeFalse
        $r = & (Get-Module KerasPS) { param($a) Invoke-ModelTrial @a } @{ ModelScript = $build; Parameters = @{ Units = 4 }; Data = $iris; Epochs = 1; Seed = 1 }
        $r.History.Count | Should -Be 1
    }
    It 'fails a sweep and a cross-validation with the fit''s own error before any trial starts' {
        $m = { param($p) New-Model | Add-DenseLayer -Units 3 -Activation softmax | Build-Model adam categorical_crossentropy }
        foreach ($call in { Invoke-ModelSweep -Parameters @{ U = 1 } -ModelScript $m -Data $iris -BatchSize 0 -Seed 1 },
                          { Invoke-ModelCrossValidation -ModelScript $m -Data $iris -Folds 2 -BatchSize 0 -Seed 1 },
                          { Invoke-ModelSweep -Parameters @{ U = 1 } -ModelScript $m -Data $iris -ValidationSplit 1 -Seed 1 }) {
            $err = $null
            try { & $call } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Match '^Invalid(BatchSize|ValidationSplit),'
        }
    }
    It 'trains on the given rows, validates on the others and returns plain data' {
        $r = Invoke-ModelTrial -ModelScript $build -Parameters @{ Units = 4 } -Data $iris -TrainRows (0..99) -ValidationRows (100..149) -Epochs 2 -Seed 1 -Predict
        $r | Should -BeOfType ([hashtable])
        $r.History.Count | Should -Be 2
        $r.History[1].Samples | Should -Be 100
        $r.History[1].Values.Keys | Should -Contain 'val_loss'
        $r.PredictionWidth | Should -Be 3
        [Convert]::FromBase64String($r.Predictions).Length | Should -Be (50 * 3 * 4)
        $r.ContainsKey('ErrorId') | Should -BeFalse
    }
    It 'gives the same history for the same seed, from a dataset or from its plain form' {
        $a = Invoke-ModelTrial -ModelScript $build -Parameters @{ Units = 4 } -Data $iris -Epochs 2 -Seed 5
        $wire = $script:wire.GetMethod('DatasetToWire').Invoke($null, @($iris.Engine))
        $b = Invoke-ModelTrial -ModelScript $build -Parameters @{ Units = 4 } -Data $wire -Epochs 2 -Seed 5
        $c = Invoke-ModelTrial -ModelScript $build -Parameters @{ Units = 4 } -Data ($script:wire.GetMethod('Reference').Invoke($null, @($wire))) -Epochs 2 -Seed 5
        ($b.History | ForEach-Object { $_.Values.loss }) -join ',' | Should -Be (($a.History | ForEach-Object { $_.Values.loss }) -join ',')
        ($c.History | ForEach-Object { $_.Values.loss }) -join ',' | Should -Be (($a.History | ForEach-Object { $_.Values.loss }) -join ',')
    }
    It 'reports a failing script as an outcome with its error id instead of throwing' {
        $r = Invoke-ModelTrial -ModelScript 'param($p) New-Model | Add-DenseLayer -Units 0' -Data $iris -Seed 1
        $r.ErrorId | Should -Be 'InvalidUnits'
        $r = Invoke-ModelTrial -ModelScript 'param($p) 42' -Data $iris -Seed 1
        $r.ErrorId | Should -Be 'ModelScriptReturnedNoModel'
    }
    It 'stops after the first epoch whose best value so far is worse than -PruneThresholds, and says when' {
        # The toy curve: val_loss(e) = W^2 (1 - 2R)^(2e) = 0.64, 0.4096, 0.262, ... for W = 1, R = 0.1.
        $toy = Get-ToyCurveSweep
        $common = @{ ModelScript = $toy.ModelScript.ToString(); Parameters = @{ W = 1.0; R = 0.1 }; Data = $toy.Data; ValidationData = $toy.ValidationData; Epochs = 5; BatchSize = 4; Seed = 1; Shuffle = $false }
        $r = Invoke-ModelTrial @common -PruneThresholds ([double]::NaN, 0.5, 0.2)   # 0.64: no threshold; 0.4096 <= 0.5; 0.262 > 0.2
        $r.PrunedAtEpoch | Should -Be 3
        $r.History.Count | Should -Be 3
        $kept = Invoke-ModelTrial @common -PruneThresholds ([double]::NaN, 0.5, 0.3)
        $kept.ContainsKey('PrunedAtEpoch') | Should -BeFalse
        $kept.History.Count | Should -Be 5
    }

    It 'reports a dataset Id the host does not have' {
        $r = Invoke-ModelTrial -ModelScript $build -Parameters @{ Units = 4 } -Data @{ Id = 'nope' } -Seed 1
        $r.ErrorId | Should -Be 'TrialDataMissing'
    }

    It 'refuses a damaged dataset before making any tensor: <case> (<id>)' -ForEach @(
        @{ case = 'a label outside the class list'; id = 'WireLabelOutOfRange'; edit = {
                param($w) $l = [int[]]::new([Convert]::FromBase64String($w.Labels).Length / 4)
                [Buffer]::BlockCopy([Convert]::FromBase64String($w.Labels), 0, $l, 0, $l.Length * 4); $l[0] = 99
                $b = [byte[]]::new($l.Length * 4); [Buffer]::BlockCopy($l, 0, $b, 0, $b.Length); $w.Labels = [Convert]::ToBase64String($b) } }
        @{ case = 'labels without a class list'; id = 'MissingWireClasses'; edit = { param($w) $w.Classes = $null } }
        @{ case = 'features that are not base64'; id = 'InvalidWireBase64'; edit = { param($w) $w.Features = 'not base64!' } }
        @{ case = 'features with two trailing bytes'; id = 'InvalidWireLength'; edit = {
                param($w) $w.Features = [Convert]::ToBase64String([Convert]::FromBase64String($w.Features) + [byte[]](1, 2)) } }
        @{ case = 'labels with three trailing bytes'; id = 'InvalidWireLength'; edit = {
                param($w) $w.Labels = [Convert]::ToBase64String([Convert]::FromBase64String($w.Labels) + [byte[]](1, 2, 3)) } }
    ) {
        $wire = $script:wire.GetMethod('DatasetToWire').Invoke($null, @($iris.Engine))
        $bad = $wire.Clone()
        $bad.Id = [guid]::NewGuid().ToString('n')
        & $edit $bad
        $r = Invoke-ModelTrial -ModelScript $build -Parameters @{ Units = 4 } -Data $bad -Epochs 1 -Seed 1
        $r.ErrorId | Should -Be $id
        $r.History.Count | Should -Be 0
    }
}

