using KerasPS.Engine;
using EngineDataset = KerasPS.Engine.Data.Dataset;

namespace KerasPS;

/// <summary>
/// A KerasPS dataset as PowerShell sees it: features and an encoded target, ready to train on.
/// Not a collection on purpose, so that it travels down the pipeline as one object.
/// </summary>
public sealed class Dataset
{
    public Dataset(EngineDataset engine) => Engine = engine;

    /// <summary>The engine dataset (float32 features, encoded labels).</summary>
    public EngineDataset Engine { get; }

    public int Count => Engine.Count;
    public IReadOnlyList<string> FeatureNames => Engine.FeatureNames;
    public int[] FeatureShape => Engine.FeatureShape;
    public string Shape => Shapes.Format(Engine.FeatureShape);
    public string? TargetName => Engine.TargetName;
    public string TargetKind => Engine.TargetKind.ToString();

    /// <summary>Class names in label order: numeric order when every label is a number, otherwise ordinal string order.</summary>
    public IReadOnlyList<string>? Classes => Engine.Classes;

    /// <summary>Rows per class, as "Class_1=1930, Class_2=16122, ...".</summary>
    public string ClassBalance => Engine.Classes is null ? "" :
        string.Join(", ", Engine.Classes.Zip(Engine.ClassCounts, (c, n) => $"{c}={n}"));

    /// <summary>One row as a new one-row dataset.</summary>
    public Dataset this[int index] => new(Engine.Slice(index < 0 ? Count + index : index, 1));

    /// <summary>Rows start..start+count-1 as a new dataset.</summary>
    public Dataset Slice(int start, int count) => new(Engine.Slice(start, count));

    public override string ToString() => Engine.ToString();
}
