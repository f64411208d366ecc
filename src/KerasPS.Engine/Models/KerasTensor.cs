using KerasPS.Engine.Data;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Core;

namespace KerasPS.Engine.Models;

/// <summary>
/// A symbolic tensor of the functional API (Keras's <c>KerasTensor</c>): no values, only the shape (without the batch
/// axis) and where it comes from: the node (one call of a layer) that produces it. Applying a layer to symbolic
/// tensors records a node and returns its output; <see cref="KerasModel"/>'s graph constructor walks these back.
/// </summary>
public sealed class KerasTensor
{
    internal KerasTensor(Node node, int[] shape, string dtype)
    {
        Node = node;
        Shape = shape;
        DType = dtype;
    }

    /// <summary>The call of a layer that produces this tensor.</summary>
    public Node Node { get; }
    public Layer Layer => Node.Layer;
    public int[] Shape { get; }
    public string DType { get; }

    /// <summary>Keras's <c>keras_history</c>: (layer name, node index, tensor index).</summary>
    public string History => $"{Layer.Name}[{Node.Index}][0]";

    /// <summary>
    /// A new model input (Keras's <c>Input</c>): an <see cref="InputLayer"/> and the tensor it produces.
    /// </summary>
    public static KerasTensor Input(int[] shape, string? name = null, string dtype = InputLayer.DefaultDType)
    {
        var layer = new InputLayer(Shapes.Validate(shape, "Shape"), name, dtype);
        return new Node(layer, Array.Empty<KerasTensor>(), layer.DeclaredInputShape!, dtype).Output;
    }

    /// <summary>
    /// Keras's <c>layer(inputs)</c> on symbolic tensors: checks the shapes (the layer's own error when they cannot work) and
    /// records the call. The layer's weights are made when a model is built from the graph (<see cref="KerasModel"/>'s graph
    /// constructor), or are the ones it has already (a shared or pretrained layer).
    /// </summary>
    public static KerasTensor Apply(Layer layer, IReadOnlyList<KerasTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (inputs.Count == 0)
            throw KerasException.BadArgument("LayerInputCount", $"Layer '{layer.Name}' ({layer.ClassName}) was applied to no tensor.");
        if (layer is InputLayer)
            throw KerasException.BadArgument("InvalidLayerCall", "An input layer cannot be applied to a tensor; use its tensor instead.");
        if (inputs.Any(t => t.DType == StringInputs.DType))   // encoded on the host by the layer (TextVectorization, ...)
            return new Node(layer, inputs.ToArray(), StringInputs.OutputShape(layer, inputs), "float32").Output;
        var shapes = inputs.Select(t => t.Shape).ToArray();
        if (!layer.TakesSeveralInputs && layer.DeclaredInputShape is { } declared && !Shapes.SameAs(declared, shapes[0]))
            throw KerasException.BadArgument("InputShapeMismatch",
                $"Layer '{layer.Name}' declares input shape {Shapes.Format(declared)}, but the tensor it is applied to has shape "
                    + $"{Shapes.Format(shapes[0])}. Leave out -InputShape in the functional API; the tensor gives the shape.");
        var output = layer.ComputeOutputShape(shapes);   // the layer's own clear error when the shapes cannot work
        if (layer.Built && layer.InputShapes is { } built
            && (built.Count != shapes.Length || built.Zip(shapes).Any(p => !Shapes.SameAs(p.First, p.Second))))
            throw KerasException.BadArgument("SharedLayerShapeMismatch",
                $"Layer '{layer.Name}' was built for input {string.Join(", ", built.Select(Shapes.Format))}; applying it again to "
                    + $"{string.Join(", ", shapes.Select(Shapes.Format))} would need other weights. A shared layer takes tensors of "
                    + "the shape it was first applied to.");
        var dtype = layer is Embedding || inputs.All(t => t.DType == "string") ? "float32" : inputs[0].DType;
        return new Node(layer, inputs.ToArray(), output, dtype).Output;
    }

    public override string ToString() => $"KerasTensor(shape={Shapes.Format(Shape)}, dtype={DType}, from={Layer.ClassName})";
}

/// <summary>One call of a layer on symbolic tensors (Keras's <c>Node</c>): the layer, the tensors it read, the tensor it gave.</summary>
public sealed class Node
{
    internal Node(Layer layer, KerasTensor[] inputs, int[] outputShape, string dtype)
    {
        Layer = layer;
        Inputs = inputs;
        Output = new KerasTensor(this, outputShape, dtype);
    }

    public Layer Layer { get; }
    public IReadOnlyList<KerasTensor> Inputs { get; }
    public KerasTensor Output { get; }

    /// <summary>Keras's node index: which call of its layer, among the calls inside the model, this is (0 for the first); set
    /// when a model is built from the graph.</summary>
    public int Index { get; internal set; }
}
