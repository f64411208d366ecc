#Requires -Version 7.4
<#
.SYNOPSIS
    Decode and resize PNG files with Import-ImageData next to Pillow, on the same files in the same run.
.DESCRIPTION
    Generates -Count PNG files of 128 x 128 RGB (smooth gradients with noise, seeded; with Debian's /usr/bin/python3
    and Pillow, which is also the peer) in one class folder, then times Import-ImageData -ImageSize 64,64 (bilinear,
    decoded in parallel, into one float32 dataset) and Pillow's
    np.stack([np.asarray(Image.open(p).convert('RGB').resize((64, 64), Image.BILINEAR)) for p in files]), each the median
    of -Runs runs after one warm-up, alternated run by run so both see the same machine load.
    Writes one object: Name='image_decode_resize', Value (KerasPS seconds), PeerValue (Pillow seconds), Ratio
    (KerasPS / Pillow; the goal is <= 1), Note, and the median CPU seconds of each (KerasPS_cpu_s, Pillow_cpu_s), steadier
    than wall time on a busy machine. Without Pillow there is no peer and no files: Value is null.
.EXAMPLE
    ./tests/bench/ImageBench.ps1 -Count 1000 -Runs 3
#>
[CmdletBinding()]
param(
    [ValidateRange(10, 100000)] [int] $Count = 10000,
    [ValidateRange(1, 20)] [int] $Runs = 3,
    # Repository root (the bench runner passes it); by default the one this script is in.
    [string] $Root = (Join-Path $PSScriptRoot '../..')
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Module KerasPS)) { Import-Module (Join-Path $Root 'KerasPS.psd1') }

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

$python = '/usr/bin/python3'
if (-not (Test-Path $python) -or -not $(& $python -c 'import PIL, numpy' 2>$null; $LASTEXITCODE -eq 0)) {
    Write-Warning 'ImageBench: Debian''s /usr/bin/python3 with Pillow and NumPy (python3-pil) is missing; no files, no peer.'
    return [pscustomobject]@{ Name = 'image_decode_resize'; Unit = 's'; Value = $null; Peer = ''; PeerValue = $null
        Note = 'Pillow not installed'; Ratio = $null }
}

$work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-imagebench-$PID"
$folder = Join-Path $work 'images/all'
$null = New-Item -ItemType Directory -Force $folder
# One Python process generates the files, then times Pillow whenever it reads a line, so the readers alternate.
$peer = @'
import sys, time, glob, os
import numpy as np
from PIL import Image
folder, count = sys.argv[1], int(sys.argv[2])
rng = np.random.RandomState(1)
y, x = np.mgrid[0:128, 0:128]
for i in range(count):
    a, b, c = rng.uniform(0.2, 2.0, 3)
    img = np.stack([(x * a + y * b) % 256, (y * c + i) % 256, (x * y * a / 64) % 256], -1) + rng.randint(0, 24, (128, 128, 3))
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), 'RGB').save(os.path.join(folder, f'img_{i:05d}.png'))
files = sorted(glob.glob(os.path.join(folder, '*.png')))
print('READY', len(files), flush=True)
for line in sys.stdin:
    t, c = time.perf_counter(), time.process_time()
    batch = np.stack([np.asarray(Image.open(p).convert('RGB').resize((64, 64), Image.BILINEAR)) for p in files])
    print('TIME', time.perf_counter() - t, time.process_time() - c, batch.shape[0], flush=True)
'@
$peerScript = Join-Path $work 'peer.py'
Set-Content -LiteralPath $peerScript -Value $peer
$psi = [Diagnostics.ProcessStartInfo]::new($python)
foreach ($a in $peerScript, $folder, $Count) { $psi.ArgumentList.Add([string]$a) }
$psi.RedirectStandardInput = $true; $psi.RedirectStandardOutput = $true; $psi.UseShellExecute = $false
$proc = [Diagnostics.Process]::Start($psi)
try {
    $ready = $proc.StandardOutput.ReadLine()
    if ($ready -notmatch '^READY (\d+)') { throw "ImageBench: the Pillow peer did not start: $ready" }
    function Invoke-Pillow {
        $proc.StandardInput.WriteLine('go'); $proc.StandardInput.Flush()
        $line = $proc.StandardOutput.ReadLine()
        if ($line -notmatch '^TIME ([\d.eE+-]+) ([\d.eE+-]+)') { throw "ImageBench: the Pillow peer answered '$line'." }
        [double]$Matches[1], [double]$Matches[2]
    }
    $load = { Import-ImageData (Split-Path $folder) -ImageSize 64, 64 -LabelMode none -NoShuffle }
    $null = & $load; $null = Invoke-Pillow   # warm-up: JIT, SkiaSharp's native library, Pillow's imports
    $ours = [Collections.Generic.List[double]]::new(); $theirs = [Collections.Generic.List[double]]::new()
    $oursCpu = [Collections.Generic.List[double]]::new(); $theirsCpu = [Collections.Generic.List[double]]::new()
    $me = [Diagnostics.Process]::GetCurrentProcess()
    for ($r = 0; $r -lt $Runs; $r++) {
        $me.Refresh(); $c0 = $me.TotalProcessorTime
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $d = & $load
        $ours.Add($sw.Elapsed.TotalSeconds)
        $me.Refresh(); $oursCpu.Add(($me.TotalProcessorTime - $c0).TotalSeconds)
        if ($d.Count -ne $Count) { throw "ImageBench: Import-ImageData loaded $($d.Count) of $Count files." }
        $d = $null
        $wall, $cpu = Invoke-Pillow
        $theirs.Add($wall); $theirsCpu.Add($cpu)
    }
}
finally {
    $proc.StandardInput.Close(); $null = $proc.WaitForExit(10000); $proc.Dispose()
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
$k = Get-Median $ours; $p = Get-Median $theirs
[pscustomobject]@{
    Name      = 'image_decode_resize'
    Unit      = 's'
    Value     = [math]::Round($k, 4)
    Peer      = 'Pillow open+convert+resize(BILINEAR)'
    PeerValue = [math]::Round($p, 4)
    Note      = "$Count PNG 128x128 -> 64x64; median of $Runs alternated runs; $([Environment]::ProcessorCount) cores; " +
        "CPU s KerasPS $([math]::Round((Get-Median $oursCpu), 3)) vs Pillow $([math]::Round((Get-Median $theirsCpu), 3))"
    Ratio     = [math]::Round($k / $p, 3)
    # CPU seconds too: on a shared machine wall time swings with the load, CPU time much less.
    KerasPS_cpu_s = [math]::Round((Get-Median $oursCpu), 4)
    Pillow_cpu_s  = [math]::Round((Get-Median $theirsCpu), 4)
}
