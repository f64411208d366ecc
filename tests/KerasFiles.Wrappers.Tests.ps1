# Bidirectional's and TimeDistributed's inner layers in a Keras 3 .keras file: keras/src/saving/saving_lib.py saves a layer's
# own variables at <path>/vars and walks its public attributes for the layers it holds (_walk_saveable), so Bidirectional's
# layers sit at <path>/forward_layer and <path>/backward_layer (an RNN's variables under its cell: cell/vars) and
# TimeDistributed's (a Wrapper) at <path>/layer. Read back by Debian's h5py, an independent HDF5 reader.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "kerasps-wrappers-$PID"
    New-Item -ItemType Directory -Force $script:Work | Out-Null
}
AfterAll { Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore }

Describe 'Wrapped layers in .keras files' -Tag Slow, MachineChanging {
    BeforeAll {
        $script:Python = Install-H5py
        $script:Dump = @'
import h5py, json, sys, zipfile, io
f = h5py.File(io.BytesIO(zipfile.ZipFile(sys.argv[1]).read("model.weights.h5")), "r")
out = {}
f.visititems(lambda n, o: out.__setitem__(n, [float(v) for v in o[()].reshape(-1)]) if isinstance(o, h5py.Dataset) else None)
print(json.dumps(out))
'@
    }

    It 'writes and reads Bidirectional''s forward_layer/backward_layer and TimeDistributed''s layer at saving_lib''s paths' {
        $model = New-Model -InputShape 3, 2 -Seed 4 | Add-BidirectionalLayer (New-Model | Add-LSTMLayer 2 -ReturnSequences) |
            Add-TimeDistributedLayer (New-Model | Add-DenseLayer 3)
        $path = Join-Path $script:Work 'wrappers.keras'
        $model | Export-Checkpoint -Path $path -Force
        $dump = & $script:Python -c $script:Dump $path | ConvertFrom-Json -AsHashtable
        $LASTEXITCODE | Should -Be 0
        $bi = $model.Engine.Layers[0]; $td = $model.Engine.Layers[1]
        $expected = [ordered]@{}
        for ($i = 0; $i -lt 3; $i++) {
            $expected["layers/bidirectional/forward_layer/cell/vars/$i"] = $bi.ForwardLayer.Weights[$i]
            $expected["layers/bidirectional/backward_layer/cell/vars/$i"] = $bi.BackwardLayer.Weights[$i]
        }
        for ($i = 0; $i -lt 2; $i++) { $expected["layers/time_distributed/layer/vars/$i"] = $td.Inner.Weights[$i] }
        @($dump.Keys | Sort-Object) | Should -Be @($expected.Keys | Sort-Object)
        foreach ($k in $expected.Keys) { $dump[$k] | Should -Be @($expected[$k].ToArray()) -Because $k }
        $back = Import-Checkpoint -Path $path
        $back.Engine.Layers[0].BackwardLayer.Weights[1].ToArray() | Should -Be @($bi.BackwardLayer.Weights[1].ToArray())
        $back.Engine.Layers[1].Inner.Weights[0].ToArray() | Should -Be @($td.Inner.Weights[0].ToArray())
    }
}
