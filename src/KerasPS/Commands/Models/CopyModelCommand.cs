using System.Management.Automation;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Makes an independent deep copy of a model (Keras's clone_model plus set_weights): same layers, weights, compile
/// settings and history; training or changing one leaves the other alone.</para>
/// <para type="description">Each layer is rebuilt from its own Keras config (the same round trip a checkpoint makes) and gets a copy of
/// every weight. Add-*Layer cmdlets change the model they are given, so copy a base model before building variants from it. Without
/// -IncludeOptimizer the copy's optimizer starts fresh (Keras's clone_model); with it the moments, step count and learning rate come along,
/// so the copy trains on exactly as the original would.</para>
/// </summary>
/// <example><code>$base = New-Model -InputShape 93 | Add-DenseLayer 64 -Activation relu
/// $wide = $base | Copy-Model -Name wide | Add-DenseLayer 9 -Activation softmax
/// $deep = $base | Copy-Model -Name deep | Add-DenseLayer 32 -Activation relu | Add-DenseLayer 9 -Activation softmax</code></example>
/// <example><code>$branch = $model | Copy-Model -IncludeOptimizer; $branch | Invoke-ModelFit -Data $train -Epochs 30</code></example>
[Cmdlet(VerbsCommon.Copy, "Model")]
[OutputType(typeof(Model))]
public sealed class CopyModelCommand : KerasCmdlet
{
    /// <summary>The model to copy, usually piped.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>The copy's name; by default the original's.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Also copy the optimizer's state (moments, steps, learning rate), so the copy continues training exactly where the original
    /// stands.</summary>
    [Parameter]
    public SwitchParameter IncludeOptimizer { get; set; }

    protected override object? DefaultTarget => Model;

    protected override void Process() => WriteObject(new Model(Model.Engine.Clone(Name, IncludeOptimizer)));
}
