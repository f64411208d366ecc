using System.Globalization;
using KerasPS.Engine.Data;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Core;
using KerasPS.Engine.Native;
using static TorchSharp.torch;

namespace KerasPS.Engine.Models;

/// <summary>
/// The functional side of the model (Keras's <c>Functional</c>, <c>Model(inputs, outputs)</c>): a graph of layer calls
/// from input tensors to output tensors. A Sequential model has no graph; a functional one has one, and everything that
/// works on a model (fit, checkpoints, summary) asks the graph where the Sequential stack would be walked.
/// </summary>
public sealed partial class KerasModel
{
    private readonly Graph? graph;
    private NestedModel? asLayer;

    /// <summary>True for a model built from inputs and outputs (New-Model -Inputs -Outputs); false for a Sequential stack.</summary>
    public bool IsFunctional => graph is not null;

    /// <summary>The model's input tensors (functional models; empty for a Sequential).</summary>
    public IReadOnlyList<KerasTensor> Inputs => graph?.Inputs ?? (IReadOnlyList<KerasTensor>)Array.Empty<KerasTensor>();

    /// <summary>The model's output tensors (functional models; empty for a Sequential).</summary>
    public IReadOnlyList<KerasTensor> Outputs => graph?.Outputs ?? (IReadOnlyList<KerasTensor>)Array.Empty<KerasTensor>();

    /// <summary>The layer calls in the order the forward pass makes them (input layers left out).</summary>
    public IReadOnlyList<Node> Nodes => graph?.Nodes ?? (IReadOnlyList<Node>)Array.Empty<Node>();

    /// <summary>The names of the inputs (their input layers' names), in order; one name for a Sequential.</summary>
    public IReadOnlyList<string> InputNames => graph is null ? new[] { "input" } : graph.Inputs.Select(t => t.Layer.Name).ToArray();

    /// <summary>The names of the outputs (the layers that produce them), in order.</summary>
    public IReadOnlyList<string> OutputNames => graph is null
        ? new[] { layers.Count > 0 ? layers[^1].Name : "output" }
        : graph.Outputs.Select(t => t.Layer.Name).ToArray();

    /// <summary>
    /// Keras's <c>Model(inputs, outputs)</c>: the graph of layer calls between the input tensors (from
    /// <see cref="KerasTensor.Input"/>) and the output tensors. Unnamed layers get Keras's names (dense, dense_1, ...);
    /// layers without weights get them now, in graph order, from <paramref name="seed"/>; a shared layer is one layer
    /// with one set of weights; a layer that has weights already (pretrained, nested models) keeps them.
    /// </summary>
    public KerasModel(IReadOnlyList<KerasTensor> inputs, IReadOnlyList<KerasTensor> outputs, string? name = null, long? seed = null)
        : this(name ?? "functional", null, seed)
    {
        var g = Graph.Create(inputs, outputs);
        foreach (var layer in g.Layers)
        {
            if (string.IsNullOrEmpty(layer.Name)) layer.Name = UniqueName(KerasNames.ClassToSnake(layer.ClassName));
            else if (layers.Any(l => l.Name == layer.Name))
                throw KerasException.BadArgument("DuplicateLayerName",
                    $"Two different layers of the graph are named '{layer.Name}'. Layer names must be unique within a model; "
                        + "give one of them another -Name.", layer.Name);
            layers.Add(layer);
        }
        graph = g;
        TorchRuntime.EnsureLoaded();
        BuildGraph(force: false);
    }

    /// <summary>Gives weights to the graph's layers, in call order (all of them with <paramref name="force"/>, as a reseed does).</summary>
    private void BuildGraph(bool force)
    {
        var done = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        foreach (var input in graph!.Inputs)
            if (force || !input.Layer.Built) input.Layer.Build(input.Shape, rng);
        foreach (var node in graph.Nodes)
        {
            if (!done.Add(node.Layer)) continue;
            if (force || !node.Layer.Built)
                node.Layer.Build(StringInputs.ReadsStrings(node) ? new[] { StringInputs.BuildShape(node.Layer) }
                    : node.Inputs.Select(t => t.Shape).ToArray(), rng);
        }
    }

    /// <summary>This model as one layer of another model (Keras: a model called on a tensor); the same layer every time, so
    /// applying the model twice shares its weights.</summary>
    public Layer AsLayer()
    {
        if (!IsBuilt)
            throw KerasException.BadOperation("ModelNotBuilt",
                $"Model '{Name}' has no input shape yet, so it cannot be used as a layer. Give New-Model an -InputShape first.");
        return asLayer ??= IsFunctional ? new FunctionalLayer(this) : new SequentialLayer(this);
    }

    private KerasException NotSequential(string what) => KerasException.BadOperation("NotSequential",
        $"Model '{Name}' is a functional model (New-Model -Inputs -Outputs); {what}. Apply layers to its tensors and build a new "
            + "model instead.");

    /// <summary>The forward pass over every input, giving every output (a Sequential has one of each).</summary>
    public IReadOnlyList<Tensor> ForwardAll(IReadOnlyList<Tensor> inputs, bool training, bool logits = false) =>
        ForwardAllMasked(inputs, null, training, logits).Outputs;

    /// <summary>The forward pass over every input (with its mask, or none), giving every output and its mask.</summary>
    public (IReadOnlyList<Tensor> Outputs, IReadOnlyList<Tensor?> Masks) ForwardAllMasked(IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor?>? inputMasks, bool training, bool logits = false)
    {
        if (graph is null)
        {
            var (y, m) = ForwardMasked(inputs[0], inputMasks?[0], training, logits);
            return (new[] { y }, new[] { m });
        }
        var values = new Dictionary<KerasTensor, Tensor>(ReferenceEqualityComparer.Instance);
        var masks = new Dictionary<KerasTensor, Tensor?>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < graph.Inputs.Length; i++)
        {
            values[graph.Inputs[i]] = inputs[i];
            masks[graph.Inputs[i]] = inputMasks?[i];
        }
        var fused = logits ? FusedNodes() : null;
        foreach (var node in graph.Nodes)
        {
            var layer = node.Layer;
            Tensor y;
            Tensor? mask;
            if (StringInputs.ReadsStrings(node))
                (y, mask) = (values[node.Inputs[0]], null);   // the layer's encoding, made on the host
            else if (fused is not null && Array.IndexOf(fused, node) >= 0)
            {
                var x = values[node.Inputs[0]];
                mask = layer.ComputeMask(x, masks[node.Inputs[0]]);
                y = ((IActivationHead)layer).ForwardWithoutActivation(x, training);
            }
            else if (layer.TakesSeveralInputs)
                (y, mask) = layer.Call(node.Inputs.Select(t => values[t]).ToArray(), node.Inputs.Select(t => masks[t]).ToArray(), training);
            else (y, mask) = layer.Call(values[node.Inputs[0]], masks[node.Inputs[0]], training);
            values[node.Output] = y;
            masks[node.Output] = mask;
        }
        return (graph.Outputs.Select(t => values[t]).ToArray(), graph.Outputs.Select(t => masks[t]).ToArray());
    }

    /// <summary>
    /// The node whose final activation the loss can absorb: the one output's layer, when it ends in that activation and
    /// its output feeds nothing else in the graph.
    /// </summary>
    private Node? FusedNode => graph is { Outputs.Length: 1 } ? FusedNodeOf(0, OutputLosses?[0] ?? Loss) : null;

    /// <summary>The node of output <paramref name="i"/> whose final activation <paramref name="loss"/> can absorb, or null.</summary>
    private Node? FusedNodeOf(int i, Training.Loss? loss)
    {
        if (graph is null || loss?.FusableActivation is not { } a) return null;
        var node = graph.Outputs[i].Node;
        if (node.Layer is not IActivationHead h || h.Activation != a || node.Layer.TakesSeveralInputs) return null;
        bool consumed = graph.Nodes.Any(n => n.Inputs.Contains(node.Output))
            || graph.Outputs.Where((t, k) => k != i && t.Node == node).Any();
        return consumed ? null : node;
    }

    /// <summary>The fused node of every output (null where none), given each output's loss.</summary>
    private Node?[] FusedNodes()
    {
        var heads = IsCompiled ? Heads() : null;
        return graph!.Outputs.Select((_, i) => FusedNodeOf(i, heads?[i].Loss)).ToArray();
    }

    /// <summary>The activation fused away from each output's forward pass with logits (softmax, sigmoid), or null.</summary>
    internal string?[] FusedActivations() => graph is null
        ? new[] { FusedActivation }
        : FusedNodes().Select(n => n is null ? null : ((IActivationHead)n.Layer).Activation).ToArray();

    /// <summary>Keras's "Connected to" column: the tensors each layer was called on, as <c>layer[node][tensor]</c>.</summary>
    private string? ConnectedTo(Layer layer)
    {
        if (graph is null) return null;
        var calls = graph.Nodes.Where(n => n.Layer == layer).SelectMany(n => n.Inputs).Select(t => t.History).ToArray();
        return calls.Length == 0 ? "-" : string.Join(", ", calls);
    }

    /// <summary>The graph: the input and output tensors and the calls between them, in an order where every call's inputs come
    /// first.</summary>
    private sealed class Graph
    {
        public KerasTensor[] Inputs = null!, Outputs = null!;
        public Node[] Nodes = null!;

        /// <summary>Every layer of the graph once, input layers first, then in call order.</summary>
        public List<Layer> Layers = null!;

        public static Graph Create(IReadOnlyList<KerasTensor> inputs, IReadOnlyList<KerasTensor> outputs)
        {
            if (inputs is null || inputs.Count == 0)
                throw KerasException.BadArgument("InvalidModelInputs", "A functional model needs at least one input (New-ModelInput).");
            if (outputs is null || outputs.Count == 0)
                throw KerasException.BadArgument("InvalidModelOutputs",
                    "A functional model needs at least one output: the tensor a layer cmdlet returned.");
            foreach (var t in inputs)
                if (t.Layer is not InputLayer)
                    throw KerasException.BadArgument("InvalidModelInputs",
                        $"Model inputs must be tensors from New-ModelInput; one comes from layer '{t.Layer.Name}' ({t.Layer.ClassName}).");
            if (inputs.Distinct().Count() != inputs.Count)
                throw KerasException.BadArgument("InvalidModelInputs", "The same input tensor is given twice in -Inputs.");
            if (outputs.Distinct().Count() != outputs.Count)
                throw KerasException.BadArgument("InvalidModelOutputs", "The same output tensor is given twice in -Outputs.");
            var order = new List<Node>();
            var state = new Dictionary<Node, bool>(ReferenceEqualityComparer.Instance);   // false: visiting, true: done
            foreach (var o in outputs) Visit(o.Node, inputs, order, state);
            var nodes = order.Where(n => n.Layer is not InputLayer).ToArray();
            var all = KerasLayerOrder(order, inputs, outputs);
            var perLayer = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
            foreach (var n in order)
            {
                n.Index = perLayer.TryGetValue(n.Layer, out var k) ? k : 0;
                perLayer[n.Layer] = n.Index + 1;
            }
            return new Graph { Inputs = inputs.ToArray(), Outputs = outputs.ToArray(), Nodes = nodes, Layers = all };
        }

        /// <summary>
        /// Keras's <c>model.layers</c> order (<c>map_graph</c>): by depth counted from the outputs, deepest first (the inputs),
        /// ties in the order a walk from the outputs first meets each layer. Summaries and configs list layers this way.
        /// </summary>
        private static List<Layer> KerasLayerOrder(List<Node> postorder, IReadOnlyList<KerasTensor> inputs,
            IReadOnlyList<KerasTensor> outputs)
        {
            var met = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
            var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance);
            void Meet(Node n)
            {
                if (!seen.Add(n)) return;
                met.TryAdd(n.Layer, met.Count);
                foreach (var t in n.Inputs) Meet(t.Node);
            }
            foreach (var o in outputs) Meet(o.Node);
            var nodeDepth = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
            var layerDepth = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
            foreach (var node in Enumerable.Reverse(postorder))
            {
                int depth = Math.Max(nodeDepth.GetValueOrDefault(node), layerDepth.GetValueOrDefault(node.Layer));
                layerDepth[node.Layer] = depth;
                nodeDepth[node] = depth;
                foreach (var t in node.Inputs) nodeDepth[t.Node] = Math.Max(depth + 1, nodeDepth.GetValueOrDefault(t.Node));
            }
            foreach (var t in inputs) layerDepth.TryAdd(t.Layer, int.MaxValue);   // an input nothing reads
            return layerDepth.Keys.OrderByDescending(l => layerDepth[l]).ThenBy(l => met.GetValueOrDefault(l, int.MaxValue)).ToList();
        }

        private static void Visit(Node node, IReadOnlyList<KerasTensor> inputs, List<Node> order, Dictionary<Node, bool> state)
        {
            if (state.TryGetValue(node, out var done))
            {
                if (!done)
                    throw KerasException.BadArgument("InvalidModelGraph", $"The graph has a cycle through layer '{node.Layer.Name}'.");
                return;
            }
            if (node.Layer is InputLayer && !inputs.Contains(node.Output))
                throw KerasException.BadArgument("GraphDisconnected",
                    $"The outputs depend on input '{(node.Layer.Name.Length > 0 ? node.Layer.Name : Shapes.Format(node.Output.Shape))}', "
                        + "which is not in -Inputs. Add it to -Inputs.");
            state[node] = false;
            foreach (var t in node.Inputs) Visit(t.Node, inputs, order, state);
            state[node] = true;
            order.Add(node);
        }
    }

    // ----- config: Keras 3's Functional, and Keras 2's Model on reading -----

    /// <summary>
    /// Keras 3's serialized Functional: every layer with its <c>inbound_nodes</c> (each call's arguments as
    /// <c>__keras_tensor__</c> objects with <c>keras_history</c>), <c>input_layers</c> and <c>output_layers</c>.
    /// </summary>
    private Dictionary<string, object?> GetGraphConfig()
    {
        var entries = new List<object?>();
        foreach (var layer in layers)
        {
            var entry = SerializedLayer(layer);
            entry["name"] = layer.Name;
            entry["inbound_nodes"] = graph!.Nodes.Where(n => n.Layer == layer).Select(n => (object?)new Dictionary<string, object?>
            {
                ["args"] = new List<object?>
                {
                    layer.TakesSeveralInputs ? n.Inputs.Select(TensorConfig).ToList() : TensorConfig(n.Inputs[0]),
                },
                ["kwargs"] = CallKwargs(layer),
            }).ToList();
            entries.Add(entry);
        }
        return new Dictionary<string, object?>
        {
            ["class_name"] = "Functional",
            ["config"] = new Dictionary<string, object?>
            {
                ["name"] = Name,
                ["trainable"] = true,
                ["seed"] = Seed,
                ["layers"] = entries,
                ["input_layers"] = graph!.Inputs.Select(History).ToList(),
                ["output_layers"] = graph!.Outputs.Select(History).ToList(),
            },
        };

        static object? History(KerasTensor t) => new List<object?> { t.Layer.Name, t.Node.Index, 0 };
        static object? TensorConfig(KerasTensor t) => new Dictionary<string, object?>
        {
            ["class_name"] = "__keras_tensor__",
            ["config"] = new Dictionary<string, object?>
            {
                ["shape"] = new object?[] { null }.Concat(t.Shape.Cast<object?>()).ToList(),
                ["dtype"] = t.DType,
                ["keras_history"] = History(t),
            },
        };
    }

    /// <summary>
    /// Rebuilds a functional model from its config, as Keras's <c>functional_from_config</c> does: each layer from its config,
    /// then its calls replayed once the tensors they read exist. Reads Keras 3's inbound nodes (<c>args</c> with
    /// <c>keras_history</c>) and Keras 2's (<c>[[layer, node, tensor, kwargs], ...]</c>).
    /// </summary>
    private static KerasModel GraphFromConfig(IDictionary<string, object?> config, bool allowUnsafeCode)
    {
        var reader = new ConfigReader(config);
        var entries = LayerEntries(config);
        var created = new Dictionary<string, Layer>(StringComparer.Ordinal);
        var pending = new List<(Layer Layer, List<List<object?[]>> Calls)>();
        var tensors = new Dictionary<string, KerasTensor>(StringComparer.Ordinal);   // "layer/node/tensor"
        var nodeCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            var (layer, entry) = LayerFromEntry(entries[i], i, allowUnsafeCode);
            if (entry.Value("name") is string n && n.Length > 0) layer.Name = n;
            if (!created.TryAdd(layer.Name, layer)) throw Invalid($"two layers are named '{layer.Name}'.");
            if (layer is InputLayer input)
            {
                var node = new Node(input, Array.Empty<KerasTensor>(), input.DeclaredInputShape!, input.DType);
                tensors[$"{layer.Name}/0/0"] = node.Output;
                nodeCounts[layer.Name] = 1;
                continue;
            }
            var inbound = entry.Value("inbound_nodes") as List<object?> ?? new List<object?>();
            if (inbound.Count > 0 && CallKwargsOf(inbound[0]) is { } kwargs) layer.ReadCallArguments(new ConfigReader(kwargs));
            var calls = inbound.Select(c => InboundTensorsOf(c, layer.Name)).ToList();
            pending.Add((layer, calls));
        }
        // Replay the calls: a call whose tensors exist runs; the others wait for a later pass (Keras's unprocessed nodes).
        var queue = pending.SelectMany(p => p.Calls.Select(c => (p.Layer, Call: c))).ToList();
        while (queue.Count > 0)
        {
            int before = queue.Count;
            for (int q = 0; q < queue.Count; q++)
            {
                var (layer, call) = queue[q];
                var keys = call.Select(a => $"{a[0]}/{a[1]}/{a[2]}").ToArray();
                if (!keys.All(tensors.ContainsKey)) continue;
                var output = KerasTensor.Apply(layer, keys.Select(k => tensors[k]).ToArray());
                int index = nodeCounts.GetValueOrDefault(layer.Name);
                nodeCounts[layer.Name] = index + 1;
                tensors[$"{layer.Name}/{index}/0"] = output;
                queue.RemoveAt(q--);
            }
            if (queue.Count == before)
                throw Invalid($"layer '{queue[0].Layer.Name}' is called on a tensor that no layer of the model produces.");
        }
        KerasTensor[] Ends(string key)
        {
            var raw = config.Value(key) as List<object?> ?? throw Invalid($"it has no '{key}'.");
            var list = raw.Count > 0 && raw[0] is not List<object?> ? new List<object?> { raw } : raw;   // one tensor, not in a list
            return list.Select(r => r is List<object?> h && h.Count >= 3
                && tensors.TryGetValue($"{h[0]}/{Num(h[1])}/{Num(h[2])}", out var t)
                ? t : throw Invalid($"'{key}' names a tensor the model does not have.")).ToArray();
        }
        var name = reader.String("name") is { } s && !string.IsNullOrWhiteSpace(s) ? s : null;
        return new KerasModel(Ends("input_layers"), Ends("output_layers"), name, reader.NullableLong("seed"));
    }

    /// <summary>The non-tensor arguments of a layer's calls (<see cref="Layer.WriteCallArguments"/>).</summary>
    internal static Dictionary<string, object?> CallKwargs(Layer layer)
    {
        var kwargs = new Dictionary<string, object?>(StringComparer.Ordinal);
        layer.WriteCallArguments(kwargs);
        return kwargs;
    }

    /// <summary>A call's kwargs: Keras 3's <c>{"args": ..., "kwargs": {...}}</c>, or the fourth item of Keras 2's first
    /// <c>[layer, node, tensor, kwargs]</c>; null when it has none.</summary>
    internal static IDictionary<string, object?>? CallKwargsOf(object? call) => call switch
    {
        IDictionary<string, object?> d => d.Value("kwargs") as IDictionary<string, object?>,
        List<object?> { Count: > 0 } l when l[0] is List<object?> { Count: >= 4 } first => first[3] as IDictionary<string, object?>,
        _ => null,
    };

    /// <summary>The (layer, node, tensor) triples one call read, from a Keras 3 (<c>{"args": ...}</c>) or Keras 2 (list) node.</summary>
    private static List<object?[]> InboundTensorsOf(object? call, string layer)
    {
        var found = new List<object?[]>();
        void Walk(object? v)
        {
            switch (v)
            {
                case IDictionary<string, object?> d when d.Value("class_name") as string == "__keras_tensor__":
                    var h = (d.Value("config") as IDictionary<string, object?>)?.Value("keras_history") as List<object?>;
                    if (h is not { Count: >= 3 }) throw Invalid($"a call of layer '{layer}' reads a tensor without keras_history.");
                    found.Add(new[] { h[0], Num(h[1]), Num(h[2]) });
                    break;
                case IDictionary<string, object?> d when d.ContainsKey("args"):
                    Walk(d["args"]);
                    break;
                case List<object?> l when l.Count >= 3 && l[0] is string && l[1] is not List<object?>:
                    found.Add(new[] { l[0], Num(l[1]), Num(l[2]) });   // Keras 2: [layer, node, tensor, kwargs]
                    break;
                case List<object?> l:
                    foreach (var x in l) Walk(x);
                    break;
            }
        }
        Walk(call);
        if (found.Count == 0) throw Invalid($"a call of layer '{layer}' reads no tensor.");
        return found;
    }

    /// <summary>The config part of a parsed serialized model, renamed when <paramref name="name"/> is given.</summary>
    private static IDictionary<string, object?> WithName(object? serialized, string? name)
    {
        var config = Section((IDictionary<string, object?>)serialized!, "config");
        if (name is not null) config["name"] = name;
        return config;
    }

    private static long Num(object? v) => Convert.ToInt64(v, CultureInfo.InvariantCulture);
}
