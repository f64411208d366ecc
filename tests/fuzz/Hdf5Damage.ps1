# The three hostile HDF5 files of issue 28, made from the project's own files by changing a few bytes: a link that
# becomes a soft link resolving to itself, a v1 B-tree node whose child is itself, an object-header message whose
# size runs to the end of the file. PureHDF 2.2.0 alone overflows the stack on the first two and loops without end,
# allocating, on the third (read through a FileStream). Dot-sourced by tests/Import-Checkpoint.Hdf5.Tests.ps1.
function Set-Bytes([byte[]] $b, [long] $at, [byte[]] $v) { [Array]::Copy($v, 0, $b, $at, $v.Length) }
function New-SelfSoftLink([byte[]] $weights) {
    # The first link named 'vars' (a hard link message: version 1, flags 0x12, charset, 4-byte name length, name,
    # address) becomes a soft link 'vars' -> 'vars' of the same message size.
    $b = [byte[]]$weights.Clone()
    $name = [Text.Encoding]::ASCII.GetBytes('vars')
    for ($i = 8; $i -lt $b.Length - 12; $i++) {
        if ($b[$i] -eq 1 -and $b[$i + 1] -eq 0x12 -and $b[$i + 3] -eq 4 -and [Text.Encoding]::ASCII.GetString($b, $i + 7, 4) -eq 'vars') {
            $soft = [byte[]](@(1, 0x18, 1, 0, 4) + $name + @(4, 0) + $name + @(0, 0, 0, 0))
            Set-Bytes $b $i $soft
            return $b
        }
    }
    throw 'no vars link'
}
function New-BTreeSelfLoop([byte[]] $h5) {
    # Superblock v0: the root group's cached B-tree address sits at byte 80; its node becomes level 1 with its first
    # child pointing at itself.
    $b = [byte[]]$h5.Clone()
    if ($b[8] -ne 0) { throw 'not superblock v0' }
    $tree = [BitConverter]::ToInt64($b, 80)
    if ([Text.Encoding]::ASCII.GetString($b, $tree, 4) -ne 'TREE') { throw 'no TREE' }
    $b[$tree + 5] = 1
    Set-Bytes $b ($tree + 24 + 8) ([BitConverter]::GetBytes([long]$tree))
    return $b
}
function New-RunawayHeader([byte[]] $h5) {
    # The first version 2 object header whose first message is a link info message (a group's): that message's size
    # (two bytes) is raised to run exactly to the end of the file.
    $b = [byte[]]$h5.Clone()
    $s = [Text.Encoding]::Latin1.GetString($b)
    $at = -1
    while (($at = $s.IndexOf('OHDR', $at + 1)) -ge 0) {
        $flags = $b[$at + 5]
        $p = $at + 6 + ($flags -band 0x20 ? 16 : 0) + ($flags -band 0x10 ? 4 : 0) + (1 -shl ($flags -band 3))
        if ($b[$at + 4] -eq 2 -and $b[$p] -eq 2 -and -not ($flags -band 4)) {
            $size = $b.Length - $p - 4
            $b[$p + 1] = $size -band 0xff; $b[$p + 2] = $size -shr 8
            return $b
        }
    }
    throw 'no group header'
}
