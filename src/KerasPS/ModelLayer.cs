using System.Collections.Specialized;
using KerasPS.Engine;
using KerasPS.Engine.Layers;

namespace KerasPS;

/// <summary>One layer of a model as Get-ModelLayer shows it (Keras's <c>model.layers[i]</c>): what it is, its shapes, sizes and
/// settings.</summary>
public sealed class ModelLayer
{
    internal ModelLayer(Model model, int index, Layer layer)
    {
        Model = model.Name;
        Index = index;
        EngineLayer = layer;
        Name = layer.Name;
        Type = layer.ClassName;
        InputShape = layer.InputShape is { } i ? Shapes.Format(i) : "?";
        OutputShape = layer.OutputShape is { } o ? Shapes.Format(o) : "?";
        ParamCount = layer.ParamCount;
        TrainableParamCount = layer.TrainableParamCount;
        Trainable = layer.Trainable;
        Weights = layer.Weights.Select(w => w.Name).ToArray();
        var engine = model.Engine;
        if (engine.IsFunctional)
        {
            Inbound = engine.Nodes.Where(n => n.Layer == layer).SelectMany(n => n.Inputs).Select(t => t.History).ToArray();
            IsInput = engine.Inputs.Any(t => t.Layer == layer);
            IsOutput = engine.Outputs.Any(t => t.Layer == layer);
        }
        else
        {
            // Keras 3's Sequential is a chain of calls: each layer reads the one before it.
            Inbound = index > 0 ? new[] { $"{engine.Layers[index - 1].Name}[0][0]" } : Array.Empty<string>();
            IsOutput = index == engine.Layers.Count - 1;
        }
        var config = new OrderedDictionary(StringComparer.Ordinal);
        foreach (var kv in layer.GetConfig()) config[kv.Key] = kv.Value;
        Config = config;
    }

    public string Model { get; }

    /// <summary>The engine layer, for Invoke-ModelLayer (apply it again, sharing its weights).</summary>
    internal Layer EngineLayer { get; }

    /// <summary>0-based position in the model.</summary>
    public int Index { get; }
    public string Name { get; }

    /// <summary>The Keras class name (Dense, Dropout, ...).</summary>
    public string Type { get; }
    public string InputShape { get; }
    public string OutputShape { get; }
    public long ParamCount { get; }
    public long TrainableParamCount { get; }

    /// <summary>False for a frozen layer (Set-ModelLayer -Trainable $false): training leaves its weights unchanged.</summary>
    public bool Trainable { get; }

    /// <summary>The layer's weight names (kernel, bias, ...), for Get-ModelWeight -Name.</summary>
    public string[] Weights { get; }

    /// <summary>The tensors the layer was called on, as Keras's summary names them (layer[node][tensor]), every call of a shared
    /// layer in turn; empty for an input layer (and the first layer of a Sequential).</summary>
    public string[] Inbound { get; }

    /// <summary>True for an input layer that is one of the model's inputs (New-ModelInput).</summary>
    public bool IsInput { get; }

    /// <summary>True for a layer that produces one of the model's outputs (the last layer of a Sequential).</summary>
    public bool IsOutput { get; }

    /// <summary>The layer's Keras config (get_config), as Keras names it.</summary>
    public OrderedDictionary Config { get; }

    public override string ToString() => $"{Type}({Name})";
}

/// <summary>One weight of a model as Get-ModelWeight shows it (Keras's <c>layer.weights</c> / <c>get_weights()</c>).</summary>
public sealed class ModelWeight
{
    internal ModelWeight(Model model, Weight weight)
    {
        Model = model.Name;
        Layer = weight.Owner.Name;
        Name = weight.Name;
        Shape = weight.Shape.Select(d => (int)d).ToArray();
        Trainable = weight.IsUpdated;
        Value = weight.ToArray();
    }

    public string Model { get; }
    public string Layer { get; }
    public string Name { get; }

    /// <summary>layer/name, as checkpoints name the weight: dense/kernel.</summary>
    public string Path => $"{Layer}/{Name}";

    /// <summary>The weight's shape; a Dense kernel is (inputs, units) as in Keras.</summary>
    public int[] Shape { get; }

    /// <summary>True when a fit updates this weight (a trainable weight of a trainable layer).</summary>
    public bool Trainable { get; }

    /// <summary>A copy of the values, row-major (the last axis varies fastest), taken when the weight was read.</summary>
    public float[] Value { get; }

    public override string ToString() => $"{Path} ({string.Join(", ", Shape)})";
}
