using KerasPS.Engine.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Training.Callbacks;

/// <summary>A copy of every weight of a model (trainable and state), kept outside dispose scopes, that can be written back.</summary>
public sealed class WeightSnapshot : IDisposable
{
    private readonly List<(Layers.Weight Weight, Tensor Copy)> copies = new();

    public WeightSnapshot(KerasModel model)
    {
        using var noGrad = torch.no_grad();
        foreach (var w in model.Weights)
        {
            var c = w.Value.detach().clone();
            c.DetachFromDisposeScope();
            copies.Add((w, c));
        }
    }

    public void Restore()
    {
        using var noGrad = torch.no_grad();
        foreach (var (w, c) in copies) w.Value.copy_(c);
    }

    public void Dispose()
    {
        foreach (var (_, c) in copies) c.Dispose();
        copies.Clear();
    }
}
