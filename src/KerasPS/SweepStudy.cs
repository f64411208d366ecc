using System.Collections.Specialized;
using KerasPS.Engine.Sweeps.Studies;

namespace KerasPS;

/// <summary>A sweep study in a database (New-SweepStudy): what it searches, how, and where it lives.</summary>
public sealed class SweepStudy
{
    internal SweepStudy(StudyStorage storage, StudyInfo info)
    {
        Storage = storage.Display;
        Name = info.Name;
        var d = info.Definition;
        Search = d?.Search;
        Prune = d?.Prune;
        Monitor = d?.Monitor.Name;
        Direction = info.Direction;
        Trials = d?.Trials;
        Epochs = d?.Epochs;
        Seed = d?.Seed;
        Parameters = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (var x in info.Distributions) Parameters[x.Name] = x.Values.Length == 1 ? x.Values[0] : x.Values;
    }

    /// <summary>The storage's URL without its password.</summary>
    public string Storage { get; }
    public string Name { get; }

    /// <summary>Grid, Random or Tpe.</summary>
    public string? Search { get; }

    /// <summary>None, Median or Hyperband.</summary>
    public string? Prune { get; }
    public string? Monitor { get; }

    /// <summary>MINIMIZE or MAXIMIZE (Optuna's study direction).</summary>
    public string Direction { get; }

    /// <summary>The study's budget of trials (retries of lost trials not counted).</summary>
    public int? Trials { get; }
    public int? Epochs { get; }
    public long? Seed { get; }

    /// <summary>The search space: each parameter's range or list of values.</summary>
    public OrderedDictionary Parameters { get; }

    public override string ToString() => $"{Name} ({Search}, {Trials} trials) in {Storage}";
}
