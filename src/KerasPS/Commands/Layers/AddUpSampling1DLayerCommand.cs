using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Reshaping;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds an UpSampling1D layer (Keras UpSampling1D): repeats each step of a sequence.</para>
/// <para type="description">Input (batch, steps, channels); output (batch, steps * size, channels), each step repeated size times in
/// place.</para>
/// </summary>
/// <example><code>$model | Add-Conv1DLayer 8 3 -Padding same | Add-UpSampling1DLayer -Size 3</code></example>
/// <example><code># functional: repeat each step twice
/// $x = New-ModelInput -Shape 10,4
/// $y = $x | Add-UpSampling1DLayer -Size 2</code></example>
[Cmdlet(VerbsCommon.Add, "UpSampling1DLayer")]
[OutputType(typeof(Model))]
public sealed class AddUpSampling1DLayerCommand : AddLayerCommandBase
{
    /// <summary>How many times each step is repeated (default 2).</summary>
    [Parameter(Position = 0)]
    [ValidateRange(1, int.MaxValue)]
    public int Size { get; set; } = UpSampling1D.DefaultSize;

    protected override Layer CreateLayer() => new UpSampling1D(Size, Name, InputShape);
}
