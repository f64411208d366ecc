using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Rnn;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Bidirectional wrapper (Keras Bidirectional): a SimpleRNN, LSTM or GRU run forwards and a copy run
/// backwards, their outputs merged.</para>
/// <para type="description">-Layer is a model holding the one recurrent layer to wrap (New-Model | Add-LSTMLayer 8), as Keras's
/// Bidirectional(LSTM(8)). The forward copy is named forward_&lt;name&gt;, the backward one backward_&lt;name&gt; (go_backwards),
/// unless -BackwardLayer gives one. -MergeMode concat (Keras's default: twice the units), sum, mul or ave. With
/// -ReturnSequences on the wrapped layer the backward outputs are put back in time order before merging, as Keras does.
/// Parameters: twice the wrapped layer's.</para>
/// </summary>
/// <example><code>New-Model -InputShape 20 | Add-EmbeddingLayer 5000 32 |
/// Add-BidirectionalLayer (New-Model | Add-LSTMLayer 16) | Add-DenseLayer 1 -Activation sigmoid</code></example>
/// <example><code># functional: both directions of a GRU, summed, one output per timestep
/// $x = New-ModelInput -Shape 30,4
/// $y = $x | Add-BidirectionalLayer (New-Model | Add-GRULayer 8 -ReturnSequences) -MergeMode sum</code></example>
[Cmdlet(VerbsCommon.Add, "BidirectionalLayer")]
[OutputType(typeof(Model))]
public sealed class AddBidirectionalLayerCommand : AddLayerCommandBase
{
    /// <summary>A model holding the one SimpleRNN, LSTM or GRU layer to run in both directions (it is copied, not changed).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public Model Layer { get; set; } = null!;

    /// <summary>How the two directions' outputs are merged: concat (default), sum, mul or ave.</summary>
    [Parameter]
    [ValidateSet("concat", "sum", "mul", "ave")]
    public string MergeMode { get; set; } = Bidirectional.DefaultMergeMode;

    /// <summary>A model holding the recurrent layer to run backwards instead of a copy of -Layer; it must set -GoBackwards and
    /// the same -ReturnSequences.</summary>
    [Parameter]
    public Model? BackwardLayer { get; set; }

    protected override Engine.Layers.Layer CreateLayer() =>
        new Bidirectional(Recurrent(Layer, nameof(Layer)), MergeMode,
            BackwardLayer is null ? null : Recurrent(BackwardLayer, nameof(BackwardLayer)), Name, InputShape);

    /// <summary>A fresh copy (through its config) of the one recurrent layer a model holds.</summary>
    private static RecurrentBase Recurrent(Model model, string parameter)
    {
        var layers = model.Engine.Layers;
        if (layers.Count != 1 || layers[0] is not RecurrentBase rnn)
            throw KerasException.BadArgument("InvalidWrappedLayer",
                $"-{parameter} takes a model holding one SimpleRNN, LSTM or GRU layer (New-Model | Add-LSTMLayer 8); "
                    + $"it holds {(layers.Count == 0 ? "no layer" : string.Join(", ", layers.Select(l => l.ClassName)))}.", parameter);
        var config = rnn.GetConfig();
        config.Remove("input_shape");
        return (RecurrentBase)LayerRegistry.FromConfig(rnn.ClassName, config);
    }
}
