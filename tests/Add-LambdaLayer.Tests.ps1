BeforeAll {
    . $PSScriptRoot/common.ps1
    function Invoke-Lambda([string] $Expression, [int[]] $Shape, [object[]] $Rows) {
        $width = 1; foreach ($d in $Shape) { $width *= $d }
        $m = New-Model -InputShape $width
        if ($Shape.Count -gt 1) { $m = $m | Add-ReshapeLayer $Shape }
        $m = $m | Add-LambdaLayer -Expression $Expression
        $p = $m | Invoke-ModelPredict -X $Rows -AsMatrix
        @(for ($i = 0; $i -lt $p.GetLength(1); $i++) { [math]::Round($p[0, $i], 5) })
    }
}

Describe 'Add-LambdaLayer' {
    Context 'expressions' {
        It 'evaluates <Expression> to <Expected>' -ForEach @(
            @{ Expression = 'x * 2 + 1'; Shape = , 3; Row = @(1, -2, 3); Expected = @(3, -3, 7) }
            @{ Expression = 'abs(x) ^ 2 - x / 2'; Shape = , 3; Row = @(1, -2, 4); Expected = @(0.5, 5, 14) }
            @{ Expression = 'x[:, 0:2]'; Shape = , 4; Row = @(5, 6, 7, 8); Expected = @(5, 6) }
            @{ Expression = 'x[:, -1]'; Shape = 2, 2; Row = @(1, 2, 3, 4); Expected = @(3, 4) }
            @{ Expression = 'x[:, ::2]'; Shape = , 5; Row = @(1, 2, 3, 4, 5); Expected = @(1, 3, 5) }
            @{ Expression = 'mean(x, 1)'; Shape = 2, 2; Row = @(1, 2, 3, 6); Expected = @(2, 4) }
            @{ Expression = 'sum(x, -1, 1)'; Shape = 2, 2; Row = @(1, 2, 3, 6); Expected = @(3, 9) }
            @{ Expression = 'clip(x, -1, 1) * -(2)'; Shape = , 3; Row = @(-5, 0.5, 5); Expected = @(2, -1, -2) }
            @{ Expression = 'relu(x) + maximum(x, 0.5)'; Shape = , 2; Row = @(-1, 2); Expected = @(0.5, 4) }
            @{ Expression = 'softmax(x)'; Shape = , 2; Row = @(0, 0); Expected = @(0.5, 0.5) }
            @{ Expression = '2 ** 3 * x'; Shape = , 1; Row = @(1); Expected = @(8) }
        ) {
            Invoke-Lambda $Expression $Shape @(, $Row) | Should -Be $Expected
        }

        It 'infers the output shape and saves the expression as text' {
            $m = New-Model -InputShape 4, 6 | Add-LambdaLayer 'x[:, 1:3, 0]'
            ($m | Get-ModelSummary).OutputShape | Should -Be '(None, 2)'
            $config = $m.Engine.Layers[0].GetConfig()
            $config['expression'] | Should -Be 'x[:, 1:3, 0]'
            $m.Engine.IsUnsafeToDeserialize | Should -BeFalse
        }

        It 'refuses <Expression> with InvalidExpression' -ForEach @(
            @{ Expression = 'x +' }
            @{ Expression = 'import(x)' }
            @{ Expression = 'y * 2' }
            @{ Expression = 'clip(x, 1)' }
            @{ Expression = 'x[:, 9]' }
            @{ Expression = 'sum(x, 0)' }
            @{ Expression = '[System.IO.File]::Delete(x)' }
        ) {
            Get-ErrorId { New-Model -InputShape 4 | Add-LambdaLayer -Expression $Expression } | Should -Be 'InvalidExpression'
        }

        It 'uses -OutputShape when given' {
            (New-Model -InputShape 4 | Add-LambdaLayer 'x' -OutputShape 4 | Get-ModelSummary).OutputShape | Should -Be '(None, 4)'
        }
    }

    Context 'script blocks' {
        It 'runs PowerShell on the batch tensor $x in prediction and training' {
            $m = New-Model -InputShape 3 -Seed 1 | Add-LambdaLayer -ScriptBlock { $x.abs() + $x.abs() }
            $p = $m | Invoke-ModelPredict -X @(, @(-1, 2, -3)) -AsMatrix
            @($p[0, 0], $p[0, 1], $p[0, 2]) | Should -Be @(2, 4, 6)
            $m = $m | Add-DenseLayer 1 | Build-Model -Optimizer sgd -Loss mse
            $h = $m | Invoke-ModelFit -X @(@(1, 2, 3), @(-1, 0, 1)) -Y @(1, 0) -Epochs 1
            [double]::IsFinite($h.Loss) | Should -BeTrue
        }

        It 'records that the layer carries code and marks the model unsafe to deserialize' {
            $m = New-Model -InputShape 3 | Add-LambdaLayer -ScriptBlock { $x.square() }
            $m.Engine.IsUnsafeToDeserialize | Should -BeTrue
            $config = $m.Engine.Layers[0].GetConfig()
            $config['contains_code'] | Should -BeTrue
            $config['function_type'] | Should -Be 'powershell'
            $config['function'].Trim() | Should -Be '$x.square()'
            ($m | Get-ModelSummary).Details | Should -Match 'unsafe'
        }

        It 'refuses to rebuild a code Lambda from its config unless unsafe code is allowed' {
            $config = (New-Model -InputShape 3 | Add-LambdaLayer -ScriptBlock { $x.square() }).Engine.Layers[0].GetConfig()
            $e = { [KerasPS.Engine.Layers.LayerRegistry]::FromConfig('Lambda', $config, $false) } | Should -Throw -PassThru
            $e.Exception.InnerException.ErrorId | Should -Be 'UnsafeLayerConfig'
            $restored = [KerasPS.Engine.Layers.LayerRegistry]::FromConfig('Lambda', $config, $true)
            $m = New-Model -InputShape 3
            $m.Engine.Add($restored)
            $p = $m | Invoke-ModelPredict -X @(, @(1, -2, 3)) -AsMatrix
            @($p[0, 0], $p[0, 1], $p[0, 2]) | Should -Be @(1, 4, 9)
        }

        It 'reports a script block that does not return one tensor with LambdaScriptFailed' {
            Get-ErrorId { New-Model -InputShape 3 | Add-LambdaLayer -ScriptBlock { 'not a tensor' } } | Should -Be 'LambdaScriptFailed'
            Get-ErrorId { New-Model -InputShape 3 | Add-LambdaLayer -ScriptBlock { throw 'boom' } } | Should -Be 'LambdaScriptFailed'
        }
    }
}
