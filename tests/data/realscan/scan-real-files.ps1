<#
.SYNOPSIS
Imports every real Keras model file of a folder with Import-Checkpoint and compares its outputs with a reference.
.DESCRIPTION
The references come from make-scan-references.py (beside this script): Keras's own stored predictions where the file
has them (dl4j-test-resources' examples/), otherwise a NumPy forward pass for functional models. Prints one line per
file (imported or the refusal's error id and message; match or the largest difference) and the totals, by model class.
A file matches when every output value is within 1e-5 of the reference, relative to max(1, |reference|).
.EXAMPLE
pwsh tests/data/realscan/scan-real-files.ps1 -References /tmp/refs.json -Out /tmp/scan.tsv
#>
param([Parameter(Mandatory)] [string] $References, [Parameter(Mandatory)] [string] $Out)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../../../KerasPS.psd1')
$refs = Get-Content $References -Raw | ConvertFrom-Json -AsHashtable
$tensorOf = $null
$rows = foreach ($path in $refs.Keys | Sort-Object) {
    $r = $refs[$path]
    $row = [ordered]@{ File = $path; Class = $r['class_name']; Keras = $r['keras_version']; Imported = $false; Reference = $r['reference']
        Match = $null; MaxDiff = $null; Error = '' }
    try {
        $model = Import-Checkpoint -Path $path -WarningAction SilentlyContinue
        $row.Imported = $true
        if ($r['inputs']) {
            if (-not $tensorOf) {
                $alc = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($model.Engine.GetType().Assembly)
                $torch = ($alc.Assemblies | Where-Object { $_.GetName().Name -eq 'TorchSharp' }).GetType('TorchSharp.torch')
                $tensorOf = $torch.GetMethods() | Where-Object {
                    $_.Name -eq 'tensor' -and ($p = $_.GetParameters()).Count -eq 5 -and $p[0].ParameterType -eq [float[]] -and
                    $p[1].ParameterType.Name -like 'Nullable*' } | Select-Object -First 1
            }
            $tensors = [Array]::CreateInstance($tensorOf.ReturnType, $r['inputs'].Count)
            for ($i = 0; $i -lt $r['inputs'].Count; $i++) {
                $tensors[$i] = $tensorOf.Invoke($null, @([float[]]$r['inputs'][$i]['values'], $null, $null, $false, $null)).reshape(
                    [long[]]$r['inputs'][$i]['shape'])
            }
            $outs = @($model.Engine.ForwardAll($tensors, $false, $false))
            $max = 0.0
            for ($o = 0; $o -lt $r['outputs'].Count; $o++) {
                $got = $outs[$o].data[float]().ToArray(); $want = $r['outputs'][$o]['values']
                if ($got.Count -ne $want.Count) { throw "output $o has $($got.Count) values, the reference $($want.Count)" }
                for ($i = 0; $i -lt $want.Count; $i++) {
                    $d = [math]::Abs($got[$i] - $want[$i]) / [math]::Max(1.0, [math]::Abs($want[$i]))
                    if ($d -gt $max -or [double]::IsNaN($d)) { $max = $d }
                }
            }
            $row.MaxDiff = $max; $row.Match = $max -le 1e-5
        }
    }
    catch {
        $id = if ($_.FullyQualifiedErrorId) { ($_.FullyQualifiedErrorId -split ',')[0] } else { 'Exception' }
        $msg = $_.Exception.Message -replace '\s+', ' '
        if ($row.Imported) { $row.Match = $false; $row.Error = "forward: $msg" } else { $row.Error = "$id`: $msg" }
    }
    [pscustomobject]$row
}
$rows | Export-Csv -Path $Out -Delimiter "`t" -NoTypeInformation
foreach ($g in $rows | Group-Object { if ($_.Class -eq 'Sequential') { 'Sequential' } else { 'Functional' } }) {
    $imp = @($g.Group | Where-Object Imported)
    $checked = @($imp | Where-Object { $null -ne $_.Match })
    '{0}: {1} files, {2} import, {3} with a reference, {4} match' -f $g.Name, $g.Count, $imp.Count, $checked.Count,
        @($checked | Where-Object Match).Count
}
