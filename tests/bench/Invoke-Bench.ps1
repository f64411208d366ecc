param([string] $Root, [int] $Epochs = 5)
Write-Host 'Benchmarks are not written yet.'
