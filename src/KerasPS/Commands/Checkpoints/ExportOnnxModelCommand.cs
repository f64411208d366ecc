using System.Management.Automation;
using KerasPS.Engine.Onnx;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Checkpoints;

/// <summary>
/// <para type="synopsis">Saves a trained model as an ONNX model (opset 17) for ONNX Runtime, ML.NET, Windows ML and other ONNX inference
/// engines.</para>
/// <para type="description">The file holds the model's inference: one float input of shape (batch, input shape...) per model input and one
/// float output of shape (batch, output shape...) per model output that gives what Invoke-ModelPredict -AsMatrix gives for the same rows
/// (class probabilities for a classifier). A model with one input and one output (every Sequential) names them input and output; a
/// functional model with several inputs or outputs names them after its input layers and output layers (New-ModelInput -Name, the last
/// layer's -Name), in the model's order; -InputName and -OutputName rename them. Every layer type exports: dense, convolution
/// (channels-last inputs are transposed around ONNX's channels-first Conv and pooling), pooling, merges (Add, Concatenate, ...), nested
/// models, normalization (Normalization and BatchNormalization folded into constants), reshaping, Embedding (Gather on the
/// rounded token ids), SimpleRNN/LSTM/GRU as ONNX RNN/LSTM/GRU with Keras's gate order mapped, and Lambda layers written with -Expression.
/// Dropout, AlphaDropout, GaussianNoise and ActivityRegularization act only in training and export as nothing. A Lambda with a script block
/// cannot be exported (error OnnxUnsupportedLambda). The class names, feature names and target go into the file's metadata_props (classes
/// and feature_names as JSON arrays). The write is atomic, and an existing file is only replaced with -Force. See
/// module/CHECKPOINT-FORMAT.md for the mapping.</para>
/// </summary>
/// <example><code>$model | Export-OnnxModel -Path ./otto.onnx</code></example>
/// <example><code>$model | Export-OnnxModel ./iris.onnx -InputName features -OutputName probabilities -Force -PassThru</code></example>
/// <example><code>$twoHeads | Export-OnnxModel ./heads.onnx -OutputName class_probabilities, price</code></example>
[Cmdlet(VerbsData.Export, "OnnxModel", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportOnnxModelCommand : KerasCmdlet
{
    /// <summary>The trained (built) model to export (from the pipeline).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Model Model { get; set; } = null!;

    /// <summary>File to write, e.g. model.onnx; its folder must exist.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = null!;

    /// <summary>Names of the graph's inputs, one per model input in order (default: input for a model with one input, the input layers'
    /// names for a model with several).</summary>
    [Parameter]
    public string[]? InputName { get; set; }

    /// <summary>Names of the graph's outputs, one per model output in order (default: output for a model with one output, the output
    /// layers' names for a model with several).</summary>
    [Parameter]
    public string[]? OutputName { get; set; }

    /// <summary>Replace an existing file at -Path (atomically: the old file stays until the new one is complete).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Write the ONNX file's FileInfo to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var full = ResolveOutputPath(Path);
        bool exists = File.Exists(full);
        if (!ShouldProcess(full, "Export ONNX model of '" + Model.Name + (exists ? "', replacing the file" : "'"))) return;
        OnnxExporter.Save(Model.Engine, full,
            new OnnxExportOptions { InputNames = InputName, OutputNames = OutputName, Overwrite = Force });
        WriteVerbose($"Saved model '{Model.Name}' ({Model.Engine.Layers.Count} layers) as ONNX opset {OnnxExporter.Opset} to {full}.");
        if (PassThru) WriteObject(new FileInfo(full));
    }
}
