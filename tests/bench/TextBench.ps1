#Requires -Version 7.4
<#
.SYNOPSIS
    TextVectorization adapt + multi_hot encode of 100,000 short texts (max_tokens 20,000) next to scikit-learn's
    CountVectorizer(binary=True, max_features=20000).fit_transform on the same texts, in the same run.
.DESCRIPTION
    The texts are generated from a seed (5-12 words drawn from a Zipf-like vocabulary of 30,000 words, with
    punctuation and capitals, as ticket titles have) and written to one file that scikit-learn reads; KerasPS holds
    them in memory. Both sides are timed from strings in memory to a sparse document-term matrix (CSR) of the 20,000
    most frequent tokens, 0/1 per text: KerasPS from creating and adapting the layer (Add-TextVectorizationLayer
    -Adapt: standardize, split, count, order the vocabulary) through EncodeSparse of every text (standardize, split,
    look up, build the CSR rows that a model's batches are made dense from), scikit-learn's fit_transform (tokenize,
    count, keep max_features, build the CSR matrix; reading the file is not timed). Their tokenizers differ as their
    libraries do (Keras strips punctuation and splits on whitespace; scikit-learn keeps words of 2+ word characters).
    scikit-learn runs in Debian's /usr/bin/python3 (python3-sklearn); without it the peer is reported as not
    installed. Before the timed runs KerasPS adapts and encodes the first 2,000 texts once, untimed, so that its
    one-time costs (loading libtorch, compiling the code) are left out as Python's imports are. Median of -Runs
    alternated runs; the Note gives KerasPS's adapt / encode split. The issue's goal is Ratio <= 1.
    Writes the bench runner's object (Name, Unit, Value, Peer, PeerValue, Note) with Ratio.
.EXAMPLE
    ./tests/bench/TextBench.ps1 -Runs 3
#>
[CmdletBinding()]
param(
    [int] $Texts = 100000,
    [int] $MaxTokens = 20000,
    [ValidateRange(1, 20)] [int] $Runs = 3,
    [string] $Root = (Join-Path $PSScriptRoot '../..')
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Module KerasPS)) { Import-Module (Join-Path $Root 'KerasPS.psd1') }

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

# The corpus: word k drawn with weight 1/(k+1) (Zipf), so a few words are everywhere and most are rare.
$rng = [Random]::new(20261207)
$vocabulary = [string[]]::new(30000)
for ($k = 0; $k -lt $vocabulary.Length; $k++) {
    $chars = [char[]]::new(3 + $rng.Next(6))
    for ($c = 0; $c -lt $chars.Length; $c++) { $chars[$c] = [char](97 + $rng.Next(26)) }
    $vocabulary[$k] = [string]::new($chars)
}
$cumulative = [double[]]::new($vocabulary.Length)
$sum = 0.0
for ($k = 0; $k -lt $vocabulary.Length; $k++) { $sum += 1.0 / ($k + 1); $cumulative[$k] = $sum }
$lines = [string[]]::new($Texts)
$sb = [Text.StringBuilder]::new()
for ($i = 0; $i -lt $Texts; $i++) {
    $null = $sb.Clear()
    $n = 5 + $rng.Next(8)
    for ($w = 0; $w -lt $n; $w++) {
        $at = [Array]::BinarySearch($cumulative, $rng.NextDouble() * $sum)
        if ($at -lt 0) { $at = -bnot $at }
        $word = $vocabulary[[math]::Min($at, $vocabulary.Length - 1)]
        if ($w -eq 0) { $word = $word.Substring(0, 1).ToUpperInvariant() + $word.Substring(1) }
        if ($w -gt 0) { $null = $sb.Append(' ') }
        $null = $sb.Append($word)
    }
    $null = $sb.Append($(if ($i % 3) { '.' } else { '!' }))
    $lines[$i] = $sb.ToString()
}
$file = Join-Path ([IO.Path]::GetTempPath()) "kerasps-textbench-$PID.txt"
[IO.File]::WriteAllLines($file, $lines)

$python = '/usr/bin/python3'
$peer = (Test-Path $python) -and $(& $python -c 'import sklearn' 2>$null; $LASTEXITCODE -eq 0)
$peerScript = @'
import sys, time
from sklearn.feature_extraction.text import CountVectorizer
texts = open(sys.argv[1], encoding="utf-8").read().splitlines()
t = time.perf_counter()
m = CountVectorizer(binary=True, max_features=int(sys.argv[2])).fit_transform(texts)
print("RESULT seconds=%.6f shape=%dx%d format=%s" % (time.perf_counter() - t, m.shape[0], m.shape[1], m.format))
'@

$ours = [Collections.Generic.List[double]]::new()
$adapts = [Collections.Generic.List[double]]::new()
$theirs = [Collections.Generic.List[double]]::new()
$width = 0
$stored = 0
try {
    $warm = [string[]]$lines[0..1999]
    $null = (New-Model | Add-TextVectorizationLayer -Adapt $warm -OutputMode multi_hot -MaxTokens $MaxTokens).Engine.Layers[0].EncodeSparse($warm)
    for ($run = 0; $run -lt $Runs; $run++) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $layer = (New-Model | Add-TextVectorizationLayer -Adapt $lines -OutputMode multi_hot -MaxTokens $MaxTokens).Engine.Layers[0]
        $adapted = $sw.Elapsed.TotalSeconds
        $rows = $layer.EncodeSparse($lines)
        $ours.Add($sw.Elapsed.TotalSeconds)
        $adapts.Add($adapted)
        $width = $rows.Width
        $stored = $rows.NonZeros
        $rows = $null
        if ($peer) {
            $out = & $python -c $peerScript $file $MaxTokens 2>&1
            $line = $out | Where-Object { $_ -match '^RESULT seconds=([\d.]+)' } | Select-Object -Last 1
            if ($line -match 'seconds=([\d.]+)') { $theirs.Add([double]$Matches[1]) }
            else { Write-Warning "scikit-learn peer gave no RESULT line: $($out -join ' | ')" }
        }
    }
}
finally { Remove-Item $file -ErrorAction SilentlyContinue }

$value = Get-Median $ours
$peerValue = if ($theirs.Count) { Get-Median $theirs } else { $null }
[pscustomobject]@{
    Name      = "TextVectorization adapt + sparse multi_hot, $($Texts.ToString('N0')) texts"
    Unit      = 's'
    Value     = [math]::Round($value, 4)
    Peer      = if ($null -ne $peerValue) { 'sklearn CountVectorizer(binary=True).fit_transform' } else { 'not installed' }
    PeerValue = if ($null -ne $peerValue) { [math]::Round($peerValue, 4) } else { $null }
    Note      = "strings in memory to CSR, both sides; max_tokens $MaxTokens (rows $width wide, $($stored.ToString('N0')) stored values); " +
        "adapt $([math]::Round((Get-Median $adapts), 3)) s of it; median of $Runs alternated runs; goal ratio <= 1"
    Ratio     = if ($peerValue) { [math]::Round($value / $peerValue, 3) } else { $null }
}
