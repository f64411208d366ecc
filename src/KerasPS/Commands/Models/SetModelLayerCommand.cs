using System.Management.Automation;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Freezes or unfreezes layers (Keras's layer.trainable) and writes the model, so it sits in a pipeline like the
/// Add-*Layer cmdlets.</para>
/// <para type="description">A frozen layer gets no updates in later fits: its weights stay bit-identical, its parameters count as
/// non-trainable in Get-ModelSummary, and the flag is saved in checkpoints (Export-Checkpoint, Import-Checkpoint, -Resume). As in Keras,
/// change trainability before a fit; the optimizer's state starts over for the new set of trainable weights. A frozen BatchNormalization
/// layer runs in inference mode, as in Keras 3: it normalizes with its moving statistics and leaves them unchanged (the usual way to
/// fine-tune a trained base). -Name accepts wildcards; a name that matches no layer is a LayerNotFound error.</para>
/// </summary>
/// <example><code>$model | Set-ModelLayer -Name dense, dense_1 -Trainable $false | Invoke-ModelFit -Data $train -Epochs 5</code></example>
/// <example><code>$model | Set-ModelLayer -Name * -Trainable $true</code></example>
[Cmdlet(VerbsCommon.Set, "ModelLayer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Model))]
public sealed class SetModelLayerCommand : KerasCmdlet
{
    /// <summary>The model, usually piped.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>Names of the layers to change (wildcards allowed).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(LayerNameCompleter))]
    public string[] Name { get; set; } = null!;

    /// <summary>$false freezes the layers (no updates in later fits); $true makes them train again.</summary>
    [Parameter(Mandatory = true)]
    public bool Trainable { get; set; }

    protected override object? DefaultTarget => Model;

    protected override void Process()
    {
        // every name checked before anything changes
        var indexes = Name.SelectMany(n => LayerLookup.Find(Model, n, allowWildcards: true)).Distinct().ToList();
        var layers = Model.Engine.Layers;
        var changing = indexes.Select(i => layers[i]).Where(l => l.Trainable != Trainable).ToList();
        if (changing.Count > 0 && ShouldProcess(Model.Name,
            $"{(Trainable ? "Unfreeze" : "Freeze")} {string.Join(", ", changing.Select(l => l.Name))}"))
        {
            foreach (var l in changing) l.Trainable = Trainable;
            Model.Engine.Optimizer?.Reset();   // its state belonged to the old set of trainable weights
        }
        WriteObject(Model);
    }
}
