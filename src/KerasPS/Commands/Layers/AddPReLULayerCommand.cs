using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Infrastructure;
using KerasPS.Engine.Layers.Activations;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a PReLU layer (Keras PReLU): a leaky ReLU whose negative slope alpha is learned, one per input
/// element.</para>
/// <para type="description">alpha has the shape of the input (without the batch axis) and starts at 0; -SharedAxes (1-based) shares it
/// along axes, e.g. -SharedAxes 1,2 for one alpha per channel of an image.</para>
/// </summary>
/// <example><code>$model | Add-Conv2DLayer 16 3 | Add-PReLULayer -SharedAxes 1,2</code></example>
/// <example><code>New-Model -InputShape 13 | Add-DenseLayer 32 | Add-PReLULayer | Add-DenseLayer 3 -Activation softmax</code></example>
[Cmdlet(VerbsCommon.Add, "PReLULayer")]
[OutputType(typeof(Model))]
public sealed class AddPReLULayerCommand : AddLayerCommandBase
{
    /// <summary>Initializer of alpha: a name (zeros by default) or a New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? AlphaInitializer { get; set; }

    /// <summary>Axes (1-based, batch excluded) along which alpha is shared.</summary>
    [Parameter]
    public int[]? SharedAxes { get; set; }

    protected override Layer CreateLayer() =>
        new PReLU(EngineArguments.ToInitializer(AlphaInitializer), SharedAxes, Name, InputShape);
}
