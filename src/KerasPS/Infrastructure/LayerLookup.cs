using System.Management.Automation;
using KerasPS.Engine;

namespace KerasPS.Infrastructure;

/// <summary>Finds layers of a model by name for the layer and weight cmdlets, with one error that lists the names there are.</summary>
internal static class LayerLookup
{
    /// <summary>Indexes of the layers whose name matches; LayerNotFound (ObjectNotFound) when none does.</summary>
    public static IReadOnlyList<int> Find(Model model, string name, bool allowWildcards)
    {
        var layers = model.Engine.Layers;
        var found = new List<int>();
        if (allowWildcards && WildcardPattern.ContainsWildcardCharacters(name))
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            for (int i = 0; i < layers.Count; i++) if (pattern.IsMatch(layers[i].Name)) found.Add(i);
        }
        else
        {
            for (int i = 0; i < layers.Count; i++) if (string.Equals(layers[i].Name, name, StringComparison.OrdinalIgnoreCase))
                found.Add(i);
        }
        if (found.Count == 0)
            throw new KerasException("LayerNotFound", ErrorKind.ObjectNotFound,
                $"Model '{model.Name}' has no layer '{name}'. Its layers: "
                    + $"{(layers.Count == 0 ? "(none)" : string.Join(", ", layers.Select(l => l.Name)))}.") { Target = name };
        return found;
    }
}
