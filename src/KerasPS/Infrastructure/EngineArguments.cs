using System.Collections;
using System.Globalization;
using KerasPS.Engine;
using KerasPS.Engine.Constraints;
using KerasPS.Engine.Initializers;
using KerasPS.Engine.Regularizers;
using KerasPS.Engine.Training;

namespace KerasPS.Infrastructure;

/// <summary>
/// Turns what a user types for an initializer, regularizer or constraint (a Keras name, a hashtable in Keras's
/// config form, or an object from New-Initializer / New-Regularizer / New-Constraint) into the engine's typed
/// object, so the engine never takes <c>object</c>. Runs inside the cmdlet, not in a transformation attribute:
/// a refusal then keeps its stable error id (UnknownRegularizer, ...) instead of PowerShell's
/// ParameterArgumentTransformationError.
/// </summary>
internal static class EngineArguments
{
    public static Initializer? ToInitializer(object? value) => PSValue.Unwrap(value) switch
    {
        null => null,
        Initializer i => i,
        string s => KerasObjects.Initializers.Create(s),
        IDictionary d => Initializer.FromConfig(Config(d)),
        var other => throw KerasException.BadArgument("UnknownInitializer",
            $"An initializer must be a name ({string.Join(", ", KerasObjects.Initializers.Names)}) or a New-Initializer object. " +
            $"Received: {other}.", other),
    };

    public static Regularizer? ToRegularizer(object? value) => PSValue.Unwrap(value) switch
    {
        null => null,
        Regularizer r => r,
        string s => Regularizer.FromName(s),
        IDictionary d => Regularizer.FromConfig(Config(d)),
        var other => throw KerasException.BadArgument("UnknownRegularizer",
            $"A regularizer must be a name ({string.Join(", ", KerasObjects.Regularizers.Names)}) or an object from New-Regularizer. "
                + $"Received: {other}.", other),
    };

    public static Constraint? ToConstraint(object? value) => PSValue.Unwrap(value) switch
    {
        null => null,
        Constraint c => c,
        string s when string.IsNullOrWhiteSpace(s) => null,
        string s => KerasObjects.Constraints.Create(s),
        IDictionary d => Constraint.FromConfig(Config(d)),
        var other => throw KerasException.BadArgument("UnknownConstraint",
            $"A constraint must be a name ({string.Join(", ", KerasObjects.Constraints.Names)}) or an object from New-Constraint. "
                + $"Received: {other}.", other),
    };

    public static MetricSpec ToMetric(object? value) => PSValue.Unwrap(value) switch
    {
        MetricSpec m => m,
        string s => MetricSpec.Parse(s),
        var other => throw KerasException.BadArgument("UnknownMetric",
            $"A metric must be a name ({string.Join(", ", KerasObjects.Metrics.Names)}) or an object from New-Metric. Received: {other}.",
                other),
    };

    /// <summary>A PowerShell hashtable (case-insensitive, values maybe wrapped) as the engine's config dictionary.</summary>
    private static Dictionary<string, object?> Config(IDictionary d)
    {
        var c = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in d)
        {
            var v = PSValue.Unwrap(e.Value);
            c[Convert.ToString(e.Key, CultureInfo.InvariantCulture)!] = v is IDictionary inner ? Config(inner) : v;
        }
        return c;
    }
}
