using System.Management.Automation;
using KerasPS.Engine.Initializers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Parameters of the recurrent layers' kernel and bias (SimpleRNN, LSTM, GRU): whether there is a bias, and how the
/// kernel and the bias start.
/// </summary>
public abstract class AddWeightedLayerCommandBase : AddBiasLayerCommandBase
{
    /// <summary>Kernel initializer name (glorot_uniform by default), a hashtable in Keras's config form, or a New-Initializer
    /// object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? KernelInitializer { get; set; }

    protected Initializer? KernelInit => EngineArguments.ToInitializer(KernelInitializer);
}
