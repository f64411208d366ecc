using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Reshaping;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds a ZeroPadding1D layer (Keras ZeroPadding1D): zeros before and after the steps of a sequence.</para>
/// <para type="description">Input (batch, steps, channels); output (batch, before + steps + after, channels). By default one zero
/// step on each side.</para>
/// </summary>
/// <example><code>$model | Add-ZeroPadding1DLayer -Padding 2,1 | Add-Conv1DLayer 8 3</code></example>
/// <example><code># functional: one zero step on each side
/// $x = New-ModelInput -Shape 10,4
/// $y = $x | Add-ZeroPadding1DLayer -Padding 1</code></example>
[Cmdlet(VerbsCommon.Add, "ZeroPadding1DLayer")]
[OutputType(typeof(Model))]
public sealed class AddZeroPadding1DLayerCommand : AddLayerCommandBase
{
    /// <summary>Zero steps to add: one value for both ends, or two (before, after). Default 1.</summary>
    [Parameter(Position = 0)]
    public int[]? Padding { get; set; }

    protected override Layer CreateLayer() => new ZeroPadding1D(Padding, Name, InputShape);
}
