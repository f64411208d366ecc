using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Rnn;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Gated Recurrent Unit layer (Keras GRU) over input (timesteps, features).</para>
/// <para type="description">Keras 3's default reset_after: the reset gate applies after the recurrent projection, and the bias is (2,
/// 3*units), so GRU(32) on 10 features has 3*(10*32 + 32*32 + 2*32) = 4,224 parameters. -ResetAfter:$false gives the original GRU with one
/// bias (3*units). Gate order update, reset, candidate as in Keras.</para>
/// </summary>
/// <example><code>New-Model -InputShape 50,10 | Add-GRULayer 32 | Add-DenseLayer 1</code></example>
/// <example><code>New-Model -InputShape 30,4 | Add-GRULayer 16 -ReturnSequences | Add-GRULayer 8 | Add-DenseLayer 1</code></example>
[Cmdlet(VerbsCommon.Add, "GRULayer")]
[OutputType(typeof(Model))]
public sealed class AddGRULayerCommand : AddGatedLayerCommandBase
{
    /// <summary>Apply the reset gate after the recurrent projection (on by default, Keras 3's default; -ResetAfter:$false turns it
    /// off).</summary>
    [Parameter]
    public SwitchParameter ResetAfter { get; set; }

    protected override Layer CreateLayer() =>
        new GRU(Units, Activation, RecurrentActivation, Bias, ReturnSequences.IsPresent, GoBackwards.IsPresent,
            !IsBound(nameof(ResetAfter)) || ResetAfter.IsPresent, KernelInit, RecurrentInit, BiasInit, Name, InputShape)
        { Dropout = Dropout, RecurrentDropout = RecurrentDropout };
}
