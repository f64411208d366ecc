using System.Management.Automation;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Lists a model's layers with their type, shapes, parameter counts, trainable flag and Keras config (Keras's
/// model.layers).</para>
/// <para type="description">-Name picks layers by name (wildcards allowed); a name that matches no layer is a non-terminating LayerNotFound
/// error listing the model's layers. Use Set-ModelLayer -Trainable to freeze a layer, Get-ModelWeight to read its weights.
/// Inbound names the tensors each layer was called on (layer[node][tensor], as Get-ModelSummary's Connected to; every call of a shared
/// layer), IsInput and IsOutput the model's input layers and the layers that give its outputs; for a functional model the table shows
/// them (type name KerasPS.FunctionalModelLayer).</para>
/// </summary>
/// <example><code>$model | Get-ModelLayer</code></example>
/// <example><code>$model | Get-ModelLayer -Name dense* | Select-Object Name, Trainable, ParamCount</code></example>
/// <example><code>($model | Get-ModelLayer -Name dense).Config.units</code></example>
/// <example><code>$functional | Get-ModelLayer | Where-Object IsOutput | Select-Object Name, Inbound</code></example>
[Cmdlet(VerbsCommon.Get, "ModelLayer")]
[OutputType(typeof(ModelLayer))]
public sealed class GetModelLayerCommand : KerasCmdlet
{
    /// <summary>The model, usually piped.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>Layer names (wildcards allowed); by default every layer.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(LayerNameCompleter))]
    public string[]? Name { get; set; }

    protected override object? DefaultTarget => Model;

    protected override void Process()
    {
        var layers = Model.Engine.Layers;
        if (Name is null || Name.Length == 0)
        {
            for (int i = 0; i < layers.Count; i++) Write(i);
            return;
        }
        ForEachInput(Name, name =>
        {
            foreach (var i in LayerLookup.Find(Model, name, allowWildcards: true)) Write(i);
        });
    }

    private void Write(int index)
    {
        var o = PSObject.AsPSObject(new ModelLayer(Model, index, Model.Engine.Layers[index]));
        if (Model.Engine.IsFunctional) o.TypeNames.Insert(0, "KerasPS.FunctionalModelLayer");
        WriteObject(o);
    }
}
