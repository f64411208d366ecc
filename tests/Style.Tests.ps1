# The habits docs/STYLE.md lists that no analyzer checks: the 140-character line limit of the C# sources and the
# 72-character commit subject. Cheap (no module import, no build), so -Fast runs them too.
BeforeAll {
    $script:RepoRoot = Split-Path -Parent $PSScriptRoot
    $script:MaxLine = 140
    $script:MaxSubject = 72
    # Commits from here on follow the subject rule (the commit that brought it in is the first child of this one).
    $script:RuleBase = '22c5b06faee2e1485cd756e4a460149a3b993909'
}

Describe 'Source style' -Tag 'Style' {
    It 'keeps every line of the C# sources under src at most 140 characters (generated code aside)' {
        $src = Join-Path $RepoRoot 'src'
        $files = Get-ChildItem $src -Recurse -File -Filter *.cs |
            Where-Object { $_.FullName -notmatch '[\\/](obj|bin|Generated)[\\/]' -and $_.Name -notlike '*.g.cs' }
        $files.Count | Should -BeGreaterThan 50   # the walk found the sources, so an empty result means something
        $long = foreach ($f in $files) {
            $n = 0
            foreach ($line in [IO.File]::ReadLines($f.FullName)) {
                $n++
                if ($line.Length -gt $MaxLine) {
                    '{0}:{1} ({2} characters)' -f [IO.Path]::GetRelativePath($RepoRoot, $f.FullName), $n, $line.Length
                }
            }
        }
        # The whole list in the failure message, so one run shows everything to wrap.
        $long -join "`n" | Should -BeNullOrEmpty -Because "lines over $MaxLine characters break the style (docs/STYLE.md)"
    }

    It 'gives every commit since the rule came in a subject of at most 72 characters' {
        $git = Get-Command git -ErrorAction SilentlyContinue
        if (-not $git -or -not (Test-Path (Join-Path $RepoRoot '.git'))) {
            Set-ItResult -Skipped -Because 'this is not a git clone'
            return
        }
        # A shallow clone (CI's default depth) or an export has no history to check.
        & git -C $RepoRoot cat-file -e "$RuleBase^{commit}" 2>$null
        if ($LASTEXITCODE -ne 0) {
            Set-ItResult -Skipped -Because "the history does not reach $RuleBase (a shallow clone)"
            return
        }
        $subjects = @(& git -C $RepoRoot log --format='%h %s' "$RuleBase..HEAD")
        $LASTEXITCODE | Should -Be 0
        $long = $subjects | Where-Object { ($_ -replace '^\S+ ', '').Length -gt $MaxSubject }
        $long -join "`n" | Should -BeNullOrEmpty -Because "a subject says what in at most $MaxSubject characters; the why goes in the body"
    }
}
