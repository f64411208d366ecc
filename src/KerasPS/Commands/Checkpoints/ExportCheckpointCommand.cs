using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Checkpoints;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Checkpoints;

/// <summary>
/// <para type="synopsis">Saves a model to one checkpoint file: config, weights (safetensors) and, with -IncludeOptimizer, the optimizer
/// state to resume training exactly.</para>
/// <para type="description">The file is a zip holding config.json (layers, compile settings, classes, feature names, epochs trained, fit
/// seed, history) and model.safetensors (every weight, named layer/weight, kernels in Keras's (in, out) layout), readable by PyTorch and
/// NumPy once unzipped. The write is atomic: the checkpoint goes to a temporary file in the same folder, is flushed to disk and then
/// renamed over the target, so an interrupted write never leaves a partial file and an older checkpoint at that path survives. An existing
/// file is only replaced with -Force; without it the model is skipped with a non-terminating CheckpointExists error. -Path is taken
/// literally (no wildcards) and must be on the FileSystem provider. With -WeightsOnly only the weights are stored (Keras save_weights);
/// load them with Import-Checkpoint -WeightsInto. The extension picks the format (another extension needs -Format): .kpt
/// (KerasPS), .keras (Keras 3: config.json, metadata.json and model.weights.h5 in a zip) or .h5 (Keras 2 HDF5, as model.save("m.h5")
/// writes); Keras files hold no optimizer state.
/// See module/CHECKPOINT-FORMAT.md for the layouts.</para>
/// </summary>
/// <example><code>$model | Export-Checkpoint -Path ./otto.kpt -IncludeOptimizer</code></example>
/// <example><code>$model | Export-Checkpoint -Path ./otto.weights.kpt -WeightsOnly -Force -PassThru</code></example>
/// <example><code>$model | Export-Checkpoint -Path ./otto.keras   # or ./otto.h5, for Keras</code></example>
[Cmdlet(VerbsData.Export, "Checkpoint", SupportsShouldProcess = true, DefaultParameterSetName = FullSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportCheckpointCommand : KerasCmdlet
{
    private const string FullSet = "Full";
    private const string WeightsSet = "WeightsOnly";

    /// <summary>The model to save (from the pipeline).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>File to write, e.g. model.kpt, model.keras or model.h5 (the extension picks the format; a PowerShell path: relative to the
    /// current location, a PSDrive or ~); its folder must exist.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("LiteralPath")]
    public string Path { get; set; } = null!;

    /// <summary>Replace an existing file at -Path (atomically: the old file stays until the new one is complete). Without it an existing
    /// file is a CheckpointExists error.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Never replace an existing file (the default, said out loud; cannot be combined with -Force).</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Also save the optimizer's moments, step count and learning rate, so that Invoke-ModelFit continues exactly where it
    /// stopped.</summary>
    [Parameter(ParameterSetName = FullSet)]
    public SwitchParameter IncludeOptimizer { get; set; }

    /// <summary>Save only the weights (Keras save_weights), for Import-Checkpoint -WeightsInto.</summary>
    [Parameter(Mandatory = true, ParameterSetName = WeightsSet)]
    public SwitchParameter WeightsOnly { get; set; }

    /// <summary>The format to write under a name whose extension names none (model.pt): kpt (KerasPS), keras (Keras 3) or h5
    /// (Keras 2). Without it such a name is refused (UnknownCheckpointFormat).</summary>
    [Parameter]
    [ValidateSet("kpt", "keras", "h5")]
    public string? Format { get; set; }

    /// <summary>Write the checkpoint's FileInfo to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override object? DefaultTarget => Model;

    protected override void Process()
    {
        var full = ResolveOutputFile(Path, Force, NoClobber, "CheckpointExists", "Checkpoint");
        if (full is null) return;
        // A folder is the engine's InvalidCheckpointPath, not a question of format.
        if (Format is null && !KerasFiles.IsKnownExtension(full) && !Directory.Exists(full))
            throw KerasException.BadArgument("UnknownCheckpointFormat",
                $"'{System.IO.Path.GetFileName(full)}' has no checkpoint extension, so the format to write is unclear. Name the file "
                    + ".kpt (KerasPS, resumable), .keras (Keras 3) or .h5 (Keras 2), or give -Format kpt, keras or h5.", full);
        bool exists = File.Exists(full);
        var action = (WeightsOnly ? "Export weights of model '" : "Export checkpoint of model '") + Model.Name
            + (exists ? "', replacing the file" : "'");
        if (!ShouldProcess(full, action)) return;
        try
        {
            Checkpoint.Save(Model.Engine, full, new CheckpointSaveOptions
            {
                IncludeOptimizer = IncludeOptimizer,
                WeightsOnly = WeightsOnly,
                Overwrite = Force,
                Format = Format switch
                {
                    "kpt" => CheckpointFormat.KerasPS,
                    "keras" => CheckpointFormat.Keras,
                    "h5" => CheckpointFormat.KerasH5,
                    _ => null,
                },
            });
        }
        catch (KerasException e) when (e.ErrorId == "CheckpointExists") { WriteInputError(e, full); return; }
        WriteVerbose($"Saved model '{Model.Name}' ({Model.Engine.ParamCount:N0} parameters) to {full}.");
        if (PassThru) WriteObject(new FileInfo(full));
    }
}
