using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Reshaping;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a RepeatVector layer (Keras RepeatVector): (batch, features) becomes (batch, n, features).</para>
/// <para type="description">Repeats each sample n times along a new second axis, for example to feed a vector to a recurrent
/// decoder.</para>
/// </summary>
/// <example><code>New-Model -InputShape 32 | Add-RepeatVectorLayer 3 | Add-LSTMLayer 16</code></example>
/// <example><code>New-Model -InputShape 8 | Add-DenseLayer 16 | Add-RepeatVectorLayer -N 5 | Get-ModelSummary</code></example>
[Cmdlet(VerbsCommon.Add, "RepeatVectorLayer")]
[OutputType(typeof(Model))]
public sealed class AddRepeatVectorLayerCommand : AddLayerCommandBase
{
    /// <summary>How many times to repeat (a positive integer).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int N { get; set; }

    protected override Layer CreateLayer() =>
        new RepeatVector(N, Name, InputShape);
}
