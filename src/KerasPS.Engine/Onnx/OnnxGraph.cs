using System.Buffers.Binary;

namespace KerasPS.Engine.Onnx;

/// <summary>An attribute value of an ONNX node: an int, a float, a string, or a list of ints, floats or strings.</summary>
internal sealed record OnnxAttribute(string Name, object Value);

internal sealed record OnnxNode(string OpType, string[] Inputs, string[] Outputs, string Name, OnnxAttribute[] Attributes);

/// <summary>A constant tensor of the graph (a weight or an operand such as a shape), float32 or int64.</summary>
internal sealed record OnnxInitializer(string Name, long[] Dims, float[]? Floats, long[]? Longs);

/// <summary>
/// An ONNX graph under construction: nodes in execution order, constants, one input and one output, and the file's
/// metadata. <see cref="ToModelProto"/> writes the ModelProto message (onnx/onnx.proto, field numbers as there).
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>The opset the exporter writes: ONNX 1.12 (the first with LayerNormalization), IR version 8.</summary>
    public const int Opset = 17;
    public const int IrVersion = 8;

    private const int FloatType = 1, Int64Type = 7;

    private readonly List<OnnxNode> nodes = new();
    private readonly List<OnnxInitializer> initializers = new();
    private readonly HashSet<string> names = new(StringComparer.Ordinal);

    public OnnxGraph(string name) => Name = name;

    public string Name { get; }
    public IReadOnlyList<OnnxNode> Nodes => nodes;

    /// <summary>The name prefix of nodes and constants being added, e.g. the Keras layer's name.</summary>
    public string Scope { get; set; } = "";

    /// <summary>A name not used yet in the graph, under the current scope.</summary>
    public string Fresh(string stem)
    {
        var baseName = Scope.Length == 0 ? stem : $"{Scope}/{stem}";
        var candidate = baseName;
        for (int i = 1; !names.Add(candidate); i++) candidate = $"{baseName}_{i}";
        return candidate;
    }

    /// <summary>Reserves a name exactly as given (the graph's input and output).</summary>
    public void Reserve(string name)
    {
        if (!names.Add(name)) throw new InvalidOperationException($"ONNX name '{name}' is already used.");
    }

    public string Constant(string stem, float[] values, params long[] dims)
    {
        var name = Fresh(stem);
        initializers.Add(new OnnxInitializer(name, dims, values, null));
        return name;
    }

    public string Scalar(string stem, float value) => Constant(stem, new[] { value });

    public string Longs(string stem, params long[] values)
    {
        var name = Fresh(stem);
        initializers.Add(new OnnxInitializer(name, new long[] { values.Length }, null, values));
        return name;
    }

    public string LongScalar(string stem, long value)
    {
        var name = Fresh(stem);
        initializers.Add(new OnnxInitializer(name, Array.Empty<long>(), null, new[] { value }));
        return name;
    }

    /// <summary>Adds a node with one output and returns that output's name.</summary>
    public string Op(string opType, string[] inputs, params OnnxAttribute[] attributes) => OpMulti(opType, inputs, 1, attributes)[0];

    public string[] OpMulti(string opType, string[] inputs, int outputs, params OnnxAttribute[] attributes)
    {
        var outNames = Enumerable.Range(0, outputs).Select(i => Fresh(outputs == 1 ? opType : $"{opType}_out{i}")).ToArray();
        nodes.Add(new OnnxNode(opType, inputs, outNames, Fresh(opType + "_node"), attributes));
        return outNames;
    }

    /// <summary>
    /// Makes <paramref name="tensor"/> available under <paramref name="outputName"/>: renames the output of the node that
    /// made it when that is the last node, otherwise adds an Identity node.
    /// </summary>
    public void SetOutput(string tensor, string outputName)
    {
        Reserve(outputName);
        if (nodes.Count > 0 && nodes[^1].Outputs.Length >= 1 && nodes[^1].Outputs[0] == tensor && nodes.All(n => !n.Inputs.Contains(tensor)))
        {
            var last = nodes[^1];
            var outs = (string[])last.Outputs.Clone();
            outs[0] = outputName;
            nodes[^1] = last with { Outputs = outs };
        }
        else nodes.Add(new OnnxNode("Identity", new[] { tensor }, new[] { outputName }, Fresh("output_node"), Array.Empty<OnnxAttribute>()));
    }

    // ---------------------------------------------------------------- serialization (onnx.proto field numbers)

    public byte[] ToModelProto(string inputName, long[] inputShape, string outputName, long[] outputShape,
        IReadOnlyDictionary<string, string> metadata, string producerVersion, string docString)
    {
        var graph = new ProtoWriter();
        foreach (var n in nodes) graph.Message(1, NodeProto(n));                          // GraphProto.node
        graph.String(2, Name);                                                            // GraphProto.name
        foreach (var i in initializers) graph.Message(5, TensorProto(i));                 // GraphProto.initializer
        graph.String(10, docString);                                                      // GraphProto.doc_string
        graph.Message(11, ValueInfo(inputName, inputShape));                              // GraphProto.input
        graph.Message(12, ValueInfo(outputName, outputShape));                            // GraphProto.output

        var model = new ProtoWriter();
        model.Int(1, IrVersion);                                                          // ModelProto.ir_version
        model.String(2, "KerasPS");                                                       // producer_name
        model.String(3, producerVersion);                                                 // producer_version
        model.Int(5, 1);                                                                  // model_version
        model.String(6, docString);                                                       // doc_string
        model.Message(7, graph);                                                          // graph
        var opset = new ProtoWriter();
        opset.String(1, "");                                                              // OperatorSetIdProto.domain (ai.onnx)
        opset.Int(2, Opset);                                                              // OperatorSetIdProto.version
        model.Message(8, opset);                                                          // opset_import
        foreach (var (key, value) in metadata)
        {
            var entry = new ProtoWriter();
            entry.String(1, key);
            entry.String(2, value);
            model.Message(14, entry);                                                     // metadata_props
        }
        return model.ToArray();
    }

    private static ProtoWriter NodeProto(OnnxNode n)
    {
        var w = new ProtoWriter();
        foreach (var i in n.Inputs) w.String(1, i);
        foreach (var o in n.Outputs) w.String(2, o);
        w.String(3, n.Name);
        w.String(4, n.OpType);
        foreach (var a in n.Attributes) w.Message(5, AttributeProto(a));
        return w;
    }

    // AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8, strings 9, type 20 (FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7, STRINGS 8).
    private static ProtoWriter AttributeProto(OnnxAttribute a)
    {
        var w = new ProtoWriter();
        w.String(1, a.Name);
        switch (a.Value)
        {
            case float f: w.Float(2, f); w.Int(20, 1); break;
            case double d: w.Float(2, (float)d); w.Int(20, 1); break;
            case int i: w.Int(3, i); w.Int(20, 2); break;
            case long l: w.Int(3, l); w.Int(20, 2); break;
            case string s: w.String(4, s); w.Int(20, 3); break;
            case float[] fs: w.PackedFloats(7, fs); w.Int(20, 6); break;
            case long[] ls: w.PackedInts(8, ls); w.Int(20, 7); break;
            case string[] ss: foreach (var s in ss) w.String(9, s); w.Int(20, 8); break;
            default: throw new InvalidOperationException($"Attribute '{a.Name}' has an unsupported type {a.Value?.GetType().Name}.");
        }
        return w;
    }

    // TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian).
    private static ProtoWriter TensorProto(OnnxInitializer t)
    {
        var w = new ProtoWriter();
        if (t.Dims.Length > 0) w.PackedInts(1, t.Dims);
        w.Int(2, t.Floats is not null ? FloatType : Int64Type);
        w.String(8, t.Name);
        byte[] raw;
        if (t.Floats is { } f)
        {
            raw = new byte[f.Length * 4];
            for (int i = 0; i < f.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), f[i]);
        }
        else
        {
            var l = t.Longs!;
            raw = new byte[l.Length * 8];
            for (int i = 0; i < l.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), l[i]);
        }
        w.Bytes(9, raw);
        return w;
    }

    // ValueInfoProto { name 1, type 2 } / TypeProto { tensor_type 1 } / Tensor { elem_type 1, shape 2 } /
    // TensorShapeProto { dim 1 } / Dimension { dim_value 1, dim_param 2 }. A negative size is the batch axis: "batch".
    private static ProtoWriter ValueInfo(string name, long[] shape)
    {
        var dims = new ProtoWriter();
        foreach (var d in shape)
        {
            var dim = new ProtoWriter();
            if (d < 0) dim.String(2, "batch"); else dim.Int(1, d);
            dims.Message(1, dim);
        }
        var tensor = new ProtoWriter();
        tensor.Int(1, FloatType);
        tensor.Message(2, dims);
        var type = new ProtoWriter();
        type.Message(1, tensor);
        var w = new ProtoWriter();
        w.String(1, name);
        w.Message(2, type);
        return w;
    }
}
