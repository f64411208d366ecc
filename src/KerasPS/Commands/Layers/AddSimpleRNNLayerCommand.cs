using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Rnn;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a fully connected recurrent layer (Keras SimpleRNN): h = tanh(x W + h U + b) over the timesteps of input
/// (timesteps, features).</para>
/// <para type="description">Weights as Keras: kernel (features, units), recurrent_kernel (units, units), bias (units). Outputs the last
/// state, or every state with -ReturnSequences.</para>
/// </summary>
/// <example><code>New-Model -InputShape 10,3 | Add-SimpleRNNLayer 16 | Add-DenseLayer 1</code></example>
/// <example><code>New-Model -InputShape 20,2 | Add-SimpleRNNLayer 8 -ReturnSequences | Add-SimpleRNNLayer 4 -GoBackwards</code></example>
[Cmdlet(VerbsCommon.Add, "SimpleRNNLayer")]
[OutputType(typeof(Model))]
public sealed class AddSimpleRNNLayerCommand : AddRecurrentLayerCommandBase
{
    protected override Layer CreateLayer() => new SimpleRNN(Units, Activation, Bias, ReturnSequences.IsPresent, GoBackwards.IsPresent,
        KernelInit, RecurrentInit, BiasInit, Name, InputShape)
        { Dropout = Dropout, RecurrentDropout = RecurrentDropout };
}
