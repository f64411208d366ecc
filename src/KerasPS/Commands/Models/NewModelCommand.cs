using System.Management.Automation;
using KerasPS.Engine.Models;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Creates an empty sequential model (Keras Sequential).</para>
/// <para type="description">Pipe the model to Add-*Layer cmdlets, then to Build-Model. With -InputShape the layers get their weights as
/// they are added, so Get-ModelSummary shows parameter counts at once; otherwise weights are created at the first fit from the data.</para>
/// </summary>
/// <example><code>New-Model -Name otto -InputShape 93 -Seed 42 | Add-DenseLayer -Units 9 -Activation softmax</code></example>
[Cmdlet(VerbsCommon.New, "Model")]
[OutputType(typeof(Model))]
public sealed class NewModelCommand : KerasCmdlet
{
    /// <summary>Model name (default: sequential).</summary>
    [Parameter(Position = 0)]
    public string? Name { get; set; }

    /// <summary>Input shape without the batch axis, e.g. 93 for 93 features, or 28,28,1 for images.</summary>
    [Parameter]
    public int[]? InputShape { get; set; }

    /// <summary>Seed for weight initialisation; the same seed and layers give the same weights on every machine.</summary>
    [Parameter]
    public long? Seed { get; set; }

    protected override void Process() => WriteObject(new Model(new KerasModel(Name, InputShape, Seed)));
}
