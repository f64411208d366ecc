# Add-AdditiveAttentionLayer: Keras 3's AdditiveAttention (Bahdanau style; a use_scale vector of the query's features,
# dropout, use_causal_mask as a call argument). Values against NumPy's equations (tests/data/attention/make-references.py,
# additive.json); the config through .kpt, .keras and .h5; the harness, ONNX and small cases are LayerCases rows.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Ref = Get-Content -Raw (Join-Path $PSScriptRoot 'data/attention/additive.json') | ConvertFrom-Json -AsHashtable
    function New-AdditiveModel([switch] $Causal) {
        $q = New-ModelInput -Shape 3, 4 -Name query; $v = New-ModelInput -Shape 4, 3 -Name value; $k = New-ModelInput -Shape 4, 4 -Name key
        $out = $q | Add-AdditiveAttentionLayer -Value $v -Key $k -UseCausalMask:$Causal -Name additive
        $model = New-Model -Inputs $q, $v, $k -Outputs $out -Seed 1
        $model.Engine.Weights[0].Assign([float[]]$script:Ref.scale)
        $model
    }
    $script:RefInputs = @(@{ shape = [long[]](2, 3, 4); values = $script:Ref.query }, @{ shape = [long[]](2, 4, 3); values = $script:Ref.value },
        @{ shape = [long[]](2, 4, 4); values = $script:Ref.key })
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-additive-$PID"
    New-Item -ItemType Directory -Force $script:Work | Out-Null
}
AfterAll { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }

Describe 'Add-AdditiveAttentionLayer' {
    It 'matches NumPy''s Keras equations (query, value, key, a scale vector)<causal>' -ForEach @(
        @{ causal = '' }, @{ causal = ' with use_causal_mask' }) {
        $model = New-AdditiveModel -Causal:([bool]$causal)
        $w = @($model.Engine.Weights)
        $w.Count | Should -Be 1
        $w[0].Name | Should -Be 'scale'
        @($w[0].Shape) | Should -Be @(4)
        $out = (Invoke-EngineForward $model $script:RefInputs)[0]
        $expected = if ($causal) { $script:Ref.causal_output } else { $script:Ref.output }
        $out.Count | Should -Be 18
        for ($i = 0; $i -lt 18; $i++) {
            [math]::Abs($out[$i] - $expected[$i]) / [math]::Max(1, [math]::Abs($expected[$i])) | Should -BeLessThan 1e-5 -Because "value $i"
        }
    }

    It 'keeps its config, causal call argument and scale through .<ext>' -ForEach @(@{ ext = 'kpt' }, @{ ext = 'keras' }, @{ ext = 'h5' }) {
        $model = New-AdditiveModel -Causal
        $path = Join-Path $script:Work "additive.$ext"
        $model | Export-Checkpoint -Path $path -Force
        $back = Import-Checkpoint -Path $path
        $layer = $back.Engine.Layers | Where-Object ClassName -eq 'AdditiveAttention'
        $layer.UseScale | Should -BeTrue
        $layer.UseCausalMask | Should -BeTrue
        $a = (Invoke-EngineForward $model $script:RefInputs)[0]
        $b = (Invoke-EngineForward $back $script:RefInputs)[0]
        for ($i = 0; $i -lt $a.Count; $i++) { $b[$i] | Should -Be $a[$i] }
    }

    It 'writes Keras 3''s config: use_scale and dropout, no score_mode' {
        $x = New-ModelInput -Shape 2, 3
        $model = New-Model -Inputs $x -Outputs ($x | Add-AdditiveAttentionLayer -UseScale $false -Dropout 0.25 -Name add_att)
        $config = ($model.Engine.Layers | Where-Object Name -eq 'add_att').GetConfig()
        $config['use_scale'] | Should -BeFalse
        $config['dropout'] | Should -Be 0.25
        $config.ContainsKey('score_mode') | Should -BeFalse
        @($model.Engine.Weights).Count | Should -Be 0
    }

    It 'refuses a query and key of different widths, and a dropout of 1' {
        $q = New-ModelInput -Shape 2, 3; $v = New-ModelInput -Shape 4, 5
        Get-ErrorId { $q | Add-AdditiveAttentionLayer -Value $v } | Should -Be 'AttentionShapeMismatch'
        Get-ErrorId { $q | Add-AdditiveAttentionLayer -Dropout 1 } | Should -Be 'InvalidRate'
    }
}
