# Helpers shared by the test files (imported once by tests/common.ps1). Each one is written once here; a test file
# declares only what is particular to it.
Add-Type -AssemblyName System.IO.Compression

function Get-ErrorId {
    # The FullyQualifiedErrorId's first part (the engine's stable id) of the first error a script block raises,
    # terminating or not (a per-input failure is a non-terminating error).
    param([scriptblock] $ScriptBlock)
    try {
        $errors = @(& $ScriptBlock 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
    } catch { return ($_.FullyQualifiedErrorId -split ',')[0] }
    if ($errors.Count -gt 0) { return ($errors[0].FullyQualifiedErrorId -split ',')[0] }
    return $null
}

function Get-KerasType {
    # A type of the module's engine or of its dependencies by full name, wherever its assembly was loaded (the module
    # may load them in a load context of its own, where PowerShell's [type] literals do not look).
    param([Parameter(Mandatory)] [string] $FullName)
    foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies()) {
        $type = $assembly.GetType($FullName, $false)
        if ($type) { return $type }
    }
    throw "No loaded assembly defines the type '$FullName'. Import the module (and use it once) first."
}

function Get-Weight {
    # A weight's values as a flat float array, by its path ('dense/kernel', 'batch_normalization/moving_mean').
    param([Parameter(Mandatory)] $Model, [Parameter(Mandatory)] [string] $Path)
    $weight = $Model.Engine.Weights | Where-Object Path -eq $Path
    if (-not $weight) { throw "The model has no weight '$Path'. It has: $(($Model.Engine.Weights.Path) -join ', ')." }
    $weight.ToArray()
}

function ConvertTo-Tensor {
    # A float32 batch tensor of shape (rows, FeatureShape...) from flat values, for calling a layer or model directly.
    param([Parameter(Mandatory)] [double[]] $Values, [Parameter(Mandatory)] [int[]] $FeatureShape)
    $perRow = 1; foreach ($d in $FeatureShape) { $perRow *= $d }
    $torch = Get-KerasType 'TorchSharp.torch'
    $torch::tensor([float[]]$Values).reshape([long[]](@($Values.Count / $perRow) + $FeatureShape))
}

function Read-SafeTensors {
    # An independent safetensors reader: follows the published format (8-byte little-endian header length, JSON
    # header, raw little-endian data) and shares no code with the module.
    param([byte[]] $Bytes)
    $headerLength = [BitConverter]::ToUInt64($Bytes, 0)
    $header = [Text.Encoding]::UTF8.GetString($Bytes, 8, [int]$headerLength) | ConvertFrom-Json -AsHashtable
    $dataStart = 8 + [int]$headerLength
    $tensors = @{}
    foreach ($name in $header.Keys) {
        if ($name -eq '__metadata__') { continue }
        $t = $header[$name]
        $begin, $end = $t.data_offsets
        $values = [float[]]::new(($end - $begin) / 4)
        [Buffer]::BlockCopy($Bytes, $dataStart + $begin, $values, 0, $end - $begin)
        $tensors[$name] = [pscustomobject]@{ DType = $t.dtype; Shape = [long[]]$t.shape; Begin = $begin; End = $end; Values = $values }
    }
    [pscustomobject]@{ HeaderLength = $headerLength; Metadata = $header['__metadata__']; Tensors = $tensors; DataLength = $Bytes.Length - $dataStart }
}

function Read-ZipEntry {
    # One entry of a zip file (a .kpt checkpoint) as bytes; $null when it is not there.
    param([string] $Path, [string] $Name)
    $zip = [IO.Compression.ZipFile]::OpenRead($Path)
    try {
        $entry = $zip.GetEntry($Name)
        if (-not $entry) { return $null }
        $ms = [IO.MemoryStream]::new()
        $s = $entry.Open(); $s.CopyTo($ms); $s.Dispose()
        , $ms.ToArray()
    }
    finally { $zip.Dispose() }
}

function Get-ZipEntryNames {
    param([string] $Path)
    $zip = [IO.Compression.ZipFile]::OpenRead($Path)
    try { $zip.Entries.FullName } finally { $zip.Dispose() }
}

function Get-PwshCommand {
    # The pwsh running these tests, as an absolute command line that starts a fresh one. The dotnet tool runs as
    # 'dotnet <PSHOME>/pwsh.dll'; starting that directly (not the 'dotnet pwsh' shim) means the PID we hold is the
    # process doing the work, which the kill tests need.
    $exe = [Environment]::ProcessPath
    $first = [Environment]::GetCommandLineArgs()[0]
    if ($first -like '*.dll') { return @($exe, $first) }
    return @($exe)
}

function Invoke-FreshPwsh {
    # Runs a script in a new pwsh process (no profile, non-interactive); returns its exit code and all its output.
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $pwsh = @(Get-PwshCommand)
    $saved = @{}
    foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
    try {
        $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $Script 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($out | Out-String) }
    }
    finally {
        foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
    }
}

function Invoke-WatchedPwsh {
    # Runs a script in a new pwsh process under a watchdog: it is killed (with its children) when it runs past
    # TimeoutSeconds or its resident memory passes MaxMemoryMB. Returns the exit code, all output, the peak resident
    # memory seen (MB, sampled every 200 ms) and why it was killed ('' when it ended by itself).
    param([Parameter(Mandatory)] [string] $Script, [int] $TimeoutSeconds = 120, [int] $MaxMemoryMB = 2048, [hashtable] $Environment = @{})
    $pwsh = @(Get-PwshCommand)
    $info = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Script)) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    foreach ($k in $Environment.Keys) { $info.Environment[$k] = $Environment[$k] }
    $p = [Diagnostics.Process]::Start($info)
    $out = $p.StandardOutput.ReadToEndAsync()
    $err = $p.StandardError.ReadToEndAsync()
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $peak = 0L; $killed = ''
    while (-not $p.WaitForExit(200)) {
        try { $p.Refresh(); $peak = [math]::Max($peak, $p.WorkingSet64) } catch { $null = $_ }
        if ($peak -gt $MaxMemoryMB * 1MB) { $killed = "memory above $MaxMemoryMB MB" }
        elseif ($watch.Elapsed.TotalSeconds -gt $TimeoutSeconds) { $killed = "running past $TimeoutSeconds s" }
        if ($killed) { $p.Kill($true); $null = $p.WaitForExit(10000); break }
    }
    $p.WaitForExit()
    [pscustomobject]@{ ExitCode = $p.ExitCode; Output = $out.Result + $err.Result; PeakMB = [math]::Round($peak / 1MB, 1); Killed = $killed
        Seconds = [math]::Round($watch.Elapsed.TotalSeconds, 1) }
}

function Get-ToyCurveSweep {
    # Invoke-ModelSweep arguments whose trials have a loss curve known in closed form: one weight W (no bias), x = 1,
    # y = 0, mse, one full-batch SGD step per epoch with rate R, so w_e = W(1-2R)^e and val_loss(e) = W^2 (1-2R)^(2e).
    # The trials take milliseconds, so sweep schedulers can be tested against the formula.
    $data = 1..4 | ForEach-Object { [pscustomobject]@{ x = 1.0; y = 0.0 } } | ConvertTo-ModelData -Target y -TargetKind Regression
    @{
        ModelScript    = {
            param($p)
            New-Model -InputShape 1 | Add-DenseLayer -Units 1 -UseBias:$false -KernelInitializer (New-Initializer constant -Value $p.W) |
                Build-Model -Optimizer (New-Optimizer sgd -LearningRate $p.R) -Loss mse
        }
        Data           = $data
        ValidationData = $data
        BatchSize      = 4
        Shuffle        = $false
    }
}

function Get-ToyCurveLoss([double] $W, [double] $R, [int] $Epoch) { $W * $W * [math]::Pow(1 - 2 * $R, 2 * $Epoch) }

# A file system that is full but for a few 4 KB pages: a small tmpfs mounted over a folder (Linux, as root). Returns
# why it cannot be made here, or $null. Dismount-SmallDisk unmounts it.
function Mount-SmallDisk([string] $Path, [int] $FreePages) {
    New-Item -ItemType Directory -Path $Path -Force | Out-Null
    if (-not $IsLinux -or -not (Get-Command mount -ErrorAction Ignore)) { return 'a size-limited tmpfs needs Linux' }
    $out = & mount -t tmpfs -o size=256k tmpfs $Path 2>&1
    if ($LASTEXITCODE -ne 0) { return "mounting a tmpfs is not permitted here ($out)" }
    $filler = Join-Path $Path 'filler'
    $fs = [IO.FileStream]::new($filler, 'CreateNew', 'Write', 'None', 0)
    $chunk = [byte[]]::new(4096)
    try { while ($true) { $fs.Write($chunk, 0, $chunk.Length) } } catch [IO.IOException] { }
    $fs.SetLength($fs.Length - 4096 * $FreePages); $fs.Dispose()
    $null
}
function Dismount-SmallDisk([string] $Path) { & umount -l $Path 2>&1 | Out-Null }

function Install-H5py {
    # Independent reader for Keras .h5/.keras files: Debian's h5py and NumPy (python3-h5py). Installs it when
    # missing, as SshTestHost.ps1 installs openssh-server; tests that call this are tagged MachineChanging.
    $python = '/usr/bin/python3'
    if (Test-Path $python) {
        & $python -c 'import h5py, numpy' 2>$null
        if ($LASTEXITCODE -eq 0) { return $python }
    }
    if (-not (Get-Command apt-get -ErrorAction Ignore)) {
        throw 'h5py is not installed and apt-get is not available to install it. Install python3-h5py to run the Keras file tests.'
    }
    Write-Host 'Installing python3-h5py for the Keras file tests (apt-get)...'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -qq 2>&1 | Out-Null
    $log = & apt-get install -y -qq python3-h5py 2>&1
    if ($LASTEXITCODE -ne 0) { throw "Installing python3-h5py failed (exit $LASTEXITCODE): $(($log | Select-Object -Last 5) -join ' ')" }
    $python
}

# A CSV of at least MinBytes for the streamed-fit memory tests: 20 numeric columns f1..f20 and a 5-class target y
# (c0..c4), 10,000 distinct seeded rows repeated; 420 MiB is about 3.6 million rows.
function New-LargeNumericCsv([string] $Path, [long] $MinBytes) {
    $rng = [Random]::new(1)
    $sb = [Text.StringBuilder]::new()
    for ($i = 0; $i -lt 10000; $i++) {
        for ($f = 0; $f -lt 20; $f++) { [void] $sb.Append([math]::Round($rng.NextDouble() * 10, 3).ToString([cultureinfo]::InvariantCulture)).Append(',') }
        [void] $sb.Append('c').Append($i % 5).Append("`n")
    }
    $block = [Text.Encoding]::UTF8.GetBytes($sb.ToString())
    $file = [IO.File]::Create($Path)
    try {
        $header = [Text.Encoding]::UTF8.GetBytes(((1..20 | ForEach-Object { "f$_" }) + 'y' -join ',') + "`n")
        $file.Write($header, 0, $header.Length)
        while ($file.Length -lt $MinBytes) { $file.Write($block, 0, $block.Length) }
    }
    finally { $file.Dispose() }
}

# A functional model's outputs for raw inputs, through the engine with no cmdlet in between: each input a hashtable
# @{ shape = [long[]] (batch first); values = [float[]] }; returns one float[] per output. TorchSharp lives in the
# module's load context, so its torch.tensor(float[], ...) is found by reflection once.
function Invoke-EngineForward($Model, [object[]] $Inputs) {
    if (-not $script:TensorOf) {
        $alc = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($Model.Engine.GetType().Assembly)
        $torch = ($alc.Assemblies | Where-Object { $_.GetName().Name -eq 'TorchSharp' }).GetType('TorchSharp.torch')
        $script:TensorOf = $torch.GetMethods() | Where-Object {
            $_.Name -eq 'tensor' -and ($p = $_.GetParameters()).Count -eq 5 -and $p[0].ParameterType -eq [float[]] -and
            $p[1].ParameterType.Name -like 'Nullable*' } | Select-Object -First 1
    }
    $tensors = [Array]::CreateInstance($script:TensorOf.ReturnType, $Inputs.Count)
    for ($i = 0; $i -lt $Inputs.Count; $i++) {
        $tensors[$i] = $script:TensorOf.Invoke($null, @([float[]]$Inputs[$i]['values'], $null, $null, $false, $null)).reshape(
            [long[]]$Inputs[$i]['shape'])
    }
    , @(foreach ($t in $Model.Engine.ForwardAll($tensors, $false, $false)) { , $t.data[float]().ToArray() })
}

Export-ModuleMember -Function *
