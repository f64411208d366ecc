using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Models;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds an existing layer, or a whole model, to a model or applies it to tensors (Keras's layer(x), model(x)
/// and Sequential.add(model)): shared layers and nested models.</para>
/// <para type="description">-Layer takes the layer behind a tensor ($tensor.Layer, as an Add-*Layer cmdlet made it), a layer from
/// Get-ModelLayer, or a model. A layer applied twice is one layer with one set of weights: training through either use
/// changes both. A model used as a layer keeps its own weights (a pretrained trunk); they train with the outer model unless
/// the nested layer is frozen (Set-ModelLayer -Trainable $false on the outer model), and the inner model sees what training
/// changed. Piped tensors are each given to the layer in turn; a merge layer or a model with several inputs takes them
/// together (-Tensor $a, $b).</para>
/// </summary>
/// <example><code># one encoder for two inputs (a siamese network)
/// $a = New-ModelInput 32 -Name left; $b = New-ModelInput 32 -Name right
/// $ea = $a | Add-DenseLayer 16 -Activation relu -Name encoder
/// $eb = $b | Add-ModelLayer -Layer $ea.Layer
/// $score = $ea | Add-DotLayer -With $eb -Axes 1 -Normalize</code></example>
/// <example><code># a trained model as the trunk of a bigger one
/// $x = New-ModelInput 93
/// $out = $x | Add-ModelLayer -Layer $pretrained | Add-DenseLayer 1 -Activation sigmoid</code></example>
/// <example><code># a model inside a Sequential stack
/// New-Model -InputShape 93 | Add-ModelLayer -Layer $block | Add-DenseLayer 9 -Activation softmax</code></example>
[Cmdlet(VerbsCommon.Add, "ModelLayer")]
[OutputType(typeof(Model), typeof(KerasTensor))]
public sealed class AddModelLayerCommand : AddLayerCommandBase
{
    /// <summary>The layer ($tensor.Layer, a Get-ModelLayer result) or the model to add or apply.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public object Layer { get; set; } = null!;

    protected override Layer CreateLayer()
    {
        if (InputShape is not null)
            throw KerasException.BadArgument("InvalidLayerCall",
                "Add-ModelLayer adds a layer that exists already; its input shape is its own.");
        var layer = PSValue.Unwrap(Layer) switch
        {
            Layer l => l,
            ModelLayer ml => ml.EngineLayer,
            Model m => m.Engine.AsLayer(),
            KerasModel km => km.AsLayer(),
            var other => throw KerasException.BadArgument("InvalidLayer",
                $"-Layer takes a layer ($tensor.Layer, Get-ModelLayer) or a model; received {other?.GetType().Name ?? "nothing"}."),
        };
        if (Name is not null && Name != layer.Name)
            throw KerasException.BadArgument("InvalidLayerCall",
                $"Layer '{layer.Name}' exists already and keeps its name; -Name names new layers only.", Name);
        return layer;
    }
}
