using KerasPS.Engine.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace KerasPS.Engine.Training;

/// <summary>
/// All trainable weights of a model re-homed as views of one flat tensor, with their gradients as views of a
/// second flat tensor. Backward accumulates into those gradient views in place (autograd adds into an existing
/// .grad when grad mode is off, as it is during backward), so zeroing every gradient is one call and an optimizer
/// step is a handful of calls on two tensors instead of a handful per weight. Updates are elementwise, so this
/// computes exactly what per-weight updates compute.
/// </summary>
internal sealed class ParameterBuffer : IDisposable
{
    private ParameterBuffer(IReadOnlyList<Weight> weights, Tensor values, Tensor grads, Tensor[] valueViews, Tensor[] gradViews,
        long[] offsets)
    {
        Offsets = offsets;
        Weights = weights;
        Values = values;
        Grads = grads;
        ValueViews = valueViews;
        GradViews = gradViews;
    }

    public IReadOnlyList<Weight> Weights { get; }
    public Tensor Values { get; }
    public Tensor Grads { get; }
    public Tensor[] ValueViews { get; }
    public Tensor[] GradViews { get; }

    /// <summary>Where each weight starts in the flat buffers.</summary>
    public long[] Offsets { get; }

    public bool Covers(IReadOnlyList<Weight> weights) =>
        weights.Count == Weights.Count
            && weights.Select((w, i) => ReferenceEquals(w, Weights[i]) && ReferenceEquals(w.Value, ValueViews[i])).All(x => x);

    public static ParameterBuffer Create(IReadOnlyList<Weight> weights)
    {
        long total = weights.Sum(w => w.Count);
        using var noGrad = torch.no_grad();
        var values = torch.empty(total, dtype: ScalarType.Float32);
        var grads = torch.zeros(total, dtype: ScalarType.Float32);
        values.DetachFromDisposeScope();
        grads.DetachFromDisposeScope();
        var valueViews = new Tensor[weights.Count];
        var gradViews = new Tensor[weights.Count];
        var offsets = new long[weights.Count];
        long offset = 0;
        for (int i = 0; i < weights.Count; i++)
        {
            var w = weights[i];
            long n = w.Count;
            var shape = w.Shape;
            var v = values.narrow(0, offset, n).view(shape);
            v.copy_(w.Value);
            v.DetachFromDisposeScope();
            var g = grads.narrow(0, offset, n).view(shape);
            g.DetachFromDisposeScope();
            v.requires_grad_(true);
            v.grad = g;
            var old = w.Value;
            w.Value = v;
            old.Dispose();
            valueViews[i] = v;
            gradViews[i] = g;
            offsets[i] = offset;
            offset += n;
        }
        return new ParameterBuffer(weights, values, grads, valueViews, gradViews, offsets);
    }

    /// <summary>Attaches each gradient view as its weight's .grad (again), so backward accumulates into the flat buffer.</summary>
    public void AttachGrads()
    {
        for (int i = 0; i < ValueViews.Length; i++) ValueViews[i].grad = GradViews[i];
    }

    /// <summary>Releases this object's handles on the flat tensors; the weights' views keep the storage they use alive.</summary>
    public void Dispose()
    {
        Values.Dispose();
        Grads.Dispose();
        foreach (var g in GradViews) g.Dispose();
    }
}
