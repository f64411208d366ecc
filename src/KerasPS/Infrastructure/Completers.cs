using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using KerasPS.Engine;
using KerasPS.Engine.Activations;

namespace KerasPS.Infrastructure;

/// <summary>Tab completion from a fixed list of names.</summary>
public abstract class NameCompleter : IArgumentCompleter
{
    protected abstract IEnumerable<string> Names { get; }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return Names.Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
    }
}

public sealed class ActivationCompleter : NameCompleter { protected override IEnumerable<string> Names => ActivationFunctions.Names; }

// The names below come from the engine's registries (KerasObjects): a class registered there is completed here.
public sealed class LossCompleter : NameCompleter { protected override IEnumerable<string> Names => KerasObjects.Losses.Names; }
public sealed class OptimizerCompleter : NameCompleter { protected override IEnumerable<string> Names => KerasObjects.Optimizers.Names; }
public sealed class MetricCompleter : NameCompleter { protected override IEnumerable<string> Names => KerasObjects.Metrics.Names; }
public sealed class InitializerCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => KerasObjects.Initializers.Names;
}
public sealed class RegularizerCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => KerasObjects.Regularizers.Names;
}
public sealed class ConstraintCompleter : NameCompleter { protected override IEnumerable<string> Names => KerasObjects.Constraints.Names; }
public sealed class InputDTypeCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => KerasPS.Engine.Layers.Core.InputLayer.DTypes;
}

/// <summary>Completes -Layer/-Name with the layer names of the model bound to -Model (a variable: -Model $model).</summary>
public sealed class LayerNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var bound = fakeBoundParameters["Model"];
        if (PSValue.Unwrap(bound) is not Model model) return Array.Empty<CompletionResult>();
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return model.Engine.Layers.Select(l => l.Name).Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
    }
}
