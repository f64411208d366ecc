using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Training;

/// <summary>
/// The random generator that layers drawing noise in training (Dropout, GaussianNoise, AlphaDropout, ...) use.
/// The fit loop sets one per epoch on its own thread, seeded from (fit seed, epoch); libtorch's global generator
/// is process-wide, so parallel fits (sweeps in runspaces) would otherwise interleave their draws and stop being
/// reproducible. Outside a fit there is none and layers fall back to the global generator.
/// </summary>
public static class RandomContext
{
    [ThreadStatic] private static Generator? current;

    /// <summary>The current fit's generator on this thread, or null outside a fit.</summary>
    public static Generator? Current => current;

    /// <summary>Makes <paramref name="generator"/> current on this thread until the returned scope is disposed.</summary>
    public static IDisposable Use(Generator generator)
    {
        var previous = current;
        current = generator;
        return new Restore(() => current = previous);
    }

    /// <summary>A dropout mask: 1/(1-rate) with probability 1-rate, else 0, shaped like <paramref name="like"/>.</summary>
    public static Tensor DropoutMask(Tensor like, double rate)
    {
        var mask = torch.empty_like(like).bernoulli_(1 - rate, current);
        return mask.div_(Scalars.Of(1 - rate));
    }

    private sealed class Restore : IDisposable
    {
        private Action? undo;
        public Restore(Action undo) => this.undo = undo;
        public void Dispose() { undo?.Invoke(); undo = null; }
    }
}
