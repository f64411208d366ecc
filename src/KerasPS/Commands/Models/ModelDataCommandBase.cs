using System.Management.Automation;
using KerasPS.Engine.Data;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Models;

/// <summary>
/// Shared parameters of the cmdlets that run a model on data (Invoke-ModelFit, -Evaluate, -Predict): the model from
/// the pipeline, and the data as a dataset (-Data) or as plain arrays (-X, with -Y where a target is needed).
/// </summary>
public abstract class ModelDataCommandBase : KerasCmdlet
{
    protected const string DataSet = "Data";
    protected const string ArraySet = "Arrays";

    /// <summary>The model, usually piped from New-Model, an Add-*Layer cmdlet or Build-Model.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>The data: a dataset from Import-ModelData, ConvertTo-ModelData, Get-SampleData or Split-TrainTest.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DataSet, Position = 0)]
    public Dataset Data { get; set; } = null!;

    /// <summary>Features as rows of numbers (an array of arrays, or a 2-D array), or for a model with several inputs a hashtable of them
    /// by input name (@{ numbers = $rows; text = $codes }, every input with the same rows). NaN, infinities and numbers beyond float32
    /// are a NonFiniteValue error naming the cell.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ArraySet)]
    public object X { get; set; } = null!;

    protected override object? DefaultTarget => Model;

    /// <summary>-Data, or -X (and -Y) as a dataset.</summary>
    protected EncodedData GetData(object? y) => ParameterSetName == ArraySet ? ArrayInput.FromArrays(OneRowIfFlat(X), y) : Data.Engine;

    /// <summary>
    /// A flat array of exactly as many numbers as the model takes per row (-X @(5.1, 3.5, 1.4, 0.2) for a 4-feature model) is
    /// one row, not that many rows of one value each, which the model could never take.
    /// </summary>
    private object OneRowIfFlat(object x)
    {
        if (PSValue.Unwrap(x) is not System.Collections.IList list || list.Count < 2 || Model?.Engine.InputShape is not { } shape
            || KerasPS.Engine.Shapes.Product(shape) != list.Count)
            return x;
        foreach (var e in list)
            if (PSValue.Unwrap(e) is not (double or float or int or long or decimal or short or byte)) return x;
        return new object[] { list };
    }
}
