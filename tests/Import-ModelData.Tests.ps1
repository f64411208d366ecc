BeforeAll {
    . $PSScriptRoot/common.ps1
    function New-Csv([string] $Name, [string] $Text, [switch] $Bom) {
        $path = Join-Path $TestDrive $Name
        $enc = [Text.UTF8Encoding]::new([bool]$Bom)
        [IO.File]::WriteAllText($path, $Text, $enc)
        $path
    }
    function Get-ErrorCategory([scriptblock] $ScriptBlock) {
        try { & $ScriptBlock | Out-Null } catch { return $_.CategoryInfo.Category.ToString() }
    }
    # Six rows whose encoding is easy to check by hand.
    $script:Six = New-Csv 'six.csv' ("id,x1,x2,color,label`n" +
        "1,1.5,10,red,b`n2,2.5,20,blue,a`n3,`"3.5`",30,red,b`n4,4.5,40,green,a`n5,5.5,50,blue,b`n6,6.5,60,red,c`n")
}

Describe 'Import-ModelData' {
    Context 'a six-row file with an id, numbers, a text column and a class target' {
        BeforeAll { $script:d = Import-ModelData $Six -Target label -Exclude id }

        It 'reads every row and keeps the feature order, with text one-hot encoded in sorted category order' {
            $d.Count | Should -Be 6
            $d.FeatureNames | Should -Be @('x1', 'x2', 'color=blue', 'color=green', 'color=red')
            $d.FeatureShape | Should -Be @(5)
            $d.Categories['color'] | Should -Be @('blue', 'green', 'red')
        }
        It 'parses numbers (quoted ones too) and one-hots categories exactly' {
            $d.GetFeatures(0) | Should -Be @(1.5, 10, 0, 0, 1)
            $d.GetFeatures(2) | Should -Be @(3.5, 30, 0, 0, 1)
            $d.GetFeatures(3) | Should -Be @(4.5, 40, 0, 1, 0)
            $d.GetFeatures(-1) | Should -Be @(6.5, 60, 0, 0, 1)
        }
        It 'encodes text labels once, classes in ordinal order' {
            $d.TargetName | Should -Be 'label'
            $d.TargetKind | Should -Be 'Classification'
            $d.Classes | Should -Be @('a', 'b', 'c')
            $d.Engine.Labels | Should -Be @(1, 0, 1, 0, 1, 2)
            $d.ClassCounts | Should -Be @(2, 3, 1)
        }
        It 'gives features only without -Target' {
            $f = Import-ModelData $Six -Exclude id, label
            $f.TargetKind | Should -Be 'None'
            $f.Count | Should -Be 6
        }
        It 'keeps only -Feature columns, in the given order' {
            $f = Import-ModelData $Six -Feature x2, x1 -Target label
            $f.FeatureNames | Should -Be @('x2', 'x1')
            $f.GetFeatures(1) | Should -Be @(20, 2.5)
        }
        It 'treats an all-numeric target as regression, or as classes with -TargetKind' {
            $r = Import-ModelData $Six -Target x2 -Feature x1
            $r.TargetKind | Should -Be 'Regression'
            $r.Engine.Targets | Should -Be @(10, 20, 30, 40, 50, 60)
            $c = Import-ModelData $Six -Target x2 -Feature x1 -TargetKind Classification
            $c.Classes | Should -Be @('10', '20', '30', '40', '50', '60')
        }
        It 'encodes test data into the training columns with -Template' {
            $test = New-Csv 'test.csv' "id,x1,x2,color`n7,1,2,green`n"
            $t = Import-ModelData $test -Exclude id -Template $d
            $t.FeatureNames | Should -Be $d.FeatureNames
            $t.GetFeatures(0) | Should -Be @(1, 2, 0, 1, 0)
        }
        It 'one-hots a numeric column named in -Categorical' {
            $c = Import-ModelData $Six -Target label -Feature x2 -Categorical x2
            $c.FeatureNames[0] | Should -Be 'x2=10'
            $c.FeatureNames.Count | Should -Be 6
        }
        It 'reshapes rows with -FeatureShape' {
            (Import-ModelData $Six -Target label -Exclude id -Feature x1, x2 -FeatureShape 2, 1).FeatureShape | Should -Be @(2, 1)
        }
    }

    Context 'CSV dialects' {
        It 'accepts CRLF, a byte order mark and a trailing empty line' {
            $p = New-Csv 'crlf.csv' "a,b,y`r`n1,2,x`r`n3,4,z`r`n`r`n" -Bom
            $d = Import-ModelData $p -Target y
            $d.FeatureNames | Should -Be @('a', 'b')
            $d.Count | Should -Be 2
            $d.GetFeatures(1) | Should -Be @(3, 4)
        }
        It 'reads quoted fields with separators, quotes and line breaks in categories' {
            $p = New-Csv 'quoted.csv' "n,`"kind, long`",y`n1,`"a, `"`"b`"`"`",p`n2,`"two`nlines`",q`n"
            $d = Import-ModelData $p -Target y
            $d.Categories['kind, long'] | Should -Be @('a, "b"', "two`nlines")
        }
        It 'parses every number form to the same float32 as [float]::Parse' {
            $values = '0', '-0.5', '+3', ' 7 ', '.5', '1.', '12345678.9', '1e-3', '-2.5E+4', '0.1234567891', '16777217', '3.4028235E+38'
            $p = New-Csv 'forms.csv' ((($values | ForEach-Object { "c$_" -replace '[^\w]', '_' }) -join ',') + "`n" + ($values -join ',') + "`n")
            $d = Import-ModelData $p
            $expected = $values | ForEach-Object { [float]::Parse($_, [cultureinfo]::InvariantCulture) }
            $d.GetFeatures(0) | Should -Be $expected
        }
        It 'reads an empty last field as a missing value' {
            $p = New-Csv 'lastempty.csv' "a,b`n1,`n"
            (Import-ModelData $p -MissingValue 9).GetFeatures(0) | Should -Be @(1, 9)
        }
        It 'uses -Delimiter and parses numbers with the invariant culture' {
            $p = New-Csv 'semi.csv' "a;b`n1.25;-2e3`n"
            (Import-ModelData $p -Delimiter ';').GetFeatures(0) | Should -Be @(1.25, -2000)
        }
        It 'reads UTF-16 with -Encoding unicode' {
            $p = Join-Path $TestDrive 'u16.csv'
            [IO.File]::WriteAllText($p, "a,b`n1,2`n", [Text.Encoding]::Unicode)
            (Import-ModelData $p -Encoding unicode).GetFeatures(0) | Should -Be @(1, 2)
        }
        It 'fills empty cells with -MissingValue' {
            $p = New-Csv 'gaps.csv' "a,b`n1,`n,4`nNaN,NA`n"
            $d = Import-ModelData $p -MissingValue -1
            $d.GetFeatures(0) | Should -Be @(1, -1)
            $d.GetFeatures(1) | Should -Be @(-1, 4)
            $d.GetFeatures(2) | Should -Be @(-1, -1)
        }
        It 'gives an empty categorical cell all zeros with -MissingValue' {
            $p = New-Csv 'catgap.csv' "a,c`n1,`n2,x`n3,y`n"
            $d = Import-ModelData $p -MissingValue 0
            $d.FeatureNames | Should -Be @('a', 'c=x', 'c=y')
            $d.GetFeatures(0) | Should -Be @(1, 0, 0)
            $d.GetFeatures(2) | Should -Be @(3, 0, 1)
            $d.Engine.Metadata['Categories']['c'] | Should -Be @('x', 'y')
        }
        It 'takes paths and FileInfo objects from the pipeline' {
            $p2 = New-Csv 'second.csv' "a,y`n1,x`n"
            @(Get-Item $p2 | Import-ModelData -Target y).Count | Should -Be 1
            @($Six, $Six | Import-ModelData -Target label -Exclude id).Count | Should -Be 2
        }
        It 'matches pandas-style float32 values on the Otto-shaped sample written to CSV' {
            $otto = Get-SampleData Otto -Rows 300 -Seed 3
            $p = Join-Path $TestDrive 'otto.csv'
            [KerasPS.Engine.Data.SampleData]::WriteCsv($otto.Engine, $p, $true)
            $d = Import-ModelData $p -Target target -Exclude id
            $d.Count | Should -Be 300
            [Linq.Enumerable]::SequenceEqual($d.Engine.Features, $otto.Engine.Features) | Should -BeTrue
            $d.Engine.Labels | Should -Be $otto.Engine.Labels
        }
    }

    Context 'one bad file among several' {
        It 'skips a missing file with a non-terminating FileNotFound that -ErrorAction SilentlyContinue silences; the other files load' {
            $missing = Join-Path $TestDrive 'missing.csv'
            $Error.Clear()
            $loaded = @(Import-ModelData $Six, $missing, $Six -Target label -Exclude id -ErrorAction SilentlyContinue)
            $ok = $?
            $ok | Should -BeFalse
            $loaded.Count | Should -Be 2
            $Error[0].FullyQualifiedErrorId | Should -BeLike 'FileNotFound,*'
            $Error[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $Error[0].TargetObject | Should -Be $missing
        }

        It 'stops at it with -ErrorAction Stop' {
            { Import-ModelData (Join-Path $TestDrive 'missing.csv') -Target label -ErrorAction Stop } | Should -Throw -ErrorId 'FileNotFound,*'
        }

        It 'reads PowerShell paths: relative to the current location and on a PSDrive' {
            Push-Location $TestDrive
            try {
                $null = New-PSDrive -Name KerasData -PSProvider FileSystem -Root (Split-Path $Six) -Scope Global
                (Import-ModelData (Split-Path -Leaf $Six) -Target label -Exclude id).Count | Should -Be 6
                (Import-ModelData "KerasData:/$(Split-Path -Leaf $Six)" -Target label -Exclude id).Count | Should -Be 6
            }
            finally { Pop-Location; Remove-PSDrive KerasData -ErrorAction SilentlyContinue }
        }

        It 'refuses a path on another provider with NotAFileSystemPath' {
            Get-ErrorId { Import-ModelData Env:/PATH -Target label } | Should -Be 'NotAFileSystemPath'
        }
    }

    Context 'bad input: one error with a stable id, an honest category and the row and column' {
        It 'FileNotFound (ObjectNotFound)' {
            Get-ErrorId { Import-ModelData (Join-Path $TestDrive 'nope.csv') } | Should -Be 'FileNotFound'
            Get-ErrorCategory { Import-ModelData (Join-Path $TestDrive 'nope.csv') } | Should -Be 'ObjectNotFound'
        }
        It 'EmptyFile' {
            $p = New-Csv 'empty.csv' ''
            Get-ErrorId { Import-ModelData $p } | Should -Be 'EmptyFile'
            Get-ErrorCategory { Import-ModelData $p } | Should -Be 'InvalidData'
        }
        It 'NoHeader when the first line is numbers' {
            Get-ErrorId { Import-ModelData (New-Csv 'nohead.csv' "1,2,3`n4,5,6`n") } | Should -Be 'NoHeader'
        }
        It 'NoDataRows for a header alone' {
            Get-ErrorId { Import-ModelData (New-Csv 'head.csv' "a,b`n") } | Should -Be 'NoDataRows'
        }
        It 'RaggedRow names the row' {
            $p = New-Csv 'ragged.csv' "a,b,c`n1,2,3`n4,5`n"
            Get-ErrorId { Import-ModelData $p } | Should -Be 'RaggedRow'
            { Import-ModelData $p } | Should -Throw '*Row 2*2 fields*3 columns*'
        }
        It 'NonNumericValue names the row and column' {
            $p = New-Csv 'text.csv' "a,b`n1,2`n3,oops`n"
            Get-ErrorId { Import-ModelData $p } | Should -Be 'NonNumericValue'
            { Import-ModelData $p } | Should -Throw "*Row 2, column 'b' (column 2)*oops*"
            Get-ErrorCategory { Import-ModelData $p } | Should -Be 'InvalidData'
        }
        It 'MixedColumn for a number in a text column' {
            Get-ErrorId { Import-ModelData (New-Csv 'mixed.csv' "a,b`nx,1`n5,2`n") } | Should -Be 'MixedColumn'
        }
        It 'MissingValue for an empty cell without -MissingValue, naming row and column' {
            $p = New-Csv 'hole.csv' "a,b`n1,2`n3,`n"
            Get-ErrorId { Import-ModelData $p } | Should -Be 'MissingValue'
            { Import-ModelData $p } | Should -Throw "*Row 2, column 'b'*"
        }
        It 'MissingValue lists every column with empty cells and their counts in one error' {
            $p = New-Csv 'titanic-holes.csv' "Survived,Age,Cabin,Fare,Embarked`n1,22,C85,7.25,S`n0,,,8.05,`n1,35,,53.1,C`n0,,E46,8.46,Q`n"
            $err = $null
            try { Import-ModelData $p -Target Survived } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'MissingValue*'
            $err.Exception.Message | Should -BeLike "*Row 2, column 'Age'*3 columns have empty cells: Age (2 rows), Cabin (2 rows), Embarked (1 row).*"
        }
        It 'warns once when a text column has nearly one category per row, naming it and what to do' {
            $lines = @('Survived,Name,Sex,Age') + (1..40 | ForEach-Object { '{0},Passenger {1},{2},{3}' -f ($_ % 2), $_, ('male', 'female')[$_ % 2], (20 + $_) })
            $p = New-Csv 'names.csv' ($lines -join "`n")
            $d = Import-ModelData $p -Target Survived -WarningVariable w -WarningAction SilentlyContinue
            $d.Engine.FeatureCount | Should -Be 43
            @($w).Count | Should -Be 1
            "$($w[0])" | Should -BeLike "Column 'Name' has 40 categories in 40 rows*-Exclude Name*-IdColumn Name*"
            $null = Import-ModelData $p -Target Survived -Exclude Name -WarningVariable w2 -WarningAction SilentlyContinue
            @($w2).Count | Should -Be 0
        }
        It 'NotTextData for an image or a model file, saying what it is' -ForEach @(
            @{ Name = 'img.png'; Bytes = [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0); Says = '*is a PNG image, not a CSV file*' }
            @{ Name = 'photo.csv'; Bytes = [byte[]](0xFF, 0xD8, 0xFF, 0xE0, 0, 16); Says = '*is a JPEG image*' }
            @{ Name = 'anim.gif'; Bytes = [byte[]][char[]]'GIF89a....'; Says = '*is a GIF image*' }
            @{ Name = 'model.keras'; Bytes = [byte[]](0x50, 0x4B, 0x03, 0x04, 20, 0); Says = '*zip archive*Import-Checkpoint*' }
            @{ Name = 'model.h5'; Bytes = [byte[]](0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A); Says = '*HDF5*Import-Checkpoint*' }
        ) {
            $p = Join-Path $TestDrive $Name
            [IO.File]::WriteAllBytes($p, $Bytes)
            $err = $null
            try { Import-ModelData $p } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'NotTextData*'
            $err.Exception.Message | Should -BeLike $Says
        }
        It 'TargetNotFound (InvalidArgument) lists the columns' {
            Get-ErrorId { Import-ModelData $Six -Target nope } | Should -Be 'TargetNotFound'
            Get-ErrorCategory { Import-ModelData $Six -Target nope } | Should -Be 'InvalidArgument'
            { Import-ModelData $Six -Target nope } | Should -Throw '*id, x1, x2, color, label*'
        }
        It 'ColumnNotFound for -Exclude and -Feature names' {
            Get-ErrorId { Import-ModelData $Six -Exclude nope } | Should -Be 'ColumnNotFound'
            Get-ErrorId { Import-ModelData $Six -Feature x1, nope } | Should -Be 'ColumnNotFound'
        }
        It 'MalformedCsv for a quote that is never closed, instead of reading the rest of the file as one field' {
            $p = New-Csv 'unclosed.csv' "a,b`n1,`"2`n3,4`n5,6`n"
            Get-ErrorId { Import-ModelData $p } | Should -Be 'MalformedCsv'
            { Import-ModelData $p } | Should -Throw "Row 1 of 'unclosed.csv'*never closed*"
            Get-ErrorId { Import-ModelData (New-Csv 'stray.csv' "a,b`n1,2`"x`"`n") } | Should -Be 'MalformedCsv'
        }
        It 'InvalidDelimiter and UnknownEncoding' {
            Get-ErrorId { Import-ModelData $Six -Delimiter '"' } | Should -Be 'InvalidDelimiter'
            Get-ErrorId { Import-ModelData $Six -Encoding nope } | Should -Be 'UnknownEncoding'
        }
        It 'DuplicateColumn' {
            Get-ErrorId { Import-ModelData (New-Csv 'dup.csv' "a,a`n1,2`n") } | Should -Be 'DuplicateColumn'
        }
        It 'UnknownCategory for a category the template lacks' {
            $train = Import-ModelData $Six -Target label -Exclude id
            $p = New-Csv 'newcat.csv' "id,x1,x2,color`n1,1,1,purple`n"
            Get-ErrorId { Import-ModelData $p -Exclude id -Template $train } | Should -Be 'UnknownCategory'
        }
        It 'NumberOutOfRange for <Case>, naming the row and column of the value itself' -TestCases @(
            # Parsed as numbers, these became +Infinity (1e39) or 0 (1e-50); written first in a column, they made the
            # column categorical and the error then blamed the next ordinary number.
            @{ Case = 'a value beyond float32 (1e39)'; Text = "a,y`n1,x`n1e39,z`n"; Where = "Row 2, column 'a'*'1e39'*" }
            @{ Case = 'a value beyond float32 in the first row'; Text = "a,y`n1e39,x`n2,z`n"; Where = "Row 1, column 'a'*'1e39'*" }
            @{ Case = 'an exponent beyond double (1e999)'; Text = "a,y`n1e999,x`n2,z`n"; Where = "Row 1, column 'a'*'1e999'*" }
            @{ Case = 'Inf in the first row'; Text = "a,y`nInf,x`n2,z`n"; Where = "Row 1, column 'a'*'Inf'*" }
            @{ Case = 'a 100,000-digit number'; Text = "a,y`n$('9' * 100000),x`n2,z`n"; Where = "Row 1, column 'a'*'999999999*...'*" }
            @{ Case = 'a non-zero value that float32 rounds to 0 (1e-50)'; Text = "a,y`n1,x`n1e-50,z`n"; Where = "Row 2, column 'a'*'1e-50'*" }
            @{ Case = 'a regression target beyond float32'; Text = "a,y`n1,2`n2,-1e39`n"; Where = "*target 'y' holds '-1e39'*" }
        ) {
            param($Case, $Text, $Where)
            $p = New-Csv 'range.csv' $Text
            $err = $null
            try { Import-ModelData $p -Target y | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'NumberOutOfRange'
            $err.CategoryInfo.Category | Should -Be 'InvalidData'
            $err.Exception.Message | Should -BeLike "$Where*float32 cannot hold*"
        }
        It 'keeps the smallest float32 values and the largest (subnormal 1e-45, 3.4028235e38)' {
            $d = Import-ModelData (New-Csv 'edges.csv' "a,b`n1e-45,3.4028235e38`n-1.17549435e-38,-3.4028235e38`n")
            $d.GetFeatures(0) | Should -Be @([float]1e-45, [float]::MaxValue)
            $d.GetFeatures(1) | Should -Be @([float]-1.17549435e-38, [float]::MinValue)
        }
        It 'InvalidCharacter for a NUL byte in a number or a label, wherever it is' {
            $bytes = [Text.Encoding]::UTF8.GetBytes("a,y`n1,x`n2`0,z`n")
            $p = Join-Path $TestDrive 'nul.csv'; [IO.File]::WriteAllBytes($p, $bytes)
            $err = $null
            try { Import-ModelData $p -Target y | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidCharacter'
            $err.Exception.Message | Should -BeLike 'Row 2, column ''a''*''2\u0000''*NUL*'
            [IO.File]::WriteAllBytes($p, [Text.Encoding]::UTF8.GetBytes("a,y`n2`0,x`n1,z`n"))
            Get-ErrorId { Import-ModelData $p -Target y } | Should -Be 'InvalidCharacter'
            [IO.File]::WriteAllBytes($p, [Text.Encoding]::UTF8.GetBytes("a,y`n1,x`0`n2,x`n"))
            Get-ErrorId { Import-ModelData $p -Target y } | Should -Be 'InvalidCharacter'
        }
        It 'InvalidEncoding names the row and column of a byte that is not UTF-8, instead of merging labels' {
            # 0xFF and 0xFE both decoded to U+FFFD, so two classes loaded as one.
            $u = [Text.Encoding]::UTF8
            $bytes = [byte[]]($u.GetBytes("a,label`n1,") + 0xFF + $u.GetBytes("`n2,") + 0xFE + $u.GetBytes("`n"))
            $p = Join-Path $TestDrive 'latin.csv'; [IO.File]::WriteAllBytes($p, $bytes)
            $err = $null
            try { Import-ModelData $p -Target label | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidEncoding'
            $err.CategoryInfo.Category | Should -Be 'InvalidData'
            $err.Exception.Message | Should -BeLike "Row 1, column 'label' (column 2) of 'latin.csv' holds the byte 0xFF*not valid UTF-8*-Encoding*"
            # The same bytes read as Latin-1 are two classes.
            (Import-ModelData $p -Target label -Encoding Latin1).Classes | Should -Be @([string][char]0xFE, [string][char]0xFF)
        }
        It 'InvalidEncoding in a header name, before the names are compared' {
            $u = [Text.Encoding]::UTF8
            $bytes = [byte[]]($u.GetBytes("a,") + 0xFF + $u.GetBytes(",") + 0xFE + $u.GetBytes("`n1,2,3`n"))
            $p = Join-Path $TestDrive 'header.csv'; [IO.File]::WriteAllBytes($p, $bytes)
            $err = $null
            try { Import-ModelData $p | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'InvalidEncoding'
            $err.Exception.Message | Should -BeLike "The header of 'header.csv', column 2, holds the byte 0xFF*"
        }
        It 'InvalidEncoding for a multi-byte character cut short at the end of the file' {
            $bytes = [byte[]]([Text.Encoding]::UTF8.GetBytes("a,b`n1,x") + 0xE2 + 0x82)
            $p = Join-Path $TestDrive 'cut.csv'; [IO.File]::WriteAllBytes($p, $bytes)
            Get-ErrorId { Import-ModelData $p } | Should -Be 'InvalidEncoding'
        }
        It 'PathIsFolder (InvalidArgument) for a folder, not FileNotFound' {
            $err = $null
            try { Import-ModelData $TestDrive | Out-Null } catch { $err = $_ }
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'PathIsFolder'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -BeLike '*is a folder, not a file*'
        }
        It 'InvalidFeatureShape' {
            Get-ErrorId { Import-ModelData $Six -Target label -Exclude id -FeatureShape 2, 2 } | Should -Be 'InvalidFeatureShape'
        }
    }

    Context 'an id-like text column (issue 28, item 10)' {
        It 'refuses a one-hot width that cannot fit (OneHotTooWide, naming the column) early, without gigabytes' {
            # 80,000 rows whose text column is new in every row: one-hot would be 80,000 x 80,002 values (25 GB).
            $sb = [Text.StringBuilder]::new("id,x,y`n")
            foreach ($i in 1..80000) { [void]$sb.Append("u$i,$($i % 7),$(if ($i % 2) { 'a' } else { 'b' })`n") }
            $csv = New-Csv 'ids.csv' $sb.ToString()
            [GC]::Collect()
            $before = [Diagnostics.Process]::GetCurrentProcess().WorkingSet64
            $err = $null
            Import-ModelData $csv -Target y -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
            ([Diagnostics.Process]::GetCurrentProcess().WorkingSet64 - $before) / 1MB | Should -BeLessThan 500
            ($err[0].FullyQualifiedErrorId -split ',')[0] | Should -Be 'OneHotTooWide'
            $err[0].Exception.Message | Should -BeLike "Column 'id' has * distinct text values*-Exclude id*"
            (Import-ModelData $csv -Target y -Exclude id).Count | Should -Be 80000
        }
    }

    Context 'per-column fills for empty cells, as scikit-learn''s SimpleImputer (issue 27, item 5)' {
        BeforeAll {
            $script:MissingDir = Join-Path $PSScriptRoot 'data/missing'
            # SimpleImputer's statistics and transformed test columns: tests/data/missing/make-references.py.
            $script:Reference = (Get-Content -Raw (Join-Path $MissingDir 'references.json') | ConvertFrom-Json).cases
            function Get-Rules([string] $Age) { @{ Age = $Age; Fare = 'median'; Cabin = 'missing'; Embarked = 'most_frequent' } }
            function Get-Column($Data, [int] $Row, [string] $Name) { $Data.GetFeatures($Row)[[array]::IndexOf(@($Data.FeatureNames), $Name)] }
        }
        It 'learns <Strategy> for Age on the training data and fills test data loaded with -Template as SimpleImputer does' -ForEach @(
            @{ Strategy = 'median' }, @{ Strategy = 'mean' }, @{ Strategy = 'most_frequent' }
        ) {
            $train = Import-ModelData (Join-Path $MissingDir 'train.csv') -Target Survived -MissingValue (Get-Rules $Strategy) -AddIndicator
            $test = Import-ModelData (Join-Path $MissingDir 'test.csv') -Template $train
            foreach ($case in $Reference | Where-Object { $_.column -ne 'Age' -or $_.strategy -eq $Strategy }) {
                $fill = $train.MissingFills[$case.column]
                if ($case.statistic -is [string]) { $fill | Should -Be $case.statistic }
                else { [double]$fill | Should -BeGreaterOrEqual ($case.statistic - 1e-5); [double]$fill | Should -BeLessOrEqual ($case.statistic + 1e-5) }
                for ($r = 0; $r -lt 4; $r++) {
                    $want = $case.test[$r]
                    if ($want -is [string]) { Get-Column $test $r "$($case.column)=$want" | Should -Be 1 }
                    else { [math]::Abs((Get-Column $test $r $case.column) - $want) | Should -BeLessThan 1e-5 }
                    if ($case.indicator_in_train) { Get-Column $test $r "missingindicator_$($case.column)" | Should -Be $case.test_indicator[$r] }
                }
            }
            # One indicator per column with empty cells in train.csv (Fare has none there), after the other features.
            $train.FeatureNames[-3..-1] | Should -Be @('missingindicator_Age', 'missingindicator_Cabin', 'missingindicator_Embarked')
            $test.FeatureNames | Should -Be $train.FeatureNames
            $train.MissingIndicators | Should -Be @('Age', 'Cabin', 'Embarked')
            Get-Column $train 2 'missingindicator_Age' | Should -Be 1
            Get-Column $train 2 'Cabin=missing' | Should -Be 1
            Get-Column $train 10 'Embarked=S' | Should -Be 1
        }
        It 'takes one strategy for every column: most_frequent, ties to the smallest value (hand-computed)' {
            $d = Import-ModelData (Join-Path $MissingDir 'train.csv') -Target Survived -MissingValue most_frequent
            # Age: 35 twice; Fare and Cabin: every value once, so the smallest (7.25, 'C103'); Pclass: 3 seven times; Embarked: S.
            $d.MissingFills['Age'] | Should -Be '35'
            $d.MissingFills['Fare'] | Should -Be '7.25'
            $d.MissingFills['Pclass'] | Should -Be '3'
            $d.MissingFills['Cabin'] | Should -Be 'C103'
            $d.MissingFills['Embarked'] | Should -Be 'S'
            Get-Column $d 2 'Age' | Should -Be 35
            Get-Column $d 2 'Cabin=C103' | Should -Be 1
            $d.FeatureNames | Should -Not -Contain 'missingindicator_Age'
        }
        It 'fills objects converted with ConvertTo-ModelData -Template as the training data says, not by their own median' {
            $train = Import-ModelData (Join-Path $MissingDir 'train.csv') -Target Survived -MissingValue (Get-Rules median) -AddIndicator
            $objects = Import-Csv (Join-Path $MissingDir 'test.csv')
            $converted = $objects | ConvertTo-ModelData -Template $train
            $loaded = Import-ModelData (Join-Path $MissingDir 'test.csv') -Template $train
            $converted.FeatureNames | Should -Be $train.FeatureNames
            for ($r = 0; $r -lt 4; $r++) { $converted.GetFeatures($r) | Should -Be $loaded.GetFeatures($r) }
            Get-Column $converted 1 'Age' | Should -Be 31   # the training median; the test rows' own median is 34.5
        }
        It 'refuses a rule that does not fit the column: <Id>' -ForEach @(
            @{ Id = 'ImputeNeedsNumbers'; Rules = @{ Age = 0; Cabin = 'median'; Embarked = 'S' } }
            @{ Id = 'MissingValueNotNumber'; Rules = @{ Age = 'unknown'; Cabin = 'missing'; Embarked = 'S' } }
            @{ Id = 'InvalidMissingValue'; Rules = @{ Age = [datetime]::Now; Cabin = 'missing'; Embarked = 'S' } }
        ) {
            Get-ErrorId { Import-ModelData (Join-Path $MissingDir 'train.csv') -Target Survived -MissingValue $Rules } | Should -Be $Id
        }
        It 'refuses a learnt fill for a column with no values: NoValuesToLearn' {
            $p = New-Csv 'empty-col.csv' "a,b`n1,`n2,`n"
            Get-ErrorId { Import-ModelData $p -MissingValue @{ b = 'median' } } | Should -Be 'NoValuesToLearn'
            (Import-ModelData $p -MissingValue @{ b = 5 }).GetFeatures(1) | Should -Be @(2, 5)
        }
        It 'still lists the columns no rule covers in one MissingValue error' {
            $err = $null
            try { Import-ModelData (Join-Path $MissingDir 'train.csv') -Target Survived -MissingValue @{ Age = 'median' } } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'MissingValue*'
            $err.Exception.Message | Should -BeLike '*2 columns have empty cells: Cabin (7 rows), Embarked (1 row).*'
        }
    }
}
