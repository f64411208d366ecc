using System.Text.RegularExpressions;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Core;
using KerasPS.Engine.Models;

namespace KerasPS.Engine.Checkpoints;

/// <summary>
/// Where Keras puts a model's layers in its files, which both Keras formats match by position or by class name rather
/// than by layer name: the order of <c>model.layers</c> (Keras's <c>map_graph</c> for a functional model), the Keras 3
/// weight paths (<c>layers/dense_1</c>, <c>layers/functional/layers/dense</c>) and Keras 2's legacy weight order of a
/// nested model (trainable weights first).
/// </summary>
internal static class KerasLayout
{
    /// <summary>
    /// Keras's <c>model.layers</c>: for a Sequential its stack (Keras 3 leaves the InputLayer out); for a functional model
    /// the layers by depth, deepest (the inputs) first, and within a depth in the order a depth-first walk back from the
    /// outputs first meets them (keras/src/ops/function.py <c>map_graph</c>). Keras reads .h5 weights by this order and
    /// names .keras weight groups by it, so a file written in another order loads its weights into the wrong layers.
    /// </summary>
    public static IReadOnlyList<Layer> LayerOrder(KerasModel model)
    {
        if (!model.IsFunctional) return model.Layers;
        var finished = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var postOrder = new List<Node>();
        var firstSeen = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        void Visit(Node node)
        {
            if (finished.Contains(node)) return;
            firstSeen.TryAdd(node.Layer, firstSeen.Count);
            foreach (var t in node.Inputs) Visit(t.Node);
            finished.Add(node);
            postOrder.Add(node);
        }
        foreach (var o in model.Outputs) Visit(o.Node);
        var nodeDepth = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        var layerDepth = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        for (int i = postOrder.Count - 1; i >= 0; i--)
        {
            var node = postOrder[i];
            int depth = Math.Max(nodeDepth.GetValueOrDefault(node), layerDepth.GetValueOrDefault(node.Layer));
            layerDepth[node.Layer] = depth;
            nodeDepth[node] = depth;
            foreach (var parent in node.Inputs.Select(t => t.Node).Where(finished.Contains))
                nodeDepth[parent] = Math.Max(depth + 1, nodeDepth.GetValueOrDefault(parent));
        }
        foreach (var input in model.Inputs)
            if (layerDepth.TryAdd(input.Layer, 0)) firstSeen[input.Layer] = -1;   // an input no output depends on
        return layerDepth.Keys.OrderByDescending(l => layerDepth[l]).ThenBy(l => firstSeen[l]).ToList();
    }

    /// <summary>
    /// Keras 3's paths in model.weights.h5 of every layer but the inputs (weights or not, as KerasPS has always written them) (saving_lib's
    /// <c>_save_container_state</c>): <c>layers/</c> and the class name in snake case, numbered from the second of a class on
    /// in <see cref="LayerOrder"/> (an InputLayer counts as <c>input_layer</c>); a nested model's layers under its own path
    /// (<c>layers/functional/layers/dense</c>). A layer met twice (shared with a nested model) is stored where it is first met.
    /// </summary>
    public static List<(Layer Layer, string Location)> Keras3Locations(KerasModel model)
    {
        var found = new List<(Layer, string)>();
        Walk(model, "layers", found, new HashSet<Layer>(ReferenceEqualityComparer.Instance));
        return found;
    }

    private static void Walk(KerasModel model, string prefix, List<(Layer, string)> found, HashSet<Layer> visited)
    {
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var layer in LayerOrder(model))
        {
            var name = ToSnakeCase(layer.ClassName);
            if (used.TryGetValue(name, out var n)) { used[name] = n + 1; name = $"{name}_{n + 1}"; }
            else used[name] = 0;
            if (!visited.Add(layer)) continue;
            var path = $"{prefix}/{name}";
            if (layer is NestedModel nested) Walk(nested.Inner, path + "/layers", found, visited);
            else if (layer is Layers.Rnn.Bidirectional bidirectional)
            {
                // Keras 3 saves a wrapper's layers under its attribute names
                found.Add((bidirectional.ForwardLayer, path + "/forward_layer"));
                found.Add((bidirectional.BackwardLayer, path + "/backward_layer"));
            }
            else if (layer is Layers.Rnn.TimeDistributed wrapper) found.Add((wrapper.Inner, path + "/layer"));
            else if (layer is not InputLayer) found.Add((layer, path));
        }
    }

    /// <summary>Keras's <c>naming.to_snake_case</c>: <c>Conv1D</c> to <c>conv1d</c>, <c>InputLayer</c> to <c>input_layer</c>.</summary>
    public static string ToSnakeCase(string name)
    {
        name = Regex.Replace(name, @"\W+", "");
        name = Regex.Replace(name, "(.)([A-Z][a-z]+)", "$1_$2");
        return Regex.Replace(name, "([a-z])([A-Z])", "$1_$2").ToLowerInvariant();
    }

    /// <summary>
    /// The order Keras 2's .h5 keeps a layer's weights in (<c>_legacy_weights</c>: trainable weights, then the others): for a
    /// nested model, the trainable weights of all its layers, then the rest; for a plain layer, its own order.
    /// </summary>
    public static IReadOnlyList<Weight> LegacyWeights(Layer layer)
    {
        if (layer is not NestedModel) return layer.Weights;
        var trainable = new List<Weight>();
        var others = new List<Weight>();
        Gather(layer, frozen: false, trainable, others);
        return trainable.Concat(others).Distinct().ToList();
    }

    private static void Gather(Layer layer, bool frozen, List<Weight> trainable, List<Weight> others)
    {
        frozen |= !layer.Trainable;
        if (layer is NestedModel nested)
        {
            foreach (var inner in LayerOrder(nested.Inner)) Gather(inner, frozen, trainable, others);
            return;
        }
        foreach (var w in layer.Weights) (frozen || !w.Trainable ? others : trainable).Add(w);
    }

    /// <summary>
    /// The name Keras 2 gives a nested model's weight in its .h5 group: the weight's path below the nested model
    /// (<c>dense/kernel:0</c> for <c>trunk/dense/kernel</c>).
    /// </summary>
    public static string Keras2NestedWeightName(Layer nested, Weight w) =>
        (w.Path.StartsWith(nested.ScopedName + "/", StringComparison.Ordinal) ? w.Path[(nested.ScopedName.Length + 1)..] : w.Path) + ":0";
}
