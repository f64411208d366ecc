# KerasPS beside other modules' versions of its dependencies, in one pwsh process, in both orders: CsvHelper 30,
# SkiaSharp 3 (with its own native library), Google.Protobuf 3.30 and System.Collections.Immutable 8, restored by
# tests/conflicts/OtherVersions.proj and loaded with Add-Type as a script module would. Before KerasPS had its own
# load context, CsvHelper 30 first broke Import-ModelData and SkiaSharp 3 first broke PNG export, and KerasPS first
# broke the other module's CsvHelper.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . (Join-Path $RepoRoot 'tools/BuildTools.ps1')   # Get-NuGetPackagesRoot
    & dotnet restore (Join-Path $PSScriptRoot 'conflicts/OtherVersions.proj') --nologo -v quiet
    if ($LASTEXITCODE -ne 0) { throw 'Restoring the other versions (tests/conflicts/OtherVersions.proj) failed.' }
    $nuget = Get-NuGetPackagesRoot
    # The other module's folder: SkiaSharp 3 finds its native library beside its assembly.
    $other = Join-Path $TestDrive 'other-module'
    New-Item -ItemType Directory -Force $other | Out-Null
    Copy-Item (Join-Path $nuget 'skiasharp/3.119.0/lib/net8.0/SkiaSharp.dll'), (Join-Path $nuget 'skiasharp.nativeassets.linux.nodependencies/3.119.0/runtimes/linux-x64/native/libSkiaSharp.so') $other
    Copy-Item (Join-Path $nuget 'csvhelper/30.0.1/lib/net6.0/CsvHelper.dll'), (Join-Path $nuget 'google.protobuf/3.30.2/lib/net5.0/Google.Protobuf.dll'),
        (Join-Path $nuget 'system.collections.immutable/8.0.0/lib/net8.0/System.Collections.Immutable.dll') $other
    $work = Join-Path $TestDrive 'work'
    New-Item -ItemType Directory -Force $work | Out-Null
    Set-Content (Join-Path $work 'flowers.csv') -Value ((Import-Csv (Join-Path $RepoRoot 'module/data/iris.csv') | Select-Object -First 60 | ConvertTo-Csv) -join "`n")

    $functions = @"
`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'
function Import-Others {
    foreach (`$dll in 'CsvHelper', 'SkiaSharp', 'Google.Protobuf', 'System.Collections.Immutable') { Add-Type -Path (Join-Path '$other' "`$dll.dll") }
}
function Test-Others([string] `$When) {
    `$r = [CsvHelper.CsvReader]::new([IO.StringReader]::new("a,b``n1,2"), [Globalization.CultureInfo]::InvariantCulture)
    `$null = `$r.Read(); `$null = `$r.ReadHeader(); `$null = `$r.Read()
    "OTHER_CSV_`$When=" + `$r.GetField('b') + '@' + `$r.GetType().Assembly.GetName().Version
    `$png = [SkiaSharp.SKImage]::FromBitmap([SkiaSharp.SKBitmap]::new(8, 8)).Encode([SkiaSharp.SKEncodedImageFormat]::Png, 100)
    "OTHER_SKIA_`$When=" + [int](`$png.Size -gt 0) + '@' + [SkiaSharp.SKBitmap].Assembly.GetName().Version
    "OTHER_PROTOBUF_`$When=" + [Google.Protobuf.ByteString]::CopyFromUtf8('abc').Length + '@' + [Google.Protobuf.ByteString].Assembly.GetName().Version
    "OTHER_IMMUTABLE_`$When=" + [System.Collections.Immutable.ImmutableArray]::Create[int](1, 2).Length
}
function Test-KerasPS {
    Import-Module '$(Join-Path $RepoRoot 'KerasPS.psd1')'
    `$csv = Import-ModelData '$work/flowers.csv' -Target species
    'KERAS_CSV=' + `$csv.Count
    `$data = Get-SampleData Iris
    'KERAS_SAMPLE=' + `$data.Count
    `$model = New-Model -InputShape 4 -Seed 2 | Add-DenseLayer 8 -Activation relu | Add-DenseLayer 3 -Activation softmax |
        Build-Model -Optimizer adam -Loss categorical_crossentropy -Metrics accuracy
    `$history = `$model | Invoke-ModelFit -Data `$data -Epochs 3 -BatchSize 16 -Seed 2
    'KERAS_FIT=' + `$history.Count
    `$model | Export-Checkpoint '$work/m.kpt' -Force
    `$back = Import-Checkpoint '$work/m.kpt'
    `$a = `$model | Invoke-ModelPredict -Data `$data -AsMatrix; `$b = `$back | Invoke-ModelPredict -Data `$data -AsMatrix
    'KERAS_CHECKPOINT=' + [int]((`$a -join ',') -eq (`$b -join ','))
    `$history | Export-HistoryPlot -Path '$work/h.png' -Force; `$history | Export-HistoryPlot -Path '$work/h.svg' -Force
    `$bytes = [IO.File]::ReadAllBytes('$work/h.png')
    'KERAS_PNG=' + [Text.Encoding]::ASCII.GetString(`$bytes, 1, 3)
    'KERAS_SVG=' + [int]((Get-Content '$work/h.svg' -Raw) -match '<svg')
    `$round = ConvertTo-ModelData -DataFrame `$data.DataFrame -Target species
    'KERAS_DATAFRAME=' + [int]((`$round.Engine.Features -join ',') -eq (`$data.Engine.Features -join ','))
    `$sweep = Invoke-ModelSweep -Parameters @{ Units = 4, 8 } -ThrottleLimit 2 -Seed 5 -Data `$data -ValidationSplit 0.2 -Epochs 2 -ModelScript {
        param(`$p) New-Model -InputShape 4 | Add-DenseLayer `$p.Units -Activation relu | Add-DenseLayer 3 -Activation softmax | Build-Model adam categorical_crossentropy }
    'KERAS_SWEEP=' + @(`$sweep | Where-Object { -not `$_.Error }).Count
}
"@
    $script:otherFirst = Invoke-FreshPwsh "$functions`nImport-Others; Test-Others before; Test-KerasPS; Test-Others after"
    $script:kerasFirst = Invoke-FreshPwsh "$functions`nTest-KerasPS; Import-Others; Test-Others after; Test-KerasPS"
}

Describe 'KerasPS beside other versions of its dependencies' -Tag Slow {
    It 'works when the other versions were loaded first: <Line>' -ForEach @(
        @{ Line = 'KERAS_CSV=60' }, @{ Line = 'KERAS_SAMPLE=150' }, @{ Line = 'KERAS_FIT=3' }, @{ Line = 'KERAS_CHECKPOINT=1' },
        @{ Line = 'KERAS_PNG=PNG' }, @{ Line = 'KERAS_SVG=1' }, @{ Line = 'KERAS_DATAFRAME=1' }, @{ Line = 'KERAS_SWEEP=2' }
    ) {
        $otherFirst.Output | Should -Match ([regex]::Escape($Line)) -Because $otherFirst.Output
    }

    It 'leaves the other module working, before and after KerasPS loads' {
        foreach ($when in 'before', 'after') {
            $otherFirst.Output | Should -Match "OTHER_CSV_$when=2@30\.0\.0\.0"
            $otherFirst.Output | Should -Match "OTHER_SKIA_$when=1@3\.119\.0\.0"
            $otherFirst.Output | Should -Match "OTHER_PROTOBUF_$when=3@3\.30\.2\.0"
            $otherFirst.Output | Should -Match "OTHER_IMMUTABLE_$when=2"
        }
        $otherFirst.ExitCode | Should -Be 0
    }

    It 'works in the reverse order: KerasPS first, then the other versions load and work, and KerasPS still works' {
        $kerasFirst.ExitCode | Should -Be 0 -Because $kerasFirst.Output
        $kerasFirst.Output | Should -Match 'OTHER_CSV_after=2@30\.0\.0\.0'
        $kerasFirst.Output | Should -Match 'OTHER_SKIA_after=1@3\.119\.0\.0'
        $kerasFirst.Output | Should -Match 'OTHER_PROTOBUF_after=3@3\.30\.2\.0'
        foreach ($line in 'KERAS_CSV=60', 'KERAS_PNG=PNG', 'KERAS_DATAFRAME=1', 'KERAS_SWEEP=2') {
            ([regex]::Matches($kerasFirst.Output, [regex]::Escape($line))).Count | Should -Be 2 -Because "$line, before and after the other versions loaded"
        }
    }
}
