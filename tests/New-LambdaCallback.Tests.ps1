BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:iris = Get-SampleData Iris
    $script:newModel = {
        New-Model -Seed 2 | Add-DenseLayer -Units 3 -Activation softmax | Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
    }
}

Describe 'New-LambdaCallback' {
    It 'calls -OnEpochEnd with the 0-based epoch and the epoch''s values, and the other hooks in Keras order' {
        $script:calls = [System.Collections.Generic.List[string]]::new()
        $cb = New-LambdaCallback -OnTrainBegin { $script:calls.Add('train begin') } -OnEpochBegin { param($epoch) $script:calls.Add("begin $epoch") } `
            -OnEpochEnd { param($epoch, $logs) $script:calls.Add(('end {0} {1:R}' -f $epoch, $logs.loss)) } -OnTrainEnd { $script:calls.Add('train end') }
        $h = @(& $newModel | Invoke-ModelFit -Data $iris -Epochs 2 -Seed 1 -Callbacks $cb)
        $calls -join '|' | Should -Be ('train begin|begin 0|end 0 {0:R}|begin 1|end 1 {1:R}|train end' -f $h[0].Loss, $h[1].Loss)
    }

    It 'reports an exception in the script block as a warning and stops the fit cleanly' {
        $cb = New-LambdaCallback -OnEpochEnd { param($epoch, $logs) if ($epoch -eq 1) { throw 'chat server down' } }
        $warnings = $null
        $h = @(& $newModel | Invoke-ModelFit -Data $iris -Epochs 5 -Seed 1 -Callbacks $cb -WarningVariable warnings -WarningAction SilentlyContinue)
        $h.Count | Should -Be 2
        ($warnings -join "`n") | Should -Match 'Epoch 2: .*chat server down.*Training stops here'
    }

    It 'needs at least one script block' {
        Get-ErrorId { New-LambdaCallback } | Should -Be 'EmptyLambdaCallback'
    }
}
