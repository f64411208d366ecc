using System.Management.Automation;
using KerasPS.Engine.Initializers;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>Parameters shared by Add-SimpleRNNLayer, Add-LSTMLayer and Add-GRULayer.</summary>
public abstract class AddRecurrentLayerCommandBase : AddWeightedLayerCommandBase
{
    /// <summary>Size of the hidden state (a positive integer).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int Units { get; set; }

    /// <summary>Output one hidden state per timestep, (timesteps, units), instead of only the last, (units); needed to stack recurrent
    /// layers.</summary>
    [Parameter]
    public SwitchParameter ReturnSequences { get; set; }

    /// <summary>Process the sequence from the last timestep to the first.</summary>
    [Parameter]
    public SwitchParameter GoBackwards { get; set; }

    /// <summary>Activation of the state (tanh by default).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ActivationCompleter))]
    public string? Activation { get; set; }

    /// <summary>Initializer of the recurrent kernel (orthogonal by default).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InitializerCompleter))]
    public object? RecurrentInitializer { get; set; }

    /// <summary>Fraction of the input features zeroed while training (Keras's dropout), one mask per sequence; 0 by default, none
    /// at inference.</summary>
    [Parameter]
    public double Dropout { get; set; }

    /// <summary>Fraction of the previous output zeroed as it enters the recurrent kernel while training (Keras's
    /// recurrent_dropout), the same mask at every timestep; 0 by default.</summary>
    [Parameter]
    public double RecurrentDropout { get; set; }

    protected Initializer? RecurrentInit => EngineArguments.ToInitializer(RecurrentInitializer);

}

/// <summary>Adds the gate activation that LSTM and GRU have.</summary>
public abstract class AddGatedLayerCommandBase : AddRecurrentLayerCommandBase
{
    /// <summary>Activation of the gates (sigmoid by default).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ActivationCompleter))]
    public string? RecurrentActivation { get; set; }
}
