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
    public string InputShape => Engine.IsFunctional ? string.Join(", ", Engine.Inputs.Select(t => Shapes.Format(t.Shape)))
        : Engine.InputShape is { } s ? Shapes.Format(s) : "?";
    public string OutputShape => Engine.IsFunctional ? string.Join(", ", Engine.Outputs.Select(t => Shapes.Format(t.Shape)))
        : Engine.Layers.LastOrDefault()?.OutputShape is { } s ? Shapes.Format(s) : "?";

    /// <summary>The names of the model's inputs (a functional model's input layers; "input" for a Sequential).</summary>
    public IReadOnlyList<string> Inputs => Engine.InputNames;

    /// <summary>The names of the model's outputs (the layers that produce them).</summary>
    public IReadOnlyList<string> Outputs => Engine.OutputNames;
    public long ParamCount => Engine.ParamCount;
    public bool IsBuilt => Engine.IsBuilt;
    public bool IsCompiled => Engine.IsCompiled;
    public string? Optimizer => Engine.Optimizer?.Name;

    /// <summary>The loss; for losses per output, each as output=loss (class=categorical_crossentropy, price=mean_squared_error).</summary>
    public string? Loss => Engine.OutputLosses is { } per
        ? string.Join(", ", Engine.OutputNames.Zip(per, (o, l) => $"{o}={l.Name}"))
        : Engine.Loss?.Name;

    /// <summary>The metrics by their history names (accuracy; class_accuracy, price_mae for several outputs).</summary>
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
