using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Models;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Shared shape of every Add-*Layer cmdlet (keras3's pipe-first layer_* functions). With a model down the pipeline the
/// layer is added in place and the model is written out, so chains read top to bottom (Sequential). With a symbolic
/// tensor (New-ModelInput, or another layer cmdlet's output) the layer is applied to it and its output tensor is
/// written out (Keras's functional <c>x = Dense(64)(x)</c>).
/// </summary>
public abstract class AddLayerCommandBase : KerasCmdlet
{
    /// <summary>The model to add the layer to; usually piped from New-Model or another Add-*Layer.</summary>
    [Parameter(ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>The symbolic tensor(s) to apply the layer to (functional API); usually piped from New-ModelInput or another
    /// Add-*Layer. Merge layers take several.</summary>
    [Parameter(ValueFromPipeline = true)]
    public KerasTensor[]? Tensor { get; set; }

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
        if (Tensor is not null)
        {
            if (Model is not null)
                throw KerasException.BadArgument("ModelOrTensor",
                    "Give either a model (Sequential) or tensors (functional API), not both.");
            WriteObject(KerasTensor.Apply(CreateLayer(), Tensor));
            return;
        }
        if (Model is null)
            throw KerasException.BadArgument("ModelOrTensor",
                "Give a model (New-Model | Add-...) or a tensor (New-ModelInput | Add-...) to add the layer to.");
        Model.Engine.Add(CreateLayer());
        WriteObject(Model);
    }
}
