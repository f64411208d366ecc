# Helpers for byte-level damage of zip archives (.kpt and .keras) that leaves the archive readable: the entries are
# rewritten stored (uncompressed), so a changed data byte is not noticed by deflate and only the CRC-32 can catch it.
Add-Type -AssemblyName System.IO.Compression

# Copies the zip at $From to $To with every entry stored (CompressionLevel.NoCompression), names and order kept.
function Copy-ZipStored {
    param([string] $From, [string] $To)
    $in = [IO.Compression.ZipFile]::OpenRead($From)
    $fs = [IO.File]::Create($To)
    $out = [IO.Compression.ZipArchive]::new($fs, [IO.Compression.ZipArchiveMode]::Create)
    try {
        foreach ($e in $in.Entries) {
            $s = $e.Open(); $d = $out.CreateEntry($e.FullName, [IO.Compression.CompressionLevel]::NoCompression).Open()
            $s.CopyTo($d); $d.Dispose(); $s.Dispose()
        }
    }
    finally { $out.Dispose(); $fs.Dispose(); $in.Dispose() }
}

# Finds entry $Name's data through its local header and calls $Edit with (file bytes, data start, data length); the
# changed bytes are written back. The central directory (and its CRC-32) stays as it was.
function Edit-ZipEntryData {
    param([string] $Path, [string] $Name, [scriptblock] $Edit)
    $b = [IO.File]::ReadAllBytes($Path)
    $i = 0
    while ($i -le $b.Length - 30) {
        if ([BitConverter]::ToUInt32($b, $i) -eq 0x04034b50) {
            $size = [int][BitConverter]::ToUInt32($b, $i + 18)
            $n = [BitConverter]::ToUInt16($b, $i + 26); $x = [BitConverter]::ToUInt16($b, $i + 28)
            $start = $i + 30 + $n + $x
            if ([Text.Encoding]::UTF8.GetString($b, $i + 30, $n) -eq $Name) {
                & $Edit $b $start $size
                [IO.File]::WriteAllBytes($Path, $b)
                return
            }
            $i = $start + $size
        }
        else { $i++ }
    }
    throw "No local header for entry '$Name' in '$Path'."
}

# Index of the first occurrence of ASCII $Text in $Bytes[$Start..$Start+$Length), or -1.
function Find-Ascii {
    param([byte[]] $Bytes, [int] $Start, [int] $Length, [string] $Text)
    Find-Bytes $Bytes $Start $Length ([Text.Encoding]::ASCII.GetBytes($Text))
}

# Index of the first occurrence of $Needle in $Bytes[$Start..$Start+$Length), or -1.
function Find-Bytes {
    param([byte[]] $Bytes, [int] $Start, [int] $Length, [byte[]] $Needle)
    $t = $Needle
    for ($i = $Start; $i -le $Start + $Length - $t.Length; $i++) {
        $k = 0
        while ($k -lt $t.Length -and $Bytes[$i + $k] -eq $t[$k]) { $k++ }
        if ($k -eq $t.Length) { return $i }
    }
    -1
}
