using KerasPS.Engine.Layers;

namespace KerasPS.Engine.Onnx;

/// <summary>
/// A layer's ONNX form, kept in the layer's own class: <see cref="OnnxExporter"/> walks the model, hands each layer the
/// names of its input values and wires the names it returns into the next layer, and never looks at a layer's type.
/// A registered layer that does not implement it is refused by name (<c>OnnxUnsupportedLayer</c>).
/// </summary>
/// <remarks>
/// Inputs and outputs are lists so that a layer with several inputs (a merge layer such as Add or Concatenate) or
/// several outputs lowers through the same contract; a Sequential layer gets one input and returns one output.
/// Nodes and constants the layer adds are named under the layer's name (<see cref="OnnxGraph.Scope"/>).
/// </remarks>
internal interface IOnnxLowering
{
    /// <summary>
    /// Refuses, before any node of the model is added, a configuration the graph cannot express (a
    /// <see cref="KerasException"/> naming the layer). Most layers can always be lowered and keep this default.
    /// </summary>
    void CheckOnnxExport() { }

    /// <summary>Adds the nodes of the layer's inference-time forward pass on <paramref name="inputs"/>; returns its outputs.</summary>
    IReadOnlyList<string> LowerToOnnx(OnnxGraph graph, IReadOnlyList<string> inputs);
}

/// <summary>The common case of <see cref="IOnnxLowering"/>: one input value, one output value.</summary>
internal interface IOnnxSingleLowering : IOnnxLowering
{
    /// <summary>Adds the nodes that compute the layer on <paramref name="x"/> and returns the output's name.</summary>
    string LowerToOnnx(OnnxGraph graph, string x);

    IReadOnlyList<string> IOnnxLowering.LowerToOnnx(OnnxGraph graph, IReadOnlyList<string> inputs)
    {
        if (inputs.Count != 1)
            throw new InvalidOperationException($"Layer {this} takes one input; the ONNX graph gave it {inputs.Count}.");
        return new[] { LowerToOnnx(graph, inputs[0]) };
    }
}

/// <summary>A layer that only acts while training (dropout, noise, an activity penalty): identity at inference, no nodes.</summary>
internal interface IOnnxIdentity : IOnnxSingleLowering
{
    string IOnnxSingleLowering.LowerToOnnx(OnnxGraph graph, string x) => x;
}

/// <summary>Pieces the layers' lowerings share: weights as constants, attributes, channels-first transposes, pads.</summary>
internal static class OnnxLowering
{
    public static OnnxAttribute A(string name, object value) => new(name, value);

    /// <summary>The layer's weight <paramref name="name"/> (it must exist once the layer is built).</summary>
    public static Weight WeightOf(Layer layer, string name) =>
        layer.Weights.FirstOrDefault(w => w.Name == name)
        ?? throw new InvalidOperationException($"Layer {layer} has no weight '{name}'.");

    /// <summary>The layer's weight <paramref name="name"/>, or null where the configuration has none (a bias, a scale).</summary>
    public static Weight? OptionalWeightOf(Layer layer, string name) => layer.Weights.FirstOrDefault(w => w.Name == name);

    /// <summary>A weight as a float constant of its own shape, named after it.</summary>
    public static string Constant(this OnnxGraph g, Weight w) => g.Constant(w.Name, w.ToArray(), w.Shape);

    /// <summary>Channels-last inputs are transposed to ONNX's (batch, channels, spatial...) and back.</summary>
    public static (string ToOnnx, Func<string, string> Back) ChannelsFirst(OnnxGraph g, string x, int rank, bool channelsLast)
    {
        if (!channelsLast) return (x, y => y);
        long[] toFirst = rank == 1 ? new long[] { 0, 2, 1 } : new long[] { 0, 3, 1, 2 };
        long[] toLast = rank == 1 ? new long[] { 0, 2, 1 } : new long[] { 0, 2, 3, 1 };
        return (g.Op("Transpose", new[] { x }, A("perm", toFirst)), y => g.Op("Transpose", new[] { y }, A("perm", toLast)));
    }

    /// <summary>ONNX pads (all begins, then all ends) for Keras's padding: "same" puts the odd extra after, "causal" all before.</summary>
    public static long[] Pads(int[] spatial, int[] kernel, int[] strides, int[] dilation, string padding)
    {
        var p = spatial.Select((len, i) => Layers.Convolution.Spatial.Padding(len, kernel[i], strides[i], dilation[i], padding)).ToArray();
        return p.Select(v => v.Before).Concat(p.Select(v => v.After)).ToArray();
    }

    public static long[] Longs(IEnumerable<int> values) => values.Select(v => (long)v).ToArray();
}
