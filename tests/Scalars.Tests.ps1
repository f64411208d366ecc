BeforeAll {
    . $PSScriptRoot/common.ps1
    [KerasPS.Engine.Native.TorchRuntime]::EnsureLoaded()   # libtorch from the module's runtime folder, before any tensor
    # Runs a collection and the finalizers it queues, as another thread's allocation would during a libtorch call.
    function Invoke-FullCollection { [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect() }
}

# docs/STYLE.md (TorchSharp idioms): TorchSharp does not keep a Scalar alive during the native call it is passed to,
# so the engine passes Scalars that outlive the call. The race itself cannot be forced from here (the collection has to
# fall between TorchSharp reading the handle and libtorch reading the value); these tests hold the two facts it rests on.
Describe 'Scalars' {
    It 'lets a collection finalize a temporary Scalar that nothing references (the hazard)' {
        $weak = & { [WeakReference]::new([TorchSharp.ScalarExtensionMethods]::ToScalar([double] 0.375)) }
        Invoke-FullCollection
        $weak.IsAlive | Should -BeFalse
    }
    It 'keeps a constant''s Scalar alive through a collection and gives the same one again' {
        $weak = & { [WeakReference]::new([KerasPS.Engine.Scalars]::Of([double] 0.625)) }
        Invoke-FullCollection
        $weak.IsAlive | Should -BeTrue
        [object]::ReferenceEquals($weak.Target, [KerasPS.Engine.Scalars]::Of([double] 0.625)) | Should -BeTrue
        $weak.Target.Type | Should -Be 'Float64'
    }
    It 'makes One and Zero integral, so that they suit integer tensors as TorchSharp''s own alpha of 1 does' {
        [KerasPS.Engine.Scalars]::One.Type | Should -Be 'Int64'
        [KerasPS.Engine.Scalars]::Zero.Type | Should -Be 'Int64'
        $ids = [TorchSharp.torch]::tensor([long[]] (3, 4))
        [KerasPS.Engine.Scalars]::Plus($ids, $ids).data[long]().ToArray() | Should -Be @(6, 8)
        $ids.dtype | Should -Be 'Int64'
    }
    It 'computes a + b, a + c, 1 - x and x squared as TorchSharp''s operators do' {
        $x = [TorchSharp.torch]::tensor([float[]] (-1.5, 0.25, 3))
        $y = [TorchSharp.torch]::tensor([float[]] (2, 4, -8))
        [KerasPS.Engine.Scalars]::Plus($x, $y).data[float]().ToArray() | Should -Be @(0.5, 4.25, -5)
        [KerasPS.Engine.Scalars]::Plus($x, [double] 0.5).data[float]().ToArray() | Should -Be @(-1, 0.75, 3.5)
        [KerasPS.Engine.Scalars]::OneMinus($x).data[float]().ToArray() | Should -Be @(2.5, 0.75, -2)
        [KerasPS.Engine.Scalars]::Squared($x).data[float]().ToArray() | Should -Be @(2.25, 0.0625, 9)
        $acc = [TorchSharp.torch]::zeros([long[]] 3)
        $null = [KerasPS.Engine.Scalars]::PlusInPlace($acc, $y)
        $acc.data[float]().ToArray() | Should -Be @(2, 4, -8)
    }
}
