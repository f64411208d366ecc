using System.Management.Automation;
using KerasPS.Engine.Checkpoints;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Checkpoints;

/// <summary>
/// <para type="synopsis">Loads a model from a checkpoint written by Export-Checkpoint (.kpt) or a Keras file (.keras, Keras 2 or 3 .h5),
/// built and compiled as it was saved; or, with -WeightsInto, loads only the weights into an existing model.</para>
/// <para type="description">Everything in the file is checked before use: zip entry names, the format version, the safetensors header
/// (sizes, offsets, dtype) against the file length and the model's shapes, and a SHA-256 of the weights. A missing or bad file is a
/// non-terminating error (CheckpointNotFound, InvalidCheckpoint naming the problem, UnsafeCheckpoint) with the file as TargetObject, and
/// the other files go on. Importing never runs code from the file: a layer whose config carries code (a script block) is refused with
/// UnsafeCheckpoint unless -AllowUnsafeDeserialization is given. A model saved with -IncludeOptimizer resumes training exactly:
/// Invoke-ModelFit with a larger -Epochs continues with the saved optimizer moments, learning rate and fit seed. With -WeightsInto the
/// weights are matched by name (dense/kernel, ...); any missing, extra or differently shaped weight is listed in one WeightsMismatch error
/// and the model is left unchanged.</para>
/// </summary>
/// <example><code>$model = Import-Checkpoint -Path ./otto.kpt; $model | Invoke-ModelFit -Data $train -Epochs 20</code></example>
/// <example><code>Get-ChildItem ./runs/*.kpt | Import-Checkpoint | Format-Table Name, EpochsTrained, ParamCount</code></example>
/// <example><code>Import-Checkpoint -Path ./otto.weights.kpt -WeightsInto $model | Invoke-ModelPredict -Data $test</code></example>
[Cmdlet(VerbsData.Import, "Checkpoint", DefaultParameterSetName = PathSet)]
[OutputType(typeof(Model))]
public sealed class ImportCheckpointCommand : KerasCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralSet = "LiteralPath";

    /// <summary>Checkpoint file(s) to load; wildcards are allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true,
        ParameterSetName = PathSet)]
    public string[] Path { get; set; } = null!;

    /// <summary>Checkpoint file(s) to load, taken literally (no wildcards); bound from the pipeline by FileInfo objects.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralSet)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>Allow layers whose config carries code (script blocks); only for files from an author you trust (Keras
    /// safe_mode=False).</summary>
    [Parameter]
    public SwitchParameter AllowUnsafeDeserialization { get; set; }

    /// <summary>Load only the weights, name by name, into this model (Keras load_weights), and write that model out.</summary>
    [Parameter]
    public Model? WeightsInto { get; set; }

    protected override void Process() =>
        ForEachInput(ParameterSetName == LiteralSet ? LiteralPath : Path,
            path => ForEachInput(ResolveInputFiles(path, ParameterSetName == LiteralSet, "CheckpointNotFound", "Checkpoint"), file =>
        {
            if (WeightsInto is not null)
            {
                Checkpoint.LoadWeightsInto(WeightsInto.Engine, file);
                WriteVerbose($"Loaded {WeightsInto.Engine.Weights.Count()} weights from {file} into model '{WeightsInto.Name}'.");
                WriteObject(WeightsInto);
            }
            else
            {
                var model = Checkpoint.Load(file, AllowUnsafeDeserialization, WriteWarning);
                WriteVerbose($"Loaded model '{model.Name}' ({model.ParamCount:N0} parameters, "
                    + $"{model.EpochsTrained} epochs trained) from {file}.");
                WriteObject(new Model(model));
            }
        }));
}
