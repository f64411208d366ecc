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
    protected EncodedData GetData(object? y) => ParameterSetName == ArraySet ? ArrayInput.FromArrays(X, y) : Data.Engine;
}
