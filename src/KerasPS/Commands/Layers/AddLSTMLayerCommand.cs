using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Rnn;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Long Short-Term Memory layer (Keras LSTM) over input (timesteps, features).</para>
/// <para type="description">Weights as Keras, gates in the order input, forget, cell, output: kernel (features, 4*units), recurrent_kernel
/// (units, 4*units), bias (4*units); LSTM(64) on 100 features has 42,240 parameters. The forget-gate bias starts at 1 (unit_forget_bias)
/// unless -NoUnitForgetBias.</para>
/// </summary>
/// <example><code>New-Model -InputShape 20 | Add-EmbeddingLayer 5000 32 | Add-LSTMLayer 64 |
/// Add-DenseLayer 1 -Activation sigmoid</code></example>
/// <example><code>New-Model -InputShape 30,4 | Add-LSTMLayer 32 -ReturnSequences | Add-LSTMLayer 16 | Add-DenseLayer 1</code></example>
[Cmdlet(VerbsCommon.Add, "LSTMLayer")]
[OutputType(typeof(Model))]
public sealed class AddLSTMLayerCommand : AddGatedLayerCommandBase
{
    /// <summary>Start the forget-gate bias at 0 instead of Keras's 1.</summary>
    [Parameter]
    public SwitchParameter NoUnitForgetBias { get; set; }

    protected override Layer CreateLayer() =>
        new LSTM(Units, Activation, RecurrentActivation, Bias, ReturnSequences.IsPresent, GoBackwards.IsPresent,
            !NoUnitForgetBias.IsPresent, KernelInit, RecurrentInit, BiasInit, Name, InputShape)
        { Dropout = Dropout, RecurrentDropout = RecurrentDropout };
}
