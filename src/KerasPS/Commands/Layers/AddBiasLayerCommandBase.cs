using System.Management.Automation;
using KerasPS.Engine.Initializers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// Parameters of every layer with an optional bias (Dense, the convolutions, SimpleRNN, LSTM, GRU): whether there is a bias,
/// and how it starts.
/// </summary>
public abstract class AddBiasLayerCommandBase : AddLayerCommandBase
{
    /// <summary>Whether the layer has a bias (on by default; -UseBias:$false turns it off).</summary>
    [Parameter]
    public SwitchParameter UseBias { get; set; }

    /// <summary>Bias initializer name (zeros by default), a hashtable in Keras's config form, or a New-Initializer object.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? BiasInitializer { get; set; }

    /// <summary>UseBias, on unless -UseBias:$false was given.</summary>
    protected bool Bias => !IsBound(nameof(UseBias)) || UseBias.IsPresent;

    protected Initializer? BiasInit => EngineArguments.ToInitializer(BiasInitializer);
}
