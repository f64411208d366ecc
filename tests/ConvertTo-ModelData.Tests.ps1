BeforeAll { . $PSScriptRoot/common.ps1 }

Describe 'ConvertTo-ModelData' {
    Context 'objects and hashtables' {
        It 'makes one row per object, property names as feature names' {
            $d = [pscustomobject]@{ a = 1; b = '2.5'; y = 'x' }, [pscustomobject]@{ a = 3; b = '-4e1'; y = 'z' } | ConvertTo-ModelData -Target y
            $d.FeatureNames | Should -Be @('a', 'b')
            $d.GetFeatures(0) | Should -Be @(1, 2.5)
            $d.GetFeatures(1) | Should -Be @(3, -40)
            $d.Classes | Should -Be @('x', 'z')
        }
        It 'parses numeric strings with the invariant culture whatever the current culture' {
            $old = [cultureinfo]::CurrentCulture
            try {
                [cultureinfo]::CurrentCulture = 'de-DE'
                $d = [pscustomobject]@{ v = '1.5' } | ConvertTo-ModelData
                $d.GetFeatures(0) | Should -Be @(1.5)
            } finally { [cultureinfo]::CurrentCulture = $old }
        }
        It 'sorts the keys of plain hashtables (their order changes between processes) and keeps [ordered] ones' {
            (@{ z = 1; a = 2; m = 3 } | ConvertTo-ModelData).FeatureNames | Should -Be @('a', 'm', 'z')
            ([ordered]@{ z = 1; a = 2 } | ConvertTo-ModelData).FeatureNames | Should -Be @('z', 'a')
        }
        It 'honours -Feature and -Exclude, and one-hots text and booleans as numbers' {
            $rows = @(
                [pscustomobject]@{ id = 1; kind = 'cat'; ok = $true; w = 2 }
                [pscustomobject]@{ id = 2; kind = 'dog'; ok = $false; w = 3 }
            )
            $d = $rows | ConvertTo-ModelData -Exclude id
            $d.FeatureNames | Should -Be @('kind=cat', 'kind=dog', 'ok', 'w')
            $d.GetFeatures(1) | Should -Be @(0, 1, 0, 3)
            ($rows | ConvertTo-ModelData -Feature w, ok).FeatureNames | Should -Be @('w', 'ok')
        }
        It 'reads process objects by property name' {
            $d = Get-Process -Id $PID | ConvertTo-ModelData -Feature Id, HandleCount -Target ProcessName
            $d.GetFeatures(0)[0] | Should -Be $PID
            $d.Classes.Count | Should -Be 1
        }
        It 'encodes test objects like the training data with -Template' {
            $train = @{ c = 'b' }, @{ c = 'a' } | ConvertTo-ModelData
            $test = @{ c = 'b' } | ConvertTo-ModelData -Template $train
            $test.FeatureNames | Should -Be @('c=a', 'c=b')
            $test.GetFeatures(0) | Should -Be @(0, 1)
        }
        It 'takes an array given as -InputObject, one row per element' {
            (ConvertTo-ModelData -InputObject @(@{ a = 1 }, @{ a = 2 })).Count | Should -Be 2
        }
        It 'streams 100,000 objects in linear time' {
            $objs = foreach ($i in 1..100000) { [pscustomobject]@{ a = $i; b = $i % 7; y = "c$($i % 3)" } }
            $small = $objs[0..9999]
            $t1 = Measure-Command { $null = $small | ConvertTo-ModelData -Target y }
            $t2 = Measure-Command { $d = $objs | ConvertTo-ModelData -Target y }
            $d.Count | Should -Be 100000
            $d.GetFeatures(99999) | Should -Be @(100000, (100000 % 7))
            # 10x the objects must cost well under 100x the time (quadratic growth would be ~100x).
            $t2.TotalMilliseconds | Should -BeLessThan ([math]::Max(30 * $t1.TotalMilliseconds, 3000))
        }
    }
    Context 'the reusable builder (what Invoke-ModelPredict uses for piped objects)' {
        It 'encodes rows with kept category lists and source columns, without a template dataset' {
            $cats = [Collections.Generic.Dictionary[string, Collections.Generic.IReadOnlyList[string]]]::new()
            $cats['c'] = [string[]]@('a', 'b')
            $options = [KerasPS.Engine.Data.TabularOptions]@{ Categories = $cats; SourceColumns = [string[]]@('x', 'c') }
            $b = [KerasPS.Infrastructure.ObjectDatasetBuilder]::new($null, $null, $null, $options)
            $b.Add(@{ c = 'b'; x = 2; extra = 'ignored' })
            $row = [Collections.Generic.Dictionary[string, object]]::new()
            $row['x'] = 3.5; $row['c'] = 'a'
            $b.Add($row)
            $d = $b.Build()
            $d.FeatureNames | Should -Be @('x', 'c=a', 'c=b')
            $d.Features | Should -Be @(2, 0, 1, 3.5, 1, 0)
        }
    }
    Context 'bad input names the object index' {
        It 'NonNumericValue' {
            $objs = @{ a = 1 }, @{ a = 2 }, @{ a = 'x' }
            Get-ErrorId { $objs | ConvertTo-ModelData } | Should -Be 'NonNumericValue'
            { $objs | ConvertTo-ModelData } | Should -Throw "*Object 2 (0-based), property 'a'*"
        }
        It 'MissingValue for a missing property, unless -MissingValue fills it' {
            $objs = [pscustomobject]@{ a = 1; b = 2 }, [pscustomobject]@{ a = 3 }
            Get-ErrorId { $objs | ConvertTo-ModelData } | Should -Be 'MissingValue'
            ($objs | ConvertTo-ModelData -MissingValue 0).GetFeatures(1) | Should -Be @(3, 0)
        }
        It 'NumberOutOfRange for an infinity or a number beyond float32, even with -MissingValue (only NaN is missing)' {
            # An infinity used to count as a missing value, so -MissingValue replaced it without a word.
            $cases = @(
                @{ Objects = @{ a = 1 }, @{ a = [double]::PositiveInfinity }; Where = "Object 1 (0-based), property 'a'*'Infinity'*" }
                @{ Objects = @{ a = [float]::NegativeInfinity }, @{ a = 1 }; Where = "Object 0 (0-based), property 'a'*'-Infinity'*" }
                @{ Objects = @{ a = 1 }, @{ a = 1e39 }; Where = "Object 1 (0-based), property 'a'*'1E+39'*" }
                @{ Objects = @{ a = '1e39' }, @{ a = 1 }; Where = "Object 0 (0-based), property 'a'*'1e39'*" }
            )
            foreach ($case in $cases) {
                $err = $null
                try { $case.Objects | ConvertTo-ModelData -MissingValue 0 | Out-Null } catch { $err = $_ }
                ($err.FullyQualifiedErrorId -split ',')[0] | Should -Be 'NumberOutOfRange'
                $err.Exception.Message | Should -BeLike "$($case.Where)float32 cannot hold*"
            }
            (@{ a = 1 }, @{ a = [double]::NaN } | ConvertTo-ModelData -MissingValue 7).GetFeatures(1) | Should -Be @(7)
        }
        It 'TargetNotFound, NoDataRows, NullInput' {
            Get-ErrorId { @{ a = 1 } | ConvertTo-ModelData -Target y } | Should -Be 'TargetNotFound'
            Get-ErrorId { @() | ConvertTo-ModelData } | Should -Be 'NoDataRows'
            Get-ErrorId { $null | ConvertTo-ModelData } | Should -Be 'NullInput'
        }
    }
    Context 'DataFrame' {
        It 'round-trips a dataset through its DataFrame' {
            $iris = Get-SampleData Iris
            $df = $iris.DataFrame
            $df.Rows.Count | Should -Be 150
            $df.Columns.Count | Should -Be 5
            $df.Columns['species'][0] | Should -Be 'setosa'
            $back = ConvertTo-ModelData -DataFrame $df -Target species
            $back.FeatureNames | Should -Be $iris.FeatureNames
            $back.Classes | Should -Be $iris.Classes
            [Linq.Enumerable]::SequenceEqual($back.Engine.Features, $iris.Engine.Features) | Should -BeTrue
            $back.Engine.Labels | Should -Be $iris.Engine.Labels
        }
        It 'sees changes made to the DataFrame' {
            $df = (Get-SampleData Iris).ToDataFrame()
            $df.Columns['sepal_length'][0] = [single]99
            (ConvertTo-ModelData -DataFrame $df -Target species).GetFeatures(0)[0] | Should -Be 99
        }
        It 'reports null cells with their row and column' {
            $col = [Microsoft.Data.Analysis.SingleDataFrameColumn]::new('a', [long]2)
            $col[0] = [single]1
            $cols = [System.Collections.Generic.List[Microsoft.Data.Analysis.DataFrameColumn]]::new()
            $cols.Add($col)   # (a column is itself enumerable, so @($col) would unroll it)
            $df = [Microsoft.Data.Analysis.DataFrame]::new($cols)
            Get-ErrorId { ConvertTo-ModelData -DataFrame $df } | Should -Be 'MissingValue'
            { ConvertTo-ModelData -DataFrame $df } | Should -Throw "*Row 1*column 'a'*"
        }
    }
}
