using System.Management.Automation;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// <para type="synopsis">Reads a model's weights: one object per weight with its layer, name, shape, trainable flag and a copy of its
/// values (Keras's layer.get_weights()).</para>
/// <para type="description">Values are float32, row-major (the last axis varies fastest); a Dense kernel has shape (inputs, units) as in
/// Keras. -Layer and -Name pick weights (wildcards allowed). Write values back with Set-ModelWeight.</para>
/// </summary>
/// <example><code>$model | Get-ModelWeight -Layer dense -Name kernel</code></example>
/// <example><code>$model | Get-ModelWeight | Format-Table Path, Shape, Trainable</code></example>
[Cmdlet(VerbsCommon.Get, "ModelWeight")]
[OutputType(typeof(ModelWeight))]
public sealed class GetModelWeightCommand : KerasCmdlet
{
    /// <summary>The model, usually piped.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>Layer names (wildcards allowed); by default every layer.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(LayerNameCompleter))]
    public string[]? Layer { get; set; }

    /// <summary>Weight names within the layers (kernel, bias, gamma, moving_mean, ...; wildcards allowed); by default all.</summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override object? DefaultTarget => Model;

    protected override void Process()
    {
        if (!Model.Engine.IsBuilt)
            throw KerasPS.Engine.KerasException.BadOperation("ModelNotBuilt",
                $"Model '{Model.Name}' has no weights yet. Give it an -InputShape (New-Model -InputShape) or train it first.", Model);
        var layers = Layer is { Length: > 0 }
            ? Layer.SelectMany(n => LayerLookup.Find(Model, n, allowWildcards: true)).Distinct().Order().Select(i => Model.Engine.Layers[i])
                .ToList()
            : Model.Engine.Layers.ToList();
        var patterns = Name?.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToList();
        foreach (var w in layers.SelectMany(l => l.Weights))
            if (patterns is null || patterns.Any(p => p.IsMatch(w.Name))) WriteObject(new ModelWeight(Model, w));
    }
}
