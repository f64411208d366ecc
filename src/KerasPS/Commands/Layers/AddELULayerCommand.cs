using System.Management.Automation;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Activations;

namespace KerasPS.Commands.Layers;

/// <summary>
/// <para type="synopsis">Adds an ELU layer (Keras ELU): x for x &gt; 0, alpha * (exp(x) - 1) otherwise.</para>
/// <para type="description">alpha is 1.0 by default.</para>
/// </summary>
/// <example><code>$model | Add-DenseLayer 64 | Add-ELULayer -Alpha 0.5</code></example>
/// <example><code>New-Model -InputShape 13 | Add-DenseLayer 32 | Add-ELULayer | Add-DenseLayer 3 -Activation softmax</code></example>
[Cmdlet(VerbsCommon.Add, "ELULayer")]
[OutputType(typeof(Model))]
public sealed class AddELULayerCommand : AddLayerCommandBase
{
    /// <summary>Scale of the negative part (1.0 by default).</summary>
    [Parameter(Position = 0)]
    public double Alpha { get; set; } = ELU.DefaultAlpha;

    protected override Layer CreateLayer() =>
        new ELU(Alpha, Name, InputShape);
}
