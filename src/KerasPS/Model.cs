using KerasPS.Engine;
using KerasPS.Engine.Models;

namespace KerasPS;

/// <summary>
/// A KerasPS model (Keras Sequential) as PowerShell sees it. Cmdlets pass it down the pipeline; the layers,
/// weights and training state live in <see cref="Engine"/>.
/// </summary>
public sealed class Model
{
    public Model(KerasModel engine) => Engine = engine;

    /// <summary>The engine model (layers, weights, optimizer).</summary>
    public KerasModel Engine { get; }

    public string Name => Engine.Name;
    public int LayerCount => Engine.Layers.Count;
    public string InputShape => Engine.InputShape is { } s ? Shapes.Format(s) : "?";
    public string OutputShape => Engine.Layers.LastOrDefault()?.OutputShape is { } s ? Shapes.Format(s) : "?";
    public long ParamCount => Engine.ParamCount;
    public bool IsBuilt => Engine.IsBuilt;
    public bool IsCompiled => Engine.IsCompiled;
    public string? Optimizer => Engine.Optimizer?.Name;
    public string? Loss => Engine.Loss?.Name;
    public IReadOnlyList<string> Metrics => Engine.MetricNames;
    public int EpochsTrained => Engine.EpochsTrained;
    public IReadOnlyList<string>? Classes => Engine.Classes;
    public IReadOnlyList<string> Layers => Engine.Layers.Select(l => l.Name).ToArray();

    /// <summary>Every epoch record of this model's fits, oldest first (Keras's History, over all fits), as Invoke-ModelFit wrote
    /// them.</summary>
    public System.Management.Automation.PSObject[] History => Engine.History.Select(r => Infrastructure.EpochRecordView.ToPSObject(r, Name))
        .ToArray();

    public override string ToString() => Engine.ToString();
}
