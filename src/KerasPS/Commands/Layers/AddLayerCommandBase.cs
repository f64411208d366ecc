using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Shared shape of every Add-*Layer cmdlet (keras3's pipe-first layer_* functions): the model comes down the
/// pipeline, the layer is added in place, and the model is written out so chains read top to bottom.
/// </summary>
public abstract class AddLayerCommandBase : KerasCmdlet
{
    /// <summary>The model to add the layer to; usually piped from New-Model or another Add-*Layer.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>Layer name, unique within the model; by default the Keras name (dense, dense_1, ...).</summary>
    [Parameter]
    public string? Name { get; set; }

    /// <summary>Input shape without the batch axis (e.g. 93 or 28,28,1); only for the first layer.</summary>
    [Parameter]
    public int[]? InputShape { get; set; }

    protected override object? DefaultTarget => Model;

    protected abstract Layer CreateLayer();

    protected override void Process()
    {
        Model.Engine.Add(CreateLayer());
        WriteObject(Model);
    }
}
