BeforeAll {
    . $PSScriptRoot/common.ps1

    # A residual block: x -> hidden -> skip (Add with x) -> out.
    $x = New-ModelInput -Shape 4 -Name x
    $hidden = $x | Add-DenseLayer 4 -Activation relu -Name hidden
    $out = $hidden | Add-AddLayer -With $x -Name skip | Add-DenseLayer 2 -Name out
    $script:Tiny = New-Model -Inputs $x -Outputs $out -Name tiny -Seed 1

    # A layer applied twice, the second time to its own output, then added to the input.
    $s = New-ModelInput -Shape 3 -Name s
    $first = $s | Add-DenseLayer 3 -Name shared
    $second = $first | Add-ModelLayer -Layer $first.Layer
    $script:Shared = New-Model -Inputs $s -Outputs ($second | Add-AddLayer -With $s) -Name twice -Seed 2

    function New-Chain([int] $Layers) {
        $m = New-Model -InputShape 5 -Seed 1
        for ($i = 0; $i -lt $Layers; $i++) { $m = $m | Add-DenseLayer 5 }
        $m
    }

    function Read-PngSize([string] $Path) {
        $b = [IO.File]::ReadAllBytes($Path)
        $be = { param($o) ([int]$b[$o] -shl 24) -bor ([int]$b[$o + 1] -shl 16) -bor ([int]$b[$o + 2] -shl 8) -bor [int]$b[$o + 3] }
        [pscustomobject]@{
            Magic  = ($b[0..7] | ForEach-Object { $_.ToString('X2') }) -join ' '
            Width  = & $be 16
            Height = & $be 20
        }
    }
}

Describe 'Export-ModelPlot' {
    Context 'DOT' {
        It 'writes one node per layer and one edge per tensor a layer reads' {
            $path = Join-Path $TestDrive 'tiny.dot'
            $Tiny | Export-ModelPlot -Path $path
            $expected = @(
                'digraph "tiny" {'
                '  graph [rankdir=TB];'
                '  node [shape=box, fontname="Helvetica"];'
                '  "x" [label="x (InputLayer)\ninput: (None, 4)\noutput: (None, 4)"];'
                '  "hidden" [label="hidden (Dense)\ninput: (None, 4)\noutput: (None, 4)"];'
                '  "skip" [label="skip (Add)\ninput: [(None, 4), (None, 4)]\noutput: (None, 4)"];'
                '  "out" [label="out (Dense)\ninput: (None, 4)\noutput: (None, 2)"];'
                '  "x" -> "hidden";'
                '  "hidden" -> "skip";'
                '  "x" -> "skip";'
                '  "skip" -> "out";'
                '}'
            ) -join "`n"
            [IO.File]::ReadAllText($path) | Should -BeExactly ($expected + "`n")
        }

        It 'draws an edge per call of a shared layer, its own output included' {
            $path = Join-Path $TestDrive 'shared.dot'
            $Shared | Export-ModelPlot -Path $path
            $edges = @(Get-Content $path | Where-Object { $_ -match '->' } | ForEach-Object Trim)
            $edges | Should -Be @('"s" -> "shared";', '"shared" -> "shared";', '"shared" -> "add";', '"s" -> "add";')
            @(Get-Content $path | Where-Object { $_ -match '\[label=' }).Count | Should -Be 3
        }

        It 'draws a Sequential model as a chain, and leaves the shapes out with -HideShapes' {
            $path = Join-Path $TestDrive 'chain.dot'
            New-Chain 3 | Export-ModelPlot -Path $path -HideShapes
            $lines = @(Get-Content $path | ForEach-Object Trim)
            $lines | Should -Contain '"dense" [label="dense (Dense)"];'
            @($lines | Where-Object { $_ -match '->' }) | Should -Be @('"dense" -> "dense_1";', '"dense_1" -> "dense_2";')
        }

        It 'draws a nested model as one box of its class' {
            $inner = New-Model -Name trunk -InputShape 4 -Seed 3 | Add-DenseLayer 4 | Add-DenseLayer 4
            $i = New-ModelInput -Shape 4 -Name features
            $outer = New-Model -Inputs $i -Outputs ($i | Add-ModelLayer -Layer $inner | Add-DenseLayer 1 -Name head) -Seed 4
            $path = Join-Path $TestDrive 'nested.dot'
            $outer | Export-ModelPlot -Path $path
            $text = Get-Content -Raw $path
            $text | Should -Match '"trunk" \[label="trunk \(Sequential\)\\ninput: \(None, 4\)\\noutput: \(None, 4\)"\];'
            $text | Should -Not -Match 'dense_1'
            @(Get-Content $path | Where-Object { $_ -match '->' } | ForEach-Object Trim) | Should -Be @('"features" -> "trunk";', '"trunk" -> "head";')
        }

        It 'draws a nested model''s own layers with -ExpandNested, the arrows going to and from them' {
            $inner = New-Model -Name trunk -InputShape 4 -Seed 3 | Add-DenseLayer 4 | Add-DenseLayer 4
            $i = New-ModelInput -Shape 4 -Name features
            $outer = New-Model -Inputs $i -Outputs ($i | Add-ModelLayer -Layer $inner | Add-DenseLayer 1 -Name head) -Seed 4
            $path = Join-Path $TestDrive 'expanded.dot'
            $outer | Export-ModelPlot -Path $path -ExpandNested -HideShapes
            $lines = @(Get-Content $path | ForEach-Object Trim)
            @($lines | Where-Object { $_ -match '\[label=' }) | Should -Be @('"features" [label="features (InputLayer)"];',
                '"trunk/dense" [label="trunk/dense (Dense)"];', '"trunk/dense_1" [label="trunk/dense_1 (Dense)"];', '"head" [label="head (Dense)"];')
            @($lines | Where-Object { $_ -match '->' }) | Should -Be @('"features" -> "trunk/dense";', '"trunk/dense" -> "trunk/dense_1";',
                '"trunk/dense_1" -> "head";')
        }

        It 'takes -Format over the extension' {
            $path = Join-Path $TestDrive 'graph.txt'
            $Tiny | Export-ModelPlot -Path $path -Format Dot
            (Get-Content $path -First 1) | Should -Be 'digraph "tiny" {'
        }
    }

    Context 'SVG and PNG' {
        It 'writes well-formed SVG with a box and the name of every layer' {
            $path = Join-Path $TestDrive 'tiny.svg'
            $file = $Tiny | Export-ModelPlot -Path $path -PassThru
            $file | Should -BeOfType [IO.FileInfo]
            [xml] $svg = Get-Content -Raw $path
            $svg.svg.width | Should -BeGreaterThan 0
            $texts = @($svg.SelectNodes('//*[local-name()="text"]') | ForEach-Object InnerText)
            foreach ($name in 'x (InputLayer)', 'hidden (Dense)', 'skip (Add)', 'out (Dense)') { $texts | Should -Contain $name }
            $texts | Should -Contain 'input: [(None, 4), (None, 4)]'
            @($svg.SelectNodes('//*[local-name()="rect"]')).Count | Should -Be 5 -Because 'a background and one box per layer'
        }

        It 'writes a PNG whose height grows with the depth of the model' {
            $short = Join-Path $TestDrive 'short.png'; $long = Join-Path $TestDrive 'long.png'
            New-Chain 2 | Export-ModelPlot -Path $short
            New-Chain 5 | Export-ModelPlot -Path $long
            $a = Read-PngSize $short; $b = Read-PngSize $long
            $a.Magic | Should -Be '89 50 4E 47 0D 0A 1A 0A'
            $b.Magic | Should -Be '89 50 4E 47 0D 0A 1A 0A'
            $b.Height | Should -BeGreaterThan ($a.Height + 150)
            $b.Width | Should -Be $a.Width
        }

        It 'places a residual block in rows: the skip arrow bends around the layer it skips' {
            $path = Join-Path $TestDrive 'rows.svg'
            $Tiny | Export-ModelPlot -Path $path
            [xml] $svg = Get-Content -Raw $path
            $boxes = @($svg.SelectNodes('//*[local-name()="rect"]') | Select-Object -Skip 1)
            $tops = @($boxes | ForEach-Object { [double]$_.y })
            ($tops | Sort-Object -Unique).Count | Should -Be 4 -Because 'x, hidden, skip and out are each one row deeper'
            # x -> skip passes hidden's row: a polyline with two more points than a straight arrow
            @($svg.SelectNodes('//*[local-name()="polyline"]') | Where-Object { ($_.points -split ' ').Count -eq 4 }).Count | Should -Be 1
        }
    }

    Context 'the file and refusals' {
        It 'keeps an existing file without -Force (PlotFileExists, as Export-HistoryPlot), and replaces it with -Force' {
            $path = Join-Path $TestDrive 'exists.svg'
            Set-Content -Path $path -Value 'old'
            Get-ErrorId { $Tiny | Export-ModelPlot -Path $path } | Should -Be 'PlotFileExists'
            Get-ErrorId { $Tiny | Export-ModelPlot -Path $path -NoClobber } | Should -Be 'PlotFileExists'
            Get-ErrorId { $Tiny | Export-ModelPlot -Path $path -Force -NoClobber } | Should -Be 'ForceAndNoClobber'
            Get-Content $path | Should -Be 'old'
            $Tiny | Export-ModelPlot -Path $path -Force
            (Get-Content -Raw $path) | Should -Match '<svg'
        }

        It 'writes nothing with -WhatIf' {
            $path = Join-Path $TestDrive 'whatif.png'
            $Tiny | Export-ModelPlot -Path $path -WhatIf
            Test-Path $path | Should -BeFalse
        }

        It 'refuses a model that is not built, and an unknown extension' {
            Get-ErrorId { New-Model | Add-DenseLayer 3 | Export-ModelPlot -Path (Join-Path $TestDrive 'unbuilt.svg') } | Should -Be 'ModelNotBuilt'
            Test-Path (Join-Path $TestDrive 'unbuilt.svg') | Should -BeFalse
            Get-ErrorId { $Tiny | Export-ModelPlot -Path (Join-Path $TestDrive 'x.jpg') } | Should -Be 'UnsupportedPlotFormat'
            Get-ErrorId { $Tiny | Export-ModelPlot -Path (Join-Path $TestDrive 'no/such/x.svg') } | Should -Be 'PlotFolderNotFound'
        }
    }
}
