using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Preprocessing;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a Keras Hashing layer: each value goes to one of NumBins bins by a stable hash, the same bin Keras
/// gives it.</para>
/// <para type="description">As Keras does it, a number is cast to an integer (toward zero) and its decimal text is hashed with
/// FarmHash Fingerprint64, or with SipHash-2-4 keyed by -Salt; the bin is the hash modulo the bins. -MaskValue keeps bin 0 for that
/// value and shifts the others up by one. Use it for ids with too many values to list (user ids, ports, error codes): collisions
/// share a bin, and no vocabulary has to be kept.</para>
/// <para type="description">ONNX has no such hash operator, so Export-OnnxModel refuses a model with this layer and names it.</para>
/// </summary>
/// <example><code>New-Model -InputShape 1 | Add-HashingLayer 64 -OutputMode one_hot | Add-DenseLayer 1 -Activation sigmoid</code></example>
/// <example><code>New-Model -InputShape 3 | Add-HashingLayer -NumBins 8 -Salt 133 -MaskValue 0</code></example>
/// <example><code># raw host names (a -Text column) hashed inside a functional model; an unseen host still gets a bin
/// $hostName = New-ModelInput -Name host -DType string
/// $out = $hostName | Add-HashingLayer 1024 -OutputMode one_hot | Add-DenseLayer 1 -Activation sigmoid
/// $model = New-Model -Inputs $hostName -Outputs $out</code></example>
[Cmdlet(VerbsCommon.Add, "HashingLayer")]
[OutputType(typeof(Model))]
public sealed class AddHashingLayerCommand : AddLayerCommandBase
{
    /// <summary>The number of bins, including bin 0 of -MaskValue when there is one.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int NumBins { get; set; }

    /// <summary>A value that always goes to bin 0 (the others then use bins 1..NumBins-1); a number, or a string for string
    /// inputs.</summary>
    [Parameter]
    public object? MaskValue { get; set; }

    /// <summary>One or two positive integers: hash with SipHash keyed by them instead of FarmHash (one integer is used twice).</summary>
    [Parameter]
    public ulong[]? Salt { get; set; }

    /// <summary>int (the bin, default), one_hot, multi_hot or count.</summary>
    [Parameter]
    [ValidateSet("int", "one_hot", "multi_hot", "count")]
    public string OutputMode { get; set; } = "int";

    protected override Layer CreateLayer() => new Hashing(NumBins, PSValue.Unwrap(MaskValue), Salt, OutputMode, Name, InputShape);
}
