BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:data = Get-SampleData Otto -Rows 600 -Seed 8
    $script:train = $data.Slice(0, 500)
    $script:val = $data.Slice(500, 100)
    function New-SmallModel([long] $Seed = 3) {
        New-Model -InputShape 93 -Seed $Seed | Add-DenseLayer 16 -Activation relu | Add-DenseLayer 9 -Activation softmax |
            Build-Model (New-Optimizer sgd -LearningRate 0.05 -Momentum 0.9) categorical_crossentropy -Metrics accuracy
    }
}

Describe 'New-ModelCheckpoint' {
    It 'writes one file per epoch with {epoch:02d} in the path' {
        $dir = Join-Path $TestDrive 'each'; New-Item -ItemType Directory $dir | Out-Null
        $cb = New-ModelCheckpoint -Path (Join-Path $dir 'epoch-{epoch:02d}.kpt')
        $null = New-SmallModel | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 3 -Callbacks $cb
        (Get-ChildItem $dir).Name | Sort-Object | Should -Be @('epoch-01.kpt', 'epoch-02.kpt', 'epoch-03.kpt')
    }

    It 'with -SaveBestOnly writes only on improvement, and the file holds the best epoch''s model' {
        $path = Join-Path $TestDrive 'best.kpt'
        $cb = New-ModelCheckpoint -Path $path -Monitor val_loss -SaveBestOnly
        $h = New-SmallModel | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 6 -Seed 2 -Callbacks $cb -Verbose 4>&1
        $records = $h | Where-Object { $_.PSObject.TypeNames -contains 'KerasPS.EpochRecord' }
        $saves = $h | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'saving model to' }
        $improvements = 0; $bestSoFar = [double]::PositiveInfinity
        foreach ($r in $records) { if ($r.ValLoss -lt $bestSoFar) { $improvements++; $bestSoFar = $r.ValLoss } }
        @($saves).Count | Should -Be $improvements
        $cb.BestValue | Should -Be $bestSoFar
        $restored = Import-Checkpoint -Path $path
        $e = $restored | Invoke-ModelEvaluate -Data $val
        $e.Loss | Should -BeGreaterThan ($bestSoFar - 1e-5)
        $e.Loss | Should -BeLessThan ($bestSoFar + 1e-5)
    }

    It 'puts the monitored value in the name with {val_loss:.3f}' {
        $dir = Join-Path $TestDrive 'named'; New-Item -ItemType Directory $dir | Out-Null
        $cb = New-ModelCheckpoint -Path (Join-Path $dir 'm-{epoch}-{val_loss:.3f}.kpt')
        $r = New-SmallModel | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 1 -Callbacks $cb
        (Get-ChildItem $dir).Name | Should -Be ('m-1-{0}.kpt' -f $r.ValLoss.ToString('F3', [cultureinfo]::InvariantCulture))
    }

    It 'writes weights only with -SaveWeightsOnly, loadable with Import-Checkpoint -WeightsInto' {
        $path = Join-Path $TestDrive 'weights.kpt'
        $m = New-SmallModel
        $null = $m | Invoke-ModelFit -Data $train -Epochs 2 -Callbacks (New-ModelCheckpoint -Path $path -SaveWeightsOnly)
        $other = New-SmallModel -Seed 99
        $null = Import-Checkpoint -Path $path -WeightsInto $other
        ($other | Invoke-ModelPredict -Data $val -AsMatrix)[5, 2] | Should -Be ($m | Invoke-ModelPredict -Data $val -AsMatrix)[5, 2]
    }

    It 'leaves no temporary file behind when the pipeline stops mid-fit' {
        $dir = Join-Path $TestDrive 'stopped'; New-Item -ItemType Directory $dir | Out-Null
        $null = New-SmallModel | Invoke-ModelFit -Data $train -Epochs 50 -Callbacks (New-ModelCheckpoint -Path (Join-Path $dir 'last.kpt')) | Select-Object -First 2
        (Get-ChildItem $dir -Force).Name | Should -Be @('last.kpt')
        (Import-Checkpoint (Join-Path $dir 'last.kpt')).EpochsTrained | Should -Be 2
    }

    It 'refuses an unknown placeholder when the epoch ends: InvalidCheckpointPath' {
        $cb = New-ModelCheckpoint -Path (Join-Path $TestDrive '{val_accurracy}.kpt')
        Get-ErrorId { New-SmallModel | Invoke-ModelFit -Data $train -Epochs 1 -Callbacks $cb } | Should -Be 'InvalidCheckpointPath'
    }

    It 'refuses an unsupported format spec at once: InvalidCheckpointPath' {
        Get-ErrorId { New-ModelCheckpoint -Path (Join-Path $TestDrive '{epoch:x}.kpt') } | Should -Be 'InvalidCheckpointPath'
    }

    It 'refuses a folder that does not exist: CheckpointDirectoryNotFound' {
        Get-ErrorId { New-ModelCheckpoint -Path (Join-Path $TestDrive 'nope/x.kpt') } | Should -Be 'CheckpointDirectoryNotFound'
    }

    It 'refuses a path on another provider (Env:) with NotAFileSystemPath' {
        Get-ErrorId { New-ModelCheckpoint -Path Env:/best.kpt } | Should -Be 'NotAFileSystemPath'
    }
}

Describe 'Invoke-ModelFit -Resume' {
    It 'continues from a checkpoint to the same weights as an unbroken fit' {
        $path = Join-Path $TestDrive 'resume.kpt'
        $unbroken = New-SmallModel
        $null = $unbroken | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 6 -Seed 21
        $first = New-SmallModel
        $null = $first | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 3 -Seed 21 -Callbacks (New-ModelCheckpoint -Path $path)
        # A restarted script: a fresh model object, the same code, -Resume.
        $again = New-SmallModel -Seed 77
        $h = $again | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 6 -Resume $path
        $h.Epoch | Should -Be @(4, 5, 6)
        $a = $unbroken.Engine.Layers[0].Weights[0].ToArray()
        $b = $again.Engine.Layers[0].Weights[0].ToArray()
        $maxDiff = 0.0; for ($i = 0; $i -lt $a.Count; $i++) { $maxDiff = [math]::Max($maxDiff, [math]::Abs($a[$i] - $b[$i])) }
        $maxDiff | Should -BeLessThan 1e-5
    }

    It 'continues an interrupted fit of -Epochs 3 more to the total it was started with (the checkpoint remembers it)' {
        $path = Join-Path $TestDrive 'fine-tune.kpt'
        $first = New-SmallModel
        $null = $first | Invoke-ModelFit -Data $train -Epochs 5 -Seed 21
        # fine-tuning 3 more epochs (to 8), killed after the first of them
        $null = $first | Invoke-ModelFit -Data $train -Epochs 3 -Resume $path -Callbacks (New-ModelCheckpoint -Path $path) | Select-Object -First 1
        (Import-Checkpoint $path).EpochsTrained | Should -Be 6
        # the restarted script runs the same command on a fresh model object
        $h = New-SmallModel -Seed 77 | Invoke-ModelFit -Data $train -Epochs 3 -Resume $path -Callbacks (New-ModelCheckpoint -Path $path)
        $h.Epoch | Should -Be @(7, 8)
        # a third start after the fit has finished trains nothing more
        @(New-SmallModel -Seed 77 | Invoke-ModelFit -Data $train -Epochs 3 -Resume $path).Count | Should -Be 0
    }

    It 'starts from the beginning when the checkpoint does not exist yet' {
        $h = New-SmallModel | Invoke-ModelFit -Data $train -Epochs 2 -Resume (Join-Path $TestDrive 'not-yet.kpt')
        $h.Epoch | Should -Be @(1, 2)
    }
}
