using System.Collections.Concurrent;
using KerasPS.Engine.Native;
using TorchSharp;

namespace KerasPS.Engine;

/// <summary>
/// TorchSharp Scalars that outlive the libtorch calls they are passed to (docs/STYLE.md, TorchSharp idioms). TorchSharp
/// reads a Scalar's handle and does not keep the managed Scalar alive during the native call, so a temporary (an implicit
/// double → Scalar conversion, or the alpha of 1 that <c>Tensor.add(Tensor)</c> and the tensor-and-number operators make
/// inside TorchSharp) can be finalized, and its native value freed, by a garbage collection that another thread starts
/// (a streamed-data reader, a parallel trial) while libtorch still reads it. Constants (literals, a layer's or a loss's
/// settings) come from here: cached for the process and never freed, so a handful per model. A value that changes with
/// every batch is made at the call with <c>using var s = value.ToScalar();</c>, which keeps it alive to the end of the
/// block.
/// </summary>
public static class Scalars
{
    private static readonly ConcurrentDictionary<double, Scalar> Doubles = new();
    private static readonly ConcurrentDictionary<long, Scalar> Longs = new();

    /// <summary>The integral 1: the alpha of an addition (as TorchSharp's own, valid for integer tensors too).</summary>
    public static Scalar One => Of(1L);

    /// <summary>The integral 0.</summary>
    public static Scalar Zero => Of(0L);

    /// <summary>A floating-point constant's Scalar, cached.</summary>
    public static Scalar Of(double value) => Doubles.GetOrAdd(value, static v => { TorchRuntime.EnsureLoaded(); return v.ToScalar(); });

    /// <summary>An integral constant's Scalar, cached (an integer Scalar keeps integer tensors integral, as arange needs).</summary>
    public static Scalar Of(long value) => Longs.GetOrAdd(value, static v => { TorchRuntime.EnsureLoaded(); return v.ToScalar(); });

    /// <summary><paramref name="a"/> + <paramref name="b"/> with a kept alpha (TorchSharp's + and add(Tensor) make a 1).</summary>
    public static torch.Tensor Plus(this torch.Tensor a, torch.Tensor b) => a.add(b, One);

    /// <summary><paramref name="a"/> + a constant, both Scalars kept (add(Scalar) makes a temporary alpha of 1).</summary>
    public static torch.Tensor Plus(this torch.Tensor a, double constant) => a.add(Of(constant), One);

    /// <summary>In place, <paramref name="a"/> += <paramref name="b"/> with a kept alpha (add_(Tensor) makes a temporary 1).</summary>
    public static torch.Tensor PlusInPlace(this torch.Tensor a, torch.Tensor b) => a.add_(b, One);

    /// <summary>In place, <paramref name="a"/> += <paramref name="s"/>, a Scalar the caller keeps, with a kept alpha.</summary>
    public static torch.Tensor PlusInPlace(this torch.Tensor a, Scalar s) => a.add_(s, One);

    /// <summary>1 - <paramref name="x"/>, computed as TorchSharp's 1 - x is (-x + 1), with kept Scalars.</summary>
    public static torch.Tensor OneMinus(this torch.Tensor x) => x.neg().add(One, One);

    /// <summary><paramref name="x"/> squared with a kept exponent (TorchSharp's square() is pow with a temporary 2).</summary>
    public static torch.Tensor Squared(this torch.Tensor x) => x.pow(Of(2L));
}
