using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;
using KerasPS.Engine.Layers.Activations;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds an activation layer (Keras Activation).</para>
/// </summary>
/// <example><code>New-Model -InputShape 93 | Add-DenseLayer 9 | Add-ActivationLayer softmax</code></example>
/// <example><code>$model | Add-Conv2DLayer 16 3 | Add-BatchNormalizationLayer | Add-ActivationLayer relu</code></example>
[Cmdlet(VerbsCommon.Add, "ActivationLayer")]
[OutputType(typeof(Model))]
public sealed class AddActivationLayerCommand : AddLayerCommandBase
{
    /// <summary>The activation, by name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(ActivationCompleter))]
    public string Activation { get; set; } = null!;

    protected override Layer CreateLayer() => new ActivationLayer(Activation, Name, InputShape);
}
