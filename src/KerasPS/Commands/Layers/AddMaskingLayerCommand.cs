using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Core;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Masking layer (Keras Masking): timesteps whose features all equal -MaskValue are padding that the
/// layers after it skip.</para>
/// <para type="description">The output is the input with the padded timesteps set to 0, and it carries a mask (true where any
/// feature differs from -MaskValue). SimpleRNN, LSTM, GRU and Bidirectional keep their state over masked steps,
/// GlobalAveragePooling1D averages the unmasked steps only, Attention and MultiHeadAttention leave masked steps out, and a
/// sequence-shaped output weighs the loss by the mask. Dense, Dropout, activations and normalizations pass the mask on; other
/// layers drop it, as in Keras 3. A model with Masking is not exported to ONNX.</para>
/// </summary>
/// <example><code>New-Model -InputShape 10,3 | Add-MaskingLayer -MaskValue 0 | Add-LSTMLayer 8 |
///     Add-DenseLayer 1 -Activation sigmoid</code></example>
/// <example><code>New-Model -InputShape 6,2 | Add-MaskingLayer -MaskValue -1 |
///     Add-BidirectionalLayer (New-Model | Add-GRULayer 4 -ReturnSequences) | Add-GlobalAveragePooling1DLayer</code></example>
[Cmdlet(VerbsCommon.Add, "MaskingLayer")]
[OutputType(typeof(Model))]
public sealed class AddMaskingLayerCommand : AddLayerCommandBase
{
    /// <summary>The value that marks padding: a timestep whose features all equal it is masked (0 by default, as in Keras).</summary>
    [Parameter(Position = 0)]
    public double MaskValue { get; set; } = Masking.DefaultMaskValue;

    protected override Layer CreateLayer() => new Masking(MaskValue, Name, InputShape);
}
